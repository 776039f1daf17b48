/**
 * The local runner: lowpower on one machine with no AWS. Embedded dynalite, a simulated fleet
 * (six hosts in one pool), the local scheduler over schedules kept in the store, and the HTTP API
 * on 127.0.0.1. Operations run in process; one that asks to be resumed is run again shortly.
 * Everything stops on stop().
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createStore, createTable, FileSecrets, type Store } from '../store/index.ts';
import { startSimFleet, type SimFleet } from '../ipmi/sim/fleet.ts';
import { IpmiPowerDriver } from '../ops/power-driver.ts';
import type { OpsDeps } from '../ops/host-power.ts';
import { runOperation } from '../ops/dispatch.ts';
import { onScheduleFired } from '../ops/scheduled.ts';
import { pollPool } from '../ops/sensor-poll.ts';
import { LocalScheduler, ScheduleService, localSchedulerPort, scheduleNameOfTimer, type Schedule } from '../schedules/index.ts';
import { startHttpServer } from './http-server.ts';
import type { ApiContext } from '../api/router.ts';

export interface LocalRunnerOptions {
  /** HTTP port on 127.0.0.1 (0 picks a free one). */
  port: number;
  /** Keep the table and secrets here between runs; a fresh temporary folder otherwise. */
  stateDir?: string;
  hosts?: number;
  bmcBasePort?: number;
  log?: (line: string) => void;
  /** Install the sample schedules when the pool has none (default true). */
  sampleSchedule?: boolean;
  /** How long one run of an operation may take before it pauses and resumes (default 10 min). */
  runBudgetMs?: number;
}

export interface LocalRunner {
  url: string;
  poolId: string;
  store: Store;
  fleet: SimFleet;
  scheduler: LocalScheduler;
  schedules: ScheduleService;
  ops: OpsDeps;
  /** Run a schedule's action now, as its timer would, and wait for its operation. */
  fire(name: string): Promise<void>;
  /** Resolves when every operation started so far has finished or stopped. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export const POOL_ID = 'pool-1';

const SAMPLE: Array<Omit<Schedule, 'poolId' | 'hostIds'> & { lastHosts?: number }> = [
  { name: 'night-off', lastHosts: 2, action: 'power-off', expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} },
  { name: 'morning-on', lastHosts: 2, action: 'power-on', expression: 'cron(0 6 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} },
  { name: 'poll', action: 'poll-sensors', expression: 'rate(1 minute)', timezone: 'UTC', enabled: true, exceptions: {} },
];

export async function startLocalRunner(o: LocalRunnerOptions): Promise<LocalRunner> {
  const log = o.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`));
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'lowpower-local-'));
  mkdirSync(join(stateDir, 'secrets'), { recursive: true, mode: 0o700 });

  const db = dynalite({ path: o.stateDir ? join(stateDir, 'dynamodb') : undefined, createTableMs: 0 });
  await new Promise<void>((r) => db.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tableName = 'lowpower-local';
  await createTable(raw, tableName);
  const store = createStore({ client: DynamoDBDocumentClient.from(raw), tableName });
  const secrets = new FileSecrets(join(stateDir, 'secrets'));

  const count = o.hosts ?? 6;
  const password = randomBytes(12).toString('base64url');
  const fleet = await startSimFleet({ count, basePort: o.bmcBasePort ?? 16230, password, timings: 'fast' });
  await secrets.put('bmc-admin', password);
  if (!(await store.getPool(POOL_ID))) await store.createPool({ poolId: POOL_ID, name: 'simulated pool', xapiUrl: 'http://127.0.0.1/not-yet-simulated', secretRef: 'xapi' });
  for (const b of fleet.bmcs) {
    const existing = await store.getHost(POOL_ID, b.name);
    if (existing) await store.updateHost(POOL_ID, b.name, existing.version, { bmcPort: b.port, power: 'unknown' });
    else await store.createHost({ poolId: POOL_ID, hostId: b.name, bmcAddress: '127.0.0.1', bmcPort: b.port, bmcUser: 'admin', secretRef: 'bmc-admin', cipherSuite: 17, power: 'unknown' });
  }

  const driver = new IpmiPowerDriver(secrets, { timeoutMs: 1500, retries: 3 });
  const ops: OpsDeps = { store, driver, log, confirmMs: 10_000 };
  const running = new Set<Promise<void>>();
  let stopping = false;

  /** Run an operation in the background; one that pauses ("resume") runs again a second later. */
  const launch = async (operationId: string): Promise<void> => {
    const tag = operationId.slice(0, 8);
    const once = async (): Promise<void> => {
      const state = await runOperation(ops, operationId, { deadlineAt: Date.now() + (o.runBudgetMs ?? 600_000) });
      if (state === 'resume' && !stopping) {
        log(`operation ${tag} paused; resuming in 1 s`);
        await new Promise((r) => setTimeout(r, 1000));
        if (!stopping) return once();
      }
    };
    const p = once()
      .catch((e: unknown) => log(`operation ${tag} stopped: ${e instanceof Error ? e.message : String(e)} (resumable)`))
      .finally(() => running.delete(p));
    running.add(p);
  };

  const fireNow = async (poolId: string, name: string, at: Date): Promise<void> => {
    const r = await onScheduleFired({ ...ops, secrets }, { poolId, scheduleName: name, at });
    if (!r.ran) log(`schedule ${name}: not run (${r.reason}: ${r.detail})`);
    else if ('poll' in r) {
      const p = r.poll;
      log(`schedule ${name}: polled ${p.ok} hosts${p.failed ? `, ${p.failed} failed` : ''}${p.alertsOpened.length ? `, thermal alert on ${p.alertsOpened.join(', ')}` : ''}`);
    } else {
      log(`schedule ${name}: ${r.action}, operation ${r.operationId.slice(0, 8)}`);
      if (r.created) await launch(r.operationId);
    }
  };
  const scheduler = new LocalScheduler({
    handler: (timer, at) => fireNow(timer.poolId, scheduleNameOfTimer(timer.poolId, timer.name), at),
    onError: (e, s) => log(`schedule ${s.name}: failed: ${e instanceof Error ? e.message : String(e)}`),
  });
  const schedules = new ScheduleService(store, localSchedulerPort(scheduler));
  // Timers for what the store holds (a --state-dir keeps schedules between runs), then samples.
  for (const s of await schedules.all()) await localSchedulerPort(scheduler).upsert(s);
  if (o.sampleSchedule !== false && (await store.listSchedules(POOL_ID)).length === 0) {
    const hosts = fleet.bmcs.map((b) => b.name);
    for (const { lastHosts, ...s } of SAMPLE) {
      await schedules.create({ ...s, poolId: POOL_ID, hostIds: lastHosts ? hosts.slice(-lastHosts) : undefined });
    }
  }

  const ctx: ApiContext = { store, ops, schedules, launch, log };
  const server: Server = await startHttpServer(ctx, o.port);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  void pollPool(store, secrets, POOL_ID, { log }).catch(() => undefined);

  const idle = async (): Promise<void> => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return {
    url,
    poolId: POOL_ID,
    store,
    fleet,
    scheduler,
    schedules,
    ops,
    async fire(name: string) {
      await fireNow(POOL_ID, name, new Date());
      await idle();
    },
    idle,
    async stop() {
      stopping = true;
      scheduler.stop();
      await idle();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await driver.close();
      await fleet.stop();
      await new Promise<void>((r) => db.close(() => r()));
    },
  };
}
