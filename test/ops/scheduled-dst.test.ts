/**
 * onScheduleFired for wakes on daylight-saving days and across midnight, over dynalite: a one-time
 * early start starts the wake for its ready time; a recurring fire it replaces is skipped and
 * audited; both fires of one morning share the idempotency key, so one wake starts; exceptions
 * apply to the ready time's date. Pool actions are a recorder that honours idempotency keys as
 * startPoolOperation does (the real one is covered in pool-sleep-wake.test.ts).
 * Europe/Berlin, 2025: spring forward at 01:00 UTC on 03-30 (CET +1 to CEST +2), fall back at
 * 01:00 UTC on 10-26.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { createStore, FileSecrets, type Store } from '../../lib/store/index.ts';
import { onScheduleFired, type PoolActions, type ScheduledFire } from '../../lib/ops/scheduled.ts';
import type { PowerDriver } from '../../lib/ops/power-driver.ts';
import type { ScheduleExceptions } from '../../lib/schedules/model.ts';

const TZ = 'Europe/Berlin';
let db: DynamoFixture;
let store: Store;
let n = 0;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
});
afterAll(async () => db.stop());

type WakeCall = Parameters<PoolActions['requestWake']>[1];

function recorder() {
  const calls: WakeCall[] = [];
  const ops = new Map<string, string>();
  const pools: PoolActions = {
    requestSleep: async () => ({ note: 'not used' }),
    requestWake: async (_poolId, o) => {
      calls.push(o);
      const existing = ops.get(o.idempotencyKey);
      if (existing) return { operationId: existing, created: false };
      ops.set(o.idempotencyKey, `op-${ops.size + 1}`);
      return { operationId: `op-${ops.size}`, created: true };
    },
  };
  return { calls, pools };
}

async function setup(expression: string, exceptions: ScheduleExceptions = {}) {
  const poolId = `dst-${++n}`;
  await store.createPool({ poolId, xapiUrl: 'https://127.0.0.1:1', secretRef: 'xapi' });
  await store.createSchedule({ poolId, scheduleId: 'morning', cron: expression, timeZone: TZ, action: 'wake', enabled: true, exceptions: exceptions as Record<string, unknown> });
  const { calls, pools } = recorder();
  const deps = { store, driver: {} as PowerDriver, secrets: new FileSecrets('/nonexistent'), pools, wakeLeadMinutes: async () => 25 };
  const fire = (at: string, readyAt?: string) => {
    const f: ScheduledFire = { poolId, scheduleName: 'morning', at: new Date(at), ...(readyAt ? { readyAt: new Date(readyAt) } : {}) };
    return onScheduleFired(deps, f);
  };
  return { poolId, calls, fire };
}

const keyOf = (poolId: string, ready: string) => `schedule:${poolId}:morning@ready:${ready}`;

describe('spring forward: 03:00 with 25 minutes, 02:35 does not exist', () => {
  it('the one-time start at 01:35 CET starts the wake ready by 03:00 CEST; a second fire of it starts nothing new', async () => {
    const { poolId, calls, fire } = await setup('cron(0 3 ? * * *)');
    expect(await fire('2025-03-30T00:35:00.000Z', '2025-03-30T01:00:00.000Z')).toEqual({ ran: true, action: 'wake', operationId: 'op-1', created: true });
    // A runner that does not pass the marker on: the instant alone tells the same.
    expect(await fire('2025-03-30T00:35:00.000Z')).toEqual({ ran: true, action: 'wake', operationId: 'op-1', created: false });
    expect(calls.map((c) => [c.idempotencyKey, c.readyBy])).toEqual([
      [keyOf(poolId, '2025-03-30T01:00:00.000Z'), '2025-03-30T01:00:00.000Z'],
      [keyOf(poolId, '2025-03-30T01:00:00.000Z'), '2025-03-30T01:00:00.000Z'],
    ]);
    // The day after, the recurring timer (02:35 CEST) starts it as usual.
    expect(await fire('2025-03-31T00:35:00.000Z')).toMatchObject({ ran: true, created: true });
    expect(calls[2]).toMatchObject({ idempotencyKey: keyOf(poolId, '2025-03-31T01:00:00.000Z'), readyBy: '2025-03-31T01:00:00.000Z' });
  });

  it('a marker for a time that is no ready time is refused as stale', async () => {
    const { calls, fire } = await setup('cron(0 3 ? * * *)');
    expect(await fire('2025-03-30T00:35:00.000Z', '2025-03-30T01:05:00.000Z')).toMatchObject({ ran: false, reason: 'stale-early-start' });
    expect(calls).toEqual([]);
  });
});

describe('fall back: 02:35 happens twice', () => {
  it('the recurring fire at the first 02:35 (an hour early) is skipped and audited; the one-time start at the second starts the wake', async () => {
    const { poolId, calls, fire } = await setup('cron(0 3 ? * * *)');
    const early = await fire('2025-10-26T00:35:00.000Z');
    expect(early).toMatchObject({ ran: false, reason: 'early-start-covers' });
    expect(calls).toEqual([]);
    const audit = (await store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.poolId === poolId);
    expect(audit).toEqual([expect.objectContaining({ action: 'wake not run', result: 'refused', message: expect.stringContaining('2025-10-26T01:35:00.000Z') })]);
    expect(await fire('2025-10-26T01:35:00.000Z', '2025-10-26T02:00:00.000Z')).toMatchObject({ ran: true, created: true });
    expect(calls[0]).toMatchObject({ idempotencyKey: keyOf(poolId, '2025-10-26T02:00:00.000Z'), readyBy: '2025-10-26T02:00:00.000Z' });
  });
});

describe('a lead across midnight', () => {
  it('a cron that cannot be moved back a day: the one-time start at 23:45 wakes; the recurring fire at 00:10 only repeats it', async () => {
    const { poolId, calls, fire } = await setup('cron(10 0 ? 1-12 * *)');
    // 2025-03-31 00:10 CEST is 2025-03-30T22:10Z; its start, 23:45 CEST the evening before, 21:45Z.
    expect(await fire('2025-03-30T21:45:00.000Z', '2025-03-30T22:10:00.000Z')).toMatchObject({ ran: true, created: true });
    expect(await fire('2025-03-30T22:10:00.000Z')).toMatchObject({ ran: true, operationId: 'op-1', created: false });
    expect(calls.map((c) => c.idempotencyKey)).toEqual([keyOf(poolId, '2025-03-30T22:10:00.000Z'), keyOf(poolId, '2025-03-30T22:10:00.000Z')]);
    expect(calls[1].reason).toMatch(/after its early start at 2025-03-30T21:45:00.000Z/);
  });

  it('exceptions apply to the ready date, not the evening the start runs on', async () => {
    const { calls, fire } = await setup('cron(10 0 ? 1-12 * *)', {
      calendar: [{ date: '2025-03-31', kind: 'skip', label: 'holiday' }],
      keepOff: [{ hostId: 'h3', until: '2025-04-02' }],
    });
    expect(await fire('2025-03-30T21:45:00.000Z', '2025-03-30T22:10:00.000Z')).toMatchObject({ ran: false, reason: 'calendar-skip' });
    expect(await fire('2025-03-30T22:10:00.000Z')).toMatchObject({ ran: false, reason: 'calendar-skip' });
    expect(calls).toEqual([]);
    // 2025-04-01 00:10 CEST: no holiday, h3 still kept off.
    expect(await fire('2025-03-31T21:45:00.000Z', '2025-03-31T22:10:00.000Z')).toMatchObject({ ran: true, created: true });
    expect(calls[0].excludeHostIds).toEqual(['h3']);
  });

  it('skip tonight names the ready date and skips its one-time start', async () => {
    const { calls, fire } = await setup('cron(10 0 ? 1-12 * *)', { skipOnce: { date: '2025-03-31', reason: 'maintenance' } });
    expect(await fire('2025-03-30T21:45:00.000Z', '2025-03-30T22:10:00.000Z')).toMatchObject({ ran: false, reason: 'skip-once' });
    expect(calls).toEqual([]);
  });
});

describe('a fire nothing planned (run now)', () => {
  it('keeps the old key by fire instant and the next ready time as the deadline', async () => {
    const { poolId, calls, fire } = await setup('cron(0 3 ? * * *)');
    expect(await fire('2025-06-10T23:17:42.000Z')).toMatchObject({ ran: true, created: true });
    expect(calls[0]).toMatchObject({ idempotencyKey: `schedule:${poolId}:morning@2025-06-10T23:17:42.000Z`, readyBy: '2025-06-11T01:00:00.000Z' });
  });
});

describe('a repeated delivery after the pool learned a new lead', () => {
  it('the fire names the lead its timer was armed with: the repeat finds the first one\'s ready time and operation', async () => {
    const poolId = `dst-${++n}`;
    await store.createPool({ poolId, xapiUrl: 'https://127.0.0.1:1', secretRef: 'xapi' });
    await store.createSchedule({ poolId, scheduleId: 'morning', cron: 'cron(0 3 ? * * *)', timeZone: TZ, action: 'wake', enabled: true, exceptions: {} });
    const { calls, pools } = recorder();
    let lead = 25;
    const deps = { store, driver: {} as PowerDriver, secrets: new FileSecrets('/nonexistent'), pools, wakeLeadMinutes: async () => lead };
    // The recurring timer, armed with 25 minutes, fires at 02:35 CEST for 03:00.
    const fire: ScheduledFire = { poolId, scheduleName: 'morning', at: new Date('2025-04-02T00:35:00.000Z'), leadMinutes: 25 };
    expect(await onScheduleFired(deps, fire)).toEqual({ ran: true, action: 'wake', operationId: 'op-1', created: true });
    // The wake taught a slower host: the pool's lead is 40 now. The same fire is delivered again.
    lead = 40;
    expect(await onScheduleFired(deps, fire)).toEqual({ ran: true, action: 'wake', operationId: 'op-1', created: false });
    expect(calls.map((c) => c.idempotencyKey)).toEqual([keyOf(poolId, '2025-04-02T01:00:00.000Z'), keyOf(poolId, '2025-04-02T01:00:00.000Z')]);
    // A fire that names no lead (a timer armed before fires carried it) reads the pool's.
    expect(await onScheduleFired(deps, { ...fire, leadMinutes: undefined })).toMatchObject({ ran: true, created: true });
  });
});
