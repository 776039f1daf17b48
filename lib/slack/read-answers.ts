/**
 * Answers that only read: pool and host status (power, hottest temperature, draw), a host's
 * sensors, the night's plan, and an operation with its per-host results.
 */
import { context, ephemeral, errorMessage, escapeMrkdwn, planMessage, resultMessage, section, statusMessage, tableBlocks, type HostStatusRow, type PlanView, type SlackMessage } from './blocks.ts';
import { call, fail, mapLimit, seg, type IntentContext } from './api-call.ts';
import { HostRead, HostsRead, OperationRead, PlanRead, PoolsRead, type HostRow, type PlanRow, type ReadingRow } from './api-answers.ts';

/** Hosts whose latest reading a pool status fetches (one API read each). */
export const STATUS_READINGS_LIMIT = 200;

function hottest(reading: ReadingRow): number | undefined {
  const temps = (reading.temperatures ?? []).map((t) => t.celsius).filter((c) => Number.isFinite(c));
  return temps.length ? Math.max(...temps) : undefined;
}

function statusRow(host: HostRow, reading?: ReadingRow): HostStatusRow {
  const notes: string[] = [];
  if (host.isMaster) notes.push('master');
  if (host.operation) notes.push(`busy: ${host.operation}`);
  return {
    host: host.id,
    pool: host.pool,
    power: host.power,
    xen: host.xenState,
    temperature: reading ? hottest(reading) : undefined,
    watts: reading?.powerWatts,
    note: notes.join(', ') || undefined,
  };
}

async function poolStatus(ctx: IntentContext, poolId: string): Promise<SlackMessage> {
  const got = await call(ctx, HostsRead, 'GET', '/v1/hosts', { query: { pool: poolId } });
  if (!got.ok) return fail(got);
  const hosts = got.body.hosts;
  const withReadings = hosts.slice(0, STATUS_READINGS_LIMIT);
  const readings = await mapLimit(withReadings, 8, async (h) => {
    const one = await call(ctx, HostRead, 'GET', `/v1/hosts/${seg(h.id)}`, { query: { pool: poolId } });
    return one.ok ? one.body.readings[0] : undefined;
  });
  const rows = hosts.map((h, i) => statusRow(h, readings[i]));
  const footer = hosts.length > STATUS_READINGS_LIMIT ? `temperatures for the first ${STATUS_READINGS_LIMIT} hosts only` : undefined;
  return statusMessage(`Pool ${poolId}`, rows, footer);
}

export async function status(ctx: IntentContext, target: string | undefined): Promise<SlackMessage> {
  const got = await call(ctx, PoolsRead, 'GET', '/v1/pools');
  if (!got.ok) return fail(got);
  const pools = got.body.pools;
  if (!target) {
    if (pools.length === 0) return ephemeral('No pools yet.');
    if (pools.length === 1) return poolStatus(ctx, pools[0].id);
    return ephemeral(`${pools.length} pools`, [
      section(`*${pools.length} pools*`),
      ...tableBlocks(
        [{ title: 'pool', max: 40 }, { title: 'hosts', align: 'right' }, { title: 'on', align: 'right' }, { title: 'asleep', align: 'right' }],
        pools.map((p) => [p.id, p.hosts, p.on, p.asleep]),
        48,
      ),
      context('`/lowpower status POOL` for its hosts'),
    ]);
  }
  if (pools.some((p) => p.id === target)) return poolStatus(ctx, target);
  const host = await call(ctx, HostRead, 'GET', `/v1/hosts/${seg(target)}`);
  if (!host.ok) return host.code === 'unknown_host' ? errorMessage(`No pool or host called \`${escapeMrkdwn(target)}\`.`) : fail(host);
  const reading = host.body.readings[0];
  return statusMessage(`Host ${target}`, [statusRow(host.body.host, reading)], reading ? `latest reading ${reading.at}` : 'no reading in the last hour');
}

export async function sensors(ctx: IntentContext, hostId: string): Promise<SlackMessage> {
  const got = await call(ctx, HostRead, 'GET', `/v1/hosts/${seg(hostId)}`);
  if (!got.ok) return fail(got);
  const { host, readings } = got.body;
  const reading = readings[0];
  if (!reading) return ephemeral(`*${escapeMrkdwn(hostId)}*: power ${host.power}; no sensor reading in the last hour.`);
  const w = reading.powerWatts;
  const head = `*${escapeMrkdwn(hostId)}* (pool ${escapeMrkdwn(host.pool)}): power ${escapeMrkdwn(reading.power ?? host.power)}${w !== undefined ? `, drawing ${Math.round(w)} W` : ''}`;
  const temps = reading.temperatures ?? [];
  return ephemeral(`${hostId}: ${temps.length} temperatures`, [
    section(head),
    ...tableBlocks([{ title: 'sensor', max: 40 }, { title: '°C', align: 'right' }], temps.map((t) => [t.name, t.celsius]), 47),
    context(`read at ${reading.at}`),
  ]);
}

export function planView(plan: PlanRow): PlanView {
  return { sleep: plan.sleep, migrations: plan.migrations.length, keep: plan.keep, hostsOn: plan.hostsOn, why: plan.why };
}

export async function plan(ctx: IntentContext, poolId: string): Promise<SlackMessage> {
  const got = await call(ctx, PlanRead, 'GET', `/v1/pools/${seg(poolId)}/plan`);
  if (!got.ok) return fail(got);
  return planMessage(poolId, planView(got.body.plan));
}

export async function operation(ctx: IntentContext, id: string): Promise<SlackMessage> {
  const got = await call(ctx, OperationRead, 'GET', `/v1/operations/${seg(id)}`);
  if (!got.ok) return fail(got);
  const op = got.body.operation;
  const title = `Operation ${id} (${op.kind}, ${op.state})`;
  const footer = `asked by ${op.actor} (${op.source}): ${op.reason}`;
  const rows = (op.result?.hosts ?? []).map((h) => ({ host: h.hostId, result: h.result, detail: h.detail, watts: h.wattsSaved }));
  if (rows.length) return resultMessage(title, rows, footer);
  const done = op.steps.filter((s) => s.state === 'done' || s.state === 'skipped').length;
  return ephemeral(title, [section(`*${escapeMrkdwn(title)}*: ${done} of ${op.steps.length} steps done${op.error ? `\n:warning: ${escapeMrkdwn(op.error)}` : ''}`), context(escapeMrkdwn(footer))]);
}
