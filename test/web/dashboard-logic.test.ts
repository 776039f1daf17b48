/**
 * The dashboard's pure parts, without a browser: what a tile says, the week ahead of a pool's
 * schedules, the plan picture's layout, the key in the fragment, and the nights of the energy chart.
 */
import { describe, expect, it } from 'vitest';
import { tileView, transitionOf } from '../../web/src/host-state.ts';
import { nextSleep, weekAhead } from '../../web/src/week.ts';
import { layoutPlan } from '../../web/src/plan-picture.ts';
import { splitKey } from '../../web/src/api.ts';
import { HIDDEN_MS, pollDelay, RETRY_FIRST_MS } from '../../web/src/poll.ts';
import { nightsOf } from '../../web/src/views/energy.ts';
import { planSummary } from '../../web/src/views/night.ts';
import { planSleep } from '../../lib/planner/index.ts';
import type { Alert, HostSummary, Operation, PoolHost, ScheduleView, SleepPlan } from '../../web/src/types.ts';

const host = (o: Partial<HostSummary> = {}): HostSummary => ({ id: 'host-004', pool: 'pool-1', bmc: '127.0.0.1:623', protocol: 'ipmi', power: 'on', powerObservedAt: '2026-11-26T10:00:00.000Z', xenState: null, isMaster: false, operation: null, ...o });
const op = (o: Partial<Operation>): Operation => ({ operationId: 'op-1', poolId: 'pool-1', kind: 'host-power', state: 'running', actor: 'a', source: 'api', reason: 'r', createdAt: '', updatedAt: '', ...o });

describe('tile state', () => {
  it('on, off and asleep come from the host record, with a word and a symbol', () => {
    expect(tileView(host())).toMatchObject({ state: 'on', label: 'On', symbol: '●' });
    expect(tileView(host({ power: 'off' }))).toMatchObject({ state: 'off', label: 'Off', symbol: '○' });
    expect(tileView(host({ power: 'off', xenState: 'asleep' }))).toMatchObject({ state: 'off', label: 'Asleep' });
  });

  it('a running operation says which way the host is going', () => {
    const busy = host({ operation: 'op-1' });
    expect(tileView(busy, { op: op({ params: { action: 'off' } }) })).toMatchObject({ state: 'going-down', label: 'Switching off' });
    expect(tileView(busy, { op: op({ params: { action: 'on' } }) })).toMatchObject({ state: 'coming-up', label: 'Switching on' });
    expect(tileView(busy, { op: op({ kind: 'pool-sleep', params: { plan: { sleep: ['host-004'] } } }) })).toMatchObject({ state: 'going-down', label: 'Going to sleep' });
    expect(tileView(busy, { op: op({ kind: 'pool-wake', params: { plan: { wake: ['host-004'] } } }) })).toMatchObject({ state: 'coming-up', label: 'Waking' });
    // A host the pool sleep keeps on is only busy, not going anywhere.
    expect(tileView(busy, { op: op({ kind: 'pool-sleep', params: { plan: { sleep: ['host-005'] } } }) })).toMatchObject({ state: 'on', note: 'busy: operation op-1' });
    expect(transitionOf(op({ state: 'succeeded', params: { action: 'off' } }), 'host-004')).toBeUndefined();
  });

  it('an unknown power state and failure alerts are errors; a thermal alert marks the tile hot', () => {
    expect(tileView(host({ power: 'unknown' }))).toMatchObject({ state: 'error', label: 'No answer', symbol: '⚠' });
    const alert = (kind: Alert['kind']): Alert => ({ kind, hostId: 'host-004', message: `${kind} happened`, state: 'open', openedAt: '', count: 1 });
    expect(tileView(host(), { alerts: [alert('sleep-failed')] })).toMatchObject({ state: 'error', label: 'Sleep failed', note: 'sleep-failed happened' });
    expect(tileView(host(), { alerts: [alert('thermal')] })).toMatchObject({ state: 'on', hot: true, note: 'thermal happened' });
    expect(tileView(host(), { alerts: [{ ...alert('drift'), hostId: 'host-001' }] })).toMatchObject({ state: 'on' });
  });

  it('temperature and draw come from the latest reading, unless it predates the last power change', () => {
    const reading = { hostId: 'host-004', at: '2026-11-26T10:01:00.000Z', power: 'on' as const, powerWatts: 287, temperatures: [{ name: 'CPU1', celsius: 53 }, { name: 'Inlet', celsius: 25 }] };
    expect(tileView(host(), { reading })).toMatchObject({ hottestC: 53, watts: 287 });
    const old = { ...reading, at: '2026-11-26T09:00:00.000Z' };
    expect(tileView(host({ power: 'off' }), { reading: old })).toMatchObject({ hottestC: undefined, watts: undefined });
  });
});

