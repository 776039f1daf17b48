/**
 * Reading the SDR repository: header first, then small chunks, re-reserving when another reader
 * cancels our reservation (0xC5). Records go through an SdrCache (sdr-cache.ts), validated by the
 * repository's addition and erase timestamps and record count, so a warm sensor read costs one
 * Get SDR Repository Info, also in a fresh process when the cache lives in the store.
 */
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository, SDR_LAST_RECORD } from '../commands/sdr-repository.ts';
import type { CommandRunner } from '../command-runner.ts';
import { retry } from '../../util/index.ts';
import { IpmiCompletionCodeError, IpmiProtocolError } from '../errors.ts';
import type { DeviceProfile } from '../host-quirks.ts';
import { DEFAULT_QUIRKS, quirkOn, type BmcQuirks } from '../quirks.ts';
import { decodeSdr, decodeSdrHeader, SDR_HEADER_LENGTH, type SdrRecord } from './records.ts';
import { entryIsCurrent, processSdrCache, sdrCacheId, type SdrCache, type SdrCacheEntry, type SdrCacheKey, type SdrStamp } from './sdr-cache.ts';

export interface ReadRepositoryOptions {
  key: SdrCacheKey;
  /** Where records are kept between reads (this process's memory by default). */
  cache?: SdrCache;
  quirks?: BmcQuirks;
  /** The BMC's device profile, stored with the records when they are walked. */
  device?: () => Promise<DeviceProfile | undefined>;
}

export interface RepositoryRead {
  records: SdrRecord[];
  /** The cache entry the records came from, or the one the walk stored. */
  entry: SdrCacheEntry;
  /** False when the cache served the records (no reservation, no walk). */
  walked: boolean;
}

const inFlight = new Map<string, Promise<RepositoryRead>>();
/** Records decoded once per cache entry, not on every read. */
const decoded = new WeakMap<SdrCacheEntry, SdrRecord[]>();
/**
 * Decoded records by their bytes: a fleet of one model holds the same records in every BMC's
 * entry, so a cold process reading a thousand entries decodes each distinct record once. Shared
 * between BMCs, so frozen; cleared when full rather than grown without bound.
 */
const byBytes = new Map<string, SdrRecord>();
const MAX_SHARED_RECORDS = 20_000;

/** First chunk size after the header; halved when a BMC says it cannot return that many bytes. */
const FIRST_CHUNK = 64;
const SMALLEST_CHUNK = 8;
/** "Cannot return number of requested data bytes" and its cousins that BMCs send for too-long reads. */
const TOO_LONG = new Set([0xca, 0xc7, 0xc8, 0xff]);
const chunkSizes = new Map<string, number>();
const MAX_RESERVATION_RETRIES = 12;
/** "Reservation cancelled". */
const RESERVATION_CANCELLED = 0xc5;
/** Back-off caps before reserving again: the pause grows with each cancellation, as readers collide more. */
const RESERVE_BASE_MS = 25;
const RESERVE_MAX_MS = 250;
const MAX_RECORDS = 4096;

/** Forget the records this process's default cache holds (all BMCs, or one "host:port"). */
export function clearSdrCache(bmcKey?: string): void {
  if (bmcKey === undefined) processSdrCache.clear();
  else {
    const i = bmcKey.lastIndexOf(':');
    processSdrCache.clear({ host: bmcKey.slice(0, i), port: Number(bmcKey.slice(i + 1)) });
  }
}

function frozen<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(o);
}

/** One record decoded, or the same bytes' decoding shared with another entry. */
function decodeShared(raw: Buffer): SdrRecord {
  const key = raw.toString('latin1');
  let r = byBytes.get(key);
  if (!r) {
    r = frozen(decodeSdr(raw));
    if (byBytes.size >= MAX_SHARED_RECORDS) byBytes.clear();
    byBytes.set(key, r);
  }
  return r;
}

function recordsOf(entry: SdrCacheEntry): SdrRecord[] {
  let records = decoded.get(entry);
  if (!records) {
    records = entry.records.map(decodeShared);
    decoded.set(entry, records);
  }
  return records;
}

/**
 * The repository's records, from the cache when the repository is unchanged. Concurrent callers
 * for the same BMC share one walk, so they do not cancel each other's reservations.
 */
