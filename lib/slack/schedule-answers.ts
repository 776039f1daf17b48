/**
 * Schedule answers: the list with next local runs, skip tonight (the next run of every enabled
 * sleep schedule of the pool), and hold awake until the next HH:MM on the pool's clock (the zone
 * of its sleep schedules). Which schedules a hold covers is the API's rule, not ours.
 */
import { SLEEP_ACTIONS, type ScheduleAction } from '../schedules/index.ts';
import { ephemeral, errorMessage, escapeMrkdwn, context, section, tableBlocks, type HostResultRow, type SlackMessage } from './blocks.ts';
import { call, fail, reasonOf, seg, type IntentContext } from './api-call.ts';
import { HoldRead, SchedulesRead, SkipRead } from './api-answers.ts';
import { describeLocal, nextLocalTime, parseTimeOfDay } from './local-time.ts';

interface ScheduleRow {
  name: string;
  action: ScheduleAction;
  expression: string;
  timezone: string;
  enabled: boolean;
  nextFire?: string;
  skipDate?: string;
  holdUntil?: string;
}

async function schedulesOf(ctx: IntentContext, poolId: string | undefined): Promise<{ ok: true; rows: ScheduleRow[] } | { ok: false; message: SlackMessage }> {
  const got = await call(ctx, SchedulesRead, 'GET', '/v1/schedules', { query: { pool: poolId } });
  if (!got.ok) return { ok: false, message: fail(got) };
  const rows = got.body.schedules.map((s) => ({
    name: s.name,
    action: s.action,
    expression: s.expression,
    timezone: s.timezone,
    enabled: s.enabled,
    nextFire: s.nextFire ?? undefined,
    skipDate: s.exceptions.skipOnce?.date,
    holdUntil: s.exceptions.holdAwakeUntil?.until,
  }));
  return { ok: true, rows };
}

const isSleepAction = (a: ScheduleAction): boolean => SLEEP_ACTIONS.includes(a);

function localShort(iso: string | undefined, timeZone: string): string | undefined {
  if (!iso || Number.isNaN(Date.parse(iso))) return undefined;
  try {
    return describeLocal(Date.parse(iso), timeZone).replace(` ${timeZone}`, '');
  } catch {
    return iso;
  }
}

export async function scheduleList(ctx: IntentContext, poolId: string | undefined): Promise<SlackMessage> {
  const got = await schedulesOf(ctx, poolId);
  if (!got.ok) return got.message;
  const title = `Schedules${poolId ? ` of pool ${poolId}` : ''}`;
  if (got.rows.length === 0) return ephemeral(`${title}: none.`);
  const note = (s: ScheduleRow): string | undefined =>
    [s.skipDate ? `skip ${s.skipDate}` : '', s.holdUntil && Date.parse(s.holdUntil) > ctx.nowMs ? `held until ${localShort(s.holdUntil, s.timezone)}` : ''].filter(Boolean).join('; ') || undefined;
  return ephemeral(`${title}: ${got.rows.length}`, [
    section(`*${escapeMrkdwn(title)}*`),
    ...tableBlocks(
      [{ title: 'name', max: 30 }, { title: 'action', max: 12 }, { title: 'when', max: 30 }, { title: 'zone', max: 24 }, { title: 'on' }, { title: 'next (local)', max: 16 }, { title: 'exceptions', max: 50 }],
      got.rows.map((s) => [s.name, s.action, s.expression, s.timezone, s.enabled ? 'yes' : 'no', localShort(s.nextFire, s.timezone), note(s)]),
      49,
    ),
  ]);
}

export async function skipTonight(ctx: IntentContext, poolId: string): Promise<SlackMessage> {
  const got = await schedulesOf(ctx, poolId);
  if (!got.ok) return got.message;
  const sleepers = got.rows.filter((s) => s.enabled && isSleepAction(s.action));
  if (sleepers.length === 0) return ephemeral(`Pool *${escapeMrkdwn(poolId)}* has no enabled sleep schedule: nothing to skip.`);
  const rows: HostResultRow[] = [];
  for (const s of sleepers) {
    const r = await call(ctx, SkipRead, 'POST', `/v1/schedules/${seg(s.name)}/skip`, { query: { pool: poolId }, body: { reason: reasonOf(ctx.user, ctx.text) } });
    const date = r.ok ? r.body.schedule.exceptions.skipOnce?.date : undefined;
    rows.push(r.ok ? { host: s.name, result: 'skipped', detail: date ? `next run on ${date} will not run` : 'next run skipped' } : { host: s.name, result: 'failed', detail: r.message });
  }
  const failed = rows.filter((r) => r.result === 'failed').length;
  const head = failed ? `:warning: Pool *${escapeMrkdwn(poolId)}*: ${failed} of ${rows.length} sleep schedules could not be skipped` : `Pool *${escapeMrkdwn(poolId)}* stays awake tonight: the next sleep run is skipped`;
  return ephemeral(head, [section(head), ...tableBlocks([{ title: 'schedule', max: 30 }, { title: 'result', max: 10 }, { title: 'detail', max: 70 }], rows.map((r) => [r.host, r.result, r.detail]), 48)]);
}

export async function hold(ctx: IntentContext, poolId: string, untilText: string): Promise<SlackMessage> {
  const at = parseTimeOfDay(untilText);
  if (!at) return errorMessage(`\`${escapeMrkdwn(untilText)}\` is not a time HH:MM.`);
  const got = await schedulesOf(ctx, poolId);
  if (!got.ok) return got.message;
  const sleepers = got.rows.filter((s) => isSleepAction(s.action));
  if (sleepers.length === 0) return ephemeral(`Pool *${escapeMrkdwn(poolId)}* has no sleep schedule: nothing to hold.`);
  // The pool's time is the time its sleep schedules run in.
  const zone = sleepers[0].timezone;
  let until: number;
  try {
    until = nextLocalTime(ctx.nowMs, at, zone);
  } catch {
    return errorMessage(`Pool ${escapeMrkdwn(poolId)}'s schedules name an unknown time zone \`${escapeMrkdwn(zone)}\`.`);
  }
  const r = await call(ctx, HoldRead, 'POST', `/v1/pools/${seg(poolId)}/hold`, { body: { until: new Date(until).toISOString(), reason: reasonOf(ctx.user, ctx.text) } });
  if (!r.ok) return fail(r);
  const held = r.body.held;
  const zones = new Set(sleepers.map((s) => s.timezone));
  const text = `Pool *${escapeMrkdwn(poolId)}* held awake until ${escapeMrkdwn(describeLocal(until, zone))}: ${held.length ? held.map(escapeMrkdwn).join(', ') : 'no schedule'} will not put it to sleep before then.`;
  return ephemeral(text, [section(text), ...(zones.size > 1 ? [context(`the sleep schedules use ${zones.size} time zones; the time was read in ${escapeMrkdwn(zone)}`)] : [])]);
}

