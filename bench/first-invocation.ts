/**
 * "Cold import + first invocation" for bench/functions-bench.ts: a fresh `node` imports a
 * function's handler and runs it once on a typical event, so work a handler defers from import to
 * its first use is still counted. What the functions reach runs on loopback, started here:
 * DynamoDB is dynalite (a table with one pool, a poll-sensors schedule and a wake operation with
 * its last two steps), Lambda's Invoke API is test/support/fake-lambda.ts (the slack function's call
 * to the http function answers a pool list), Secrets Manager is a small JSON-protocol endpoint that
 * knows the Slack signing secret and the pool's XAPI password. Everything else (EventBridge
 * Scheduler) points at a closed port. Each event must give its expected answer, or the bench stops:
 * a figure for a failing call would time the failure, not the function.
 *
 *   http       GET /v1/pools as a viewer (API Gateway payload 2.0, JWT claims)
 *   scheduled  the poll-sensors schedule fires (a pool without hosts: no BMC is asked)
 *   worker     { operationId } of a wake whose remaining steps are ready-check and release
 *   slack      a signed `/lowpower status` (the signature checked, the replay guard written,
 *              the API reached through the http function)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDynalite, type DynamoFixture } from '../test/support/dynamo.ts';
import { startFakeLambda, type FakeLambda } from '../test/support/fake-lambda.ts';
import { functionName, REGION, runProbe, type FunctionKey } from '../test/deploy/package.ts';
import { createStore } from '../lib/store/index.ts';
import { signSlackRequest } from '../lib/slack/index.ts';

const POOL = 'bench-pool';
const SLACK_SECRET = 'bench-signing-secret';
const SECRETS_PREFIX = 'lowpower/bench/';

export interface FirstInvocationRig {
  env: Record<string, string>;
  /** A fresh event for this function: the slack one signed now with a body never sent before, the worker's a new operation. */
  event(fn: FunctionKey, run: number): Promise<unknown>;
  /** Throws unless the handler's answer is the one this event should get. */
  check(fn: FunctionKey, result: unknown): void;
  stop(): Promise<void>;
}

