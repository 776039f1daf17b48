/**
 * The night watch on the local runner: a real sleep of the simulated pool, then load pushed onto
 * the awake hosts' VMs over `POST /v1/sim/load`. Short periods (a check every second, a spike
 * must last 3 s) keep it fast; the runner's own loop does the checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { checkNightWatch, wokenBy } from '../../lib/ops/night-watch.ts';
import { wakeOrder } from '../../lib/planner/index.ts';
import { readPoolView } from '../../lib/ops/pool-view.ts';
import { wakeLeadMs } from '../../lib/ops/pool-wake.ts';
import type { Operation } from '../../lib/store/types.ts';
import { freePort } from '../support/peers.ts';

const EVERY_MS = 1000;
const SPIKE_S = 3;
let runner: LocalRunner;
const lines: string[] = [];
const channel: string[] = [];

beforeAll(async () => {
  runner = await startLocalRunner({
    port: 0,
    bmcBasePort: (await freePort()) - 10,
    log: (l) => lines.push(l),
    migrateMsPerGiB: 2,
    sampleSchedule: false,
    watchEveryMs: EVERY_MS,
    spikeSeconds: SPIKE_S,
    notifier: async (ns) => void channel.push(...ns.map((n) => JSON.stringify(n))),
  });
}, 60_000);
afterAll(async () => {
  await runner?.stop();
});

type Json = Record<string, unknown>;
const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
  const res = await fetch(`${runner.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
};
const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined) return v;
    await sleepMs(100);
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const watchOps = async (): Promise<Operation[]> => (await runner.store.listOperations(runner.poolId)).filter((o) => o.actor === 'night-watch');
const finished = (o: Operation | undefined) => o && (o.state === 'succeeded' || o.state === 'failed' || o.state === 'cancelled');

describe('night watch on the local runner', () => {
  it('after a sleep and with the model load, nothing wakes', async () => {
    const r = await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'test night' });
    expect(r.status).toBe(202);
    const id = (r.json.operation as { id: string }).id;
    await until('sleep', async () => (finished(await runner.store.getOperation(id)) ? true : undefined), 60_000);
    expect((await runner.store.getOperation(id))?.state).toBe('succeeded');
    // A low, steady load: the model's own noise never reaches the ceiling.
    expect((await api('POST', '/v1/sim/load', { vm: 'all', cpuPercent: 10 })).status).toBe(200);
    await sleepMs((SPIKE_S + 2) * 1000);
    const c = await runner.watch!.check();
    expect(c.state).toBe('watching');
    expect(c.cpu?.percent).toBeLessThan(80);
    expect(await watchOps()).toEqual([]);
    expect((await runner.store.listHosts(runner.poolId)).filter((h) => h.sleepState === 'asleep').length).toBe(3);
  }, 90_000);

  it('bad load pushes are 400/404 and change nothing', async () => {
    expect((await api('POST', '/v1/sim/load', { vm: 'all', cpuPercent: 101 })).status).toBe(400);
    expect((await api('POST', '/v1/sim/load', { vm: 'all' })).status).toBe(400);
    expect((await api('POST', '/v1/sim/load', { vm: 'all', cpuPercent: 50, extra: 1 })).status).toBe(400);
    expect((await api('POST', '/v1/sim/load', { reset: true, vm: 'all' })).status).toBe(400);
    const unknown = await api('POST', '/v1/sim/load', { vm: 'no-such-vm', cpuPercent: 50 });
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.json)).toMatch(/no-such-vm/);
  });

  it('a CPU spike wakes exactly the hosts that cover it, within the spike time plus the wake lead, and the alert names CPU with its figures', async () => {
    const stored = await runner.store.listHosts(runner.poolId);
    const asleep = stored.filter((h) => h.sleepState === 'asleep').map((h) => h.hostId);
    const pushedAt = Date.now();
    expect((await api('POST', '/v1/sim/load', { vm: 'all', cpuPercent: 90 })).status).toBe(200);
    const op = await until('a watch wake', async () => (await watchOps())[0], (SPIKE_S + 10) * 1000);
    const decidedMs = Date.parse(op.createdAt) - pushedAt;
    // The spike must last SPIKE_S. A check sees it once its look (5 s, one 5-second RRD row) is
    // past the push: up to a row late, plus a check period on either side.
    expect(decidedMs).toBeGreaterThanOrEqual(SPIKE_S * 1000);
    expect(decidedMs).toBeLessThanOrEqual(SPIKE_S * 1000 + 10_000 + 2 * EVERY_MS);
    const woken = wokenBy(op);
    // The figures the watch decided on: the fewest sleeping hosts in wake order whose cores bring the awake CPU to 80 %.
    const alerts = await until('the alerts', async () => {
      const open = (await runner.store.listAlerts(runner.poolId, { open: true })).filter((a) => a.kind === 'night-watch');
      return open.length >= woken.length ? open : undefined;
    }, 5000);
    expect(alerts.map((a) => a.hostId).sort()).toEqual([...woken].sort());
    const d = alerts[0].detail as { reason: string; busyCpus: number; cpus: number; cpuPercent: number; ceilingPercent: number };
    expect(d.reason).toBe('cpu');
    expect(d.cpuPercent).toBeGreaterThan(80);
    expect(alerts[0].message).toMatch(/CPU of the awake hosts at [\d.]+% \([\d.]+ of \d+ cores busy\), above the 80% ceiling for \d+ s/);
    const pool = (await runner.store.getPool(runner.poolId))!;
    const view = await readPoolView(runner.store, await runner.ops.hypervisorFor(pool), pool);
    const order = wakeOrder(view.hosts.filter((h) => asleep.includes(h.id)));
    let cpus = d.cpus;
    const expected: string[] = [];
    for (const h of order) {
      if (cpus >= d.busyCpus / 0.8) break;
      cpus += h.cpus;
      expected.push(h.id);
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(asleep.length);
    expect(woken).toEqual(expected);
    // Woken, live and enabled within the spike time plus the hosts' wake lead.
    await until('the wake', async () => (finished(await runner.store.getOperation(op.operationId)) ? true : undefined), 60_000);
    const done = (await runner.store.getOperation(op.operationId))!;
    expect(done.state).toBe('succeeded');
    const lead = Math.max(...stored.filter((h) => woken.includes(h.hostId)).map((h) => wakeLeadMs(h)));
    expect(Date.parse(done.updatedAt) - pushedAt).toBeLessThanOrEqual(SPIKE_S * 1000 + 10_000 + 2 * EVERY_MS + lead);
    for (const h of woken) expect(runner.fleet.bmcs.find((b) => b.name === h)?.host.powerOn, h).toBe(true);
    const xen = await (await runner.ops.hypervisorFor(pool)).hosts();
    for (const h of woken) expect(xen.find((x) => x.hostId === h)).toMatchObject({ live: true, enabled: true });
    expect(channel.some((n) => /night-watch/.test(n) && /CPU of the awake hosts/.test(n))).toBe(true);
  }, 120_000);

  it('the bound holds: past maxWakesPerNight the watch wakes nothing more, and says so', async () => {
    const pool = (await runner.store.getPool(runner.poolId))!;
    await runner.store.updatePool(runner.poolId, pool.version, { policy: { ...pool.policy, maxWakesPerNight: 1 } });
    expect((await api('POST', '/v1/sim/load', { vm: 'all', cpuPercent: 100 })).status).toBe(200);
    // Once the spike has lasted (a row or two after the push, then SPIKE_S), a check says why it does not wake.
    const c = await until('the bound', async () => {
      const x = await runner.watch!.check();
      return /at most/.test(x.why) ? x : undefined;
    }, (SPIKE_S + 12) * 1000);
    expect(c.state).toBe('watching');
    expect(c.why).toMatch(/CPU of the awake hosts .*; but the watch has woken hosts 1 time\(s\) tonight \(at most 1\)/);
    expect((await watchOps()).length).toBe(1);
  }, 60_000);

  it('two checks at once that both decide a wake start one operation', async () => {
    await runner.watch!.stop();
    const pool = (await runner.store.getPool(runner.poolId))!;
    await runner.store.updatePool(runner.poolId, pool.version, { policy: { ...pool.policy, maxWakesPerNight: 3 } });
    // A spike already long enough: both checks see it.
    const [a, b] = await Promise.all([checkNightWatch(runner.ops, runner.poolId, { spikeSeconds: 0, lookSeconds: 5 }), checkNightWatch(runner.ops, runner.poolId, { spikeSeconds: 0, lookSeconds: 5 })]);
    // One started it; the other found it (the same key) or found it under way.
    const started = [a, b].filter((c) => c.created === true);
    expect(started.length).toBe(1);
    const other = started[0] === a ? b : a;
    if (other.state === 'woke') expect(other).toMatchObject({ operationId: started[0].operationId, created: false });
    else expect(other.state).toBe('busy');
    expect((await watchOps()).length).toBe(2);
    await runner.idle();
  }, 60_000);
});
