/**
 * The SDR cache port: a BMC's sensor records kept between sweeps, with what proves them current
 * (the repository's last addition and erase timestamps and record count from Get SDR Repository
 * Info, as FreeIPMI's cache is validated) and the BMC's GUID when known. A fresh process (a cold
 * Lambda) with a cache in the store reads one Get SDR Repository Info per BMC instead of walking
 * every repository. The in-memory implementation here serves one process; lib/store has the
 * DynamoDB one.
 */

/** Which BMC: its address and port, and its GUID (hex, from RAKP 2) when known. */
export interface SdrCacheKey {
  host: string;
  port: number;
  guid?: string;
}

/** What Get SDR Repository Info says of the repository: when it changes, the cache is stale. */
export interface SdrStamp {
  lastAddition: number;
  lastErase: number;
  recordCount: number;
}

export interface SdrCacheEntry extends SdrStamp {
  /** The records as the BMC sent them, each whole (header included), in repository order. */
  records: Buffer[];
  /** The GUID of the BMC that gave them, when known: another GUID at the address is another BMC. */
  guid?: string;
  /** Get Device ID's manufacturer and product, so a cache hit needs no Get Device ID for the quirks. */
  manufacturerId?: number;
  productId?: number;
}

export interface SdrCache {
  get(key: SdrCacheKey): Promise<SdrCacheEntry | undefined>;
  put(key: SdrCacheKey, entry: SdrCacheEntry): Promise<void>;
  /** Many at once (a sweep fetches its fleet's entries in a few requests); entries by `sdrCacheId`. */
  getMany?(keys: readonly SdrCacheKey[]): Promise<Map<string, SdrCacheEntry>>;
}

/** The one string that names a BMC in a cache: "host:port" (the GUID is checked, not keyed). */
export const sdrCacheId = (key: Pick<SdrCacheKey, 'host' | 'port'>): string => `${key.host}:${key.port}`;

/** True when the entry is the repository's present state, of this BMC. */
export function entryIsCurrent(entry: SdrCacheEntry, stamp: SdrStamp, guid?: string): boolean {
  if (entry.guid && guid && entry.guid !== guid) return false;
  return entry.lastAddition === stamp.lastAddition && entry.lastErase === stamp.lastErase && entry.recordCount === stamp.recordCount;
}

/** The records as one buffer (each record carries its own length in its header). */
export function packRecords(records: readonly Buffer[]): Buffer {
  return Buffer.concat(records);
}

/** The records of a packed buffer; refuses bytes that do not split into whole records. */
export function unpackRecords(packed: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  const b = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  for (let off = 0; off < b.length; ) {
    if (off + 5 > b.length) throw new Error(`SDR cache: ${b.length - off} stray bytes at the end`);
    const end = off + 5 + b[off + 4];
    if (end > b.length) throw new Error('SDR cache: the last record is cut short');
    out.push(Buffer.from(b.subarray(off, end)));
    off = end;
  }
  return out;
}

/** An SDR cache in this process's memory. */
export class MemorySdrCache implements SdrCache {
  private readonly entries = new Map<string, SdrCacheEntry>();

  async get(key: SdrCacheKey): Promise<SdrCacheEntry | undefined> {
    return this.entries.get(sdrCacheId(key));
  }

  async put(key: SdrCacheKey, entry: SdrCacheEntry): Promise<void> {
    this.entries.set(sdrCacheId(key), entry);
  }

  async getMany(keys: readonly SdrCacheKey[]): Promise<Map<string, SdrCacheEntry>> {
    const out = new Map<string, SdrCacheEntry>();
    for (const k of keys) {
      const e = this.entries.get(sdrCacheId(k));
      if (e) out.set(sdrCacheId(k), e);
    }
    return out;
  }

  /** Forget one BMC, or all. */
  clear(key?: Pick<SdrCacheKey, 'host' | 'port'>): void {
    if (key) this.entries.delete(sdrCacheId(key));
    else this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A memory cache in front of a slower one (the store): reads try memory first and keep what the
 * back gives; writes go to both. A back that fails costs a cache miss or a lost write, never a
 * reading: the cache only saves work. A prefetch fills memory for many BMCs in a few requests;
 * reads wait for it rather than ask the back one by one, and a BMC it did not find is a miss
 * without another request.
 */
export class LayeredSdrCache implements SdrCache {
  private ready: Promise<unknown> = Promise.resolve();
  /** BMCs the prefetch asked the back about: a miss in memory is a miss in the back too. */
  private readonly asked = new Set<string>();

  constructor(
    readonly front: MemorySdrCache,
    readonly back: SdrCache,
  ) {}

  async get(key: SdrCacheKey): Promise<SdrCacheEntry | undefined> {
    await this.ready;
    const hit = await this.front.get(key);
    if (hit || this.asked.has(sdrCacheId(key))) return hit;
    const e = await this.back.get(key).catch(() => undefined);
    if (e) await this.front.put(key, e);
    return e;
  }

  async put(key: SdrCacheKey, entry: SdrCacheEntry): Promise<void> {
    await this.front.put(key, entry);
    await this.back.put(key, entry).catch(() => undefined);
  }

  /**
   * Fill memory with the back's entries for these BMCs, in as few requests as the back allows.
   * Reads started meanwhile wait for it (a sweep need not: its logins overlap the prefetch).
   * Resolves to the number of entries the back had.
   */
  prefetch(keys: readonly SdrCacheKey[]): Promise<number> {
    const p = this.fill(keys);
    this.ready = p.catch(() => undefined);
    return p;
  }

  private async fill(keys: readonly SdrCacheKey[]): Promise<number> {
    const inFront = await this.front.getMany(keys);
    const missing = keys.filter((k) => !inFront.has(sdrCacheId(k)));
    if (missing.length === 0 || !this.back.getMany) return 0;
    const found = await this.back.getMany(missing).catch(() => undefined);
    if (!found) return 0;
    for (const k of missing) {
      const id = sdrCacheId(k);
      this.asked.add(id);
      const e = found.get(id);
      if (e) await this.front.put(k, e);
    }
    return found.size;
  }
}

/** The cache every handle of this process uses unless given another. */
export const processSdrCache = new MemorySdrCache();