/** Secrets Manager's GetSecretValue (JSON 1.1 protocol), for the two secrets the events need. */
async function startFakeSecrets(secrets: Record<string, string>): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const id = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string }).SecretId ?? '';
      if (target !== 'secretsmanager.GetSecretValue' || !(id in secrets)) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: `no secret ${id}` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Name: id, ARN: `arn:aws:secretsmanager:${REGION}:123456789012:secret:${id}`, SecretString: secrets[id], VersionId: 'v1', CreatedDate: 0 }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export async function startFirstInvocationRig(): Promise<FirstInvocationRig> {
  const db: DynamoFixture = await startDynalite();
  const lambda: FakeLambda = await startFakeLambda();
  const secrets = await startFakeSecrets({ [`${SECRETS_PREFIX}slack`]: SLACK_SECRET, [`${SECRETS_PREFIX}xapi`]: 'bench-xapi' });
  const store = createStore({ client: db.client, tableName: db.tableName });
  await store.createPool({ poolId: POOL, xapiUrl: 'https://127.0.0.1:9', xapiUser: 'root', secretRef: 'xapi' });
  await store.createSchedule({ poolId: POOL, scheduleId: 'sensors', cron: 'rate(5 minutes)', timeZone: 'UTC', action: 'poll-sensors', enabled: true });
  // The slack function's API call (a synchronous invoke of the http function) gets a pool list.
  lambda.answer(functionName('http'), async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pools: [] }) }));
  const wakeOperation = async (run: number): Promise<string> => {
    const { operation } = await store.createOperation(
      { poolId: POOL, kind: 'pool-wake', actor: 'bench', source: 'api', reason: 'bench', params: { plan: { wake: [], why: [] }, readyBy: new Date(Date.now() + 3600_000).toISOString() } },
      `bench-wake-${run}-${Date.now()}`,
    );
    await store.createStep(operation.operationId, { index: 0, name: 'ready-check', state: 'pending' });
    await store.createStep(operation.operationId, { index: 1, name: 'release', state: 'pending' });
    return operation.operationId;
  };
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    TABLE_NAME: db.tableName,
    SECRETS_PREFIX,
    SLACK_SECRET_REF: 'slack',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  return {
    env,
    async event(fn, run) {
      if (fn === 'http') {
        return {
          version: '2.0',
          routeKey: '$default',
          rawPath: '/v1/pools',
          rawQueryString: '',
          headers: { accept: 'application/json' },
          isBase64Encoded: false,
          requestContext: {
            accountId: '123456789012', apiId: 'bench', domainName: 'bench', domainPrefix: 'bench', requestId: `bench-${run}`, routeKey: '$default', stage: '$default',
            time: new Date().toISOString(), timeEpoch: Date.now(),
            http: { method: 'GET', path: '/v1/pools', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
            authorizer: { principalId: 'bench', integrationLatency: 0, jwt: { claims: { sub: 'bench', 'lowpower:role': 'viewer' }, scopes: [] } },
          },
        };
      }
      if (fn === 'scheduled') return { source: 'schedule', scheduleName: `${POOL}.sensors`, poolId: POOL, scheduledTime: new Date().toISOString() };
      if (fn === 'worker') return { operationId: await wakeOperation(run) };
      const body = new URLSearchParams({ command: '/lowpower', text: 'status', user_id: 'UBENCH', user_name: 'bench', response_url: 'https://hooks.slack.com/commands/bench', team_id: 'T1', channel_id: 'C1', trigger_id: `bench-${run}-${Date.now()}` }).toString();
      const ts = Math.floor(Date.now() / 1000);
      return { rawPath: '/slack/commands', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SLACK_SECRET, body, ts) }, body, isBase64Encoded: false };
    },
    check(fn, result) {
      const r = result as Record<string, unknown> | undefined;
      const ok =
        fn === 'http' ? r?.statusCode === 200 && /"pools":\[\{"id":"bench-pool"/.test(String(r.body))
        : fn === 'scheduled' ? r?.ran === true && r.action === 'poll-sensors'
        : fn === 'worker' ? r?.state === 'succeeded'
        : r?.statusCode === 200;
      if (!ok) throw new Error(`${fn}: the first invocation did not give the expected answer: ${JSON.stringify(result).slice(0, 400)}`);
    },
    async stop() {
      await lambda.stop();
      await new Promise<void>((ok) => secrets.server.close(() => ok()));
      await db.stop();
    },
  };
}

export interface FirstInvocationProbe {
  importMs: number;
  /** From the start of the import to the handler's answer. */
  totalMs: number;
  result: unknown;
}

const PROBE = [
  'const t0 = performance.now();',
  'const m = await import(process.argv[1]);',
  'const t1 = performance.now();',
  'const fn = process.env.AWS_LAMBDA_FUNCTION_NAME;',
  "const context = { functionName: fn, functionVersion: '$LATEST', invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${fn}`, memoryLimitInMB: '256', awsRequestId: `bench-${process.pid}`, logGroupName: `/aws/lambda/${fn}`, logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 900000, done() {}, fail() {}, succeed() {} };",
  'const result = await m.handler(JSON.parse(process.env.BENCH_EVENT), context);',
  'const t2 = performance.now();',
  "console.log('BENCH ' + JSON.stringify({ importMs: t1 - t0, totalMs: t2 - t0, result }));",
  'process.exit(0);',
].join('\n');

/** Imports the handler in a fresh Node process and runs it once on `event` (see probeImport for the environment). */
export async function probeFirstInvocation(handlerPath: string, env: Record<string, string>, event: unknown, timeoutMs = 60_000): Promise<FirstInvocationProbe> {
  const out = await runProbe(PROBE, handlerPath, [], { ...env, BENCH_EVENT: JSON.stringify(event) }, timeoutMs, 'first invocation');
  const line = out.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`first invocation of ${handlerPath} printed no result:\n${out}`);
  return JSON.parse(line.slice(6)) as FirstInvocationProbe;
}
