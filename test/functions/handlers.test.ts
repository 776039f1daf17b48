/**
 * The Lambda handlers as Lambda would call them. What can run here is real: DynamoDB (dynalite,
 * reached through AWS_ENDPOINT_URL_DYNAMODB), the simulated BMCs and XAPI pool. What cannot
 * (Secrets Manager and EventBridge Scheduler) is mocked with aws-sdk-client-mock and checked against
 * the documented request shapes; Lambda's own Invoke API is a loopback endpoint (test/support/fake-lambda.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, ResourceNotFoundException as SecretNotFound, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import type { Context } from 'aws-lambda';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { freePort } from '../support/peers.ts';
import { startFakeLambda, type FakeLambda } from '../support/fake-lambda.ts';
import { createStore, type Store } from '../../lib/store/index.ts';
import { startSimFleet, type SimFleet } from '../../lib/sim/ipmi/fleet.ts';
import { startXapiSim, demoPool, type HostPowerLink, type XapiSim } from '../../lib/sim/xen/index.ts';
import { simIdentityFor } from '../../lib/sim/ipmi/identity.ts';
import { rebindHost } from '../../lib/ops/bind-host.ts';
import { IpmiPowerDriver } from '../../lib/drivers/ipmi-driver.ts';
import { XapiHypervisor } from '../../lib/xen/index.ts';
import { FileSecrets } from '../../lib/store/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEvent } from '../../lib/aws/http-handler.ts';
import { localLambdaContext } from '../../lib/local/http-server.ts';
import { signSlackRequest } from '../../lib/slack/index.ts';

const secretsMock = mockClient(SecretsManagerClient);
const schedulerMock = mockClient(SchedulerClient);

let db: DynamoFixture;
let lambda: FakeLambda;
let store: Store;
let fleet: SimFleet;
let xapi: XapiSim;
const SLACK_SECRET = 'slack-signing-secret-for-tests';
const POOL = 'pool-fn';
const context = (name: string, ms = 900_000): Context => ({ ...localLambdaContext(name), getRemainingTimeInMillis: () => ms });

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  fleet = await startSimFleet({ count: 6, basePort: (await freePort()) - 3, password: 'fn-bmc', timings: 'fast' });
  const links = new Map<string, HostPowerLink>(fleet.bmcs.map((b) => [b.name, b.state.host]));
  const serialOf = (n: string) => ({ serial: simIdentityFor(n).productSerial, boardSerial: simIdentityFor(n).boardSerial });
  xapi = await startXapiSim({ ...demoPool(links, { user: 'root', password: 'fn-xapi' }, { serialOf }), migrateMsPerGiB: 1, agentStartMs: 100 });
  await store.createPool({ poolId: POOL, xapiUrl: xapi.url, xapiUser: 'root', secretRef: 'xapi', policy: { neverSleep: ['host-002'], wakeStaggerMs: 50 } });
  for (const b of fleet.bmcs) await store.createHost({ poolId: POOL, hostId: b.name, bmcAddress: '127.0.0.1', bmcPort: b.port, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'on', sleepState: 'awake' });
  // Each BMC bound to its XAPI host (serials match), as adding a host over the API does.
  const local = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-fn-bind-')));
  await local.put('bmc', 'fn-bmc');
  const driver = new IpmiPowerDriver(local, { timeoutMs: 1000, retries: 2 });
  const hv = XapiHypervisor.connect({ url: xapi.url, user: 'root', password: 'fn-xapi' });
  for (const b of fleet.bmcs) expect((await rebindHost({ store, driver, hypervisorFor: async () => hv }, POOL, b.name, { actor: 'tester', source: 'api', reason: 'test setup' })).binding?.state).toBe('bound');
  await driver.close();
  await hv.close();
  const secrets: Record<string, string> = { 'lowpower/test/bmc': 'fn-bmc', 'lowpower/test/xapi': 'fn-xapi', 'lowpower/test/slack': SLACK_SECRET };
  secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
    if (!(input.SecretId in secrets)) throw new SecretNotFound({ message: 'not found', $metadata: {} });
    return { SecretString: secrets[input.SecretId] };
  });
  schedulerMock.on(GetScheduleCommand).rejects(new ResourceNotFoundException({ Message: 'no schedule', message: 'no schedule', $metadata: {} }));
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-central-1:123456789012:schedule/lowpower/x' });
  // Lambda's Invoke API on loopback. A synchronous invoke of the http function (how the slack
  // function reaches the API) answers 200 with the handler's result as the payload.
  lambda = await startFakeLambda();
  lambda.answer('lowpower-test-http', async (event) => {
    const { handler } = await import('../../functions/http.ts');
    return handler(event as Parameters<typeof handler>[0], context('http'));
  });
  Object.assign(process.env, {
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    TABLE_NAME: db.tableName,
    SECRETS_PREFIX: 'lowpower/test/',
    SCHEDULE_GROUP: 'lowpower-test',
    SCHEDULED_FUNCTION_ARN: 'arn:aws:lambda:eu-central-1:123456789012:function:lowpower-test-scheduled',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/lowpower-test-scheduler',
    WORKER_FUNCTION_NAME: 'lowpower-test-worker',
    HTTP_FUNCTION_NAME: 'lowpower-test-http',
    SLACK_FUNCTION_NAME: 'lowpower-test-slack',
    SLACK_SECRET_REF: 'slack',
    SLACK_ROLES: JSON.stringify({ UOPS: 'operator' }),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
}, 60_000);

afterAll(async () => {
  secretsMock.restore();
  schedulerMock.restore();
  await lambda?.stop();
  await xapi?.stop();
  await fleet?.stop();
  await db?.stop();
});

const call = async (method: string, path: string, body?: unknown, role = 'operator') => {
  const { handler } = await import('../../functions/http.ts');
  const url = new URL(path, 'http://x');
  const out = await handler(httpEvent({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body), claims: { sub: 'alice', 'lowpower:role': role } }), context('http'));
  return { status: out.statusCode, json: JSON.parse(out.body ?? '{}') as Record<string, unknown> };
};

describe('Lambda handlers', () => {
  it('http: reads with the role from the JWT claims; a viewer cannot act; a sleep is handed to the worker by async invoke', async () => {
    const pools = await call('GET', '/v1/pools', undefined, 'viewer');
    expect(pools.status).toBe(200);
    expect(pools.json.pools).toEqual([expect.objectContaining({ id: POOL, hosts: 6 })]);
    expect((await call('POST', `/v1/pools/${POOL}/sleep`, { reason: 'x' }, 'viewer')).status).toBe(403);
    const sleep = await call('POST', `/v1/pools/${POOL}/sleep`, { reason: 'night test' });
    expect(sleep.status).toBe(202);
    const id = (sleep.json.operation as { id: string }).id;
    expect(lambda.invokes.at(-1)).toMatchObject({ functionName: 'lowpower-test-worker', invocationType: 'Event' });
    expect(lambda.invokes.at(-1)?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-central-1\/lambda\/aws4_request, /);
    expect(JSON.parse(lambda.invokes.at(-1)?.payload ?? '')).toEqual({ operationId: id });

    // The worker, invoked with that payload, runs it to the end.
    const { handler: worker } = await import('../../functions/worker.ts');
    expect(await worker({ operationId: id }, context('worker'))).toEqual({ state: 'succeeded' });
    // The night report goes to the slack function (the worker has no route to Slack), marked as planned.
    const note = lambda.invokes.find((i) => i.functionName === 'lowpower-test-slack');
    expect(note?.invocationType).toBe('Event');
    expect(note?.payload).toMatch(/planned: nightly sleep, no action needed/);
    for (const h of ['host-004', 'host-005', 'host-006']) expect(fleet.bmcs.find((b) => b.name === h)?.state.host.powerOn, h).toBe(false);
    expect(JSON.stringify(await store.listAudit(new Date().toISOString().slice(0, 10)))).not.toMatch(/fn-bmc|fn-xapi/);
  }, 60_000);

  it('worker: with little time left it stops before a step and books a one-time at() resume that EventBridge deletes', async () => {
    const wake = await call('POST', `/v1/pools/${POOL}/wake`, { reason: 'morning test' });
    const id = (wake.json.operation as { id: string }).id;
    const { handler: worker } = await import('../../functions/worker.ts');
    expect(await worker({ operationId: id }, context('worker', 30_000))).toEqual({ state: 'resume' });
    const created = schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input).at(-1);
    expect(created).toMatchObject({
      GroupName: 'lowpower-test',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: process.env.SCHEDULED_FUNCTION_ARN, RoleArn: process.env.SCHEDULER_ROLE_ARN },
    });
    expect(created?.ScheduleExpression).toMatch(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);
    expect(JSON.parse(created?.Target?.Input ?? '{}')).toEqual({ source: 'resume', operationId: id });
    // The resume event reaches the scheduled function, which hands the operation to the worker.
    const { handler: scheduled } = await import('../../functions/scheduled.ts');
    expect(await scheduled({ source: 'resume', operationId: id }, context('scheduled'))).toEqual({ resumed: id });
    expect(await worker({ operationId: id }, context('worker'))).toEqual({ state: 'succeeded' });
    for (const b of fleet.bmcs) expect(xapi.state.host(b.name).enabled, b.name).toBe(true);
  }, 60_000);

  it('scheduled: a schedule created over the API gets its EventBridge timer; when it fires, its exceptions are applied', async () => {
    const created = await call('POST', `/v1/schedules?pool=${POOL}`, { name: 'nightly', action: 'sleep', expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin' }, 'admin');
    expect(created.status).toBe(201);
    const input = schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input).find((i) => i.Name === `${POOL}.nightly`);
    expect(input).toMatchObject({ ScheduleExpression: 'cron(30 23 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Berlin', State: 'ENABLED' });
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    const skip = await call('POST', `/v1/schedules/nightly/skip?pool=${POOL}`, { reason: 'inventory' });
    const next = (skip.json.schedule as { nextFire: string }).nextFire;
    const { handler: scheduled } = await import('../../functions/scheduled.ts');
    const fired = await scheduled({ source: 'schedule', scheduleName: `${POOL}.nightly`, poolId: POOL, scheduledTime: next }, context('scheduled'));
    expect(fired).toMatchObject({ ran: false, reason: 'skip-once' });
    // Without the fire's time a repeated delivery could not be told from a new fire: refused, nothing done.
    const audits = (await store.listAudit(new Date().toISOString().slice(0, 10))).length;
    await expect(scheduled({ source: 'schedule', scheduleName: `${POOL}.nightly`, poolId: POOL, scheduledTime: '<aws.scheduler.scheduled-time>' }, context('scheduled'))).rejects.toThrow(/no valid scheduledTime; nothing done/);
    expect((await store.listAudit(new Date().toISOString().slice(0, 10))).length).toBe(audits);
  });

  it('scheduled: a sweep event runs the sweeper', async () => {
    const { handler: scheduled } = await import('../../functions/scheduled.ts');
    const swept = await scheduled({ source: 'sweep' }, { ...context('scheduled'), awsRequestId: 'req-sweep-1', functionName: 'lowpower-test-scheduled' });
    expect(swept).toMatchObject({ relaunched: expect.any(Array), givenUp: [], lateAlerts: expect.any(Array), enabled: [] });
  });

  it('slack: a signed command is answered from the API; forged and replayed ones are 401 and reach nothing', async () => {
    const { handler: slack } = await import('../../functions/slack.ts');
    const body = new URLSearchParams({ command: '/lowpower', text: `plan ${POOL}`, user_id: 'UOPS', user_name: 'ops', response_url: 'https://hooks.slack.com/commands/x', team_id: 'T1', channel_id: 'C1' }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const event = (sig: string, b64 = false) => ({
      rawPath: '/slack/commands',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig },
      body: b64 ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded: b64,
    });
    const ok = await slack(event(signSlackRequest(SLACK_SECRET, body, ts), true), context('slack'));
    expect(ok?.statusCode).toBe(200);
    expect(ok?.body).toMatch(/host-00[456]/);
    // The plan came from the http function (Slack has no route to XAPI): one synchronous invoke.
    expect(lambda.invokes.filter((i) => i.functionName === 'lowpower-test-http' && i.invocationType === 'RequestResponse').length).toBeGreaterThan(0);
    const ops = (await store.listOperations(POOL)).length;
    expect((await slack(event(signSlackRequest('forged', body, ts)), context('slack')))?.statusCode).toBe(401);
    expect((await slack(event(signSlackRequest(SLACK_SECRET, body, ts)), context('slack')))?.statusCode).toBe(401);
    expect((await store.listOperations(POOL)).length).toBe(ops);
  });
});
