/**
 * What a fleet sweep reports, whatever protocol each BMC speaks: per host, the power state,
 * temperatures and draw, or the error; and the pure helpers that shape them.
 */
import { IpmiError } from '../ipmi/errors.ts';
import type { SensorStatus, SensorValue } from '../ipmi/index.ts';

export interface Temperature {
  name: string;
  /** Degrees in `unit`; null when the sensor has no reading. */
  value: number | null;
  unit: string;
  status: SensorStatus;
}

/** What one BMC answered. */
export interface HostReading {
  name: string;
  host: string;
  port: number;
  ok: true;
  power: 'on' | 'off';
  temperatures: Temperature[];
  /** Highest temperature read, null when none was. */
  hottest: number | null;
  /** Instantaneous draw: DCMI's, or the SDR's watts sensors'; null when neither gives one (see `notes`). */
  watts: number | null;
  /** What the BMC could not tell, and why ("no DCMI power reading"...); empty when all was read. */
  notes: string[];
}

/** A BMC that could not be read: the error says what failed and what to check. */
export interface HostFailure {
  name: string;
  host: string;
  port: number;
  ok: false;
  error: string;
}

export type HostResult = HostReading | HostFailure;

export interface SweepResult {
  /** One result per inventory entry, in inventory order. */
  hosts: HostResult[];
  /** ISO 8601 time the sweep started. */
  startedAt: string;
  /** Duration of the sweep in milliseconds. */
  ms: number;
  /** How many BMCs were read. */
  ok: number;
  /** How many BMCs failed. */
  failed: number;
}


/** The highest non-null temperature, or null. Pure. */
export function hottestOf(temperatures: readonly Temperature[]): number | null {
  let max: number | null = null;
  for (const t of temperatures) if (t.value !== null && (max === null || t.value > max)) max = t.value;
  return max;
}

/** Temperature sensors as the sweep reports them. Pure. */
export function toTemperatures(values: readonly SensorValue[]): Temperature[] {
  return values.map((v) => ({ name: v.name, value: v.value, unit: v.unit, status: v.status }));
}

/** Count the results into a sweep result. Pure. */
export function summarise(hosts: HostResult[], startedAt: string, ms: number): SweepResult {
  const failed = hosts.filter((h) => !h.ok).length;
  return { hosts, startedAt, ms, ok: hosts.length - failed, failed };
}

/** The message of a per-host error: the client's own text (it names host and port, never a secret). Pure. */
export function errorText(e: unknown): string {
  if (e instanceof IpmiError) return e.message;
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

