/** A member of a chassis's `Sensors` collection (the Sensor resource of Redfish 2020.4 and later). */
import { at, str, type JsonObject } from '../json.ts';
import { sample, sensorThresholds, sensorType, unitName, type SensorSample } from './sensor-view.ts';

export function sensorFromResource(s: JsonObject): SensorSample {
  const name = str(s.Name) ?? str(s.Id) ?? 'Sensor';
  const units = str(s.ReadingUnits);
  const type = sensorType(str(s.ReadingType), units, { name, physicalContext: str(s.PhysicalContext) });
  return sample({
    name,
    type,
    value: s.Reading,
    unit: unitName(units, type),
    status: s.Status,
    thresholds: sensorThresholds(at(s, 'Thresholds')),
    key: str(s['@odata.id']),
  });
}
