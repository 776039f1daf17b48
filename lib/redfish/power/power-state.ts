/**
 * A system's power state as lowpower names it: `On` is on, `Off` is off, and everything else
 * (`PoweringOn`, `PoweringOff`, `Paused`, absent) is unknown. A transition is never guessed into
 * its end state, and every reading carries the time it was observed.
 */
import type { RedfishReads } from '../client.ts';
import { str, type JsonObject } from '../json.ts';

export type PowerStateName = 'on' | 'off' | 'unknown';

export interface PowerStateReading {
  power: PowerStateName;
  /** `PowerState` as the BMC gave it, or null when it gave none. */
  raw: string | null;
  /** ISO time of the reading. */
  observedAt: string;
}

export function powerStateOf(system: JsonObject, now: Date = new Date()): PowerStateReading {
  const raw = str(system.PowerState) ?? null;
  return { power: raw === 'On' ? 'on' : raw === 'Off' ? 'off' : 'unknown', raw, observedAt: now.toISOString() };
}

export async function readPowerState(c: RedfishReads, systemPath: string): Promise<PowerStateReading> {
  return powerStateOf(await c.getObject(systemPath));
}
