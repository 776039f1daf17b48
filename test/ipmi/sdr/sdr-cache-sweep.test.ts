/**
 * A fleet sweep with the SDR cache in the store (dynalite), as a fresh Lambda runs it: this
 * process's memory cleared before each sweep, so only the store remembers. The first sweep walks
 * every repository and stores it; the next, cold again, asks each BMC only Get SDR Repository Info
 * (the store's entries fetched in batches first); a BMC whose repository changed is walked again,
 * and only that one. Counted in the simulators' commands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepFleet } from '../../../lib/fleet/sweep.ts';
import type { FleetHost } from '../../../lib/fleet/inventory.ts';
import { processSdrCache } from '../../../lib/ipmi/sdr/sdr-cache.ts';
import { startSimFleet, type SimFleet } from '../../../lib/sim/ipmi/fleet.ts';
import { createStore, type Store } from '../../../lib/store/index.ts';
import { startDynalite, type DynamoFixture } from '../../support/dynamo.ts';
import { freePort } from '../../support/peers.ts';

const COUNT = 12;
let fleet: SimFleet;
let fx: DynamoFixture;
let store: Store;
let hosts: FleetHost[];

beforeAll(async () => {
  fx = await startDynalite();
  store = createStore({ client: fx.client, tableName: fx.tableName });
  fleet = await startSimFleet({ count: COUNT, basePort: (await freePort()) - 6, password: 'sdr-cache-pw', timings: 'fast' });
  hosts = fleet.bmcs.map((b, i) => ({ name: `bmc-${i}`, host: '127.0.0.1', port: b.port, user: 'admin', passwordFile: '', password: fleet.password }));
});
afterAll(async () => {
  await fleet?.stop();
  await fx?.stop();
  processSdrCache.clear();
});

const total = (name: string): number => fleet.bmcs.reduce((n, b) => n + b.engine.commandCount(name), 0);

describe('fleet sweep with the store\'s SDR cache', () => {
  it('a cold process walks no unchanged repository; a changed one is walked again', async () => {
    processSdrCache.clear();
    const first = await sweepFleet(hosts, { sdrCache: store.sdrCache, cipherSuite: 3 });
    expect(first.ok).toBe(COUNT);
    const walkedGets = total('Get SDR');
    expect(total('Reserve SDR Repository')).toBe(COUNT);
    expect(walkedGets).toBeGreaterThanOrEqual(COUNT * fleet.bmcs[0].state.repository.length);
    expect((await store.sdrCache.getMany!(hosts)).size).toBe(COUNT);

    processSdrCache.clear();
    const infoBefore = total('Get SDR Repository Info');
    const second = await sweepFleet(hosts, { sdrCache: store.sdrCache, cipherSuite: 3 });
    expect(second.ok).toBe(COUNT);
    expect(second.hosts.map((h) => (h.ok ? h.temperatures.length : -1))).toEqual(first.hosts.map((h) => (h.ok ? h.temperatures.length : -1)));
    expect(total('Get SDR')).toBe(walkedGets);
    expect(total('Reserve SDR Repository')).toBe(COUNT);
    expect(total('Get SDR Repository Info')).toBe(infoBefore + COUNT);

    const changed = fleet.bmcs[3];
    changed.state.addSensor({
      spec: { recordId: 0x70, sensorNumber: 0x70, entityId: 0x07, entityInstance: 2, sensorType: 0x01, unit: 1, name: 'Mezz Temp', conversion: { m: 1, b: 0, rExp: 0, bExp: 0, format: 'unsigned', linearization: 0 }, thresholdsRaw: {} },
      read: () => 41,
    });
    processSdrCache.clear();
    const third = await sweepFleet(hosts, { sdrCache: store.sdrCache, cipherSuite: 3 });
    expect(total('Reserve SDR Repository')).toBe(COUNT + 1);
    expect(changed.engine.commandCount('Reserve SDR Repository')).toBe(2);
    const host3 = third.hosts[3];
    expect(host3.ok && host3.temperatures.some((t) => t.name === 'Mezz Temp' && t.value === 41)).toBe(true);
    // The store holds the new repository for the next cold process.
    expect((await store.sdrCache.get({ host: '127.0.0.1', port: changed.port }))?.recordCount).toBe(changed.state.repository.length);
  });
});
