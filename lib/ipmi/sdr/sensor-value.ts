/**
 * A sensor's reading in units, with its threshold status computed here from the SDR's thresholds
 * rather than trusted from the BMC's comparison bits (some BMCs compare signed readings as
 * unsigned bytes).
 */
import type { SensorReadingRaw } from '../commands/get-sensor-reading.ts';
import { convertReading, rawToX, type AnalogFormat } from './linearize.ts';
import type { SensorRecord } from './records.ts';

export type SensorStatus = 'ok' | 'lnc' | 'lcr' | 'lnr' | 'unc' | 'ucr' | 'unr' | 'unavailable' | 'discrete';

export interface SensorValue {
  number: number;
  name: string;
  type: string;
  value: number | null;
  unit: string;
  status: SensorStatus;
  /** Discrete sensors: the asserted state bits (0-14). */
  states?: number;
}

export function thresholdStatus(value: number, t: SensorRecord['thresholds']): SensorStatus {
  // Worst first: non-recoverable, then critical, then non-critical.
  if (t.unr !== undefined && value >= t.unr) return 'unr';
  if (t.lnr !== undefined && value <= t.lnr) return 'lnr';
  if (t.ucr !== undefined && value >= t.ucr) return 'ucr';
  if (t.lcr !== undefined && value <= t.lcr) return 'lcr';
  if (t.unc !== undefined && value >= t.unc) return 'unc';
  if (t.lnc !== undefined && value <= t.lnc) return 'lnc';
  return 'ok';
}

/** How to read the answers of this BMC's sensors: the sensor quirks in force for it. */
export interface ReadingRules {
  /** ignore-scanning-disabled: a reading marked "scanning disabled" is still good. */
  ignoreScanningDisabled?: boolean;
  /** discrete-reading: a discrete sensor with units and an analog format gives its value too. */
  discreteReading?: boolean;
  /** sensor-ff-reading: raw 0xFF from an unsigned analog sensor is no reading. */
  ffIsNoReading?: boolean;
}

/** Raw 0xFF, all ones: what a read of an absent device on the management bus returns. */
const ALL_ONES = 0xff;

export function sensorValue(record: SensorRecord, reading: SensorReadingRaw | null, rules: ReadingRules = {}): SensorValue {
  const base = { number: record.sensorNumber, name: record.name, type: record.sensorTypeName, unit: record.units };
  if (!reading || reading.unavailable || (!reading.scanningEnabled && !rules.ignoreScanningDisabled)) return { ...base, value: null, status: 'unavailable' };
  if (record.eventReadingType !== 0x01 || !record.conversion) {
    const states = reading.state0 | ((reading.state1 ?? 0) << 8);
    const analog = rules.discreteReading && record.conversion && record.unitCode !== 0 ? convertReading(reading.raw, record.conversion) : null;
    if (analog !== null) return { ...base, value: analog, status: 'discrete', states };
    return { ...base, value: null, unit: '', status: 'discrete', states };
  }
  if (rules.ffIsNoReading && reading.raw === ALL_ONES && record.conversion.format === 'unsigned') return { ...base, value: null, status: 'unavailable' };
  const value = convertReading(reading.raw, record.conversion);
  if (value === null) return { ...base, value: null, status: 'unavailable' };
  // Compared as the BMC is meant to, on raw readings (signed where the format is), so a
  // decreasing conversion (negative M, 1/x) keeps "upper" meaning "upper".
  const format = record.conversion.format;
  return { ...base, value, status: thresholdStatus(rawToX(reading.raw, format), thresholdsAsX(record, format)) };
}

/** A record's raw thresholds as signed or unsigned x, worked out once per record (they are in its SDR). */
const thresholdsX = new WeakMap<SensorRecord, SensorRecord['thresholds']>();

function thresholdsAsX(record: SensorRecord, format: AnalogFormat): SensorRecord['thresholds'] {
  let x = thresholdsX.get(record);
  if (!x) {
    x = {};
    for (const [name, raw] of Object.entries(record.thresholdsRaw)) x[name as keyof typeof x] = rawToX(raw, format);
    thresholdsX.set(record, x);
  }
  return x;
}
