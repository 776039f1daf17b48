/**
 * What the local runner stands on in place of AWS and real machines: the embedded DynamoDB-API
 * server (dynalite) with the table, secrets in a folder, one simulated BMC per host on loopback,
 * the simulated XAPI pool whose hosts live and die with those BMCs, the fault control of both,
 * and the pool with its hosts in the store (kept, and brought up to date, under a --state-dir).
 * With `noPool` the store gets no pool and no hosts: the simulators' passwords are left in two
 * files for `lowpower pool import` instead.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createStore, createTable, FileSecrets, type Store } from '../store/index.ts';
import { startMixedFleet, type FleetProtocol, type MixedFleet } from '../sim/index.ts';
import { simIdentityFor } from '../sim/index.ts';
import { startXapiSim, demoPool, type HostPowerLink, type XapiSim } from '../sim/index.ts';
import { LocalFaults } from './sim-faults.ts';

export interface StandInOptions {
  /** Where the secrets (and, when `keep`, the table) live. */
  stateDir: string;
  /** Keep the table on disk in the state folder (a --state-dir); in memory otherwise. */
  keep: boolean;
  poolId: string;
  hosts?: number;
  bmcBasePort?: number;
  /** Which protocol the simulated BMCs speak (default mixed: every second host on Redfish). */
  protocol?: FleetProtocol;
  migrateMsPerGiB?: number;
  /** Run the simulators but put no pool and no hosts in the store (a pool in a kept store is still brought up to date). */
  noPool?: boolean;
}

export interface StandIns {
  store: Store;
  secrets: FileSecrets;
  fleet: MixedFleet;
  xapi: XapiSim;
  faults: LocalFaults;
  /** With noPool: the files (0600) holding the simulated XAPI's and BMCs' passwords, for an import. */
  passwordFiles?: { xapi: string; bmc: string };
  /** The pool's XAPI, its BMCs, then the table, in that order. */
  stop(): Promise<void>;
}

export async function startStandIns(o: StandInOptions): Promise<StandIns> {
  const { stateDir, poolId } = o;
  mkdirSync(join(stateDir, 'secrets'), { recursive: true, mode: 0o700 });

  const db = dynalite({ path: o.keep ? join(stateDir, 'dynamodb') : undefined, createTableMs: 0 });
  await new Promise<void>((r) => db.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tableName = 'lowpower-local';
  await createTable(raw, tableName);
  const store = createStore({ client: DynamoDBDocumentClient.from(raw), tableName });
  const secrets = new FileSecrets(join(stateDir, 'secrets'));

  const count = o.hosts ?? 6;
  const password = randomBytes(12).toString('base64url');
  const closeDb = () => new Promise<void>((r) => db.close(() => r()));
  // A taken BMC port leaves nothing running behind it: the caller may try another range.
  const fleet = await startMixedFleet({ count, basePort: o.bmcBasePort ?? 16230, password, timings: 'fast', protocol: o.protocol ?? 'mixed' }).catch(async (e: unknown) => {
    await closeDb();
    throw e;
  });
  await secrets.put('bmc-admin', password);
  // The pool master's XAPI, each host's life tied to its simulated BMC's chassis.
  const links = new Map<string, HostPowerLink>(fleet.bmcs.map((b) => [b.name, b.host]));
  const xapiPassword = randomBytes(12).toString('base64url');
  // The simulated XAPI hosts carry the same serials as their simulated BMCs: the demo pool binds.
  const serialOf = (name: string) => {
    const id = simIdentityFor(name);
    return { serial: id.productSerial, boardSerial: id.boardSerial };
  };
  const xapi = await startXapiSim({ ...demoPool(links, { user: 'root', password: xapiPassword }, { serialOf }), migrateMsPerGiB: o.migrateMsPerGiB ?? 20, agentStartMs: 500 });
  const faults = new LocalFaults(fleet, xapi);
  const existingPool = await store.getPool(poolId);
  const policy = { headroomPercent: 10, neverSleep: ['host-002'], wakeGroupSize: 2, wakeStaggerMs: 500, timeZone: 'Europe/Berlin' };
  // The simulators' passwords are new each start: a kept pool and its hosts get them under their own refs.
  await secrets.put(existingPool?.secretRef ?? 'xapi', xapiPassword);
  if (existingPool) await store.updatePool(poolId, existingPool.version, { xapiUrl: xapi.url, xapiUser: 'root' });
  else if (!o.noPool) await store.createPool({ poolId, name: 'simulated pool', xapiUrl: xapi.url, xapiUser: 'root', secretRef: 'xapi', policy });
  for (const b of fleet.bmcs) {
    const existing = await store.getHost(poolId, b.name);
    if (!existing && o.noPool) continue;
    const isMaster = xapi.state.pool().master === xapi.state.hostRef(b.name);
    // A Redfish BMC's certificate is new each start: its pin is taken afresh when the runner binds it.
    const bmc = { bmcPort: b.port, bmcProtocol: b.protocol, ...(b.protocol === 'redfish' ? { bmcScheme: 'https' as const, tlsPin: { fingerprint256: b.fingerprint256, pinnedAt: new Date().toISOString() } } : {}) };
    if (existing) {
      if (existing.secretRef !== 'bmc-admin') await secrets.put(existing.secretRef, password);
      await store.updateHost(poolId, b.name, existing.version, { ...bmc, power: 'unknown', isMaster, sleepState: 'awake' });
    } else await store.createHost({ poolId, hostId: b.name, bmcAddress: '127.0.0.1', ...bmc, bmcUser: 'admin', secretRef: 'bmc-admin', cipherSuite: 17, power: 'unknown', isMaster, sleepState: 'awake' });
  }
  let passwordFiles: StandIns['passwordFiles'];
  if (o.noPool) {
    const write = (name: string, value: string): string => {
      const path = join(stateDir, name);
      writeFileSync(path, `${value}\n`, { mode: 0o600 });
      chmodSync(path, 0o600);
      return path;
    };
    passwordFiles = { xapi: write('sim-xapi.password', xapiPassword), bmc: write('sim-bmc.password', password) };
  }

  return {
    store,
    secrets,
    fleet,
    xapi,
    faults,
    passwordFiles,
    async stop() {
      await xapi.stop();
      await fleet.stop();
      await new Promise<void>((r) => db.close(() => r()));
    },
  };
}
