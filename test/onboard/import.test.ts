/**
 * The import over its real parts: the local runner's stand-ins without a pool (dynalite, the
 * simulated XAPI pool, six simulated BMCs, IPMI and Redfish), importPool called directly. What is
 * refused before anything is sent, what a wrong password gives, a BMC another pool's host has,
 * that no password reaches the result or the store, and a new pool's load poll.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPool, ImportError, type ImportDeps, type ImportRequest } from '../../lib/onboard/import.ts';
import { startStandIns, type StandIns } from '../../lib/local/stand-ins.ts';
import { hostDrivers } from '../../lib/drivers/index.ts';
import { hypervisorCache } from '../../lib/ops/hypervisors.ts';
import { XapiHypervisor } from '../../lib/xen/hypervisor.ts';
import { freePort } from '../support/peers.ts';
import { addLoadPoll } from '../../lib/api/pool-lifecycle.ts';
import { LocalScheduler, ScheduleService, localSchedulerPort, type SchedulerPort } from '../../lib/schedules/index.ts';

let s: StandIns;
let base: number;
let deps: ImportDeps;
let xapiPassword: string;
const lines: string[] = [];
let cache: ReturnType<typeof hypervisorCache>;

beforeAll(async () => {
  base = (await freePort()) - 10;
  s = await startStandIns({ stateDir: mkdtempSync(join(tmpdir(), 'lowpower-import-')), keep: false, poolId: 'pool-1', bmcBasePort: base, protocol: 'mixed', noPool: true });
  xapiPassword = readFileSync(s.passwordFiles?.xapi as string, 'utf8').trim();
  cache = hypervisorCache(s.secrets, { taskPollMs: 50 });
  deps = {
    store: s.store,
    secrets: s.secrets,
    driversFor: (secrets) => hostDrivers(s.store, secrets, { timeoutMs: 1500, retries: 2 }),
    hypervisorFor: cache.hypervisorFor,
    connectXapi: (o) => XapiHypervisor.connect(o),
    probeTimeoutMs: 400,
    log: (l) => lines.push(l),
  };
}, 60_000);
afterAll(async () => {
  await cache?.closeAll();
  await s?.stop();
});

const request = (o: Partial<ImportRequest> = {}): ImportRequest => ({
  poolId: 'pool-1',
  xapi: { url: s.xapi.url, user: 'root', password: xapiPassword },
  bmcRange: `127.0.0.1:${base}-${base + 5}`,
  bmcUser: 'admin',
  bmcPassword: s.fleet.password,
  dryRun: true,
  actor: 'test',
  source: 'api',
  ...o,
});

async function refused(req: ImportRequest, d: ImportDeps = deps): Promise<ImportError> {
  try {
    await importPool(d, req);
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('the import was not refused');
}

const secretFiles = (): string[] => readdirSync(join(s.secrets.dir)).filter((f) => !f.startsWith('.'));

describe('import: refused before anything is sent', () => {
  it('a range over 1,024 addresses without force: nothing is probed, nothing written', async () => {
    const listener = createSocket('udp4');
    const got: Buffer[] = [];
    listener.on('message', (m) => got.push(m));
    await new Promise<void>((r) => listener.bind(0, '127.0.0.1', () => r()));
    const port = (listener.address() as AddressInfo).port;
    try {
      const e = await refused(request({ bmcRange: `127.0.0.1:${port}-${port + 1100}` }));
      expect(e.code).toBe('invalid_range');
      expect(e.message).toMatch(/1101 addresses, over the limit of 1024: narrow it, or pass --force/);
      // A lower limit shows force at work without probing a thousand ports.
      const small = { ...deps, maxTargets: 3 };
      expect((await refused(request({ bmcRange: `127.0.0.1:${port}-${port + 3}` }), small)).message).toMatch(/4 addresses, over the limit of 3/);
      const forced = await importPool(small, request({ bmcRange: `127.0.0.1:${port}-${port + 3}`, force: true }));
      expect(forced.probed).toBe(4);
      expect(got.length).toBeGreaterThan(0);
      const before = got.length;
      await refused(request({ bmcRange: `127.0.0.1:${port}-${port + 1100}` }));
      await new Promise((r) => setTimeout(r, 100));
      expect(got.length).toBe(before);
    } finally {
      listener.close();
    }
    expect(await s.store.listPools()).toEqual([]);
  });

  it('a new pool needs its XAPI and password; a wrong password is a clear error without the password', async () => {
    expect((await refused(request({ xapi: { url: s.xapi.url } }))).code).toBe('xapi_required');
    expect((await refused(request({ xapi: undefined }))).message).toMatch(/pool pool-1 is new: give its XAPI URL, user and password/);
    const wrong = await refused(request({ xapi: { url: s.xapi.url, user: 'root', password: 'Not-The-Xapi-Pa55' }, dryRun: false }));
    expect(wrong.code).toBe('xapi_failed');
    expect(wrong.message).toMatch(/did not give its hosts: .*SESSION_AUTHENTICATION_FAILED/);
    expect(wrong.message).not.toContain('Not-The-Xapi-Pa55');
    expect((await refused(request({ bmcRange: '10.0.0.1/24' }))).message).toMatch(/host bits set/);
    expect(await s.store.listPools()).toEqual([]);
    expect(secretFiles().filter((f) => f.includes('pool-1'))).toEqual([]);
  });
});

describe('import: what it finds and writes', () => {
  it('a wrong BMC password: every BMC unreadable, no host matched, the password in no row', async () => {
    const r = await importPool(deps, request({ bmcPassword: 'Wrong-Bmc-Pa55' }));
    expect(r.answered).toBe(6);
    expect(r.counts.unreadable).toBe(6);
    expect(r.counts['no-bmc']).toBe(6);
    expect(r.counts.matched).toBe(0);
    expect(JSON.stringify(r)).not.toContain('Wrong-Bmc-Pa55');
    for (const row of r.rows.filter((x) => x.match === 'unreadable')) expect(row.byHand).toMatch(/^lowpower host add HOST --pool pool-1 --bmc 127\.0\.0\.1:\d+ --protocol (ipmi|redfish) /);
  });

  it("a BMC that another pool's host has is not proposed again; the matched rest are written with one secret each", async () => {
    // pool-0 holds host-001's BMC (by address) already.
    await s.store.createPool({ poolId: 'pool-0', xapiUrl: 'http://127.0.0.1:9', secretRef: 'xapi.pool-0' });
    await s.store.createHost({ poolId: 'pool-0', hostId: 'elsewhere', bmcAddress: '127.0.0.1', bmcPort: base, bmcUser: 'admin', secretRef: 'bmc.pool-0.elsewhere', cipherSuite: 17, power: 'unknown' });
    const dry = await importPool(deps, request());
    const row = dry.rows.find((x) => x.hostId === 'host-001');
    expect(row?.match).toBe('bound-elsewhere');
    expect(row?.write).toMatch(/this BMC is elsewhere's \(pool pool-0\): the same BMC address 127\.0\.0\.1:\d+/);
    expect(dry.counts.matched).toBe(5);
    expect(dry.changes.map((c) => `${c.what} ${c.id}`)).toEqual(['pool pool-1', 'host host-002', 'host host-003', 'host host-004', 'host host-005', 'host host-006']);
    expect(await s.store.getPool('pool-1')).toBeUndefined();

    const real = await importPool(deps, request({ dryRun: false }));
    expect(real.changes.map((c) => c.change)).toEqual([`added pool pool-1 (XAPI ${s.xapi.url}, user root)`, ...['002', '003', '004', '005', '006'].map((n) => expect.stringMatching(new RegExp(`^added host-${n} with BMC 127\\.0\\.0\\.1:\\d+ over (ipmi|redfish), bound$`)))]);
    const hosts = await s.store.listHosts('pool-1');
    expect(hosts.map((h) => [h.hostId, h.binding?.state, h.secretRef])).toEqual(['002', '003', '004', '005', '006'].map((n) => [`host-${n}`, 'bound', `bmc.pool-1.host-${n}`]));
    for (const h of hosts) {
      expect(await s.secrets.get(h.secretRef)).toBe(s.fleet.password);
      const sim = s.fleet.byName(h.hostId);
      expect(h.bmcProtocol).toBe(sim?.protocol);
      expect(h.bmcProtocolFound?.by).toBe('auto');
      if (sim?.protocol === 'redfish') expect(h.tlsPin?.fingerprint256).toBe(sim.fingerprint256);
    }
    const pool = await s.store.getPool('pool-1');
    expect(pool?.secretRef).toBe('xapi.pool-1');
    expect(await s.secrets.get('xapi.pool-1')).toBe(xapiPassword);
    // No password in the answer, the log, or any record the import wrote.
    const audit = (await s.store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.poolId === 'pool-1');
    expect(audit.map((a) => a.action).sort()).toEqual(['add host', 'add host', 'add host', 'add host', 'add host', 'add pool', 'import pool']);
    expect(audit.every((a) => a.reason === 'import' && a.actor === 'test')).toBe(true);
    const everything = JSON.stringify([dry, real, lines, hosts, pool, audit]);
    expect(everything).not.toContain(s.fleet.password);
    expect(everything).not.toContain(xapiPassword);

    // Again: the five are already bound, host-001's BMC is still elsewhere's, nothing changes.
    const again = await importPool(deps, request({ dryRun: false }));
    expect(again.changes).toEqual([]);
    expect(again.counts['already-bound']).toBe(5);
    expect(again.counts['bound-elsewhere']).toBe(1);
    expect((await s.store.listHosts('pool-1')).map((h) => h.version)).toEqual(hosts.map((h) => h.version));

    // An existing pool keeps its XAPI: another URL in the request is named, not used.
    const other = await importPool(deps, request({ xapi: { url: 'http://127.0.0.1:9', password: 'ignored' } }));
    expect(other.pool).toEqual({ existed: true, xapiUrl: s.xapi.url, note: `pool pool-1 exists: its stored XAPI ${s.xapi.url} was used, not http://127.0.0.1:9` });
    expect(other.counts['already-bound']).toBe(5);
  });
});

describe('import: a new pool gets its load poll', () => {
  const local = new LocalScheduler({ handler: async () => undefined });
  afterAll(() => local.stop());
  const withLoadPoll = (schedules: ScheduleService): ImportDeps => ({ ...deps, addLoadPoll: (pool) => addLoadPoll({ store: s.store, schedules }, pool) });

  it('a dry run names it and makes nothing; the real run makes it once through the schedule service, and says so', async () => {
    const schedules = new ScheduleService(s.store, localSchedulerPort(local));
    const d = withLoadPoll(schedules);
    const dry = await importPool(d, request({ poolId: 'pool-lp' }));
    expect(dry.changes.filter((c) => c.what !== 'host')).toEqual([
      { what: 'pool', id: 'pool-lp', change: `add pool pool-lp (XAPI ${s.xapi.url}, user root)` },
      { what: 'schedule', id: 'load', change: 'add the load poll: schedule load (poll-load, rate(1 minute) UTC)' },
    ]);
    expect(await s.store.listSchedules('pool-lp')).toEqual([]);
    const real = await importPool(d, request({ poolId: 'pool-lp', dryRun: false }));
    expect(real.changes.find((c) => c.what === 'schedule')?.change).toBe('added the load poll: schedule load (poll-load, rate(1 minute) UTC)');
    expect((await s.store.listSchedules('pool-lp')).map((x) => [x.scheduleId, x.action, x.cron, x.timeZone])).toEqual([['load', 'poll-load', 'rate(1 minute)', 'UTC']]);
    expect(local.list().map((e) => e.schedule.name)).toEqual(['pool-lp.load']);
    // Again: the pool exists, nothing more is made.
    const again = await importPool(d, request({ poolId: 'pool-lp', dryRun: false }));
    expect(again.changes.filter((c) => c.what === 'schedule')).toEqual([]);
    expect(local.list()).toHaveLength(1);
  });

  it('loadPoll: false makes none; a load poll that cannot be made leaves neither the pool nor its hosts', async () => {
    const d = withLoadPoll(new ScheduleService(s.store, localSchedulerPort(local)));
    const off = await importPool(d, request({ poolId: 'pool-nolp', dryRun: false, loadPoll: false }));
    expect(off.changes.filter((c) => c.what === 'schedule')).toEqual([]);
    expect(await s.store.getPool('pool-nolp')).toBeDefined();
    expect(await s.store.listSchedules('pool-nolp')).toEqual([]);

    // A scheduler that refuses every timer (as EventBridge does when it is throttled).
    const refusing: SchedulerPort = { upsert: async () => Promise.reject(new Error('Rate exceeded')), remove: async () => undefined };
    await expect(importPool(withLoadPoll(new ScheduleService(s.store, refusing)), request({ poolId: 'pool-nosched', dryRun: false }))).rejects.toThrow(/pool pool-nosched was not added: its load poll could not be scheduled \(Rate exceeded\)/);
    expect(await s.store.getPool('pool-nosched')).toBeUndefined();
    expect(await s.store.listSchedules('pool-nosched')).toEqual([]);
    expect(await s.store.listHosts('pool-nosched')).toEqual([]);
  });
});
