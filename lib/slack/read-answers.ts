/**
 * Answers that only read: pool and host status (power, hottest temperature, draw), a host's
 * sensors, the night's plan, and an operation with its per-host results.
 */
import { context, ephemeral, errorMessage, escapeMrkdwn, planMessage, resultMessage, section, statusMessage, tableBlocks, type HostResultRow, type HostStatusRow, type PlanView, type SlackMessage } from './blocks.ts';
import { arr, call, fail, mapLimit, num, rec, seg, str, type IntentContext, type Json } from './api-call.ts';

/** Hosts whose latest reading a pool status fetches (one API read each). */
export const STATUS_READINGS_LIMIT = 200;

function hottest(reading: Json): number | undefined {
  const temps = arr(reading.temperatures).map((t) => num(rec(t).celsius)).filter((c): c is number => c !== undefined);
  return temps.length ? Math.max(...temps) : undefined;
}

function statusRow(host: Json, reading?: Json): HostStatusRow {
  const notes: string[] = [];
  if (host.isMaster === true) notes.push('master');
  const op = str(host.operation);
  if (op) notes.push(`busy: ${op}`);
  return {
    host: str(host.id) ?? '?',
    pool: str(host.pool),
    power: str(host.power) ?? 'unknown',
    xen: str(host.xenState) ?? null,
    temperature: reading ? hottest(reading) : undefined,
    watts: reading ? num(reading.powerWatts) : undefined,
    note: notes.join(', ') || undefined,
  };
}

async function poolStatus(ctx: IntentContext, poolId: string): Promise<SlackMessage> {
  const got = await call(ctx, 'GET', '/v1/hosts', { query: { pool: poolId } });
  if (!got.ok) return fail(got);
  const hosts = arr(got.body.hosts).map(rec);
  const withReadings = hosts.slice(0, STATUS_READINGS_LIMIT);
  const readings = await mapLimit(withReadings, 8, async (h) => {
    const one = await call(ctx, 'GET', `/v1/hosts/${seg(str(h.id) ?? '')}`, { query: { pool: poolId } });
    return one.ok ? rec(arr(one.body.readings)[0]) : undefined;
  });
  const rows = hosts.map((h, i) => statusRow(h, readings[i]));
  const footer = hosts.length > STATUS_READINGS_LIMIT ? `temperatures for the first ${STATUS_READINGS_LIMIT} hosts only` : undefined;
  return statusMessage(`Pool ${poolId}`, rows, footer);
}

export async function status(ctx: IntentContext, target: string | undefined): Promise<SlackMessage> {
  const got = await call(ctx, 'GET', '/v1/pools');
  if (!got.ok) return fail(got);
  const pools = arr(got.body.pools).map(rec);
  if (!target) {
    if (pools.length === 0) return ephemeral('No pools yet.');
    if (pools.length === 1) return poolStatus(ctx, str(pools[0].id) ?? '');
    return ephemeral(`${pools.length} pools`, [
      section(`*${pools.length} pools*`),
      ...tableBlocks(
        [{ title: 'pool', max: 40 }, { title: 'hosts', align: 'right' }, { title: 'on', align: 'right' }, { title: 'asleep', align: 'right' }],
        pools.map((p) => [str(p.id), num(p.hosts), num(p.on), num(p.asleep)]),
        48,
      ),
      context('`/lowpower status POOL` for its hosts'),
    ]);
  }
  if (pools.some((p) => p.id === target)) return poolStatus(ctx, target);
  const host = await call(ctx, 'GET', `/v1/hosts/${seg(target)}`);
  if (!host.ok) return host.code === 'unknown_host' ? errorMessage(`No pool or host called \`${escapeMrkdwn(target)}\`.`) : fail(host);
  const reading = rec(arr(host.body.readings)[0]);
  const at = str(reading.at);
  return statusMessage(`Host ${target}`, [statusRow(rec(host.body.host), reading)], at ? `latest reading ${at}` : 'no reading in the last hour');
}

export async function sensors(ctx: IntentContext, hostId: string): Promise<SlackMessage> {
  const got = await call(ctx, 'GET', `/v1/hosts/${seg(hostId)}`);
  if (!got.ok) return fail(got);
  const host = rec(got.body.host);
  const reading = arr(got.body.readings).map(rec)[0];
  const power = str(host.power) ?? 'unknown';
  if (!reading) return ephemeral(`*${escapeMrkdwn(hostId)}*: power ${power}; no sensor reading in the last hour.`);
  const w = num(reading.powerWatts);
  const head = `*${escapeMrkdwn(hostId)}* (pool ${escapeMrkdwn(str(host.pool) ?? '?')}): power ${escapeMrkdwn(str(reading.power) ?? power)}${w !== undefined ? `, drawing ${Math.round(w)} W` : ''}`;
  const temps = arr(reading.temperatures).map(rec);
  return ephemeral(`${hostId}: ${temps.length} temperatures`, [
    section(head),
    ...tableBlocks([{ title: 'sensor', max: 40 }, { title: '°C', align: 'right' }], temps.map((t) => [str(t.name), num(t.celsius)]), 47),
    context(`read at ${str(reading.at) ?? '?'}`),
  ]);
}

export function planView(plan: Json): PlanView {
  return {
    sleep: arr(plan.sleep).map(String),
    migrations: arr(plan.migrations).length,
    keep: arr(plan.keep).map(rec).map((k) => ({ hostId: str(k.hostId) ?? '?', reason: str(k.reason) ?? '' })),
    hostsOn: num(plan.hostsOn),
    why: str(plan.why),
  };
}

export async function plan(ctx: IntentContext, poolId: string): Promise<SlackMessage> {
  const got = await call(ctx, 'GET', `/v1/pools/${seg(poolId)}/plan`);
  if (!got.ok) return fail(got);
  return planMessage(poolId, planView(rec(got.body.plan)));
}

function resultRows(result: Json): HostResultRow[] {
  return arr(result.hosts)
    .map(rec)
    .map((h) => ({ host: str(h.hostId) ?? '?', result: str(h.result) ?? '?', detail: str(h.detail), watts: num(h.wattsSaved) }));
}

export async function operation(ctx: IntentContext, id: string): Promise<SlackMessage> {
  const got = await call(ctx, 'GET', `/v1/operations/${seg(id)}`);
  if (!got.ok) return fail(got);
  const op = rec(got.body.operation);
  const title = `Operation ${id} (${str(op.kind) ?? '?'}, ${str(op.state) ?? '?'})`;
  const footer = `asked by ${str(op.actor) ?? '?'} (${str(op.source) ?? '?'}): ${str(op.reason) ?? ''}`;
  const rows = resultRows(rec(op.result));
  if (rows.length) return resultMessage(title, rows, footer);
  const steps = arr(op.steps).map(rec);
  const done = steps.filter((s) => s.state === 'done' || s.state === 'skipped').length;
  const error = str(op.error);
  return ephemeral(title, [section(`*${escapeMrkdwn(title)}*: ${done} of ${steps.length} steps done${error ? `\n:warning: ${escapeMrkdwn(error)}` : ''}`), context(escapeMrkdwn(footer))]);
}

