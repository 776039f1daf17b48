/**
 * Reading a BMC's sensors: the sensor records of its SDR repository (cached, read-repository.ts),
 * then Get Sensor Reading for each, linearized into values with units and threshold status.
 */
import type { CommandRunner } from '../command-runner.ts';
import { getSensorReading } from '../commands/get-sensor-reading.ts';
import { IpmiCompletionCodeError, IpmiError } from '../errors.ts';
import { readSdrRepository } from './read-repository.ts';
import { isSensorRecord, type SensorRecord } from './records.ts';
import { sensorValue, type SensorValue } from './sensor-value.ts';
import { sensorTypeCode } from './units.ts';

export interface SensorQuery {
  /** A sensor type name ("temperature", "fan", "voltage") or code. */
  type?: string | number;
}

/** The BMC itself on the IPMB, LUN 0: the only sensor owner lowpower reads without bridging. */
const BMC_OWNER = 0x20;
/** Answers that mean "no reading now" for one sensor, not a failure of the whole read: not present, not available, sensor absent. */
const NO_READING = new Set([0xcb, 0xcd, 0xd5]);

/** The sensor records of the BMC's repository (cached by repository timestamps, per `bmcKey`). */
export async function readSensorRecords(bmc: CommandRunner, bmcKey: string): Promise<SensorRecord[]> {
  const records = await readSdrRepository(bmcKey, bmc);
  return records.filter(isSensorRecord);
}

/** Current values of the BMC's sensors, of one type when asked; one value per sensor record, in repository order. */
export async function readSensors(bmc: CommandRunner, bmcKey: string, q: SensorQuery = {}): Promise<SensorValue[]> {
  let code: number | undefined;
  if (q.type !== undefined) {
    code = typeof q.type === 'number' ? q.type : sensorTypeCode(q.type);
    if (code === undefined) throw new IpmiError(`sensor type "${q.type}" is unknown (try temperature, fan, voltage, current, power supply)`);
  }
  let records = await readSensorRecords(bmc, bmcKey);
  if (code !== undefined) records = records.filter((r) => r.sensorType === code);
  const out: SensorValue[] = [];
  for (const r of records) {
    if (r.ownerId !== BMC_OWNER || r.ownerLun !== 0) {
      // Sensors behind another controller need IPMB bridging, which lowpower does not do.
      out.push(sensorValue(r, null));
      continue;
    }
    try {
      out.push(sensorValue(r, await bmc.run(getSensorReading, { sensorNumber: r.sensorNumber })));
    } catch (e) {
      if (e instanceof IpmiCompletionCodeError && NO_READING.has(e.code)) out.push(sensorValue(r, null));
      else throw e;
    }
  }
  return out;
}
