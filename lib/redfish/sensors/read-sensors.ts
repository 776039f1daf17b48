/**
 * All sensors of a chassis, both generations. The Sensors collection is the newer model's full set;
 * the subsystem excerpts (ThermalMetrics, Fans, PowerSupplyMetrics, EnvironmentMetrics) are read
 * only when a chassis has no Sensors collection, since they copy its members. The older Thermal and
 * Power are read too: many BMCs serve only them, and the same sensor in both is counted once.
 */
import type { RedfishReads } from '../client.ts';
import { readLinked, readLinkedMembers } from '../collection.ts';
import type { JsonObject } from '../json.ts';
import { dedupeSensors } from './dedupe.ts';
import { environmentSensors, fanSensors, powerSupplyMetricsSensors, supplyName, thermalMetricsSensors } from './excerpts.ts';
import { powerSensors, thermalSensors } from './legacy.ts';
import { sensorFromResource } from './sensor-resource.ts';
import type { SensorSample, SensorView } from './sensor-view.ts';

async function excerptSensors(c: RedfishReads, chassis: JsonObject): Promise<SensorSample[]> {
  const out: SensorSample[] = [];
  const thermal = await readLinked(c, chassis.ThermalSubsystem);
  if (thermal) {
    const metrics = await readLinked(c, thermal.ThermalMetrics);
    if (metrics) out.push(...thermalMetricsSensors(metrics));
    for (const fan of await readLinkedMembers(c, thermal.Fans)) out.push(...fanSensors(fan));
  }
  const power = await readLinked(c, chassis.PowerSubsystem);
  if (power) {
    for (const psu of await readLinkedMembers(c, power.PowerSupplies)) {
      const metrics = await readLinked(c, psu.Metrics);
      if (metrics) out.push(...powerSupplyMetricsSensors(supplyName(psu), metrics));
    }
  }
  const env = await readLinked(c, chassis.EnvironmentMetrics);
  if (env) out.push(...environmentSensors(env));
  return out;
}

export async function readSensors(c: RedfishReads, chassisPath: string): Promise<SensorView[]> {
  const chassis = await c.getObject(chassisPath);
  const newer = (await readLinkedMembers(c, chassis.Sensors)).map(sensorFromResource);
  const thermal = await readLinked(c, chassis.Thermal);
  const power = await readLinked(c, chassis.Power);
  const older = [...(thermal ? thermalSensors(thermal) : []), ...(power ? powerSensors(power) : [])];
  const excerpts = newer.length ? [] : await excerptSensors(c, chassis);
  return dedupeSensors([newer, older, excerpts]);
}
