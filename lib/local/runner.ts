/**
 * The local runner: lowpower on one machine with no AWS. Embedded dynalite, a simulated fleet
 * (six hosts in one pool), the local scheduler with a sample night schedule, and the HTTP API on
 * 127.0.0.1. Everything stops on stop().
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
import { requestHostPower, runHostPower, type OpsDeps } from '../ops/host-power.ts';
import { decide, LocalScheduler, type Schedule } from '../schedules/index.ts';
import { startHttpApi } from './http-api.ts';
import { pollPool } from '../ops/sensor-poll.ts';

export interface LocalRunnerOptions {
  /** HTTP port on 127.0.0.1 (0 picks a free one). */
  port: number;
  /** Keep the table and secrets here between runs; a fresh temporary folder otherwise. */
  stateDir?: string;
  hosts?: number;
  bmcBasePort?: number;
  log?: (line: string) => void;
  /** Install the sample night schedule (default true). */
  sampleSchedule?: boolean;
}

export interface LocalRunner {
  url: string;
  poolId: string;
  store: Store;
  fleet: SimFleet;
  scheduler: LocalScheduler;
  /** Run a schedule's action now, as its timer would. */
  fire(name: string): Promise<void>;
  stop(): Promise<void>;
}

export const POOL_ID = 'pool-1';

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

  const act = async (schedule: Schedule, at: Date): Promise<void> => {
    const d = decide(schedule, at);
    if (!d.run) {
      log(`schedule ${schedule.name}: not run (${d.reason}: ${d.detail})`);
      return;
    }
    const all = (await store.listHosts(POOL_ID)).map((h) => h.hostId);
    const hostIds = (d.hostIds ?? all).filter((h) => !d.excludeHostIds.includes(h));
    if (d.action === 'poll-sensors') {
      const r = await pollPool(store, secrets, POOL_ID, { log });
      log(`schedule ${schedule.name}: polled ${r.ok} hosts${r.failed ? `, ${r.failed} failed` : ''}${r.alertsOpened.length ? `, thermal alert on ${r.alertsOpened.join(', ')}` : ''}`);
      return;
    }
    if (d.action !== 'power-off' && d.action !== 'power-on') {
      // Sleeping and waking a pool move VMs first: that needs the Xen consolidation.
      log(`schedule ${schedule.name}: ${d.action} is not available yet (needs Xen consolidation); nothing done`);
      await store.appendAudit({ poolId: POOL_ID, actor: `schedule:${schedule.name}`, source: 'schedule', reason: 'scheduled', action: d.action, result: 'refused', message: 'not available yet' });
      return;
    }
    const { operationId } = await requestHostPower(ops, {
      poolId: POOL_ID,
      hostIds,
      action: d.action === 'power-off' ? 'off' : 'on',
      reason: `schedule ${schedule.name}`,
      actor: `schedule:${schedule.name}`,
      source: 'schedule',
      idempotencyKey: `${schedule.name}@${at.toISOString()}`,
    });
    log(`schedule ${schedule.name}: operation ${operationId.slice(0, 8)} for ${hostIds.join(', ')}`);
    await runHostPower(ops, operationId);
  };
  const scheduler = new LocalScheduler({
    handler: act,
    onError: (e, s) => log(`schedule ${s.name}: failed: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (o.sampleSchedule !== false) {
    const last = fleet.bmcs.slice(-2).map((b) => b.name);
    scheduler.add({ name: 'night-off', poolId: POOL_ID, hostIds: last, action: 'power-off', expression: 'cron(30 23 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} });
    scheduler.add({ name: 'morning-on', poolId: POOL_ID, hostIds: last, action: 'power-on', expression: 'cron(0 6 ? * MON-FRI *)', timezone: 'Europe/Berlin', enabled: true, exceptions: {} });
    scheduler.add({ name: 'poll', poolId: POOL_ID, action: 'poll-sensors', expression: 'rate(1 minute)', timezone: 'UTC', enabled: true, exceptions: {} });
  }

  const server: Server = await startHttpApi({ store, ops, scheduler, poolId: POOL_ID, log }, o.port);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  void pollPool(store, secrets, POOL_ID, { log }).catch(() => undefined);

  return {
    url,
    poolId: POOL_ID,
    store,
    fleet,
    scheduler,
    async fire(name: string) {
      const entry = scheduler.list().find((e) => e.schedule.name === name);
      if (!entry) throw new Error(`no schedule ${name}`);
      await act(entry.schedule, new Date());
    },
    async stop() {
      scheduler.stop();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await driver.close();
      await fleet.stop();
      await new Promise<void>((r) => db.close(() => r()));
    },
  };
}