const schedule = (o: Partial<ScheduleView>): ScheduleView => ({ name: 'night-sleep', poolId: 'pool-1', action: 'sleep', expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {}, version: 1, nextFire: null, ...o });
const SAMPLE = [schedule({}), schedule({ name: 'morning-wake', action: 'wake', expression: 'cron(0 6 ? * MON-FRI *)' }), schedule({ name: 'poll', action: 'poll-sensors', expression: 'rate(1 minute)', timezone: 'UTC' })];
// Monday 2026-03-23, 12:00 in Berlin (UTC+1); the clocks go forward on Sunday 29 March.
const MONDAY_NOON = Date.parse('2026-03-23T11:00:00Z');

describe('week ahead', () => {
  it('lays sleep and wake out per local day in the pool zone, across a DST change, with nights asleep shaded', () => {
    const week = weekAhead(SAMPLE, 'Europe/Berlin', MONDAY_NOON);
    expect(week.days.map((d) => d.date)).toEqual(['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29']);
    expect(week.days[0].events.map((e) => `${e.time} ${e.action}`)).toEqual(['23:30 sleep']);
    expect(week.days[1].events.map((e) => `${e.time} ${e.action}`)).toEqual(['06:00 wake', '23:30 sleep']);
    expect(week.days[5].events).toEqual([]);
    // Friday night to Monday morning asleep: all of Saturday and of Sunday (a 23-hour day).
    expect(week.days[5].spans).toEqual([{ kind: 'asleep', x0: 0, x1: 1 }]);
    expect(week.days[6].end - week.days[6].start).toBe(23 * 3600_000);
    expect(week.days[1].events[0].x).toBeCloseTo(6 / 24, 5);
    expect(week.other.map((s) => s.name)).toEqual(['poll']);
  });

  it('skip tonight and hold awake show as skipped runs and a held band, as the scheduler will decide', () => {
    const skipped = weekAhead([{ ...SAMPLE[0], exceptions: { skipOnce: { date: '2026-03-23', reason: 'inventory' } } }, SAMPLE[1]], 'Europe/Berlin', MONDAY_NOON);
    const monday = skipped.days[0].events[0];
    expect(monday).toMatchObject({ runs: false });
    expect(monday.why).toMatch(/skipped once on 2026-03-23: inventory/);
    expect(nextSleep(skipped)?.at).toBe(Date.parse('2026-03-24T22:30:00Z'));
    // Monday's wake after a skipped night does not start a span from nowhere.
    expect(skipped.days[0].spans).toEqual([]);
    const held = weekAhead([{ ...SAMPLE[0], exceptions: { holdAwakeUntil: { until: '2026-03-25T05:00:00Z' } } }, SAMPLE[1]], 'Europe/Berlin', MONDAY_NOON);
    expect(held.days[0].events[0]).toMatchObject({ runs: false });
    expect(held.days[1].events.find((e) => e.action === 'sleep')).toMatchObject({ runs: false });
    expect(held.days[2].events.find((e) => e.action === 'sleep')).toMatchObject({ runs: true });
    expect(held.days[1].spans).toEqual([{ kind: 'held', x0: 0, x1: 1 }]);
  });

  it('a pool asleep now is shaded from now until its next wake', () => {
    const week = weekAhead(SAMPLE, 'Europe/Berlin', Date.parse('2026-03-24T01:00:00Z'), { asleepNow: true });
    expect(week.days[0].spans).toEqual([
      { kind: 'asleep', x0: 2 / 24, x1: 6 / 24 },
      { kind: 'asleep', x0: 23.5 / 24, x1: 1 },
    ]);
  });
});

describe('plan picture layout', () => {
  const GiB = 2 ** 30;
  const ph = (id: string, power: 'on' | 'off' = 'on'): PoolHost => ({ ...host({ id, power }), live: power === 'on', enabled: true, memoryTotalBytes: 256 * GiB, memoryFreeBytes: 200 * GiB, cpus: 32, sleepState: power === 'on' ? 'awake' : 'asleep', vms: [] });
  const plan: SleepPlan = {
    sleep: ['host-003'],
    migrations: [
      { vmId: 'vm-1', from: 'host-003', to: 'host-001', memoryBytes: 16 * GiB, wave: 1 },
      { vmId: 'vm-2', from: 'host-003', to: 'host-002', memoryBytes: 8 * GiB, wave: 2 },
    ],
    keep: [
      { hostId: 'host-001', reason: 'pool master' },
      { hostId: 'host-002', reason: 'marked never-sleep' },
    ],
    hostsOn: 2,
    lowerBound: 2,
    migratedBytes: 24 * GiB,
  };

  it('sleepers left with their moves, keepers right with memory now and after, hosts off already below', () => {
    const L = layoutPlan(plan, [ph('host-001'), ph('host-002'), ph('host-003'), ph('host-004', 'off')]);
    expect(L.left.map((b) => [b.hostId, b.kind, b.moves.map((m) => m.vmId)])).toEqual([
      ['host-003', 'sleeps', ['vm-1', 'vm-2']],
      ['host-004', 'off', []],
    ]);
    expect(L.right.map((b) => [b.hostId, b.reason, b.usedBytes / GiB, b.incomingBytes / GiB])).toEqual([
      ['host-001', 'pool master', 56, 16],
      ['host-002', 'marked never-sleep', 56, 8],
    ]);
    // Boxes never overlap within a column, and the picture is tall enough for both.
    for (const col of [L.left, L.right]) for (let i = 1; i < col.length; i++) expect(col[i].y).toBeGreaterThanOrEqual(col[i - 1].y + col[i - 1].h);
    expect(L.height).toBeGreaterThanOrEqual(Math.max(...[...L.left, ...L.right].map((b) => b.y + b.h)));
  });
});

