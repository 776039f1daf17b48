/**
 * The sleep plans with the measured night CPU demand: on the local runner's real parts (dynalite,
 * the simulated XAPI pool), its load samples seeded as the load poll writes them. Without samples
 * the plan is today's; with a week of them every running VM carries a demand and a low ceiling
 * keeps a host on for CPU that would sleep without it; a store that cannot be read plans without
 * demand and says so. The night's hours come from the pool's schedules, else a stated default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { seedLoadHistory } from '../../lib/local/load-history.ts';
import { nightRanges, poolNight, readPoolView, requestPoolSleep, sleepPlanOf, withNightDemand } from '../../lib/ops/index.ts';
import { boundedRanges, MAX_DEMAND_BUCKETS } from '../../lib/ops/night-demand.ts';
import { createStore, type Pool, type Schedule } from '../../lib/store/index.ts';
import { formatPlan } from '../../lib/cli/pool-command.ts';
import { freePort } from '../support/peers.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

let runner: LocalRunner;
let dynamo: DynamoFixture;
const lines: string[] = [];
beforeAll(async () => {
  [runner, dynamo] = await Promise.all([
    startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: (l) => lines.push(l), sweepEveryMs: 3_600_000, notifier: async () => undefined }),
    startDynalite(),
  ]);
}, 60_000);
afterAll(async () => {
  await runner?.stop();
  await dynamo?.stop();
});

const who = { actor: 'tester', source: 'api' as const, reason: 'night demand test' };
let seq = 0;
const dryRun = (r: LocalRunner, ops = r.ops) => requestPoolSleep(ops, { ...who, poolId: r.poolId, dryRun: true, idempotencyKey: `nd-${++seq}` });
const todayPlan = async (r: LocalRunner) => {
  const pool = (await r.store.getPool(r.poolId)) as Pool;
  return sleepPlanOf(await readPoolView(r.store, await r.ops.hypervisorFor(pool), pool));
};
const setCeiling = async (r: LocalRunner, cpuCeilingPercent: number) => {
  const pool = (await r.store.getPool(r.poolId)) as Pool;
  await r.store.updatePool(r.poolId, pool.version, { policy: { ...pool.policy, cpuCeilingPercent } });
};

describe('the sleep plan and the measured CPU demand', () => {
  it('(b) no samples: the plan is exactly today\'s, no VM carries a demand (the ceiling stays off), and it says so', async () => {
    await setCeiling(runner, 10);
    const a = await dryRun(runner);
    const { demand, ...plan } = a.plan;
    expect(plan).toEqual(await todayPlan(runner));
    expect(plan.sleep.length).toBe(3);
    expect(demand).toMatchObject({ vms: 0, of: 30, nights: 0, samplesRead: 0, night: { start: '23:30', end: '06:00', timeZone: 'Europe/Berlin', from: 'schedules' } });
    expect(demand?.error).toBeUndefined();
    const audit = (await runner.store.listAudit(new Date().toISOString().slice(0, 10))).filter((e) => e.result === 'dry-run' && e.poolId === runner.poolId).at(-1);
    expect(audit?.message).toMatch(/measured CPU demand for 0 of 30 VMs/);
    // The CLI's plan says it too.
    // Seven whole nights, plus tonight's while it lasts: the count depends on the hour the test runs.
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
    const inTonight = berlin >= '23:30' || berlin < '06:00';
    expect(demand?.lookedBack).toBe(inTonight ? 8 : 7);
    expect(formatPlan(a.plan)).toMatch(new RegExp(`^CPU demand measured for 0 of 30 VMs, from up to 0 of the last ${inTonight ? 8 : 7} nights \\(23:30-06:00 Europe/Berlin, the pool's schedules\\): the CPU ceiling is not applied$`, 'm'));
  });

  it('(c) a store read that fails plans without demand, and the plan and the log say why', async () => {
    // The same dynalite API, a table that does not exist: the read fails as DynamoDB fails it.
    const broken = createStore({ client: dynamo.client, tableName: 'no-such-table' });
    const ops = { ...runner.ops, store: { ...runner.store, listPoolLoad: broken.listPoolLoad } };
    lines.length = 0;
    const a = await dryRun(runner, ops);
    const { demand, ...plan } = a.plan;
    expect(demand?.error).toMatch(/^planned without measured CPU demand: .*(non-existent|not found|ResourceNotFound)/i);
    expect(demand).toMatchObject({ vms: 0, of: 30 });
    expect(plan).toEqual(await todayPlan(runner));
    expect(formatPlan(a.plan)).toContain(demand?.error);
    expect(lines.some((l) => /sleep-plan-demand .*error=.*planned without measured CPU demand/.test(l))).toBe(true);
  });

  it('(a) with a week of samples every VM carries a demand; a 10% ceiling keeps a host on for CPU that sleeps without it', async () => {
    const seeded = await seedLoadHistory({ store: runner.store, hypervisorFor: runner.ops.hypervisorFor, model: runner.xapi.loadModel, poolId: runner.poolId, now: Date.now() });
    // 7 nights of 23:30-06:00 (78 buckets each, one fewer or more across a change of clocks) x 6
    // hosts, and tonight's so far when the test runs in the night.
    expect(seeded.written).toBeGreaterThanOrEqual(7 * 77 * 6);
    expect(seeded.written).toBeLessThanOrEqual(8 * 79 * 6);
    const a = await dryRun(runner);
    expect(a.plan.demand).toMatchObject({ vms: 30, of: 30, samplesRead: seeded.written, night: { from: 'schedules' } });
    expect(a.plan.demand?.nights).toBeGreaterThanOrEqual(7);
    expect(a.plan.demand?.lookedBack).toBeGreaterThanOrEqual(7);
    expect(formatPlan(a.plan)).toMatch(/^CPU demand measured for 30 of 30 VMs, from up to \d of the last \d nights \(23:30-06:00 Europe\/Berlin, the pool's schedules\)$/m);
    const cpuKept = a.plan.keep.filter((k) => k.limit === 'cpu');
    expect(cpuKept.length).toBeGreaterThan(0);
    // Without the demand (the same policy, ceiling 10%) those hosts would sleep.
    const without = await todayPlan(runner);
    for (const k of cpuKept) expect(without.sleep).toContain(k.hostId);
    expect(a.plan.sleep.length).toBeLessThan(without.sleep.length);
    // The default ceiling (80%) holds the night's demand with the same hosts asleep as before.
    await setCeiling(runner, 80);
    const relaxed = await dryRun(runner);
    expect(relaxed.plan.sleep).toEqual(without.sleep);
    expect(relaxed.plan.demand?.vms).toBe(30);
  });

  it('the demand of the view: each VM matched by uuid, a VM with too thin a history counted by its vCPUs', async () => {
    const pool = (await runner.store.getPool(runner.poolId)) as Pool;
    const view = await readPoolView(runner.store, await runner.ops.hypervisorFor(pool), pool);
    // Only the last night read: one night is not enough for a demand (two are needed).
    const now = Date.now();
    const { view: one, demand } = await withNightDemand({ ...runner.store, listPoolLoad: (p, o) => runner.store.listPoolLoad(p, { ...o, since: new Date(Math.max(Date.parse(o?.since ?? ''), now - 86_400_000)).toISOString() }) }, view, now);
    expect(demand.vms).toBe(0);
    expect(one.plannerVms.every((v) => v.cpuDemand === undefined)).toBe(true);
    const full = await withNightDemand(runner.store, view, now);
    for (const v of full.view.plannerVms) {
      expect(v.cpuDemand).toBeGreaterThan(0);
      expect(v.cpuDemand).toBeLessThanOrEqual(v.vcpus);
    }
  });
});

describe('the night hours', () => {
  const pool = { poolId: 'p', policy: { timeZone: 'America/New_York' } } as Pool;
  const sched = (scheduleId: string, action: string, cron: string, timeZone = 'Europe/Berlin', more: Partial<Schedule> = {}): Schedule =>
    ({ poolId: 'p', scheduleId, action, cron, timeZone, enabled: true, version: 1, ...more }) as Schedule;
  // Saturday 2026-12-05 12:00 UTC.
  const saturday = Date.parse('2026-12-05T12:00:00Z');

  it('from the sleep schedule to the next wake (a weekday sleep on Friday meets Monday\'s wake), in the sleep\'s zone', () => {
    const n = poolNight(pool, [sched('sleep', 'sleep', 'cron(30 23 ? * MON-FRI *)'), sched('wake', 'wake', 'cron(0 6 ? * MON-FRI *)'), sched('poll', 'poll-load', 'rate(1 minute)', 'UTC')], saturday);
    expect(n).toEqual({ night: { start: '23:30', end: '06:00', timeZone: 'Europe/Berlin' }, from: 'schedules', why: 'sleep schedule sleep to wake schedule wake' });
    // A wake in another zone: its ready time in the sleep's zone (07:00 London = 08:00 Berlin).
    expect(poolNight(pool, [sched('s', 'sleep', 'cron(0 22 * * ? *)'), sched('w', 'wake', 'cron(0 7 * * ? *)', 'Europe/London')], saturday).night).toEqual({ start: '22:00', end: '08:00', timeZone: 'Europe/Berlin' });
  });

  it('a whole-pool sleep before one for some hosts; disabled schedules do not count', () => {
    const n = poolNight(pool, [sched('some', 'sleep', 'cron(0 21 * * ? *)', 'UTC', { hostIds: ['h1'] }), sched('all', 'sleep', 'cron(0 23 * * ? *)', 'UTC'), sched('off', 'sleep', 'cron(0 20 * * ? *)', 'UTC', { enabled: false }), sched('w', 'wake', 'cron(0 5 * * ? *)', 'UTC')], saturday);
    expect(n.night).toEqual({ start: '23:00', end: '05:00', timeZone: 'UTC' });
  });

  it('the default 22:00-06:00 in the pool\'s zone (UTC without one), with why', () => {
    expect(poolNight(pool, [], saturday)).toEqual({ night: { start: '22:00', end: '06:00', timeZone: 'America/New_York' }, from: 'default', why: 'the pool has no enabled cron sleep schedule' });
    expect(poolNight({ poolId: 'p' } as Pool, [sched('s', 'sleep', 'cron(0 22 * * ? *)')], saturday)).toMatchObject({ night: { timeZone: 'UTC' }, from: 'default', why: expect.stringMatching(/no enabled cron wake/) });
  });

  it('reads one range per night that began in the week, an hour wider each side, never after now', () => {
    const night = { start: '22:00', end: '06:00', timeZone: 'UTC' };
    const ranges = nightRanges(night, saturday);
    expect(ranges.length).toBe(7);
    expect(ranges[0]).toEqual({ since: Date.parse('2026-11-28T21:00:00Z'), until: Date.parse('2026-11-29T07:00:00Z') });
    expect(ranges[6]).toEqual({ since: Date.parse('2026-12-04T21:00:00Z'), until: Date.parse('2026-12-05T07:00:00Z') });
    // During a night: tonight's range ends now.
    const at3 = Date.parse('2026-12-05T03:00:00Z');
    const tonight = nightRanges(night, at3);
    expect(tonight.length).toBe(8);
    expect(tonight[0].since).toBe(Date.parse('2026-11-27T21:00:00Z'));
    expect(tonight.at(-1)).toEqual({ since: Date.parse('2026-12-04T21:00:00Z'), until: at3 });
    // The sleep that fires as the night begins reads the 7 whole nights before it, and tonight's first second.
    const at22 = Date.parse('2026-12-05T22:00:01Z');
    const firing = nightRanges(night, at22);
    expect(firing.length).toBe(8);
    expect(firing[0].since).toBe(Date.parse('2026-11-28T21:00:00Z'));
  });

  it('a large pool reads its most recent nights that fit the bound, and says how many', () => {
    const ranges = nightRanges({ start: '22:00', end: '06:00', timeZone: 'UTC' }, saturday);
    // 10 hours read a night: 120 buckets a host.
    expect(boundedRanges(ranges, 50).nights).toBe(7);
    const big = boundedRanges(ranges, 200);
    expect(big.nights).toBe(Math.floor(MAX_DEMAND_BUCKETS / (200 * 120)));
    expect(big.list).toEqual(ranges.slice(-big.nights));
    expect(boundedRanges(ranges, 1000).nights).toBe(0);
  });
});
