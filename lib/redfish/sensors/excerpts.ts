/**
 * Readings the newer subsystem resources carry as excerpts of Sensor resources: `ThermalMetrics`
 * (`TemperatureReadingsCelsius[]`, `TemperatureSummaryCelsius`), each `Fan`'s `SpeedPercent`, each
 * power supply's `PowerSupplyMetrics`, and `EnvironmentMetrics` (`TemperatureCelsius`,
 * `PowerWatts`...). An excerpt's `DataSourceUri` names the Sensor it copies; it is the key that
 * lets the same sensor, met through two resources, be counted once. Excerpts carry no thresholds.
 */
import { arr, at, isObject, obj, str, type JsonObject } from '../json.ts';
import { sample, type SensorSample } from './sensor-view.ts';

type Kind = { type: string; unit: string };
const TEMP: Kind = { type: 'temperature', unit: 'degrees C' };
const VOLT: Kind = { type: 'voltage', unit: 'Volts' };
const AMPS: Kind = { type: 'current', unit: 'Amps' };
const WATT: Kind = { type: 'power', unit: 'Watts' };
const FAN_PCT: Kind = { type: 'fan', unit: 'percent' };
const HUMIDITY: Kind = { type: 'humidity', unit: 'percent' };

/** One excerpt object (`{ Reading, DataSourceUri }`) as a sample, or nothing when it is not there. */
function excerpt(name: string, kind: Kind, e: unknown, status?: unknown): SensorSample[] {
  const o = obj(e);
  if (!o) return [];
  return [sample({ name, ...kind, value: o.Reading, status, key: str(o.DataSourceUri) })];
}

export function thermalMetricsSensors(tm: JsonObject): SensorSample[] {
  const readings = arr(tm.TemperatureReadingsCelsius).flatMap((r, i) => (isObject(r) ? excerpt(str(r.DeviceName) ?? `Temperature ${i + 1}`, TEMP, r) : []));
  const summary = obj(tm.TemperatureSummaryCelsius) ?? {};
  const summaries = Object.entries(summary).flatMap(([where, r]) => excerpt(`${where} Temperature`, TEMP, r));
  return [...readings, ...summaries];
}

export function fanSensors(fan: JsonObject): SensorSample[] {
  return excerpt(str(fan.Name) ?? str(fan.Id) ?? 'Fan', FAN_PCT, fan.SpeedPercent, fan.Status);
}

export function powerSupplyMetricsSensors(supplyName: string, m: JsonObject): SensorSample[] {
  const fields: [string, string, Kind][] = [
    ['InputVoltage', 'Input Voltage', VOLT],
    ['InputCurrentAmps', 'Input Current', AMPS],
    ['InputPowerWatts', 'Input Power', WATT],
    ['OutputPowerWatts', 'Output Power', WATT],
    ['TemperatureCelsius', 'Temperature', TEMP],
    ['FanSpeedPercent', 'Fan', FAN_PCT],
  ];
  return fields.flatMap(([field, label, kind]) => excerpt(`${supplyName} ${label}`, kind, m[field], m.Status));
}

export function environmentSensors(env: JsonObject): SensorSample[] {
  const fans = arr(env.FanSpeedsPercent).flatMap((f, i) => (isObject(f) ? excerpt(str(f.DeviceName) ?? `Fan ${i + 1}`, FAN_PCT, f) : []));
  return [
    ...excerpt('Environment Temperature', TEMP, env.TemperatureCelsius),
    ...excerpt('Environment Power', WATT, env.PowerWatts),
    ...excerpt('Environment Humidity', HUMIDITY, env.HumidityPercent),
    ...fans,
  ];
}

/** A power supply's name for its readings: its service label, else its Name. */
export const supplyName = (psu: JsonObject): string => str(at(psu, 'Location', 'PartLocation', 'ServiceLabel')) ?? str(psu.Name) ?? str(psu.Id) ?? 'Power Supply';
