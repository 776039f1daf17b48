/**
 * All sensors of a chassis, both generations. The Sensors collection is the newer model's full set;
 * the subsystem excerpts (ThermalMetrics, Fans, PowerSupplyMetrics, EnvironmentMetrics) are read
 * only when a chassis has no Sensors collection, since they copy its members. The older Thermal and
 * Power are read too: many BMCs serve only them, and the same sensor in both is counted once.
 */
import type { RedfishClient } from '../client.ts';
import { readMembers } from '../collection.ts';
import { RedfishHttpError } from '../errors.ts';
import { link, type JsonObject } from '../json.ts';
import { dedupeSensors } from './dedupe.ts';
import { environmentSensors, fanSensors, powerSupplyMetricsSensors, supplyName, thermalMetricsSensors } from './excerpts.ts';
import { powerSensors, thermalSensors } from './legacy.ts';
import { sensorFromResource } from './sensor-resource.ts';
import type { SensorSample, SensorView } from './sensor-view.ts';

/** A linked resource, or undefined when there is no link or the BMC does not serve what it links. */
export async function optionalResource(c: RedfishClient, ref: unknown): Promise<JsonObject | undefined> {
  const p = link(ref);
  if (!p) return undefined;
  try {
    return await c.getObject(c.path(p));
  } catch (e) {
    if (e instanceof RedfishHttpError && (e.status === 404 || e.status === 501)) return undefined;
    throw e;
  }
}

async function optionalMembers(c: RedfishClient, ref: unknown): Promise<JsonObject[]> {
  const p = link(ref);
  if (!p) return [];
  try {
    return await readMembers(c, c.path(p));
  } catch (e) {
    if (e instanceof RedfishHttpError && (e.status === 404 || e.status === 501)) return [];
    throw e;
  }
}

async function excerptSensors(c: RedfishClient, chassis: JsonObject): Promise<SensorSample[]> {
  const out: SensorSample[] = [];
  const thermal = await optionalResource(c, chassis.ThermalSubsystem);
  if (thermal) {
    const metrics = await optionalResource(c, thermal.ThermalMetrics);
    if (metrics) out.push(...thermalMetricsSensors(metrics));
    for (const fan of await optionalMembers(c, thermal.Fans)) out.push(...fanSensors(fan));
  }
  const power = await optionalResource(c, chassis.PowerSubsystem);
  if (power) {
    for (const psu of await optionalMembers(c, power.PowerSupplies)) {
      const metrics = await optionalResource(c, psu.Metrics);
      if (metrics) out.push(...powerSupplyMetricsSensors(supplyName(psu), metrics));
    }
  }
  const env = await optionalResource(c, chassis.EnvironmentMetrics);
  if (env) out.push(...environmentSensors(env));
  return out;
}

export async function readSensors(c: RedfishClient, chassisPath: string): Promise<SensorView[]> {
  const chassis = await c.getObject(chassisPath);
  const newer = (await optionalMembers(c, chassis.Sensors)).map(sensorFromResource);
  const thermal = await optionalResource(c, chassis.Thermal);
  const power = await optionalResource(c, chassis.Power);
  const older = [...(thermal ? thermalSensors(thermal) : []), ...(power ? powerSensors(power) : [])];
  const excerpts = newer.length ? [] : await excerptSensors(c, chassis);
  return dedupeSensors([newer, older, excerpts]);
}
