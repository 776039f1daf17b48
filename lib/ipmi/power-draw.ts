/**
 * A host's power draw in watts, as far as its BMC can tell: DCMI Get Power Reading when the BMC
 * has DCMI and says its measurement is active (dcmi-reading-state: a deactivated meter or 0 W is
 * no reading, not a real 0 W), otherwise the watts sensors of its SDR (sdr-watts-fallback).
 */
import type { PowerReading } from './commands/dcmi-power-reading.ts';
import { IpmiCompletionCodeError, IpmiNotSupportedError } from './errors.ts';
import { quirkOn, type BmcQuirks } from './quirks.ts';
import type { SensorValue } from './sdr/sensor-value.ts';

export interface PowerDraw {
  watts: number | null;
  /** Where the figure comes from: DCMI, the SDR's watts sensors, or nowhere. */
  source: 'dcmi' | 'sdr' | null;
  /** Why there is no DCMI figure, or which sensors gave it; absent for a plain DCMI reading. */
  note?: string;
}

export interface PowerDrawPorts {
  quirks: BmcQuirks;
  dcmi(): Promise<PowerReading>;
  /** The BMC's sensors in watts (unit code 6). */
  wattsSensors(): Promise<SensorValue[]>;
}

/** A sensor that measures the whole system, by the names BMCs give it. */
const SYSTEM_LEVEL = /pwr consumption|power consumption|system level|total power|power meter|sys(tem)?[ _]?(power|pwr)|node power/i;
/** A power supply's input power ("PS1 Input Power", "PSU2 In Power", "Power Supply 1 Input"). */
const PSU_INPUT = /\b(ps|psu|power supply)\s*\d+.*\bin(put)?\b/i;

const notSupported = (e: unknown): boolean => e instanceof IpmiNotSupportedError || (e instanceof IpmiCompletionCodeError && e.notSupported);

/** The draw from the SDR's watts sensors: a system-level one by name, else the power supplies' inputs summed. */
function fromSensors(sensors: SensorValue[]): { watts: number; names: string[] } | undefined {
  const live = sensors.filter((s) => s.value !== null && s.unit === 'Watts');
  const system = live.find((s) => SYSTEM_LEVEL.test(s.name));
  if (system) return { watts: system.value as number, names: [system.name] };
  const inputs = live.filter((s) => PSU_INPUT.test(s.name));
  if (inputs.length === 0) return undefined;
  return { watts: inputs.reduce((sum, s) => sum + (s.value as number), 0), names: inputs.map((s) => s.name) };
}

export async function readPowerDraw(p: PowerDrawPorts): Promise<PowerDraw> {
  let why: string;
  try {
    const r = await p.dcmi();
    if (!quirkOn(p.quirks, 'dcmi-reading-state')) {
      // Without the quirk, as ipmitool shows it: the figure with the BMC's own doubt attached.
      return r.active ? { watts: r.watts, source: 'dcmi' } : { watts: r.watts, source: 'dcmi', note: 'the BMC reports DCMI power measurement as not active: the reading may be stale' };
    }
    if (r.active && r.watts > 0) return { watts: r.watts, source: 'dcmi' };
    why = r.active ? 'the BMC reports 0 W over DCMI: not taken as a reading' : 'the BMC reports DCMI power measurement as deactivated: no reading';
  } catch (e) {
    if (!notSupported(e)) throw e;
    why = 'no DCMI power reading on this BMC';
  }
  if (!quirkOn(p.quirks, 'sdr-watts-fallback')) return { watts: null, source: null, note: why };
  let sensors: SensorValue[];
  try {
    sensors = await p.wattsSensors();
  } catch (e) {
    if (!notSupported(e)) throw e;
    return { watts: null, source: null, note: why };
  }
  const found = fromSensors(sensors);
  if (!found) return { watts: null, source: null, note: why };
  return { watts: found.watts, source: 'sdr', note: `${why}; watts from the SDR: ${found.names.join(' + ')}` };
}
