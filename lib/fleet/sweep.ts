/**
 * A fleet sweep: power state, temperatures and power draw of every BMC in an inventory, read
 * concurrently over one UDP socket. A host that fails (timeout, refused login) becomes an error
 * entry in the result; the sweep itself does not fail.
 */
import { mapBounded } from '../util/index.ts';
import { openBmc, type Bmc } from '../ipmi/index.ts';
import { IpmiCompletionCodeError } from '../ipmi/index.ts';
import { UdpTransport } from '../ipmi/index.ts';
import { LayeredSdrCache, MemorySdrCache, processSdrCache, type SdrCache } from '../ipmi/index.ts';
import type { FleetHost } from './inventory.ts';
import { errorText, hottestOf, summarise, toTemperatures, type HostReading, type HostResult, type SweepResult, type Temperature } from './sweep-types.ts';
import { readRedfishHost } from './read-redfish.ts';

export { errorText, hottestOf, summarise, toTemperatures, type HostFailure, type HostReading, type HostResult, type SweepResult, type Temperature } from './sweep-types.ts';

export interface SweepOptions {
  /** How many BMCs are asked at the same time (default 64). */
  concurrency?: number;
  /** Deadline of one request, retransmissions included (the client's default: 2000 ms). */
  timeoutMs?: number;
  /** Retransmissions within that deadline (the client's default: 3). */
  retries?: number;
  /** 3 or 17 for every BMC; by default 17 is tried and 3 used when a BMC refuses it. */
  cipherSuite?: number;
  /** Called after each BMC, done or failed. */
  onProgress?: (done: number, total: number, failed: number) => void;
  /** The socket to share; by default the sweep makes its own and closes it at the end. */
  transport?: UdpTransport;
  /**
   * Where the BMCs' SDR records are kept between sweeps: this process's memory by default. A
   * slower one (the store's) gets this process's memory in front of it, filled with the fleet's
   * entries in a few batch requests before the sweep, so a cold process walks no unchanged repository.
   */
  sdrCache?: SdrCache;
}

export const DEFAULT_CONCURRENCY = 64;

/** True for an answer that means "this BMC does not implement that", not a failure. */
function notSupported(e: unknown): e is IpmiCompletionCodeError {
  return e instanceof IpmiCompletionCodeError && e.notSupported;
}

export { mapBounded };

/** What the sweep asks of a BMC handle (a `Bmc`, or a stand-in in tests). */
export type BmcReader = Pick<Bmc, 'power' | 'sensors' | 'powerDraw'>;

/**
 * Power, temperatures and draw of one BMC. A BMC that lacks a sensor repository gives empty
 * temperatures with a note; the draw is `powerDraw`'s (DCMI when its meter is active and not
 * 0 W, else the SDR's watts sensors), with its note when it is not a plain DCMI reading. Every
 * other error propagates.
 */
export async function readBmc(bmc: BmcReader, entry: Pick<FleetHost, 'name' | 'host' | 'port'>): Promise<HostReading> {
  const notes: string[] = [];
  const { power } = await bmc.power('status');
  let temperatures: Temperature[] = [];
  try {
    temperatures = toTemperatures(await bmc.sensors({ type: 'temperature' }));
  } catch (e) {
    if (!notSupported(e)) throw e;
    notes.push('no sensor repository (SDR) on this BMC');
  }
  const draw = await bmc.powerDraw();
  if (draw.note) notes.push(draw.note);
  return { name: entry.name, host: entry.host, port: entry.port, ok: true, power, temperatures, hottest: hottestOf(temperatures), watts: draw.watts, notes };
}

/**
 * Read one BMC with its own handle on the given transport, and close the handle. Never rejects:
 * a failure is returned as a `HostFailure`.
 */
export async function readHost(entry: FleetHost, options: Omit<SweepOptions, 'concurrency' | 'onProgress'> & { transport: UdpTransport }): Promise<HostResult> {
  if (entry.protocol === 'redfish') return readRedfishHost(entry, options);
  let bmc: Bmc | undefined;
  try {
    bmc = openBmc({
      host: entry.host,
      port: entry.port,
      username: entry.user,
      password: entry.password,
      cipherSuite: options.cipherSuite,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      transport: options.transport,
      sdrCache: options.sdrCache,
      // No privilege given, so Administrator (Operator when refused): a session at User would save
      // the Set Session Privilege Level round trip, but BMCs such as OpenIPMI's ipmi_sim refuse
      // DCMI Get Power Reading below Operator (0xD4).
    });
    return await readBmc(bmc, entry);
  } catch (e) {
    return { name: entry.name, host: entry.host, port: entry.port, ok: false, error: errorText(e) };
  } finally {
    // Closing frees the session slot on the BMC; a BMC that stopped answering cannot spoil a reading.
    await bmc?.close().catch(() => undefined);
  }
}

/** The sweep's SDR cache: memory as given, or this process's memory in front of a slower cache, prefetched. */
function sweepSdrCache(inventory: readonly FleetHost[], given: SdrCache | undefined): SdrCache {
  if (!given) return processSdrCache;
  if (given instanceof MemorySdrCache || given instanceof LayeredSdrCache) return given;
  const layered = new LayeredSdrCache(processSdrCache, given);
  // Not awaited: the logins overlap it, and each host's first cache read waits for it.
  void layered.prefetch(inventory.filter((h) => h.protocol !== 'redfish').map((h) => ({ host: h.host, port: h.port }))).catch(() => undefined);
  return layered;
}

/**
 * Sweep a fleet: for every BMC, the power state, every temperature sensor and the power draw
 * (DCMI, or the SDR's watts sensors), at most `concurrency` BMCs at a time, all over one UDP
 * socket. Each BMC gets its own handle, closed after use. Per-host errors (timeouts, refused logins) are entries of the result.
 * @param inventory the BMCs, as `readInventory` returns them
 * @returns one result per BMC in inventory order, with counts and timing
 */
export async function sweepFleet(inventory: readonly FleetHost[], options: SweepOptions = {}): Promise<SweepResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const transport = options.transport ?? new UdpTransport();
  // Held for the whole sweep, so the socket is not closed and reopened between two BMCs.
  transport.acquire();
  let done = 0;
  let failed = 0;
  try {
    const sdrCache = sweepSdrCache(inventory, options.sdrCache);
    const hosts = await mapBounded(inventory, options.concurrency ?? DEFAULT_CONCURRENCY, async (entry) => {
      const result = await readHost(entry, { ...options, transport, sdrCache });
      done++;
      if (!result.ok) failed++;
      options.onProgress?.(done, inventory.length, failed);
      return result;
    });
    return summarise(hosts, startedAt, performance.now() - t0);
  } finally {
    transport.release();
  }
}
