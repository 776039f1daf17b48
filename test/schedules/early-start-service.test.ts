/**
 * The schedule service books one-time early starts where a wake's recurring timer cannot start it
 * on time: through the local scheduler (its timers really fire, on a driven clock) and through the
 * EventBridge port (the documented CreateSchedule request, with aws-sdk-client-mock). The store is
 * dynalite. Dates: Europe/Berlin goes from 02:00 CET to 03:00 CEST on 2025-03-30 (01:00 UTC), so
 * 03:00 local that day is 01:00 UTC and a 25-minute lead starts at 00:35 UTC (01:35 CET): the
 * shifted 02:35 does not exist.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schedulerSdk } from '../../lib/schedules/scheduler-sdk.ts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleInput,
} from '@aws-sdk/client-scheduler';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { createStore, type Store } from '../../lib/store/index.ts';
import { LocalScheduler, type OneShotFire, type RunnerClock } from '../../lib/schedules/local-runner.ts';
import { EventBridgeScheduler } from '../../lib/schedules/eventbridge.ts';
import { ScheduleService } from '../../lib/schedules/service.ts';
import { eventBridgeSchedulerPort, localSchedulerPort } from '../../lib/schedules/scheduler-ports.ts';
import { earlyStartName, earlyStartPrefix } from '../../lib/schedules/timer-names.ts';
import { wakeFireRole } from '../../lib/schedules/early-start.ts';
import type { Schedule } from '../../lib/schedules/model.ts';

/** Timers that run only when the test moves time on. */
class FakeClock implements RunnerClock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): number {
    this.timers.set(++this.id, { at: this.t + Math.max(0, ms), fn });
    return this.id;
  }
  clearTimer(h: unknown): void {
    this.timers.delete(h as number);
  }
  advanceTo(end: number): void {
    for (;;) {
      const due = [...this.timers].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
    }
    this.t = end;
  }
}

const TZ = 'Europe/Berlin';
const READY = new Date('2025-03-30T01:00:00.000Z'); // 03:00 CEST
const START = new Date('2025-03-30T00:35:00.000Z'); // 01:35 CET
let db: DynamoFixture;
let store: Store;
let pool = 0;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
});
afterAll(async () => db.stop());

async function newPool(): Promise<string> {
  const poolId = `pool-${++pool}`;
  await store.createPool({ poolId, xapiUrl: 'https://127.0.0.1:1', secretRef: 'xapi' });
  return poolId;
}

const wake = (poolId: string, expression = 'cron(0 3 ? * * *)'): Schedule => ({ name: 'morning', poolId, action: 'wake', expression, timezone: TZ, enabled: true, exceptions: {} });

