/**
 * Sensor polls against simulated BMCs on a real DynamoDB-API server: readings stored with a TTL,
 * a host over its critical temperature opens one thermal alert (not one per poll), it closes when
 * the host cools, and a BMC that stops answering turns the host's power to unknown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { createStore, FileSecrets, type Store } from '../../lib/store/index.ts';
import { pollPool, type DriversByProtocol } from '../../lib/ops/index.ts';
import { hostDrivers } from '../../lib/drivers/index.ts';
import { startRedfishBmc, type RedfishBmc } from '../../lib/sim/redfish/index.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';
import { FAST_TIMINGS } from '../../lib/sim/ipmi/host-model.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import { freePort } from '../support/peers.ts';
import { lineLog } from '../../lib/util/log.ts';

let db: DynamoFixture;
let store: Store;
let secrets: FileSecrets;
let cool: SimulatedBmc;
let hot: SimulatedBmc;
let driver: DriversByProtocol;
const POOL = 'pool-poll';

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-poll-secrets-')));
  await secrets.put('bmc', 'poll-password-1');
  cool = await startSim({ name: 'cool', adminPassword: 'poll-password-1', host: { timings: FAST_TIMINGS, inletC: 22, load: 0.2 } });
  // A 40 C inlet under heavy load puts the CPUs well over their critical threshold.
  hot = await startSim({ name: 'hot', adminPassword: 'poll-password-1', host: { timings: FAST_TIMINGS, inletC: 40, load: 0.9 } });
  for (const [id, b] of [['cool', cool], ['hot', hot]] as const) {
    await store.createHost({ poolId: POOL, hostId: id, bmcAddress: '127.0.0.1', bmcPort: b.port, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'unknown' });
  }
  driver = hostDrivers(store, secrets, { timeoutMs: 1000, retries: 2 });
});
afterAll(async () => {
  await driver?.close();
  await cool?.stop();
  await hot?.stop();
  await db?.stop();
});

describe('pollPool', () => {
  it('stores readings, opens one thermal alert for the hot host, and closes it when the host cools', async () => {
    const lines: string[] = [];
    const first = await pollPool(store, driver, POOL, { log: lineLog((l) => lines.push(l)) });
    expect(first).toMatchObject({ ok: 2, failed: 0, alertsOpened: ['hot'] });
    const readings = await store.listReadings('cool');
    expect(readings).toHaveLength(1);
    expect(readings[0].temperatures?.length).toBeGreaterThan(0);
    expect(readings[0].expiresAt).toBeGreaterThan(Date.now() / 1000);
    const alerts = await store.listAlerts(POOL, { open: true });
    expect(alerts.map((a) => a.hostId)).toEqual(['hot']);
    expect(alerts[0].message).toMatch(/CPU1 Temp [0-9.]+ C over (critical|non-recoverable)/);
    expect(lines.filter((l) => l.startsWith('alert kind=thermal pool=') && l.includes(' host=hot '))).toHaveLength(1);
    // The BMCs' sensor records went to the store too: a cold process reads them from there.
    for (const b of [cool, hot]) expect((await store.sdrCache.get({ host: '127.0.0.1', port: b.port }))?.records.length, b.port.toString()).toBeGreaterThan(0);

    const second = await pollPool(store, driver, POOL);
    expect(second.alertsOpened).toEqual([]);
    expect((await store.listAlerts(POOL))[0]).toMatchObject({ hostId: 'hot', state: 'open', count: 2 });

    // Switched off, the host falls to its inlet temperature within the fast thermal constant.
    hot.state.host.control('off');
    await new Promise((r) => setTimeout(r, 2500));
    const third = await pollPool(store, driver, POOL);
    expect(third.alertsClosed).toEqual(['hot']);
    expect((await store.listAlerts(POOL, { open: true })).filter((a) => a.kind === 'thermal')).toEqual([]);
    // Nobody asked lowpower to switch it off: that is drift, alerted once.
    expect(third.drift).toEqual(['hot']);
    expect((await store.listAlerts(POOL, { open: true })).map((a) => [a.kind, a.hostId])).toEqual([['drift', 'hot']]);
    hot.state.host.control('on');
  });

  it('drift: a host lowpower put to sleep found on is alerted and audited, not switched off again', async () => {
    const h = (await store.getHost(POOL, 'cool'))!;
    await store.updateHost(POOL, 'cool', h.version, { sleepState: 'asleep', sleptByOperation: 'op-12345678', power: 'off' });
    const offs = cool.state.host.controlCounts.off;
    const r = await pollPool(store, driver, POOL);
    expect(r.drift).toContain('cool');
    expect(cool.state.host.powerOn).toBe(true);
    expect(cool.state.host.controlCounts.off).toBe(offs);
    const alert = (await store.listAlerts(POOL, { open: true })).find((a) => a.kind === 'drift' && a.hostId === 'cool');
    expect(alert?.message).toBe('cool was put to sleep by lowpower (operation op-12345) but is on');
    const again = await pollPool(store, driver, POOL);
    expect(again.drift).not.toContain('cool');
    const audit = (await store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.action === 'drift' && a.hostId === 'cool');
    expect(audit).toHaveLength(1);
    const fresh = (await store.getHost(POOL, 'cool'))!;
    await store.updateHost(POOL, 'cool', fresh.version, { sleepState: 'awake' });
  });

  it('a BMC that stops answering makes the host power unknown, never a guess', async () => {
    const silentPort = await freePort();
    await store.createHost({ poolId: POOL, hostId: 'silent', bmcAddress: '127.0.0.1', bmcPort: silentPort, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'on' });
    const quick = hostDrivers(store, secrets, { timeoutMs: 300, retries: 1 });
    const r = await pollPool(store, quick, POOL);
    await quick.close();
    expect(r.failed).toBe(1);
    expect((await store.getHost(POOL, 'silent'))?.power).toBe('unknown');
    await store.deleteHost(POOL, 'silent', (await store.getHost(POOL, 'silent'))!.version);
  });

  it('a Redfish host is polled through the same port: readings stored, power from its BMC, its certificate pinned', async () => {
    const rf: RedfishBmc = await startRedfishBmc({ name: 'rf-poll', password: 'poll-password-1', host: { initiallyOn: true } });
    try {
      await store.createHost({ poolId: POOL, hostId: 'rf-poll', bmcAddress: '127.0.0.1', bmcPort: rf.port, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'unknown', bmcProtocol: 'redfish' });
      const r = await pollPool(store, driver, POOL);
      expect(r.failed).toBe(0);
      const host = await store.getHost(POOL, 'rf-poll');
      expect(host).toMatchObject({ power: 'on', powerSource: 'redfish-poll', tlsPin: { fingerprint256: rf.fingerprint256 } });
      const readings = await store.listReadings('rf-poll');
      expect(readings.at(-1)?.temperatures?.length).toBeGreaterThan(0);
      expect(readings.at(-1)?.powerWatts).toBeGreaterThan(0);
    } finally {
      await store.deleteHost(POOL, 'rf-poll', (await store.getHost(POOL, 'rf-poll'))!.version);
      await rf.stop();
    }
  });
});