export async function readSdrRepository(bmc: CommandRunner, o: ReadRepositoryOptions): Promise<RepositoryRead> {
  const cache = o.cache ?? processSdrCache;
  const info = await bmc.run(getSdrRepositoryInfo, undefined);
  const stamp: SdrStamp = { lastAddition: info.lastAddition, lastErase: info.lastErase, recordCount: info.recordCount };
  const hit = await cache.get(o.key);
  if (hit && entryIsCurrent(hit, stamp, o.key.guid)) return { records: recordsOf(hit), entry: hit, walked: false };
  const id = sdrCacheId(o.key);
  const pending = inFlight.get(id);
  if (pending) return pending;
  const p = walk(bmc, o, stamp, cache).finally(() => inFlight.delete(id));
  inFlight.set(id, p);
  return p;
}

async function walk(bmc: CommandRunner, o: ReadRepositoryOptions, stamp: SdrStamp, cache: SdrCache): Promise<RepositoryRead> {
  const raw = await readAll(sdrCacheId(o.key), bmc, stamp.recordCount, o.quirks ?? DEFAULT_QUIRKS);
  const device = await o.device?.();
  // Decoded before anything is stored: a malformed record fails the read rather than sit in the cache.
  const records = raw.map((r) => decodeSdr(r));
  const entry: SdrCacheEntry = { ...stamp, records: raw, guid: o.key.guid, manufacturerId: device?.manufacturerId, productId: device?.productId };
  decoded.set(entry, records);
  await cache.put(o.key, entry);
  return { records, entry, walked: true };
}

async function readAll(bmcKey: string, bmc: CommandRunner, recordCount: number, quirks: BmcQuirks): Promise<Buffer[]> {
  let chunk = chunkSizes.get(bmcKey) ?? FIRST_CHUNK;
  const reservation = { id: (await bmc.run(reserveSdrRepository, undefined)).reservationId, retries: 0 };
  // Another reader reserving the repository cancels ours (0xC5): reserve again after a short,
  // jittered pause, at most MAX_RESERVATION_RETRIES times over the whole walk.
  const cancelled = (e: unknown): boolean =>
    e instanceof IpmiCompletionCodeError && e.code === RESERVATION_CANCELLED && ++reservation.retries <= MAX_RESERVATION_RETRIES;
  const read = (recordId: number, offset: number, length: number) =>
    retry(
      async (attempt) => {
        if (attempt > 0) reservation.id = (await bmc.run(reserveSdrRepository, undefined)).reservationId;
        return bmc.run(getSdr, { reservationId: reservation.id, recordId, offset, length });
      },
      { attempts: MAX_RESERVATION_RETRIES + 1, retryOn: cancelled, baseMs: RESERVE_BASE_MS, maxMs: RESERVE_MAX_MS },
    );
  const records: Buffer[] = [];
  let recordId = 0;
  while (recordId !== SDR_LAST_RECORD) {
    if (records.length >= MAX_RECORDS) throw new IpmiProtocolError(`SDR repository: more than ${MAX_RECORDS} records (a next-record loop?)`);
    let head;
    try {
      head = await read(recordId, 0, SDR_HEADER_LENGTH);
    } catch (e) {
      // sdr-end-on-error: the last record named a next one that is not there (0xC3, 0xCB...);
      // with every counted record read, that is the end of the repository, not a failure.
      if (e instanceof IpmiCompletionCodeError && records.length > 0 && records.length >= recordCount && quirkOn(quirks, 'sdr-end-on-error')) break;
      throw e;
    }
    const header = decodeSdrHeader(head.data);
    const bytes = Buffer.alloc(SDR_HEADER_LENGTH + header.length);
    head.data.copy(bytes, 0, 0, SDR_HEADER_LENGTH);
    for (let off = SDR_HEADER_LENGTH; off < bytes.length; ) {
      const want = Math.min(chunk, bytes.length - off);
      let part;
      try {
        part = await read(recordId, off, want);
      } catch (e) {
        if (!(e instanceof IpmiCompletionCodeError) || !TOO_LONG.has(e.code) || chunk <= SMALLEST_CHUNK) throw e;
        chunk = Math.max(SMALLEST_CHUNK, chunk >> 1);
        chunkSizes.set(bmcKey, chunk);
        continue;
      }
      if (part.data.length === 0) throw new IpmiProtocolError(`SDR ${recordId}: empty chunk at offset ${off}`);
      part.data.copy(bytes, off, 0, Math.min(want, part.data.length));
      off += Math.min(want, part.data.length);
    }
    records.push(bytes);
    if (head.nextRecordId === recordId) throw new IpmiProtocolError(`SDR ${recordId}: next record ID points to itself`);
    recordId = head.nextRecordId;
  }
  return records;
}
