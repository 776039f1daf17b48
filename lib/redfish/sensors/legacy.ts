/**
 * The older sensor resources of a chassis (deprecated since Redfish 2020.4, still what most BMCs in
 * the field serve): `Thermal` (`Temperatures[]`, `Fans[]`) and `Power` (`PowerControl[]`,
 * `Voltages[]`, `PowerSupplies[]`), each entry with its readings and thresholds inline.
 */
import { arr, isObject, num, str, type JsonObject } from '../json.ts';
import { legacyThresholds, sample, type SensorSample } from './sensor-view.ts';

/** An entry's own `@odata.id` (with its `#/Temperatures/0` fragment), else one made the same way. */
const entryKey = (resource: JsonObject, list: string, i: number, e: JsonObject): string | undefined => {
  const own = str(e['@odata.id']);
  if (own) return own;
  const base = str(resource['@odata.id']);
  return base ? `${base}#/${list}/${i}` : undefined;
};

const entries = (resource: JsonObject, list: string): [JsonObject, number][] =>
  arr(resource[list]).flatMap((e, i) => (isObject(e) ? [[e, i] as [JsonObject, number]] : []));

export function thermalSensors(thermal: JsonObject): SensorSample[] {
  const temps = entries(thermal, 'Temperatures').map(([t, i]) =>
    sample({ name: str(t.Name) ?? `Temperature ${i + 1}`, type: 'temperature', value: t.ReadingCelsius, unit: 'degrees C', status: t.Status, thresholds: legacyThresholds(t), key: entryKey(thermal, 'Temperatures', i, t) }),
  );
  const fans = entries(thermal, 'Fans').map(([f, i]) => {
    // Thermal 1.0 had ReadingRPM and FanName; later versions Reading with ReadingUnits.
    const rpm = num(f.ReadingRPM);
    const units = rpm !== undefined ? 'RPM' : str(f.ReadingUnits);
    return sample({
      name: str(f.Name) ?? str(f.FanName) ?? `Fan ${i + 1}`,
      type: 'fan',
      value: rpm ?? f.Reading,
      unit: units === 'Percent' ? 'percent' : units === 'RPM' ? 'RPM' : (units ?? 'unspecified'),
      status: f.Status,
      thresholds: legacyThresholds(f),
      key: entryKey(thermal, 'Fans', i, f),
    });
  });
  return [...temps, ...fans];
}

export function powerSensors(power: JsonObject): SensorSample[] {
  const control = entries(power, 'PowerControl').map(([p, i]) =>
    sample({ name: str(p.Name) ?? `Power Control ${i + 1}`, type: 'power', value: p.PowerConsumedWatts, unit: 'Watts', status: p.Status, key: entryKey(power, 'PowerControl', i, p) }),
  );
  const volts = entries(power, 'Voltages').map(([v, i]) =>
    sample({ name: str(v.Name) ?? `Voltage ${i + 1}`, type: 'voltage', value: v.ReadingVolts, unit: 'Volts', status: v.Status, thresholds: legacyThresholds(v), key: entryKey(power, 'Voltages', i, v) }),
  );
  // A supply counts as a sensor through the watts it reports; one that reports none is left out.
  const supplies = entries(power, 'PowerSupplies').flatMap(([s, i]) => {
    const name = str(s.Name) ?? `Power Supply ${i + 1}`;
    const key = entryKey(power, 'PowerSupplies', i, s);
    const out: SensorSample[] = [];
    if (num(s.PowerInputWatts) !== undefined) out.push(sample({ name: `${name} Input Power`, type: 'power', value: s.PowerInputWatts, unit: 'Watts', status: s.Status, key: key && `${key}/PowerInputWatts` }));
    const output = num(s.LastPowerOutputWatts) ?? num(s.PowerOutputWatts);
    if (output !== undefined) out.push(sample({ name: `${name} Output Power`, type: 'power', value: output, unit: 'Watts', status: s.Status, key: key && `${key}/PowerOutputWatts` }));
    return out;
  });
  return [...control, ...volts, ...supplies];
}
