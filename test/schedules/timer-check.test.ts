/**
 * The presence check of schedules' timers (the doctor's): ScheduleService.checkTimers over the
 * local scheduler's timer table and over EventBridge Scheduler's GetSchedule, against the
 * documented wire contract (aws-sdk-client-mock: input Name and GroupName; a missing schedule is
 * ResourceNotFoundException). The store is dynalite.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schedulerSdk } from '../../lib/schedules/scheduler-sdk.ts';
import { mockClient } from 'aws-sdk-client-mock';
import { CreateScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { createStore, type Store } from '../../lib/store/index.ts';
import { LocalScheduler } from '../../lib/schedules/local-runner.ts';
import { EventBridgeScheduler } from '../../lib/schedules/eventbridge.ts';
import { ScheduleService } from '../../lib/schedules/service.ts';
import { eventBridgeSchedulerPort, localSchedulerPort } from '../../lib/schedules/scheduler-ports.ts';
import type { Schedule } from '../../lib/schedules/model.ts';

let db: DynamoFixture;
let store: Store;
let pools = 0;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
});
afterAll(async () => db.stop());

async function newPool(): Promise<string> {
  const poolId = `pool-${++pools}`;
  await store.createPool({ poolId, xapiUrl: 'https://127.0.0.1:1', secretRef: 'xapi' });
  return poolId;
}

const schedule = (poolId: string, o: Partial<Schedule> = {}): Schedule => ({ name: 'nightly', poolId, action: 'sleep', expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {}, ...o });

describe('through the local scheduler', () => {
  let scheduler: LocalScheduler;
  let service: ScheduleService;
  beforeEach(() => {
    scheduler?.stop();
    scheduler = new LocalScheduler({ handler: async () => undefined });
    service = new ScheduleService(store, localSchedulerPort(scheduler), { wakeLeadMinutes: async () => 20 });
  });
  afterAll(() => scheduler?.stop());

  it('present as written; a wake present as its timer, started early by the lead', async () => {
    const poolId = await newPool();
    await service.create(schedule(poolId));
    await service.create(schedule(poolId, { name: 'morning', action: 'wake', expression: 'cron(0 6 ? * MON-FRI *)' }));
    const checks = await service.checkTimers(poolId);
    expect(checks.map((c) => [c.name, c.state, c.have?.expression])).toEqual([
      ['morning', 'present', 'cron(40 5 ? * MON-FRI *)'],
      ['nightly', 'present', 'cron(30 23 ? * MON-FRI *)'],
    ]);
  });

  it('a timer removed from the scheduler (the store keeps the schedule) is missing; one changed behind its back differs', async () => {
    const poolId = await newPool();
    await service.create(schedule(poolId));
    await service.create(schedule(poolId, { name: 'poll', action: 'poll-sensors', expression: 'rate(1 minute)', timezone: 'UTC' }));
    expect(scheduler.remove(`${poolId}.nightly`)).toBe(true);
    const poll = scheduler.list().find((e) => e.schedule.name === `${poolId}.poll`)!.schedule;
    scheduler.update({ ...poll, enabled: false });
    const checks = await service.checkTimers(poolId);
    expect(checks).toEqual([
      { name: 'nightly', state: 'missing', want: { expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true } },
      { name: 'poll', state: 'differs', want: { expression: 'rate(1 minute)', timezone: 'UTC', enabled: true }, have: { expression: 'rate(1 minute)', timezone: 'UTC', enabled: false } },
    ]);
    // Writing the schedule again (an empty change) puts its timer back.
    await service.update(poolId, 'nightly', {});
    expect((await service.checkTimers(poolId)).find((c) => c.name === 'nightly')?.state).toBe('present');
  });

  it('a lookup that does not end in time is unknown with why; a port that cannot be asked is unchecked', async () => {
    const poolId = await newPool();
    await service.create(schedule(poolId));
    const late = await service.checkTimers(poolId, () => Promise.reject(new Error('no answer within 1 s')));
    expect(late).toMatchObject([{ name: 'nightly', state: 'unknown', error: 'no answer within 1 s' }]);
    const bare = new ScheduleService(store, { upsert: async () => undefined, remove: async () => undefined });
    expect(await bare.checkTimers(poolId)).toMatchObject([{ name: 'nightly', state: 'unchecked' }]);
  });
});

describe('through EventBridge Scheduler (GetSchedule)', () => {
  const mock = mockClient(SchedulerClient);
  const GROUP = 'lowpower-prod';
  let eb: EventBridgeScheduler;
  let service: ScheduleService;
  let poolId: string;
  beforeEach(async () => {
    mock.reset();
    eb = new EventBridgeScheduler({ sdk: schedulerSdk(new SchedulerClient({ region: 'eu-central-1' })), groupName: GROUP, targetArn: 'arn:aws:lambda:eu-central-1:123456789012:function:lowpower-scheduled', roleArn: 'arn:aws:iam::123456789012:role/invoke' });
    service = new ScheduleService(store, eventBridgeSchedulerPort(eb));
    poolId = await newPool();
    // create: GetSchedule says none, then CreateSchedule.
    mock.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule nightly does not exist.', Message: 'Schedule nightly does not exist.', $metadata: {} }));
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-central-1:123456789012:schedule/lowpower-prod/x' });
    await service.create(schedule(poolId));
    mock.resetHistory();
  });
  afterAll(() => mock.restore());

  it('asks GetSchedule by Name in the group; the schedule as EventBridge holds it is present', async () => {
    mock.on(GetScheduleCommand).resolves({ Name: `${poolId}.nightly`, GroupName: GROUP, ScheduleExpression: 'cron(30 23 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Berlin', State: 'ENABLED', Target: { Arn: 'arn:aws:lambda:eu-central-1:123456789012:function:lowpower-scheduled', RoleArn: 'r' } });
    expect(await service.checkTimers(poolId)).toMatchObject([{ name: 'nightly', state: 'present' }]);
    expect(mock.commandCalls(GetScheduleCommand).map((c) => c.args[0].input)).toEqual([{ Name: `${poolId}.nightly`, GroupName: GROUP }]);
    expect(await eb.get(`${poolId}.nightly`)).toEqual({ name: `${poolId}.nightly`, expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin', state: 'ENABLED', targetArn: 'arn:aws:lambda:eu-central-1:123456789012:function:lowpower-scheduled' });
  });

  it('ResourceNotFoundException: missing; DISABLED or no time zone (UTC) where the store wants otherwise: differs', async () => {
    mock.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule does not exist.', Message: 'Schedule does not exist.', $metadata: {} }));
    expect(await eb.get(`${poolId}.nightly`)).toBeUndefined();
    expect(await service.checkTimers(poolId)).toMatchObject([{ name: 'nightly', state: 'missing' }]);
    mock.on(GetScheduleCommand).resolves({ Name: `${poolId}.nightly`, ScheduleExpression: 'cron(30 23 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Berlin', State: 'DISABLED' });
    expect(await service.checkTimers(poolId)).toMatchObject([{ state: 'differs', have: { enabled: false } }]);
    mock.on(GetScheduleCommand).resolves({ Name: `${poolId}.nightly`, ScheduleExpression: 'cron(30 23 ? * MON-FRI *)' });
    expect(await service.checkTimers(poolId)).toMatchObject([{ state: 'differs', have: { timezone: 'UTC', enabled: true } }]);
  });

  it('any other error (no permission) is unknown, with what AWS said', async () => {
    // IAM's refusal: not one of the Scheduler's modelled exceptions, a plain named error.
    mock.on(GetScheduleCommand).rejects(Object.assign(new Error('User is not authorized to perform: scheduler:GetSchedule'), { name: 'AccessDeniedException' }));
    expect(await service.checkTimers(poolId)).toMatchObject([{ name: 'nightly', state: 'unknown', error: expect.stringContaining('scheduler:GetSchedule') }]);
  });
});
