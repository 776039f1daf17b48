/**
 * Counting each sensor once. A BMC shows the same sensor through several resources: a Sensor
 * member and the excerpts that point at it (`DataSourceUri`), a collection listed twice, and the
 * older Thermal / Power entries beside the newer Sensors under the same name. Groups are given
 * in order of preference; the first sighting of a sensor wins.
 */
import type { SensorSample, SensorView } from './sensor-view.ts';

/** A link as a comparable key: the path (origin dropped), no trailing slash. */
export function normalizeKey(ref: string): string {
  const path = ref.replace(/^[a-z]+:\/\/[^/]+/i, '');
  const [p, fragment] = path.split('#', 2);
  const clean = p.replace(/\/+$/, '');
  return fragment === undefined ? clean : `${clean}#${fragment}`;
}

const nameKey = (s: SensorView): string => `${s.type}\u0000${s.name.toLowerCase().replace(/\s+/g, ' ').trim()}`;

export function dedupeSensors(groups: readonly (readonly SensorSample[])[]): SensorView[] {
  const keys = new Set<string>();
  const names = new Set<string>();
  const out: SensorView[] = [];
  for (const group of groups) {
    for (const s of group) {
      const key = s.key === undefined ? undefined : normalizeKey(s.key);
      if ((key && keys.has(key)) || names.has(nameKey(s))) continue;
      if (key) keys.add(key);
      names.add(nameKey(s));
      out.push({ name: s.name, type: s.type, value: s.value, unit: s.unit, status: s.status, thresholds: s.thresholds });
    }
  }
  return out;
}
