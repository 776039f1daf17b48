/**
 * The simulated BMC's sensors: Full Sensor Records built with the shared SDR codec, and raw
 * readings computed from the host model by inverting each record's conversion.
 */
import { encodeFullSensorRecord, type FullSensorSpec } from '../../ipmi/index.ts';
import type { Conversion } from '../../ipmi/index.ts';
import type { HostModel } from './host-model.ts';

export interface SimSensor {
  spec: FullSensorSpec;
  /** The value in units now, or null when the sensor cannot read (no power to it). */
  read(host: HostModel): number | null;
  /** A discrete sensor's asserted states (bits 0-7), reported beside its raw reading. */
  states?: number;
}

const linear = (m: number, b = 0, rExp = 0, bExp = 0): Conversion => ({ m, b, rExp, bExp, format: 'unsigned', linearization: 0 });

/** Raw byte for a value: the inverse of y = (M x + B 10^K1) 10^K2, clamped to a byte. */
export function valueToRaw(value: number, c: Conversion): number {
  const x = (value / 10 ** c.rExp - c.b * 10 ** c.bExp) / c.m;
  return Math.max(0, Math.min(255, Math.round(x)));
}

function temperature(n: number, name: string, entity: number, c: Conversion, unc: number, ucr: number, unr: number, pick: (h: HostModel) => number): SimSensor {
  return {
    spec: {
      recordId: n,
      sensorNumber: n,
      entityId: entity,
      entityInstance: 1,
      sensorType: 0x01,
      unit: 1,
      name,
      conversion: c,
      thresholdsRaw: { unc: valueToRaw(unc, c), ucr: valueToRaw(ucr, c), unr: valueToRaw(unr, c) },
      nominalRaw: valueToRaw(40, c),
    },
    read: pick,
  };
}

export function defaultSensors(): SimSensor[] {
  const fanConv = linear(60);
  const v12 = linear(6, 0, -2);
  const v33 = linear(2, 0, -2);
  const fan = (n: number, name: string, base: number): SimSensor => ({
    spec: {
      recordId: n,
      sensorNumber: n,
      entityId: 0x1d,
      entityInstance: n - 4,
      sensorType: 0x04,
      unit: 18,
      name,
      conversion: fanConv,
      thresholdsRaw: { lnr: valueToRaw(600, fanConv), lcr: valueToRaw(900, fanConv), lnc: valueToRaw(1200, fanConv) },
    },
    read: (h) => (h.powerOn ? Math.round(base + 7000 * h.load) : null),
  });
  const volt = (n: number, name: string, nominal: number, c: Conversion): SimSensor => ({
    spec: {
      recordId: n,
      sensorNumber: n,
      entityId: 0x07,
      entityInstance: n - 6,
      sensorType: 0x02,
      unit: 4,
      name,
      conversion: c,
      thresholdsRaw: {
        lcr: valueToRaw(nominal * 0.9, c),
        lnc: valueToRaw(nominal * 0.95, c),
        unc: valueToRaw(nominal * 1.05, c),
        ucr: valueToRaw(nominal * 1.1, c),
      },
      nominalRaw: valueToRaw(nominal, c),
    },
    read: (h) => (h.powerOn ? nominal : null),
  });
  return [
    temperature(1, 'CPU1 Temp', 0x03, linear(1), 85, 95, 105, (h) => h.temperatures().cpu1),
    temperature(2, 'CPU2 Temp', 0x03, linear(1), 85, 95, 105, (h) => h.temperatures().cpu2),
    temperature(3, 'Inlet Temp', 0x37, linear(5, 0, -1), 38, 42, 48, (h) => h.temperatures().inlet),
    temperature(4, 'System Temp', 0x07, linear(1, -40), 60, 70, 80, (h) => h.temperatures().system),
    fan(5, 'Fan1', 3000),
    fan(6, 'Fan2', 3200),
    volt(7, '12V', 12, v12),
    volt(8, '3.3V', 3.3, v33),
  ];
}

/** The SDR repository bytes, one record per sensor, in record ID order. */
export function buildRepository(sensors: SimSensor[]): Buffer[] {
  return sensors.map((s) => encodeFullSensorRecord(s.spec));
}
