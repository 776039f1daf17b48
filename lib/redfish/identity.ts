/**
 * Who the machine behind a BMC says it is: the system's SerialNumber, UUID, Manufacturer and Model
 * (and the chassis's SerialNumber, used when the system gives none), for binding the BMC to its Xen
 * host before any power cut goes through it. Absent fields stay absent: judging them is the binding's job.
 */
import type { RedfishReads } from './client.ts';
import { str, withoutUndefined, type JsonObject } from './json.ts';

export interface RedfishIdentity {
  /** The system's SerialNumber, else the chassis's. */
  serialNumber?: string;
  systemSerial?: string;
  chassisSerial?: string;
  /** The system UUID, lower-case as Redfish writes it (8-4-4-4-12). */
  uuid?: string;
  manufacturer?: string;
  model?: string;
  sku?: string;
  /** The system resource the identity was read from. */
  systemPath: string;
}

export function identityOf(systemPath: string, system: JsonObject, chassis: JsonObject | undefined): RedfishIdentity {
  const systemSerial = str(system.SerialNumber);
  const chassisSerial = chassis ? str(chassis.SerialNumber) : undefined;
  return withoutUndefined<RedfishIdentity>({
    systemPath,
    serialNumber: systemSerial ?? chassisSerial,
    systemSerial,
    chassisSerial,
    uuid: str(system.UUID)?.toLowerCase(),
    manufacturer: str(system.Manufacturer),
    model: str(system.Model),
    sku: str(system.SKU),
  });
}

export async function readIdentity(c: RedfishReads, systemPath: string, chassisPath: string | undefined): Promise<RedfishIdentity> {
  const system = await c.getObject(systemPath);
  const chassis = chassisPath ? await c.getObject(chassisPath) : undefined;
  return identityOf(systemPath, system, chassis);
}
