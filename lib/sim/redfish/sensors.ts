/**
 * The simulated BMC's sensors, read from the host model: the same sensors and thresholds as the
 * IPMI simulator's SDR (lib/sim/ipmi/sensors.ts), so a machine reads alike over both protocols,
 * plus the total power. One reading of all of them feeds every Redfish resource of a request, the
 * older Thermal and Power and the newer ThermalSubsystem, PowerSubsystem, EnvironmentMetrics and
 * Sensors, so the generations agree. ThresholdWatch turns temperature crossings into log entries.
 */
import type { HostModel } from '../ipmi/host-model.ts';

export type SensorKind = 'temperature' | 'fan' | 'voltage' | 'power';

export interface Thresholds {
  lowerFatal?: number;
  lowerCritical?: number;
  lowerCaution?: number;
  upperCaution?: number;
  upperCritical?: number;
  upperFatal?: number;
}

export interface SensorDef {
  /** Sensors/{id} */
  id: string;
  name: string;
  kind: SensorKind;
  /** The IPMI sensor number of the same sensor. */
  number: number;
  /** Redfish PhysicalContext. */
  context: 'CPU' | 'Intake' | 'SystemBoard' | 'Fan' | 'VoltageRegulator' | 'PowerSupply';
  thresholds: Thresholds;
  read(host: HostModel): number | null;
}

export type Health = 'OK' | 'Warning' | 'Critical';

export interface SensorReading {
  def: SensorDef;
  /** Null when the sensor has no power (fans and rails while the chassis is off). */
  value: number | null;
  health: Health;
}

/** The fastest a simulated fan turns, for SpeedPercent. */
export const FAN_MAX_RPM = 12_000;

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

function temperature(number: number, name: string, context: SensorDef['context'], caution: number, critical: number, fatal: number, pick: (h: HostModel) => number): SensorDef {
  return {
    id: `temperature_${name.replace(/\W+/g, '_')}`,
    name,
    kind: 'temperature',
    number,
    context,
    thresholds: { upperCaution: caution, upperCritical: critical, upperFatal: fatal },
    read: (h) => round(pick(h), 1),
  };
}

const fan = (number: number, name: string, base: number): SensorDef => ({
  id: `fan_${name}`,
  name,
  kind: 'fan',
  number,
  context: 'Fan',
  thresholds: { lowerCaution: 1200, lowerCritical: 900, lowerFatal: 600 },
  read: (h) => (h.powerOn ? Math.round(base + 7000 * h.load) : null),
});

const rail = (number: number, name: string, nominal: number): SensorDef => ({
  id: `voltage_${name.replace(/\W+/g, '_')}`,
  name,
  kind: 'voltage',
  number,
  context: 'VoltageRegulator',
  thresholds: { lowerCritical: round(nominal * 0.9, 2), lowerCaution: round(nominal * 0.95, 2), upperCaution: round(nominal * 1.05, 2), upperCritical: round(nominal * 1.1, 2) },
  read: (h) => (h.powerOn ? nominal : null),
});

/** Every sensor of a simulated machine, in the IPMI simulator's order, then the total power. */
export const SENSORS: readonly SensorDef[] = [
  temperature(1, 'CPU1 Temp', 'CPU', 85, 95, 105, (h) => h.temperatures().cpu1),
  temperature(2, 'CPU2 Temp', 'CPU', 85, 95, 105, (h) => h.temperatures().cpu2),
  temperature(3, 'Inlet Temp', 'Intake', 38, 42, 48, (h) => h.temperatures().inlet),
  temperature(4, 'System Temp', 'SystemBoard', 60, 70, 80, (h) => h.temperatures().system),
  fan(5, 'Fan1', 3000),
  fan(6, 'Fan2', 3200),
  rail(7, '12V', 12),
  rail(8, '3.3V', 3.3),
  { id: 'power_Total_Power', name: 'Total Power', kind: 'power', number: 9, context: 'PowerSupply', thresholds: {}, read: (h) => h.power().watts },
];

/** How far past its thresholds a value is: 0 inside, 1 caution, 2 critical, 3 fatal (either side). */
export function thresholdLevel(value: number, t: Thresholds): 0 | 1 | 2 | 3 {
  const past = (limit: number | undefined, upper: boolean): boolean => limit !== undefined && (upper ? value >= limit : value <= limit);
  if (past(t.upperFatal, true) || past(t.lowerFatal, false)) return 3;
  if (past(t.upperCritical, true) || past(t.lowerCritical, false)) return 2;
  if (past(t.upperCaution, true) || past(t.lowerCaution, false)) return 1;
  return 0;
}

const HEALTH: Record<0 | 1 | 2 | 3, Health> = { 0: 'OK', 1: 'Warning', 2: 'Critical', 3: 'Critical' };

export function readSensors(host: HostModel): SensorReading[] {
  return SENSORS.map((def) => {
    const value = def.read(host);
    return { def, value, health: value === null ? 'OK' : HEALTH[thresholdLevel(value, def.thresholds)] };
  });
}

export interface Crossing {
  sensor: SensorDef;
  /** 'caution', 'critical' or 'fatal' upper threshold. */
  threshold: 'caution' | 'critical' | 'fatal';
  limit: number;
  value: number;
  direction: 'Assert' | 'Deassert';
}

const LEVEL_NAMES = ['caution', 'critical', 'fatal'] as const;
const LIMIT_KEYS = ['upperCaution', 'upperCritical', 'upperFatal'] as const;

/** Remembers each temperature's level between readings and reports the thresholds crossed since. */
export class ThresholdWatch {
  private readonly levels = new Map<string, number>();

  check(readings: SensorReading[]): Crossing[] {
    const out: Crossing[] = [];
    for (const r of readings) {
      if (r.def.kind !== 'temperature' || r.value === null) continue;
      const t = r.def.thresholds;
      const now = thresholdLevel(r.value, t); // temperatures have upper thresholds only
      const before = this.levels.get(r.def.id) ?? 0;
      this.levels.set(r.def.id, now);
      // Going high, the lower thresholds are crossed first; going low, the higher ones.
      const rising = now > before;
      for (let i = 0; i < Math.abs(now - before); i++) {
        const level = rising ? before + 1 + i : before - i;
        out.push({ sensor: r.def, threshold: LEVEL_NAMES[level - 1], limit: t[LIMIT_KEYS[level - 1]] as number, value: r.value, direction: rising ? 'Assert' : 'Deassert' });
      }
    }
    return out;
  }
}
