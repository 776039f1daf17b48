/**
 * The host's power draw: the older `Power` resource's `PowerControl[].PowerConsumedWatts`, else the
 * newer `EnvironmentMetrics.PowerWatts.Reading`. Null when the BMC gives neither: never a made-up 0.
 */
import type { RedfishReads } from './client.ts';
import { arr, at, isObject, num, str, type JsonObject } from './json.ts';
import { readLinked } from './collection.ts';

export interface WattsReading {
  watts: number | null;
  source: 'PowerControl' | 'EnvironmentMetrics' | null;
  /** ISO time of the reading. */
  observedAt: string;
}

const OFFLINE = new Set(['Absent', 'Disabled', 'UnavailableOffline', 'StandbyOffline']);

/** The first PowerControl entry that reports watts (the whole system's, on every BMC seen so far). */
export function powerControlWatts(power: JsonObject): number | undefined {
  for (const p of arr(power.PowerControl)) {
    if (!isObject(p) || OFFLINE.has(str(at(p, 'Status', 'State')) ?? '')) continue;
    const w = num(p.PowerConsumedWatts);
    if (w !== undefined) return w;
  }
  return undefined;
}

export async function readWatts(c: RedfishReads, chassisPath: string): Promise<WattsReading> {
  const chassis = await c.getObject(chassisPath);
  const power = await readLinked(c, chassis.Power);
  const fromControl = power ? powerControlWatts(power) : undefined;
  if (fromControl !== undefined) return { watts: fromControl, source: 'PowerControl', observedAt: new Date().toISOString() };
  const env = await readLinked(c, chassis.EnvironmentMetrics);
  const fromEnv = num(at(env, 'PowerWatts', 'Reading'));
  if (fromEnv !== undefined) return { watts: fromEnv, source: 'EnvironmentMetrics', observedAt: new Date().toISOString() };
  return { watts: null, source: null, observedAt: new Date().toISOString() };
}
