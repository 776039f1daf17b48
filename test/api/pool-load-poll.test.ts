/**
 * A pool's load poll follows the pool, on the AWS path: the real router and schedule service on a
 * real store (dynalite), EventBridge Scheduler mocked with aws-sdk-client-mock and checked against
 * CreateSchedule's documented shape (a rate expression, FlexibleTimeWindow, the target and its
 * input). Adding a pool makes exactly one load poll; loadPoll: false none; a timer that cannot be
 * written leaves no pool behind; removing the pool deletes its timers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand, ValidationException } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schedulerSdk } from '../../lib/schedules/scheduler-sdk.ts';
import { handleApiRequest, type ApiContext } from '../../lib/api/router.ts';
import { POOL_ROUTES } from '../../lib/api/pool-routes.ts';
import type { Role } from '../../lib/api/roles.ts';
import { hostDrivers } from '../../lib/drivers/index.ts';
import { EventBridgeScheduler, ScheduleService, clientTokenFor, eventBridgeSchedulerPort } from '../../lib/schedules/index.ts';
import { createStore, FileSecrets, type Store } from '../../lib/store/index.ts';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';

const TARGET = 'arn:aws:lambda:eu-central-1:123456789012:function:lowpower-prod-scheduled';
const ROLE = 'arn:aws:iam::123456789012:role/lowpower-prod-scheduler';
const GROUP = 'lowpower-prod';
const mock = mockClient(SchedulerClient);

let db: DynamoFixture;
let store: Store;
let ctx: ApiContext;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-pool-load-poll-')));
  const eb = new EventBridgeScheduler({ sdk: schedulerSdk(new SchedulerClient({ region: 'eu-central-1' })), groupName: GROUP, targetArn: TARGET, roleArn: ROLE });
  ctx = { store, ops: { store, driver: hostDrivers(store, secrets) }, schedules: new ScheduleService(store, eventBridgeSchedulerPort(eb)), launch: async () => undefined, routes: POOL_ROUTES, secrets, checkResponses: true };
});
afterAll(async () => {
  mock.restore();
  await ctx?.ops.driver.close();
  await db?.stop();
});
beforeEach(() => {
  mock.reset();
  // A new timer: UpdateSchedule's read (GetSchedule) finds none, so the port creates it.
  mock.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ message: 'Schedule does not exist.', Message: 'Schedule does not exist.', $metadata: {} }));
  mock.on(CreateScheduleCommand).resolves({ ScheduleArn: `arn:aws:scheduler:eu-central-1:123456789012:schedule/${GROUP}/x` });
  mock.on(DeleteScheduleCommand).resolves({});
});

const call = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, role: Role = 'admin') => {
  const url = new URL(path, 'http://x');
  return handleApiRequest(ctx, { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: {}, body, actor: 'tester', role });
};
const addPool = (id: string, extra: Record<string, unknown> = {}) => call('POST', '/v1/pools', { id, xapiUrl: 'https://10.10.0.10', xapiPassword: 'xapi-secret-value', ...extra });

describe('POST /v1/pools makes the pool its load poll', () => {
  it('exactly one CreateSchedule: rate(1 minute) in UTC, no flexible window, the scheduled function with the poll-load input', async () => {
    const res = await addPool('lp-a');
    expect(res.status).toBe(201);
    const creates = mock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(creates).toHaveLength(1);
    const { ClientToken, ...body } = creates[0];
    expect(body).toEqual({
      Name: 'lp-a.load',
      GroupName: GROUP,
      ScheduleExpression: 'rate(1 minute)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: TARGET, RoleArn: ROLE, Input: expect.any(String) },
      State: 'ENABLED',
    });
    // What the scheduled function reads when it fires: the pool, the timer, the action, EventBridge's time.
    expect(JSON.parse(body.Target?.Input as string)).toEqual({ source: 'schedule', scheduleName: 'lp-a.load', poolId: 'lp-a', action: 'poll-load', scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(ClientToken).toBe(clientTokenFor(body));
    expect(mock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    // The record the handler reads back, through the same service as every schedule.
    const listed = await call('GET', '/v1/schedules?pool=lp-a', undefined, 'viewer');
    expect((listed.body as { schedules: unknown[] }).schedules).toEqual([expect.objectContaining({ name: 'load', action: 'poll-load', expression: 'rate(1 minute)', timezone: 'UTC', enabled: true })]);
    const audit = (await store.listAudit(new Date().toISOString().slice(0, 10))).find((a) => a.poolId === 'lp-a' && a.action === 'add pool');
    expect(audit?.message).toBe('load poll: schedule load (poll-load, rate(1 minute) UTC)');
    expect(JSON.stringify(audit)).not.toContain('xapi-secret-value');
  });

  it('loadPoll: false: the pool is added and no schedule is made; a loadPoll that is no boolean is refused and adds nothing', async () => {
    expect((await addPool('lp-b', { loadPoll: false })).status).toBe(201);
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(await store.listSchedules('lp-b')).toEqual([]);
    const bad = await addPool('lp-c', { loadPoll: 'no' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_pool', field: 'loadPoll' } } });
    expect(await store.getPool('lp-c')).toBeUndefined();
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('a timer EventBridge refuses to write leaves no pool and no schedule behind; the same request again succeeds', async () => {
    mock.on(CreateScheduleCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({ ScheduleArn: `arn:aws:scheduler:eu-central-1:123456789012:schedule/${GROUP}/x` });
    const res = await addPool('lp-d');
    expect(res).toMatchObject({ status: 502, body: { error: { code: 'scheduler_failed', message: expect.stringContaining('pool lp-d was not added') } } });
    expect(await store.getPool('lp-d')).toBeUndefined();
    expect(await store.listSchedules('lp-d')).toEqual([]);
    expect((await addPool('lp-d')).status).toBe(201);
    expect((await store.listSchedules('lp-d')).map((s) => [s.scheduleId, s.action])).toEqual([['load', 'poll-load']]);
  });

  it('a timer EventBridge refuses as invalid: a 400 that says the pool was not added, and it was not', async () => {
    mock.on(CreateScheduleCommand).rejects(new ValidationException({ message: 'Invalid Name', Message: 'Invalid Name', $metadata: {} }));
    const res = await addPool('lp-h');
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_schedule', field: 'schedule', message: expect.stringMatching(/^pool lp-h was not added: its load poll could not be scheduled \(schedule 'lp-h\.load' rejected by EventBridge Scheduler: Invalid Name\)/) } } });
    expect(await store.getPool('lp-h')).toBeUndefined();
    expect(await store.listSchedules('lp-h')).toEqual([]);
  });
});

describe('DELETE /v1/pools/{id} removes its schedules with it', () => {
  it('one DeleteSchedule per schedule, then the hosts and the pool are gone', async () => {
    expect((await addPool('lp-e')).status).toBe(201);
    await store.createHost({ poolId: 'lp-e', hostId: 'e1', bmcAddress: '10.20.0.21', bmcPort: 623, bmcUser: 'admin', secretRef: 'bmc.lp-e.e1', cipherSuite: 17, power: 'on', sleepState: 'awake' });
    const res = await call('DELETE', '/v1/pools/lp-e');
    expect(res).toEqual({ status: 200, body: { deleted: 'lp-e', schedules: ['load'], hosts: ['e1'] } });
    expect(mock.commandCalls(DeleteScheduleCommand).map((c) => [c.args[0].input.Name, c.args[0].input.GroupName])).toEqual([['lp-e.load', GROUP]]);
    expect(await store.getPool('lp-e')).toBeUndefined();
    expect(await store.listSchedules('lp-e')).toEqual([]);
    expect(await store.listHosts('lp-e')).toEqual([]);
    expect((await call('GET', '/v1/pools/lp-e/energy', undefined, 'viewer')).status).toBe(404);
  });

  it('refused while a host is asleep (nothing would wake it), and for an operator; nothing is removed', async () => {
    expect((await addPool('lp-f')).status).toBe(201);
    await store.createHost({ poolId: 'lp-f', hostId: 'f1', bmcAddress: '10.20.0.31', bmcPort: 623, bmcUser: 'admin', secretRef: 'bmc.lp-f.f1', cipherSuite: 17, power: 'off', sleepState: 'asleep' });
    expect(await call('DELETE', '/v1/pools/lp-f', undefined, 'operator')).toMatchObject({ status: 403 });
    const res = await call('DELETE', '/v1/pools/lp-f');
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'hosts_asleep', host: 'f1', message: 'pool lp-f has hosts lowpower put to sleep (f1): wake them first (POST /v1/pools/lp-f/wake)' } } });
    expect(mock.commandCalls(DeleteScheduleCommand)).toHaveLength(0);
    expect(await store.getPool('lp-f')).toBeDefined();
    expect((await store.listSchedules('lp-f')).map((s) => s.scheduleId)).toEqual(['load']);
  });
});
