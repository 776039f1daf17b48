/**
 * Reading the SDR repository: header first, then small chunks, re-reserving when another reader
 * cancels our reservation (0xC5). Records are cached per BMC, keyed by the repository's
 * addition and erase timestamps, so a warm sensor read costs one Get SDR Repository Info.
 */
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository, SDR_LAST_RECORD, type SdrRepositoryInfo } from '../commands/sdr-repository.ts';
import type { CommandRunner } from '../command-runner.ts';
import { retry } from '../../util/index.ts';
import { IpmiCompletionCodeError, IpmiProtocolError } from '../errors.ts';
import { decodeSdr, decodeSdrHeader, SDR_HEADER_LENGTH, type SdrRecord } from './records.ts';

interface CacheEntry {
  stamp: string;
  records: SdrRecord[];
}

const cache = new Map<string, CacheEntry>();
const inFlight = new Map<string, Promise<SdrRecord[]>>();

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

function stampOf(info: SdrRepositoryInfo): string {
  return `${info.lastAddition}/${info.lastErase}/${info.recordCount}`;
}

/** Forget cached records (all BMCs, or one). */
export function clearSdrCache(bmcKey?: string): void {
  if (bmcKey) cache.delete(bmcKey);
  else cache.clear();
}

/**
 * The repository's records, from cache when its timestamps are unchanged. Concurrent callers for
 * the same BMC share one read, so they do not cancel each other's reservations.
 */
export async function readSdrRepository(bmcKey: string, bmc: CommandRunner): Promise<SdrRecord[]> {
  const info = await bmc.run(getSdrRepositoryInfo, undefined);
  const stamp = stampOf(info);
  const hit = cache.get(bmcKey);
  if (hit && hit.stamp === stamp) return hit.records;
  const pending = inFlight.get(bmcKey);
  if (pending) return pending;
  const p = readAll(bmcKey, bmc)
    .then((records) => {
      cache.set(bmcKey, { stamp, records });
      return records;
    })
    .finally(() => inFlight.delete(bmcKey));
  inFlight.set(bmcKey, p);
  return p;
}

async function readAll(bmcKey: string, bmc: CommandRunner): Promise<SdrRecord[]> {
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
  const records: SdrRecord[] = [];
  let recordId = 0;
  while (recordId !== SDR_LAST_RECORD) {
    if (records.length >= MAX_RECORDS) throw new IpmiProtocolError(`SDR repository: more than ${MAX_RECORDS} records (a next-record loop?)`);
    const head = await read(recordId, 0, SDR_HEADER_LENGTH);
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
    records.push(decodeSdr(bytes));
    if (head.nextRecordId === recordId) throw new IpmiProtocolError(`SDR ${recordId}: next record ID points to itself`);
    recordId = head.nextRecordId;
  }
  return records;
}
