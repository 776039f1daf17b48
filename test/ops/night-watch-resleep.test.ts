/** When the night watch sleeps again the hosts it woke, pure: which hosts may, and when the demand counts as gone. */
import { describe, expect, it } from 'vitest';
import { morningAt, nightStart, quietNow, resleepable, watchSleepKey, type WatchOperation } from '../../lib/ops/night-watch-resleep.ts';
import { broughtUpBy } from '../../lib/ops/night-watch.ts';
import type { Operation } from '../../lib/store/index.ts';
import { watchSettings } from '../../lib/ops/night-watch-rules.ts';
import { PoolPolicyInput } from '../../lib/api/schemas/pools.ts';
import * as z from 'zod/mini';

const at = (hhmm: string): string => `2026-12-06T${hhmm}:00.000Z`;
const wake = (t: string, hostIds: string[], byWatch = true): WatchOperation => ({ kind: 'wake', byWatch, createdAt: at(t), hostIds });
const sleep = (t: string, hostIds: string[], byWatch = true): WatchOperation => ({ kind: 'sleep', byWatch, createdAt: at(t), hostIds });
const hosts = [
  { hostId: 'h3', cpus: 16, awake: true },
  { hostId: 'h4', cpus: 16, awake: true },
  { hostId: 'h5', cpus: 16, awake: false },
];

