/**
 * The SDR cache's part of the store contract: one item per BMC holding its records as one binary
 * attribute, read back whole (also many at once, past BatchGetItem's 100 keys); a later put
 * replaces the entry; bad keys and entries are refused and write nothing; an item that does not
 * read back whole is a miss, never wrong records.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { StoreValidationError, type Store } from '../../lib/store/index.ts';
import type { SdrCacheEntry, SdrCacheKey } from '../../lib/ipmi/sdr/sdr-cache.ts';
import type { DynamoFixture } from '../support/dynamo.ts';

/** A full-sensor-like record: 5 header bytes (id, version, type, length) and a body of `n` bytes. */
const record = (id: number, n: number): Buffer => {
  const b = Buffer.alloc(5 + n, id & 0xff);
  b.writeUInt16LE(id, 0);
  b[2] = 0x51;
  b[3] = 0x01;
  b[4] = n;
  return b;
};
const guid = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
let portSeq = 10_000 + Math.floor(Math.random() * 40_000);
const freshKey = (): SdrCacheKey => ({ host: '127.0.0.1', port: portSeq++ });

function entry(records = 40): SdrCacheEntry {
  return { lastAddition: 1_700_000_123, lastErase: 0, recordCount: records, records: Array.from({ length: records }, (_, i) => record(i + 1, 43 + (i % 7))), guid, manufacturerId: 674, productId: 256 };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) return e;
  }
  throw new Error('expected a rejection');
}

export function sdrCacheContract(env: () => { fx: DynamoFixture; make: () => Store }): void {
  it('SDR cache: one item per BMC, records as one binary attribute, read back whole; a put replaces it', async () => {
    const { fx, make } = env();
    const store = make();
    const key = freshKey();
    expect(await store.sdrCache.get(key)).toBeUndefined();
    const e = entry();
    await store.sdrCache.put(key, e);
    const raw = (await fx.client.send(new GetCommand({ TableName: fx.tableName, Key: { PK: `SDR#127.0.0.1:${key.port}`, SK: 'SDR' } }))).Item!;
    expect(raw).toMatchObject({ type: 'sdr', a: e.lastAddition, e: 0, c: 40, g: guid, m: 674, p: 256 });
    expect(raw.r).toBeInstanceOf(Uint8Array);
    expect((raw.r as Uint8Array).length).toBe(e.records.reduce((n, r) => n + r.length, 0));
    const back = await store.sdrCache.get(key);
    expect(back).toMatchObject({ lastAddition: e.lastAddition, lastErase: 0, recordCount: 40, guid, manufacturerId: 674, productId: 256 });
    expect(back?.records.map((r) => r.toString('hex'))).toEqual(e.records.map((r) => r.toString('hex')));

    const changed = { ...entry(41), lastAddition: e.lastAddition + 60, manufacturerId: undefined, productId: undefined };
    await store.sdrCache.put(key, changed);
    const replaced = await store.sdrCache.get(key);
    expect(replaced).toMatchObject({ recordCount: 41, lastAddition: e.lastAddition + 60 });
    expect(replaced?.manufacturerId).toBeUndefined();
    expect(replaced?.records).toHaveLength(41);
  });

  it('SDR cache: many entries at once, past 100 keys, missing ones absent', async () => {
    const store = env().make();
    const keys = Array.from({ length: 130 }, freshKey);
    await Promise.all(keys.slice(0, 120).map((k, i) => store.sdrCache.put(k, { ...entry(3), lastAddition: i })));
    const got = await store.sdrCache.getMany!(keys);
    expect(got.size).toBe(120);
    expect(got.get(`127.0.0.1:${keys[7].port}`)?.lastAddition).toBe(7);
    expect(got.get(`127.0.0.1:${keys[119].port}`)?.records).toHaveLength(3);
    // Read in a batch, an entry is the same as read alone: figures, identity and every record byte.
    const alone = await store.sdrCache.get(keys[42]);
    expect(got.get(`127.0.0.1:${keys[42].port}`)).toEqual(alone);
    expect(alone).toMatchObject({ lastAddition: 42, lastErase: 0, recordCount: 3, guid, manufacturerId: 674, productId: 256 });
    expect(got.has(`127.0.0.1:${keys[125].port}`)).toBe(false);
    expect((await store.sdrCache.getMany!([])).size).toBe(0);
  });

  it('SDR cache: bad keys and entries are refused and write nothing; an unreadable item is a miss', async () => {
    const { fx, make } = env();
    const store = make();
    const key = freshKey();
    const bad: Array<[SdrCacheKey, SdrCacheEntry]> = [
      [{ host: 'a b', port: 623 }, entry()],
      [{ host: '127.0.0.1', port: 0 }, entry()],
      [{ ...key, guid: 'not-a-guid' }, entry()],
      [key, { ...entry(), recordCount: -1 }],
      [key, { ...entry(), lastAddition: 1.5 }],
      [key, { ...entry(), records: [Buffer.from([1, 0, 0x51, 1, 9, 0])] }],
      [key, { ...entry(), records: [Buffer.concat([record(1, 3), record(2, 3)])] }],
      [key, { ...entry(), records: Array.from({ length: 1500 }, (_, i) => record(i, 250)) }],
    ];
    for (const [k, e] of bad) expect(await rejection(store.sdrCache.put(k, e))).toBeInstanceOf(StoreValidationError);
    expect(await store.sdrCache.get(key)).toBeUndefined();
    expect(await rejection(store.sdrCache.get({ host: '', port: 623 }))).toBeInstanceOf(StoreValidationError);

    await fx.client.send(new PutCommand({ TableName: fx.tableName, Item: { PK: `SDR#127.0.0.1:${key.port}`, SK: 'SDR', type: 'sdr', a: 1, e: 0, c: 1, r: Buffer.from([1, 0, 0x51, 1, 30]) } }));
    expect(await store.sdrCache.get(key)).toBeUndefined();
    expect((await store.sdrCache.getMany!([key])).size).toBe(0);
    // Without the optional attributes, a batch read gives an entry without them.
    const plain = freshKey();
    await store.sdrCache.put(plain, { ...entry(2), guid: undefined, manufacturerId: undefined, productId: undefined });
    const [only] = [...(await store.sdrCache.getMany!([plain])).values()];
    expect(only).toEqual({ lastAddition: 1_700_000_123, lastErase: 0, recordCount: 2, records: entry(2).records });
  });
}
