/**
 * The SDR cache in the table (the SdrCache port of lib/ipmi): one item per BMC, `SDR#<host>:<port>`
 * / `SDR`, holding the repository's stamp from Get SDR Repository Info (last addition, last erase,
 * record count), the BMC's GUID when known, its manufacturer and product, and every record packed
 * into one binary attribute (each record carries its length in its header). A fresh Lambda reads a
 * fleet's entries in a few BatchGetItem requests and then asks each BMC only whether its
 * repository changed. Nothing secret is in an SDR record; the item holds no credential.
 *
 * Stored as: a, e, c = last addition, last erase, record count; r = the records (binary);
 * g = GUID (32 hex digits); m, p = manufacturer and product IDs; at = when it was written.
 */
import { BatchGetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
// By path: the store's bundle needs the record packing, not the IPMI client behind lib/ipmi's index.
import { packRecords, sdrCacheId, unpackRecords, type SdrCache, type SdrCacheEntry, type SdrCacheKey } from '../ipmi/sdr/sdr-cache.ts';
import { mapBounded } from '../util/index.ts';
import { retry } from '../util/index.ts';
import { StoreError, StoreValidationError } from './errors.ts';
import type { Ctx, Item } from './items.ts';

export interface SdrCacheRepository {
  /** The BMCs' SDR records between sweeps, for `openBmc({ sdrCache })` and the fleet sweep. */
  readonly sdrCache: SdrCache;
}

const PK_PREFIX = 'SDR#';
const SK = 'SDR';
/** BatchGetItem takes at most 100 keys. */
const BATCH = 100;
const BATCH_CONCURRENCY = 4;
const BATCH_ATTEMPTS = 8;
/** An item holds at most 400 KB; records past this are not worth a cache (no BMC has that many). */
const MAX_PACKED_BYTES = 350_000;
const GUID = /^[0-9a-f]{32}$/;
/** A host name or address: no spaces or separators that would blur the key. */
const HOST = /^[A-Za-z0-9.:_%-]{1,255}$/;
const U32 = 2 ** 32;

function checkKey(key: SdrCacheKey): string {
  if (typeof key !== 'object' || key === null) throw new StoreValidationError('SDR cache key: expected { host, port }');
  if (typeof key.host !== 'string' || !HOST.test(key.host)) throw new StoreValidationError('SDR cache key: host must be a host name or address');
  if (!Number.isInteger(key.port) || key.port < 1 || key.port > 65535) throw new StoreValidationError('SDR cache key: port must be 1 to 65535');
  if (key.guid !== undefined && (typeof key.guid !== 'string' || !GUID.test(key.guid))) throw new StoreValidationError('SDR cache key: guid must be 32 lowercase hex digits');
  return `${PK_PREFIX}${sdrCacheId(key)}`;
}

function whole(what: string, x: unknown, max: number): number {
  if (!Number.isInteger(x) || (x as number) < 0 || (x as number) >= max) throw new StoreValidationError(`SDR cache entry: ${what} must be a whole number below ${max}`);
  return x as number;
}

function toItem(key: SdrCacheKey, e: SdrCacheEntry, at: string): Item {
  const pk = checkKey(key);
  if (typeof e !== 'object' || e === null || !Array.isArray(e.records)) throw new StoreValidationError('SDR cache entry: expected { lastAddition, lastErase, recordCount, records }');
  const packed = packRecords(e.records.map((r) => (Buffer.isBuffer(r) ? r : Buffer.from(r))));
  if (packed.length > MAX_PACKED_BYTES) throw new StoreValidationError(`SDR cache entry: ${packed.length} bytes of records, more than ${MAX_PACKED_BYTES}`);
  // The records must split back as they were: a cut record would poison every later read.
  let split: Buffer[];
  try {
    split = unpackRecords(packed);
  } catch (err) {
    throw new StoreValidationError(`SDR cache entry: ${(err as Error).message}`);
  }
  if (split.length !== e.records.length) throw new StoreValidationError('SDR cache entry: a record\'s length byte does not match its size');
  const guid = e.guid ?? key.guid;
  if (guid !== undefined && !GUID.test(guid)) throw new StoreValidationError('SDR cache entry: guid must be 32 lowercase hex digits');
  const item: Item = {
    PK: pk,
    SK,
    type: 'sdr',
    a: whole('lastAddition', e.lastAddition, U32),
    e: whole('lastErase', e.lastErase, U32),
    c: whole('recordCount', e.recordCount, 65536),
    r: packed,
    at,
  };
  if (guid !== undefined) item.g = guid;
  if (e.manufacturerId !== undefined) item.m = whole('manufacturerId', e.manufacturerId, 2 ** 24);
  if (e.productId !== undefined) item.p = whole('productId', e.productId, 65536);
  return item;
}

/** An item back as an entry; one that does not read back whole is a miss, never a wrong record. */
function fromItem(i: Item | undefined): SdrCacheEntry | undefined {
  if (!i || !(i.r instanceof Uint8Array)) return undefined;
  let records: Buffer[];
  try {
    records = unpackRecords(i.r);
  } catch {
    return undefined;
  }
  const entry: SdrCacheEntry = { lastAddition: Number(i.a), lastErase: Number(i.e), recordCount: Number(i.c), records };
  if (typeof i.g === 'string') entry.guid = i.g;
  if (typeof i.m === 'number') entry.manufacturerId = i.m;
  if (typeof i.p === 'number') entry.productId = i.p;
  return entry;
}

class Unprocessed extends Error {}

/** The attributes an entry is made of: the batch read asks for these alone. */
const PROJECTION = 'PK, a, e, c, r, g, m, p';

/**
 * A batch read's item, in DynamoDB's own attribute form, as the item `fromItem` reads. The
 * fleet's prefetch reads a thousand entries at a cold start: read this way, they skip the
 * document client's conversion of every attribute (measured: about a third less CPU for the read).
 */
function fromAttributes(i: Record<string, AttributeValue>): Item {
  const n = (v: AttributeValue | undefined): number | undefined => (v?.N === undefined ? undefined : Number(v.N));
  const item: Item = { PK: i.PK?.S, a: n(i.a), e: n(i.e), c: n(i.c), r: i.r?.B };
  if (i.g?.S !== undefined) item.g = i.g.S;
  if (i.m?.N !== undefined) item.m = n(i.m);
  if (i.p?.N !== undefined) item.p = n(i.p);
  return item;
}

export function sdrCacheRepository(ctx: Ctx): SdrCacheRepository {
  async function getBatch(pks: string[], out: Map<string, SdrCacheEntry>): Promise<void> {
    let pending: Array<Record<string, AttributeValue>> = pks.map((PK) => ({ PK: { S: PK }, SK: { S: SK } }));
    await retry(
      async () => {
        // A command of the low-level client: the document client passes it through unconverted.
        const res = await ctx.client.send(new BatchGetItemCommand({ RequestItems: { [ctx.tableName]: { Keys: pending, ProjectionExpression: PROJECTION } } }));
        for (const raw of res.Responses?.[ctx.tableName] ?? []) {
          const i = fromAttributes(raw);
          const e = fromItem(i);
          if (e && typeof i.PK === 'string') out.set(i.PK.slice(PK_PREFIX.length), e);
        }
        pending = res.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
        if (pending.length) throw new Unprocessed(`${pending.length} SDR cache entries not read`);
      },
      {
        attempts: BATCH_ATTEMPTS,
        retryOn: (e) => e instanceof Unprocessed,
        baseMs: 25,
        maxMs: 1_000,
        exhausted: (last) => new StoreError((last as Error).message),
      },
    );
  }

  const sdrCache: SdrCache = {
    async get(key) {
      const res = await ctx.client.send(new GetCommand({ TableName: ctx.tableName, Key: { PK: checkKey(key), SK } }));
      return fromItem(res.Item);
    },
    async put(key, entry) {
      await ctx.client.send(new PutCommand({ TableName: ctx.tableName, Item: toItem(key, entry, ctx.nowIso()) }));
    },
    async getMany(keys) {
      const pks = [...new Set(keys.map(checkKey))];
      const out = new Map<string, SdrCacheEntry>();
      const batches: string[][] = [];
      for (let i = 0; i < pks.length; i += BATCH) batches.push(pks.slice(i, i + BATCH));
      await mapBounded(batches, BATCH_CONCURRENCY, (b) => getBatch(b, out));
      return out;
    },
  };
  return { sdrCache };
}