describe('the watch sleeping its hosts again', () => {
  it('only the hosts it woke tonight that are awake, once per night, never one that flapped, never after another wake took over', () => {
    expect(resleepable([], hosts)).toEqual({ hostIds: [], why: 'the watch woke no host tonight' });
    expect(resleepable([wake('02:00', ['h4', 'h5'])], hosts)).toEqual({ hostIds: ['h4'] });
    // Slept by the watch once tonight: not again, even when woken again.
    expect(resleepable([wake('02:00', ['h4']), sleep('03:00', ['h4']), wake('03:30', ['h3'])], hosts)).toEqual({ hostIds: ['h3'] });
    // Woken twice tonight (it flapped): never.
    const flapped = resleepable([wake('02:00', ['h4']), wake('03:00', ['h4'])], hosts);
    expect(flapped.hostIds).toEqual([]);
    expect(flapped.why).toMatch(/h4 flapped/);
    // A person's (or the morning's) wake after the watch's: the hosts are theirs.
    expect(resleepable([wake('02:00', ['h4']), wake('05:00', ['h3', 'h4', 'h5'], false)], hosts)).toMatchObject({ hostIds: [], why: expect.stringMatching(/woken since by someone else/) });
    // Someone else's sleep (the evening's) does not count against the watch.
    expect(resleepable([sleep('22:00', ['h3', 'h4'], false), wake('02:00', ['h4'])], hosts)).toEqual({ hostIds: ['h4'] });
  });

  it('never a host a person has acted on (a single-host operation) since the watch woke it', () => {
    const person = (t: string, hostIds: string[]): WatchOperation => ({ kind: 'host', byWatch: false, createdAt: at(t), hostIds });
    expect(resleepable([wake('02:00', ['h3', 'h4']), person('02:30', ['h4'])], hosts)).toEqual({ hostIds: ['h3'] });
    expect(resleepable([wake('02:00', ['h4']), person('02:30', ['h4'])], hosts)).toEqual({ hostIds: [], why: 'a person has acted on h4 since: theirs now; the others are asleep or were slept once tonight' });
    // Before the watch's wake, a person's operation says nothing about what the watch woke later.
    expect(resleepable([person('01:00', ['h4']), wake('02:00', ['h4'])], hosts)).toEqual({ hostIds: ['h4'] });
  });

  it('the morning: the first ready time of an enabled wake schedule after the night began, less the lead', () => {
    const s = (cron: string, o: { action?: 'wake' | 'sleep'; enabled?: boolean; timeZone?: string } = {}) => ({ cron, action: o.action ?? 'wake', enabled: o.enabled ?? true, timeZone: o.timeZone ?? 'UTC' });
    const woke = Date.parse(at('02:00'));
    const lead = 15 * 60_000;
    expect(morningAt([s('cron(0 6 * * ? *)')], woke, lead)).toBe(Date.parse(at('05:45')));
    // The earliest of several; disabled ones and sleeps do not count; the zone is the schedule's.
    expect(morningAt([s('cron(0 7 * * ? *)'), s('cron(0 5 * * ? *)', { enabled: false }), s('cron(30 4 * * ? *)', { action: 'sleep' }), s('cron(0 6 * * ? *)', { timeZone: 'Europe/Paris' })], woke, lead)).toBe(Date.parse(at('04:45')));
    // A weekday wake on a Saturday night: Monday's ready time.
    expect(morningAt([s('cron(0 6 ? * MON-FRI *)')], Date.parse('2026-12-05T23:00:00.000Z'), 0)).toBe(Date.parse('2026-12-07T06:00:00.000Z'));
    // From the night's start (local noon): a morning that began before a late wake of the watch (06:05) counts.
    expect(morningAt([s('cron(0 6 * * ? *)')], Date.parse('2026-12-05T12:00:00.000Z'), lead)).toBe(Date.parse(at('05:45')));
    expect(morningAt([], woke, lead)).toBeUndefined();
    // Counted from the night's sleep: a Sunday-evening wake before it is not this night's morning.
    const sunday = [s('cron(0 6 * * ? *)'), s('cron(0 18 ? * SUN *)')];
    expect(morningAt(sunday, nightStart('2026-12-06', 'UTC', [Date.parse('2026-12-06T22:00:00.000Z')]), lead)).toBe(Date.parse('2026-12-07T05:45:00.000Z'));
    // Without a sleep tonight, from local noon, on a clock-change day too (Berlin, 2026-03-29: noon CEST is 10:00 UTC).
    expect(nightStart('2026-03-29', 'Europe/Berlin', [])).toBe(Date.parse('2026-03-29T10:00:00.000Z'));
    expect(nightStart('2026-12-06', 'UTC', [Date.parse('2026-12-06T09:00:00.000Z')])).toBe(Date.parse('2026-12-06T12:00:00.000Z'));
    expect(morningAt([s('not a cron')], woke, lead)).toBeUndefined();
  });

  it('what a wake of the watch brought up: once ended, the hosts its ready check found done; before, its plan', () => {
    const op = (o: Partial<Operation>): Operation => ({ operationId: 'o', poolId: 'p', kind: 'pool-wake', actor: 'night-watch', source: 'schedule', reason: 'r', state: 'running', idempotencyKey: 'k', createdAt: at('02:00'), updatedAt: at('02:00'), version: 1, params: { plan: { wake: ['h3', 'h4'] } }, ...o }) as Operation;
    expect(broughtUpBy(op({}))).toEqual(['h3', 'h4']);
    expect(broughtUpBy(op({ state: 'failed', result: { hosts: [{ hostId: 'h3', result: 'done' }, { hostId: 'h4', result: 'failed', detail: 'never live' }] } }))).toEqual(['h3']);
  });

  it('off by default; with the setting, quiet once the CPU without those hosts is at or under the ceiling, due after the quiet time and not before', () => {
    const t0 = new Date(at('03:00'));
    const cpu = { busyCpus: 20, cpus: 64, percent: 31.25, unmeasured: [] };
    const woken = [{ hostId: 'h4', cpus: 16, awake: true }];
    expect(quietNow(undefined, watchSettings({}), cpu, woken, 0, t0)).toMatchObject({ quiet: false, due: false, why: expect.stringMatching(/resleepAfterQuietSeconds is not set/) });
    const s = watchSettings({ resleepAfterQuietSeconds: 600 });
    const first = quietNow(undefined, s, cpu, woken, 0, t0);
    // 20 busy of the 48 cores left: 41.7 %.
    expect(first).toMatchObject({ since: t0.toISOString(), quiet: true, due: false });
    expect(first.why).toMatch(/without h4 the awake CPU would be 41.7%/);
    expect(quietNow(first.since, s, cpu, woken, 0, new Date(t0.getTime() + 599_999)).due).toBe(false);
    expect(quietNow(first.since, s, cpu, woken, 0, new Date(t0.getTime() + 600_000)).due).toBe(true);
    // The load without them would be above the ceiling: not quiet, and the clock starts again.
    const loud = quietNow(first.since, s, { ...cpu, busyCpus: 40 }, woken, 0, t0);
    expect(loud.quiet).toBe(false);
    expect(loud.since).toBeUndefined();
    // Exactly at the ceiling is quiet (38.4 of 48 cores is 80 %).
    expect(quietNow(undefined, s, { ...cpu, busyCpus: 38.4 }, woken, 0, t0).quiet).toBe(true);
    // A refusal now, or a host without a figure: not quiet (nothing is guessed).
    expect(quietNow(first.since, s, cpu, woken, 1, t0).quiet).toBe(false);
    expect(quietNow(first.since, s, { ...cpu, unmeasured: ['h1'] }, woken, 0, t0).quiet).toBe(false);
    expect(quietNow(first.since, s, undefined, woken, 0, t0).quiet).toBe(false);
    // Taking every awake core away is never quiet.
    expect(quietNow(undefined, s, { busyCpus: 1, cpus: 16, percent: 6, unmeasured: [] }, woken, 0, t0).quiet).toBe(false);
  });

  it('the setting in a request: whole seconds from a minute to a day, or absent', () => {
    const ok = (v: unknown) => z.safeParse(PoolPolicyInput, { resleepAfterQuietSeconds: v }).success;
    expect(ok(900)).toBe(true);
    expect(ok(60)).toBe(true);
    expect(ok(86_400)).toBe(true);
    for (const bad of [0, 59, 86_401, 1.5, -60, '900', null]) expect(ok(bad), String(bad)).toBe(false);
    expect(z.safeParse(PoolPolicyInput, {}).success).toBe(true);
  });

  it('keys: one per pool, night and sleep number', () => {
    expect(watchSleepKey('pool-1', '2026-12-05', 1)).toBe('night-watch:pool-1:2026-12-05:sleep-1');
  });
});