describe('through the local scheduler', () => {
  function setup(now: number, lead: { minutes: number }, horizonDays?: number) {
    const clock = new FakeClock(now);
    const fired: Array<{ name: string; at: Date; once?: OneShotFire }> = [];
    const scheduler = new LocalScheduler({ clock, handler: async (s, at, once) => void fired.push({ name: s.name, at, ...(once ? { once } : {}) }) });
    const service = new ScheduleService(store, localSchedulerPort(scheduler), { now: () => clock.now(), wakeLeadMinutes: async () => lead.minutes, ...(horizonDays ? { earlyStartHorizonDays: horizonDays } : {}) });
    return { clock, fired, scheduler, service };
  }

  it('books the spring-forward start, and the fires over those days start each morning once, on time', async () => {
    const poolId = await newPool();
    const lead = { minutes: 25 };
    const { clock, fired, scheduler, service } = setup(Date.parse('2025-03-20T12:00:00Z'), lead);
    await service.create(wake(poolId));
    expect(scheduler.list().map((e) => e.schedule.expression)).toEqual(['cron(35 2 ? * * *)']);
    const booked = scheduler.listOnce();
    expect(booked[0]).toEqual({ name: earlyStartName(poolId, 'morning', READY, TZ), at: START, schedule: expect.objectContaining({ name: `${poolId}.morning` }), payload: { readyAt: READY.toISOString() } });
    // Then fall 2025 (the second 02:35 CET) and spring 2026, within the 400 days.
    expect(booked.slice(1).map((o) => o.at.toISOString())).toEqual(['2025-10-26T01:35:00.000Z', '2026-03-29T00:35:00.000Z']);
    clock.advanceTo(Date.parse('2025-04-01T12:00:00Z'));
    await scheduler.idle();
    // What the handler sees, told apart as onScheduleFired does.
    const starts = fired
      .map((f) => ({ f, role: wakeFireRole({ expression: 'cron(0 3 ? * * *)', timezone: TZ, leadMinutes: lead.minutes }, f.at, f.once ? new Date(String(f.once.payload?.readyAt)) : undefined) }))
      .filter((x) => x.role.kind === 'start');
    const byDay = starts.map((x) => [x.f.at.toISOString(), x.role.kind === 'start' ? x.role.readyAt.toISOString() : '']);
    expect(byDay.filter(([, r]) => r >= '2025-03-28' && r < '2025-04-01')).toEqual([
      ['2025-03-28T01:35:00.000Z', '2025-03-28T02:00:00.000Z'],
      ['2025-03-29T01:35:00.000Z', '2025-03-29T02:00:00.000Z'],
      ['2025-03-30T00:35:00.000Z', '2025-03-30T01:00:00.000Z'],
      ['2025-03-31T00:35:00.000Z', '2025-03-31T01:00:00.000Z'],
    ]);
    expect(fired.find((f) => f.once)?.once?.name).toBe(earlyStartName(poolId, 'morning', READY, TZ));
    expect(scheduler.listOnce()).toEqual(booked.slice(1));
  });

  it('books only within the horizon, the same start once however often it is re-armed, and drops starts no longer needed', async () => {
    const poolId = await newPool();
    const lead = { minutes: 25 };
    const { clock, scheduler, service } = setup(Date.parse('2025-01-10T12:00:00Z'), lead, 35);
    await service.create(wake(poolId));
    expect(scheduler.listOnce()).toEqual([]); // 2025-03-30 is more than 35 days away
    clock.t = Date.parse('2025-03-01T12:00:00Z');
    await service.refreshWakeTimers(poolId);
    await service.refreshWakeTimers(poolId);
    expect(scheduler.listOnce().map((o) => o.at)).toEqual([START]);
    // 04:00 with 25 minutes: 03:35 exists that day, nothing to book.
    await service.update(poolId, 'morning', { expression: 'cron(0 4 ? * * *)' });
    expect(scheduler.listOnce()).toEqual([]);
    // A longer lead puts the clock change between start (00:30 CET) and ready time (04:00 CEST).
    lead.minutes = 150;
    await service.refreshWakeTimers(poolId);
    expect(scheduler.list().map((e) => e.schedule.expression)).toEqual(['cron(30 1 ? * * *)']);
    expect(scheduler.listOnce().map((o) => o.at.toISOString())).toEqual(['2025-03-29T23:30:00.000Z']);
    await service.update(poolId, 'morning', { enabled: false });
    expect(scheduler.listOnce()).toEqual([]);
    await service.update(poolId, 'morning', { enabled: true });
    expect(scheduler.listOnce()).toHaveLength(1);
    await service.remove(poolId, 'morning');
    expect(scheduler.listOnce()).toEqual([]);
    expect(scheduler.list()).toEqual([]);
  });

  it('a lead across midnight: the timer moves to the evening before, and a cron it cannot move gets a one-time start per day', async () => {
    const poolId = await newPool();
    const { scheduler, service } = setup(Date.parse('2025-06-01T12:00:00Z'), { minutes: 25 });
    await service.create({ ...wake(poolId, 'cron(10 0 ? * MON-FRI *)'), name: 'weekdays' });
    expect(scheduler.list().map((e) => e.schedule.expression)).toEqual(['cron(45 23 ? * SUN-THU *)']);
    expect(scheduler.listOnce()).toEqual([]);
    await service.create({ ...wake(poolId, 'cron(10 0 ? 6-8 * *)'), name: 'summer' });
    const once = scheduler.listOnce().filter((o) => o.name.startsWith(earlyStartPrefix(poolId, 'summer')));
    // Capped at 40, from 2 June on, each at 23:45 local the evening before (21:45 UTC in summer time).
    expect(once).toHaveLength(40);
    expect(once[0].at.toISOString()).toBe('2025-06-01T21:45:00.000Z');
    for (const o of once) expect(o.at.toISOString()).toMatch(/T21:45:00\.000Z$/);
  });

  it('by default the next clock changes are booked months ahead', async () => {
    const poolId = await newPool();
    const { scheduler, service } = setup(Date.parse('2025-01-10T12:00:00Z'), { minutes: 25 });
    await service.create(wake(poolId));
    // Spring 2025 (02:35 missing) and fall 2025 (02:35 twice); 2026-03-29 is past the 400 days.
    expect(scheduler.listOnce().map((o) => o.at.toISOString())).toEqual(['2025-03-30T00:35:00.000Z', '2025-10-26T01:35:00.000Z']);
  });
});

