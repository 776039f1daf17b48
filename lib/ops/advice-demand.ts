/**
 * A pool's demand by hour of the week, from its stored 5-minute load samples. Pure. The hour of
 * the week is local to the pool (Monday 00:00-01:00 is hour 0, Sunday 23:00-24:00 hour 167), so a
 * schedule in the pool's zone can follow it. For each VM and hour: the p95 of its CPU in cores
 * (its CPU % of its own vCPUs times its vCPUs; of the host's CPUs times theirs when that is all
 * the sample has) and of the memory its domain held, over every bucket of that hour in the window.
 */
import { wallClockAt } from '../schedules/zoned.ts';
import type { LoadSample } from '../store/index.ts';

export const HOURS_PER_WEEK = 168;
const HOUR_MS = 3_600_000;
/** Local offsets are whole quarters of an hour: one zone lookup per quarter covers every bucket in it. */
const QUARTER_MS = 900_000;

/** A VM as the pool runs it now: what its samples are matched to. */
export interface VmShape {
  uuid: string;
  vcpus: number;
}

export interface VmHourDemand {
  /** p95 of its CPU, in cores; null when no bucket of the hour gave a figure. */
  cores: number | null;
  /** p95 of the memory its domain held; null when unknown. */
  memoryBytes: number | null;
}

export interface HourDemand {
  /** Distinct 5-minute buckets of the pool seen in this hour of the week (any host). */
  buckets: number;
  /** By VM uuid (lower case): its high percentile in this hour. */
  vms: Map<string, VmHourDemand>;
}

export interface WeekDemand {
  /** HOURS_PER_WEEK entries. */
  hours: HourDemand[];
  /** Buckets read, and the first and last bucket start (ISO), when any. */
  buckets: number;
  first?: string;
  last?: string;
}

/** The hour of the week, local to the zone, of an instant. */
export function hourOfWeek(t: number, timeZone: string): number {
  const w = wallClockAt(t, timeZone);
  // Date.UTC's weekday of the local date: 0 is Sunday, so Monday first is (day + 6) % 7.
  const weekday = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;
  return weekday * 24 + w.hour;
}

/** The nearest-rank percentile of the values (p in 0..100); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/**
 * The demand of every VM in every hour of the week. `hostCpus` gives each host's physical CPUs,
 * for VMs whose samples carry only their share of the host's CPU.
 */
export function weekDemand(samples: readonly LoadSample[], vms: readonly VmShape[], hostCpus: ReadonlyMap<string, number>, timeZone: string, p = 95): WeekDemand {
  const vcpusOf = new Map(vms.map((v) => [v.uuid.toLowerCase(), v.vcpus]));
  const hourOfQuarter = new Map<number, number>();
  const hourOf = (t: number): number => {
    const q = Math.floor(t / QUARTER_MS);
    let h = hourOfQuarter.get(q);
    if (h === undefined) {
      h = hourOfWeek(q * QUARTER_MS, timeZone);
      hourOfQuarter.set(q, h);
    }
    return h;
  };
  const bucketsOf: Array<Set<string>> = Array.from({ length: HOURS_PER_WEEK }, () => new Set());
  const cores: Array<Map<string, number[]>> = Array.from({ length: HOURS_PER_WEEK }, () => new Map());
  const memory: Array<Map<string, number[]>> = Array.from({ length: HOURS_PER_WEEK }, () => new Map());
  const all = new Set<string>();
  for (const s of samples) {
    const t = Date.parse(s.at);
    if (!Number.isFinite(t)) continue;
    const h = hourOf(t);
    bucketsOf[h].add(s.at);
    all.add(s.at);
    const cpus = hostCpus.get(s.hostId);
    for (const vm of s.vms) {
      const uuid = vm.uuid.toLowerCase();
      const vcpus = vcpusOf.get(uuid);
      if (vcpus === undefined) continue;
      let c: number | null = null;
      if (vm.cpuPercent !== null) c = (vm.cpuPercent / 100) * vcpus;
      else if (vm.hostCpuPercent !== null && cpus !== undefined) c = (vm.hostCpuPercent / 100) * cpus;
      if (c !== null) push(cores[h], uuid, c);
      if (vm.memoryBytes !== null) push(memory[h], uuid, vm.memoryBytes);
    }
  }
  const hours = bucketsOf.map((b, h) => {
    const byVm = new Map<string, VmHourDemand>();
    for (const uuid of new Set([...cores[h].keys(), ...memory[h].keys()])) {
      byVm.set(uuid, { cores: percentile(cores[h].get(uuid) ?? [], p), memoryBytes: percentile(memory[h].get(uuid) ?? [], p) });
    }
    return { buckets: b.size, vms: byVm };
  });
  const sorted = [...all].sort();
  const out: WeekDemand = { hours, buckets: sorted.length };
  if (sorted.length) {
    out.first = sorted[0];
    out.last = sorted[sorted.length - 1];
  }
  return out;
}

/** Days between the first and the last bucket (the last one's 5 minutes included). */
export function daysCovered(d: WeekDemand): number {
  if (!d.first || !d.last) return 0;
  return (Date.parse(d.last) + 300_000 - Date.parse(d.first)) / (24 * HOUR_MS);
}

function push(m: Map<string, number[]>, key: string, v: number): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}
