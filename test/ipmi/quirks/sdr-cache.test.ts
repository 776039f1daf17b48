/**
 * The SDR cache against our simulator over UDP, counting the SDR commands the BMC received: a
 * second handle (a fresh process, as far as the BMC can tell) with the same cache asks only Get
 * SDR Repository Info when the repository is unchanged; a sensor added (its addition timestamp
 * moves on) or an erase makes it walk again, and the new sensor is read; another GUID at the
 * same address is another BMC. Without the cache every handle walks the whole repository.
 */
import { describe, expect, it } from 'vitest';
import { entryIsCurrent, MemorySdrCache, packRecords, unpackRecords, LayeredSdrCache, type SdrCache, type SdrCacheEntry, type SdrCacheKey } from '../../../lib/ipmi/sdr/sdr-cache.ts';
import type { SimulatedBmc } from '../../../lib/sim/ipmi/server.ts';
import type { SimSensor } from '../../../lib/sim/ipmi/sensors.ts';
import { client, quirkSim } from './quirk-support.ts';

const counts = (sim: SimulatedBmc) => ({
  info: sim.engine.commandCount('Get SDR Repository Info'),
  reserve: sim.engine.commandCount('Reserve SDR Repository'),
  get: sim.engine.commandCount('Get SDR'),
});

const extraSensor: SimSensor = {
  spec: {
    recordId: 0x70,
    sensorNumber: 0x70,
    entityId: 0x07,
    entityInstance: 2,
    sensorType: 0x01,
    unit: 1,
    name: 'Mezz Temp',
    conversion: { m: 1, b: 0, rExp: 0, bExp: 0, format: 'unsigned', linearization: 0 },
    thresholdsRaw: { ucr: 90 },
  },
  read: () => 44,
};

describe('SDR cache', () => {
  it('an unchanged repository is not walked again; a changed one is, and its new sensor read', async () => {
    const sim = await quirkSim({});
    const cache = new MemorySdrCache();
    const first = await client(sim, { sdrCache: cache }).sensors({ type: 'temperature' });
    const walked = counts(sim);
    expect(walked.get).toBeGreaterThanOrEqual(sim.state.repository.length);
    expect(walked.reserve).toBe(1);

    // A new handle (as a fresh Lambda with the store's cache would be): one Repository Info, no walk.
    const again = await client(sim, { sdrCache: cache }).sensors({ type: 'temperature' });
    expect(again.map((s) => s.name)).toEqual(first.map((s) => s.name));
    expect(counts(sim)).toEqual({ info: walked.info + 1, reserve: walked.reserve, get: walked.get });

    // The board gains a sensor: the addition timestamp moves on and the repository is read again.
    sim.state.addSensor(extraSensor);
    const changed = await client(sim, { sdrCache: cache }).sensors({ type: 'temperature' });
    expect(changed.find((s) => s.name === 'Mezz Temp')).toMatchObject({ value: 44 });
    expect(counts(sim).reserve).toBe(walked.reserve + 1);
    expect(counts(sim).get).toBeGreaterThan(walked.get);

    // An erase (the timestamps say so even with the same count) is a change too.
    const beforeErase = counts(sim);
    sim.state.repositoryErasedAt = sim.state.repositoryAddedAt + 5;
    await client(sim, { sdrCache: cache }).sensors({ type: 'temperature' });
    expect(counts(sim).reserve).toBe(beforeErase.reserve + 1);
  });

  it('without a shared cache every handle walks the whole repository', async () => {
    const sim = await quirkSim({});
    await client(sim).sensors();
    const one = counts(sim).get;
    await client(sim).sensors();
    expect(counts(sim).get).toBe(2 * one);
  });

  it('the entry is stored with the BMC\'s GUID and stamp; another GUID at the address is not this BMC', async () => {
    const sim = await quirkSim({});
    const cache = new MemorySdrCache();
    const bmc = client(sim, { sdrCache: cache });
    await bmc.sensors();
    const key = bmc.sdrCacheKey;
    expect(key.guid).toMatch(/^[0-9a-f]{32}$/);
    const entry = (await cache.get(key)) as SdrCacheEntry;
    expect(entry).toMatchObject({ guid: key.guid, recordCount: sim.state.repository.length, lastAddition: sim.state.repositoryAddedAt, lastErase: 0 });
    expect(entry.records.map((r) => r.toString('hex'))).toEqual(sim.state.repository.map((r) => r.toString('hex')));
    const stamp = { lastAddition: entry.lastAddition, lastErase: entry.lastErase, recordCount: entry.recordCount };
    expect(entryIsCurrent(entry, stamp, key.guid)).toBe(true);
    expect(entryIsCurrent(entry, stamp, 'ff'.repeat(16))).toBe(false);
    expect(entryIsCurrent(entry, { ...stamp, recordCount: stamp.recordCount + 1 }, key.guid)).toBe(false);
  });

  it('records pack into one buffer and back; cut or stray bytes are refused', () => {
    const records = [Buffer.from([1, 0, 0x51, 0x01, 2, 0xaa, 0xbb]), Buffer.from([2, 0, 0x51, 0x12, 1, 0xcc])];
    const packed = packRecords(records);
    expect(unpackRecords(packed)).toEqual(records);
    expect(() => unpackRecords(packed.subarray(0, packed.length - 1))).toThrow(/cut short/);
    expect(() => unpackRecords(Buffer.concat([packed, Buffer.from([9, 9])]))).toThrow(/stray/);
  });

  it('a layered cache serves from memory, fills from the back in one request, and survives a failing back', async () => {
    const back = new MemorySdrCache();
    const key: SdrCacheKey = { host: '127.0.0.1', port: 1623 };
    const entry: SdrCacheEntry = { lastAddition: 5, lastErase: 0, recordCount: 1, records: [Buffer.from([1, 0, 0x51, 0x01, 0])] };
    await back.put(key, entry);
    let manyCalls = 0;
    let singleCalls = 0;
    const counted: SdrCache = { get: (k) => (singleCalls++, back.get(k)), put: (k, e) => back.put(k, e), getMany: (ks) => (manyCalls++, back.getMany(ks)) };
    const layered = new LayeredSdrCache(new MemorySdrCache(), counted);
    const absent = { host: '127.0.0.1', port: 1624 };
    const prefetched = layered.prefetch([key, absent]);
    // A read started during the prefetch waits for it instead of asking the back itself.
    expect(await layered.get(key)).toEqual(entry);
    expect(await prefetched).toBe(1);
    expect(manyCalls).toBe(1);
    // The prefetch asked about the absent one: a miss without another request.
    expect(await layered.get(absent)).toBeUndefined();
    expect(singleCalls).toBe(0);
    expect(await layered.get({ host: '127.0.0.1', port: 1625 })).toBeUndefined();
    expect(singleCalls).toBe(1);
    const broken: SdrCache = { get: () => Promise.reject(new Error('down')), put: () => Promise.reject(new Error('down')) };
    const survivor = new LayeredSdrCache(new MemorySdrCache(), broken);
    expect(await survivor.get(key)).toBeUndefined();
    await survivor.put(key, entry);
    expect(await survivor.get(key)).toEqual(entry);
  });
});
