/**
 * When the night watch must leave the hosts it woke alone, on the local runner's real parts
 * (dynalite, the simulated BMCs and pool), with resleepAfterQuietSeconds set and the load low so
 * that a re-sleep would otherwise be due within seconds:
 * - once the pool's morning has begun (its wake schedule's ready time less the wake's lead), the
 *   hosts it woke stay on, even when the morning's wake found nothing asleep and wrote nothing;
 * - a host whose wake by the watch failed, and that a person then switched on, is the person's.
 * Each test has its own runner: a re-sleep happens once per night and pool.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { checkNightWatch, poolWakeLeadMinutes, requestHostPower, requestPoolSleep, requestPoolWake, runHostPower, runOperation } from '../../lib/ops/index.ts';
import { nightOf, watchWakeKey } from '../../lib/ops/night-watch-rules.ts';
import { freePort } from '../support/peers.ts';

let runner: LocalRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

const who = { actor: 'tester', source: 'api' as const, reason: 'handoff test' };
let seq = 0;
const key = (): string => `handoff-${++seq}-${Date.now()}`;
const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A runner whose pool re-sleeps after 1 s of quiet, put to sleep; the hosts it slept. */
async function sleptPool(): Promise<{ r: LocalRunner; slept: string[]; night: string }> {
  const r = (runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => undefined, migrateMsPerGiB: 1, sampleSchedule: false, sweepEveryMs: 3_600_000, notifier: async () => undefined }));
  r.ops.pollMs = 50;
  const pool = (await r.store.getPool(r.poolId))!;
  // The store takes a short quiet time (the API's least is a minute).
  await r.store.updatePool(r.poolId, pool.version, { policy: { ...(pool.policy ?? {}), resleepAfterQuietSeconds: 1 } });
  const s = await requestPoolSleep(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
  expect(await runOperation(r.ops, s.operationId as string)).toBe('succeeded');
  expect(s.plan.sleep.length).toBeGreaterThan(0);
  return { r, slept: s.plan.sleep, night: nightOf(new Date(), pool.policy?.timeZone) };
}

/** Checks for a while with the load low: the states seen (a re-sleep is due after 1 s of quiet). */
async function checksWithLowLoad(r: LocalRunner): Promise<Array<{ state: string; why: string }>> {
  await fetch(`${r.url}/v1/sim/load`, { method: 'POST', body: JSON.stringify({ vm: 'all', cpuPercent: 5 }) });
  const seen: Array<{ state: string; why: string }> = [];
  const until = Date.now() + 6_000;
  while (Date.now() < until) {
    const c = await checkNightWatch(r.ops, r.poolId, { lookSeconds: 5 });
    seen.push({ state: c.state, why: c.why });
    if (c.state === 'slept') break;
    await sleepMs(500);
  }
  return seen;
}

describe('night watch: hosts it leaves alone', () => {
  it('once the morning has begun, the hosts it woke stay on (the morning wake found nothing asleep)', async () => {
    const { r, slept, night } = await sleptPool();
    const w = await requestPoolWake(r.ops, { poolId: r.poolId, reason: 'night watch: test demand', actor: 'night-watch', source: 'schedule', idempotencyKey: watchWakeKey(r.poolId, night, 1), hostIds: slept });
    expect(await runOperation(r.ops, w.operationId as string)).toBe('succeeded');
    // The pool's wake schedule is ready within its lead: its wake (which has nothing to wake) has begun.
    const leadMs = (await poolWakeLeadMinutes(r.store, r.poolId)) * 60_000;
    const ready = new Date(Math.ceil((Date.now() + leadMs / 2) / 60_000) * 60_000);
    await r.store.createSchedule({ poolId: r.poolId, scheduleId: 'morning', cron: `cron(${ready.getUTCMinutes()} ${ready.getUTCHours()} * * ? *)`, timeZone: 'UTC', action: 'wake', enabled: true, exceptions: {} });
    const seen = await checksWithLowLoad(r);
    expect(seen.map((c) => c.state)).not.toContain('slept');
    expect(seen.at(-1)?.why).toMatch(/the morning has begun .*: .* stay on/);
    for (const h of slept) expect(r.fleet.bmcs.find((b) => b.name === h)?.host.powerOn, h).toBe(true);
    expect((await r.store.listOperations(r.poolId)).filter((o) => o.actor === 'night-watch').map((o) => o.kind)).toEqual(['pool-wake']);
  }, 90_000);

  it('a host its wake did not bring up, that a person then saw to, is not slept again by it', async () => {
    const { r, slept, night } = await sleptPool();
    const host = slept[0];
    r.ops.liveTimeoutMs = 1_000;
    // The watch's wake powers the host on, but XAPI never calls it live: the wake fails for it.
    r.faults.set('never-live', true, host);
    const w = await requestPoolWake(r.ops, { poolId: r.poolId, reason: 'night watch: test demand', actor: 'night-watch', source: 'schedule', idempotencyKey: watchWakeKey(r.poolId, night, 1), hostIds: [host], readyBy: new Date(Date.now() + 500).toISOString() });
    expect(await runOperation(r.ops, w.operationId as string)).toBe('failed');
    r.faults.set('never-live', false, host);
    for (let i = 0; i < 200 && !r.xapi.state.hostMetrics(host).live; i++) await sleepMs(50);
    expect(r.xapi.state.hostMetrics(host).live).toBe(true);
    // The operator, told the wake failed, sees to the host: an ordinary power-on (already on).
    const person = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: [host], action: 'on', idempotencyKey: key() });
    expect(await runHostPower(r.ops, person.operationId)).toBe('succeeded');
    const seen = await checksWithLowLoad(r);
    expect(seen.map((c) => c.state)).not.toContain('slept');
    expect(r.fleet.bmcs.find((b) => b.name === host)?.host.powerOn).toBe(true);
  }, 90_000);
});