describe('the key in the fragment', () => {
  it('is taken out of the fragment, whatever route is there', () => {
    expect(splitKey('#key=abc')).toEqual({ key: 'abc', rest: '' });
    expect(splitKey('#key=abc&x=1')).toEqual({ key: 'abc', rest: '#x=1' });
    expect(splitKey('#/night?key=a%2Bb')).toEqual({ key: 'a+b', rest: '#/night' });
    expect(splitKey('#/night?key=k&pool=p')).toEqual({ key: 'k', rest: '#/night?pool=p' });
    expect(splitKey('#/hosts/host-004&key=k')).toEqual({ key: 'k', rest: '#/hosts/host-004' });
    expect(splitKey('#/fleet')).toEqual({ rest: '#/fleet' });
    expect(splitKey('#/fleet?key=')).toEqual({ rest: '#/fleet?key=' });
  });
});

describe('energy nights', () => {
  it('every night of the range, zero where nothing was booked', () => {
    const nights = nightsOf(
      {
        pool: 'p',
        nights: [{ night: '2026-11-24', kWhSaved: 3.5, hosts: 3, moneySaved: null, co2KgSaved: null }],
        totalKWhSaved: 3.5,
        pricing: { electricityPricePerKwh: null, currency: null, gridCarbonGramsPerKwh: null },
        totalMoneySaved: null,
        totalCo2KgSaved: null,
        asleepNow: [],
      },
      3,
      '2026-11-26',
    );
    expect(nights).toEqual([
      { night: '2026-11-24', kWhSaved: 3.5, hosts: 3, moneySaved: null, co2KgSaved: null },
      { night: '2026-11-25', kWhSaved: 0, hosts: 0, moneySaved: null, co2KgSaved: null },
      { night: '2026-11-26', kWhSaved: 0, hosts: 0, moneySaved: null, co2KgSaved: null },
    ]);
  });
});

describe('the night in one sentence', () => {
  const GiB = 1024 ** 3;
  const host = (id: string, isMaster = false) => ({ id, memoryBytes: 64 * GiB, cpus: 16, state: 'on' as const, isMaster });
  const vm = (id: string, hostId: string) => ({ id, hostId, memoryBytes: 20 * GiB, vcpus: 2 });
  const policy = { haFailuresToTolerate: 1, headroomPercent: 0, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 2 };

  it('says "nothing can sleep" once, then the planner\'s reason', () => {
    // Two hosts, HA 1: the master holds every VM, but nothing would be left if it failed.
    const plan = planSleep([host('a', true), host('b')], [vm('v1', 'a'), vm('v2', 'b')], policy);
    expect(plan.sleep).toEqual([]);
    const text = planSummary(plan, 2);
    expect(text).toBe(`Nothing can sleep now: ${plan.why}.`);
    expect(text).toMatch(/^Nothing can sleep now: of 2 hosts on, 1 must stay on \(pool master\); 1 is needed as HA spare/);
    expect(text.match(/nothing can sleep/gi)).toHaveLength(1);
  });

  it('who sleeps and what moves when something can', () => {
    const plan = planSleep([host('a', true), host('b'), host('c')], [vm('v1', 'a'), vm('v2', 'c')], { ...policy, haFailuresToTolerate: 0 });
    expect(planSummary(plan, 3)).toMatch(/^2 of 3 hosts can sleep: (b, c|c, b)\. 1 VM move \(20(\.0)? GiB\)\.$/);
  });
});

describe('poll delay', () => {
  it('a success waits the interval; failures in a row wait 2 s, 4 s, 8 s... up to the interval', () => {
    expect(pollDelay(30_000, 0, false)).toBe(30_000);
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => pollDelay(30_000, n, false))).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(RETRY_FIRST_MS).toBe(2_000);
  });

  it('a poll faster than the first retry stays as fast after a failure', () => {
    expect(pollDelay(500, 0, false)).toBe(500);
    expect(pollDelay(500, 3, false)).toBe(500);
    expect(pollDelay(1_500, 1, false)).toBe(1_500);
  });

  it('a hidden tab is asked at most every 30 s, failed or not', () => {
    expect(HIDDEN_MS).toBe(30_000);
    expect(pollDelay(1_500, 0, true)).toBe(30_000);
    expect(pollDelay(15_000, 1, true)).toBe(30_000);
    expect(pollDelay(300_000, 2, true)).toBe(30_000);
    expect(pollDelay(300_000, 0, true)).toBe(300_000);
  });
});
