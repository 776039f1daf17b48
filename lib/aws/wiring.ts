/**
 * lowpower's parts wired to AWS, once per Lambda container: the store on DynamoDB, secrets in
 * Secrets Manager, timers in EventBridge Scheduler, operations handed to the worker by async
 * invoke and resumed by a one-time at() schedule. Handlers take what they need from here; the
 * API's routes are wired in api-wiring.ts, so only the http function's bundle carries them (and
 * zod with their schemas). The Secrets Manager and Scheduler SDKs load on their first call, not
 * at every cold start (imported here, by path: a folder's index.ts would bring them in at once).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lambdaInvoker, type LambdaInvoker } from './lambda-invoke.ts';
import { createStore, SecretsManagerSecrets, type Store } from '../store/index.ts';
import type { Secrets } from '../store/index.ts';
import { EventBridgeScheduler } from '../schedules/index.ts';
import { ScheduleService, eventBridgeSchedulerPort } from '../schedules/index.ts';
import { lazyPowerDriver } from '../ops/index.ts';
import { xenPowerGuard } from '../ops/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { poolWakeLeadMinutes } from '../ops/index.ts';
import { hypervisorCache } from '../ops/index.ts';
import { configFromEnv, type AwsConfig } from './config.ts';
import type { Log } from '../util/index.ts';

export interface AwsWiring {
  config: AwsConfig;
  store: Store;
  secrets: Secrets;
  ops: PoolOpsDeps;
  schedules: ScheduleService;
  scheduler: EventBridgeScheduler;
  /** Hand an operation to the worker (async invoke: returns at once). */
  launch(operationId: string): Promise<void>;
  /** Run the operation again at this instant (a one-time schedule EventBridge deletes after use). */
  resumeAt(operationId: string, at: Date): Promise<void>;
  docClient: DynamoDBDocumentClient;
  lambda: LambdaInvoker;
}

let cached: Promise<AwsWiring> | undefined;

export function awsWiring(log: Log = () => undefined): Promise<AwsWiring> {
  cached ??= build(log).catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

async function build(log: Log): Promise<AwsWiring> {
  const config = configFromEnv();
  const docClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const store = createStore({ client: docClient, tableName: config.tableName });
  const secrets = new SecretsManagerSecrets({ sdk: async () => (await import('../store/secrets-sdk.ts')).secretsSdk(), prefix: config.secretsPrefix });
  const lambda = lambdaInvoker();
  const scheduler = new EventBridgeScheduler({ sdk: async () => (await import('../schedules/scheduler-sdk.ts')).schedulerSdk(), groupName: config.scheduleGroup, targetArn: config.scheduledFunctionArn, roleArn: config.schedulerRoleArn });
  const { hypervisorFor } = hypervisorCache(secrets);
  // The drivers (and the IPMI and Redfish clients) load on the first BMC call: see lib/ops/lazy-driver.ts.
  const ops: PoolOpsDeps = { store, driver: lazyPowerDriver(async () => (await import('../drivers/index.ts')).hostDrivers(store, secrets, { timeoutMs: 2000, retries: 3, log, hypervisorFor })), hypervisorFor, guard: xenPowerGuard(store, hypervisorFor), log };
  const schedules = new ScheduleService(store, eventBridgeSchedulerPort(scheduler), { wakeLeadMinutes: (p) => poolWakeLeadMinutes(store, p), log });
  const launch = async (operationId: string): Promise<void> => {
    await lambda.invoke(config.workerFunctionName, { operationId }, { async: true });
  };
  const resumeAt = async (operationId: string, at: Date): Promise<void> => {
    await scheduler.createOneTime({
      name: `resume-${operationId.slice(0, 8)}-${at.getTime().toString(36)}`,
      at: at.toISOString().slice(0, 19),
      timezone: 'UTC',
      input: { source: 'resume', operationId },
    });
  };
  // The sweeper at a wake's ready time: a pool not ready then is alerted then.
  ops.checkAt = async (at: Date, operationId: string): Promise<void> => {
    await scheduler.createOneTime({ name: `ready-${operationId.slice(0, 8)}-${at.getTime().toString(36)}`, at: at.toISOString().slice(0, 19), timezone: 'UTC', input: { source: 'sweep' } });
  };
  return { config, store, secrets, ops, schedules, scheduler, launch, resumeAt, docClient, lambda };
}
