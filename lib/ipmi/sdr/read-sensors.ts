/**
 * Reading a BMC's sensors: the sensor records of its SDR repository (through the SDR cache,
 * read-repository.ts), then Get Sensor Reading for each, at the record's LUN or bridged to the
 * controller that owns it, linearized into values with units and threshold status. One sensor
 * that answers oddly is unavailable; it does not spoil the list. How readings are read follows
 * the sensor quirks in force for the BMC (quirks.ts), some chosen by its manufacturer.
 */
import type { CommandRunner, RunOptions } from '../command-runner.ts';
import { getSensorReading } from '../commands/get-sensor-reading.ts';
import { IpmiCompletionCodeError, IpmiError } from '../errors.ts';
import type { DeviceProfile } from '../host-quirks.ts';
import { DEFAULT_QUIRKS, quirkOn, type BmcQuirks } from '../quirks.ts';
import { readSdrRepository } from './read-repository.ts';
import { isSensorRecord, type SensorRecord } from './records.ts';
import type { SdrCache, SdrCacheEntry, SdrCacheKey } from './sdr-cache.ts';
import { sensorValue, type ReadingRules, type SensorValue } from './sensor-value.ts';
import { sensorTypeCode } from './units.ts';

export interface SensorQuery {
  /** A sensor type name ("temperature", "fan", "voltage") or code. */
  type?: string | number;
  /** A base unit code (table 43-15): 6 for the sensors in watts. */
  unitCode?: number;
}

/** Where a BMC's records are kept and how its answers are read. */
export interface SensorReadContext {
  key: SdrCacheKey;
  /** This process's memory by default. */
  cache?: SdrCache;
  quirks?: BmcQuirks;
  /** The BMC's manufacturer and product (Get Device ID, or what the host is known by), for the manufacturer quirks. */
  device?: () => Promise<DeviceProfile | undefined>;
}

/** The BMC itself on the IPMB. */
const BMC_OWNER = 0x20;
/** Answers that mean "no reading now" for one sensor, whatever the quirks: not present, not available, sensor absent. */
const NO_READING = new Set([0xcb, 0xcd, 0xd5]);

/** The sensor records of the BMC's repository, and the device profile the cache entry carries. */
async function records(bmc: CommandRunner, ctx: SensorReadContext): Promise<{ records: SensorRecord[]; entry: SdrCacheEntry }> {
  const read = await readSdrRepository(bmc, { key: ctx.key, cache: ctx.cache, quirks: ctx.quirks, device: ctx.device });
  return { records: read.records.filter(isSensorRecord), entry: read.entry };
}

/** The sensor records of the BMC's repository (through the SDR cache). */
export async function readSensorRecords(bmc: CommandRunner, ctx: SensorReadContext): Promise<SensorRecord[]> {
  return (await records(bmc, ctx)).records;
}

/** The device profile a cache entry was stored with, or the BMC's own. */
async function deviceOf(entry: SdrCacheEntry, ctx: SensorReadContext): Promise<DeviceProfile | undefined> {
  if (entry.manufacturerId !== undefined) return { manufacturerId: entry.manufacturerId, productId: entry.productId ?? 0 };
  return ctx.device?.();
}

/**
 * Where Get Sensor Reading goes for this record: the BMC at the record's LUN (sensor-lun), or
 * the owning controller through the BMC (bridged-sensors); undefined when the quirks in force do
 * not reach it (it is then unavailable, as it was before those quirks).
 */
function route(r: SensorRecord, q: BmcQuirks): RunOptions | undefined {
  if (r.ownerId === BMC_OWNER) {
    if (r.ownerLun === 0) return {};
    return quirkOn(q, 'sensor-lun') ? { lun: r.ownerLun } : undefined;
  }
  // Bit 0 set: a system software ID, not a controller on a bus; nothing to bridge to.
  if (r.ownerId & 1 || !quirkOn(q, 'bridged-sensors')) return undefined;
  return { bridge: { channel: r.ownerChannel, address: r.ownerId }, lun: r.ownerLun };
}

/** Current values of the BMC's sensors, of one type when asked; one value per sensor record, in repository order. */
export async function readSensors(bmc: CommandRunner, ctx: SensorReadContext, q: SensorQuery = {}): Promise<SensorValue[]> {
  let code: number | undefined;
  if (q.type !== undefined) {
    code = typeof q.type === 'number' ? q.type : sensorTypeCode(q.type);
    if (code === undefined) throw new IpmiError(`sensor type "${q.type}" is unknown (try temperature, fan, voltage, current, power supply)`);
  }
  const quirks = ctx.quirks ?? DEFAULT_QUIRKS;
  const found = await records(bmc, ctx);
  const device = await deviceOf(found.entry, ctx);
  const rules: ReadingRules = {
    ignoreScanningDisabled: quirkOn(quirks, 'ignore-scanning-disabled', device),
    discreteReading: quirkOn(quirks, 'discrete-reading', device),
    ffIsNoReading: quirkOn(quirks, 'sensor-ff-reading'),
  };
  const oddCodes = quirkOn(quirks, 'sensor-odd-code');
  const wanted = found.records.filter((r) => (code === undefined || r.sensorType === code) && (q.unitCode === undefined || r.unitCode === q.unitCode));
  const out: SensorValue[] = [];
  for (const r of wanted) {
    const where = route(r, quirks);
    if (!where) {
      out.push(sensorValue(r, null));
      continue;
    }
    try {
      out.push(sensorValue(r, await bmc.run(getSensorReading, { sensorNumber: r.sensorNumber }, where), rules));
    } catch (e) {
      // sensor-odd-code: one sensor's odd answer makes that sensor unavailable, not the list.
      if (e instanceof IpmiCompletionCodeError && (NO_READING.has(e.code) || oddCodes)) out.push(sensorValue(r, null));
      else throw e;
    }
  }
  return out;
}
