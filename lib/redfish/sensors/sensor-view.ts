/**
 * One sensor as lowpower shows it, the same shape the IPMI side gives the API: name, type and unit
 * in IPMI's words ('temperature', 'fan', 'voltage'; 'degrees C', 'RPM', 'Volts'), the value, its
 * threshold status ('ok', 'unc', 'ucr', 'unr', 'lnc', 'lcr', 'lnr', or 'unavailable') computed
 * from the thresholds as IPMI does, and the thresholds named as IPMI names them: Redfish's
 * NonCritical / Caution is nc, Critical is cr, Fatal is nr.
 */
import { at, num, obj, str, type JsonObject } from '../json.ts';

export type ThresholdName = 'lnr' | 'lcr' | 'lnc' | 'unc' | 'ucr' | 'unr';
export type Thresholds = Partial<Record<ThresholdName, number>>;
export type SensorStatus = 'ok' | ThresholdName | 'unavailable';

export interface SensorView {
  name: string;
  type: string;
  value: number | null;
  unit: string;
  status: SensorStatus;
  thresholds: Thresholds;
}

/** A sensor with where it was read from, for counting each physical sensor once. */
export interface SensorSample extends SensorView {
  /** The resource it is (an `@odata.id`, fragment included) or stands for (an excerpt's `DataSourceUri`). */
  key?: string;
}

/** Worst first, as the IPMI side computes it: non-recoverable, critical, non-critical. */
export function thresholdStatus(value: number, t: Thresholds): SensorStatus {
  if (t.unr !== undefined && value >= t.unr) return 'unr';
  if (t.lnr !== undefined && value <= t.lnr) return 'lnr';
  if (t.ucr !== undefined && value >= t.ucr) return 'ucr';
  if (t.lcr !== undefined && value <= t.lcr) return 'lcr';
  if (t.unc !== undefined && value >= t.unc) return 'unc';
  if (t.lnc !== undefined && value <= t.lnc) return 'lnc';
  return 'ok';
}

/** Redfish `Status.State`s in which a sensor reads nothing. */
const OFFLINE = new Set(['Absent', 'Disabled', 'UnavailableOffline', 'StandbyOffline']);

/** UCUM units (DSP0268 `ReadingUnits`) and the older schemas' words, in IPMI's unit names. */
const UNITS: Readonly<Record<string, string>> = {
  Cel: 'degrees C',
  V: 'Volts',
  A: 'Amps',
  W: 'Watts',
  J: 'Joules',
  'kW.h': 'kWh',
  'W.h': 'Wh',
  Hz: 'Hz',
  RPM: 'RPM',
  '{rev}/min': 'RPM',
  '%': 'percent',
  Percent: 'percent',
  Pa: 'Pa',
  'L/s': 'L/s',
  'L/min': 'L/min',
  'V.A': 'VA',
};

/** The unit a type reads in, for a sensor that gives none (an absent one, typically). */
const TYPE_UNITS: Readonly<Record<string, string>> = { temperature: 'degrees C', voltage: 'Volts', current: 'Amps', power: 'Watts', frequency: 'Hz' };

export const unitName = (ucum: string | undefined, type?: string): string => (ucum === undefined ? (TYPE_UNITS[type ?? ''] ?? 'unspecified') : (UNITS[ucum] ?? ucum));

/** Redfish `ReadingType` in IPMI's sensor type names (power and energy have none there, so plain words). */
const TYPES: Readonly<Record<string, string>> = {
  Temperature: 'temperature',
  Voltage: 'voltage',
  Current: 'current',
  Power: 'power',
  EnergykWh: 'energy',
  EnergyJoules: 'energy',
  EnergyWh: 'energy',
  Rotational: 'fan',
  Frequency: 'frequency',
  Humidity: 'humidity',
  AirFlow: 'cooling device',
  LiquidFlow: 'cooling device',
  Pressure: 'pressure',
  Percent: 'other units',
};

const BY_UNIT: Readonly<Record<string, string>> = { Cel: 'temperature', V: 'voltage', A: 'current', W: 'power', RPM: 'fan', '{rev}/min': 'fan', 'kW.h': 'energy', J: 'energy', Hz: 'frequency' };

/** The sensor's type from its ReadingType, else its unit; a percentage is a fan when it names one. */
export function sensorType(readingType: string | undefined, units: string | undefined, context: { name: string; physicalContext?: string }): string {
  const fanLike = /fan/i.test(context.name) || context.physicalContext === 'Fan';
  if ((readingType === 'Percent' || units === '%') && fanLike) return 'fan';
  if (readingType && TYPES[readingType]) return TYPES[readingType];
  if (units && BY_UNIT[units]) return BY_UNIT[units];
  return readingType ? readingType.toLowerCase() : 'other units';
}

/** A sample from its parts; unavailable when the BMC marks it offline or gives no number. */
export function sample(p: { name: string; type: string; value: unknown; unit: string; status?: unknown; thresholds?: Thresholds; key?: string }): SensorSample {
  const state = str(at(p.status, 'State'));
  const value = num(p.value) ?? null;
  const thresholds = p.thresholds ?? {};
  const offline = (state !== undefined && OFFLINE.has(state)) || value === null;
  return {
    name: p.name,
    type: p.type,
    value: offline ? null : value,
    unit: p.unit,
    status: offline || value === null ? 'unavailable' : thresholdStatus(value, thresholds),
    thresholds,
    ...(p.key ? { key: p.key } : {}),
  };
}

/** Thresholds from a record whose properties are named `${prefix}${Redfish name}` (the older Thermal and Power). */
export function legacyThresholds(r: JsonObject): Thresholds {
  const t: Thresholds = {};
  const put = (k: ThresholdName, v: unknown): void => {
    const n = num(v);
    if (n !== undefined) t[k] = n;
  };
  put('unc', r.UpperThresholdNonCritical);
  put('ucr', r.UpperThresholdCritical);
  put('unr', r.UpperThresholdFatal);
  put('lnc', r.LowerThresholdNonCritical);
  put('lcr', r.LowerThresholdCritical);
  put('lnr', r.LowerThresholdFatal);
  return t;
}

/** Thresholds of a Sensor resource (`Thresholds.UpperCaution.Reading` ...). The *User variants are user settings, not limits. */
export function sensorThresholds(thresholds: unknown): Thresholds {
  const t: Thresholds = {};
  const put = (k: ThresholdName, name: string): void => {
    const n = num(obj(obj(thresholds)?.[name])?.Reading);
    if (n !== undefined) t[k] = n;
  };
  put('unc', 'UpperCaution');
  put('ucr', 'UpperCritical');
  put('unr', 'UpperFatal');
  put('lnc', 'LowerCaution');
  put('lcr', 'LowerCritical');
  put('lnr', 'LowerFatal');
  return t;
}