describe('through the EventBridge port', () => {
  const mock = mockClient(SchedulerClient);
  const TARGET = 'arn:aws:lambda:eu-central-1:123456789012:function:lowpower-scheduled';
  const ROLE = 'arn:aws:iam::123456789012:role/lowpower-scheduler-invoke';
  let service: ScheduleService;
  beforeEach(() => {
    mock.reset();
    const eb = new EventBridgeScheduler({ sdk: schedulerSdk(new SchedulerClient({ region: 'eu-central-1' })), groupName: 'lowpower', targetArn: TARGET, roleArn: ROLE });
    service = new ScheduleService(store, eventBridgeSchedulerPort(eb), { now: () => Date.parse('2025-03-20T12:00:00Z'), wakeLeadMinutes: async () => 25 });
  });

  it('books a one-time at() schedule in UTC that deletes itself, its input naming the ready time; stale ones are deleted', async () => {
    const poolId = await newPool();
    const name = earlyStartName(poolId, 'morning', READY, TZ);
    const stale = `${earlyStartPrefix(poolId, 'morning')}20250329T0300`;
    mock.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'no such schedule', Message: 'no such schedule', $metadata: {} }));
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/lowpower/x' });
    mock.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: stale }, { Name: name }] });
    mock.on(DeleteScheduleCommand).resolves({});
    await service.create(wake(poolId));

    const creates = mock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input as CreateScheduleInput);
    expect(creates.map((c) => c.ScheduleExpression)).toEqual(['cron(35 2 ? * * *)', 'at(2025-03-30T00:35:00)', 'at(2025-10-26T01:35:00)', 'at(2026-03-29T00:35:00)']);
    // The recurring timer names the lead it was armed with (a repeated delivery is keyed by it).
    expect(JSON.parse(String(creates[0].Target?.Input))).toMatchObject({ action: 'wake', leadMinutes: 25 });
    const once = creates[1];
    expect(once).toMatchObject({
      Name: name,
      GroupName: 'lowpower',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: TARGET, RoleArn: ROLE },
    });
    expect(name).toMatch(/^early-[0-9a-f]{16}-20250330T0300$/);
    expect(JSON.parse(String(once.Target?.Input))).toEqual({
      source: 'schedule',
      scheduleName: `${poolId}.morning`,
      poolId,
      action: 'wake',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      readyAt: READY.toISOString(),
    });
    expect(mock.commandCalls(ListSchedulesCommand)[0].args[0].input).toMatchObject({ GroupName: 'lowpower', NamePrefix: earlyStartPrefix(poolId, 'morning') });
    expect(mock.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input.Name)).toEqual([stale]);
  });

  it('an update the scheduler refuses changes nothing: the store keeps the schedule as it was', async () => {
    const poolId = await newPool();
    mock.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'no such schedule', Message: 'no such schedule', $metadata: {} }));
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/lowpower/x' });
    mock.on(ListSchedulesCommand).resolves({ Schedules: [] });
    await service.create(wake(poolId));
    const before = await store.getSchedule(poolId, 'morning');
    // The timer exists now; the scheduler refuses to change it (throttled, a quota, an outage).
    mock.reset();
    mock.on(GetScheduleCommand).resolves({ Name: `${poolId}.morning`, GroupName: 'lowpower', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: TARGET, RoleArn: ROLE } });
    mock.on(UpdateScheduleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    mock.on(ListSchedulesCommand).resolves({ Schedules: [] });
    await expect(service.update(poolId, 'morning', { expression: 'cron(0 5 ? * * *)' })).rejects.toThrow();
    const after = await store.getSchedule(poolId, 'morning');
    expect(after).toMatchObject({ cron: before?.cron, timeZone: before?.timeZone, enabled: true });
    expect((await service.get(poolId, 'morning')).expression).toBe('cron(0 3 ? * * *)');

    // Another change is written while this one's timer write fails: the timer follows that one.
    let calls = 0;
    mock.on(UpdateScheduleCommand).callsFake(async () => {
      if (++calls > 1) return { ScheduleArn: 'arn' };
      const now = await store.getSchedule(poolId, 'morning');
      await store.updateSchedule(poolId, 'morning', now?.version ?? 0, { cron: 'cron(0 6 ? * * *)' });
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    await expect(service.update(poolId, 'morning', { expression: 'cron(0 5 ? * * *)' })).rejects.toThrow();
    expect((await store.getSchedule(poolId, 'morning'))?.cron).toBe('cron(0 6 ? * * *)');
    // Re-armed as the store holds it: 06:00 less the 25-minute lead.
    expect(mock.commandCalls(UpdateScheduleCommand).at(-1)?.args[0].input.ScheduleExpression).toBe('cron(35 5 ? * * *)');
  });

  it('a one-time schedule that exists already is replaced whole (booking twice is harmless)', async () => {
    const poolId = await newPool();
    mock.on(GetScheduleCommand).resolves({ Name: `${poolId}.morning`, GroupName: 'lowpower', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: TARGET, RoleArn: ROLE } });
    mock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    mock.on(ListSchedulesCommand).resolves({ Schedules: [] });
    mock.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await service.refreshWakeTimers(poolId); // no schedules yet: nothing sent
    expect(mock.calls()).toHaveLength(0);
    await store.createSchedule({ poolId, scheduleId: 'morning', cron: 'cron(0 3 ? * * *)', timeZone: TZ, action: 'wake', enabled: true, exceptions: {} });
    await service.refreshWakeTimers(poolId);
    const updates = mock.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input);
    const once = updates.find((u) => u.ScheduleExpression?.startsWith('at('));
    expect(once).toMatchObject({ Name: earlyStartName(poolId, 'morning', READY, TZ), ScheduleExpression: 'at(2025-03-30T00:35:00)', ScheduleExpressionTimezone: 'UTC', ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(JSON.parse(String(once?.Target?.Input)).readyAt).toBe(READY.toISOString());
  });
});
