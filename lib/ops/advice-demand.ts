/**
 * A pool's demand by hour of the week, from its stored 5-minute load samples. Pure. The hour of
 * the week is local to the pool (Monday 00:00-01:00 is hour 0, Sunday 23:00-24:00 hour 167), so a
 * schedule in the pool's zone can follow it. For each VM and hour: the p95 of its CPU in cores
 * (its CPU % of its own vCPUs times its vCPUs; of the host's CPUs times theirs when that is all
 * the sample has) and of the memory its domain held, over every bucket of that hour in the window.
 */
import { wallClockAt } from '../schedules/index.ts';
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
  // A typed array sorts numerically without a comparator: several times faster over 168 hours x every VM.
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/**
 * The demand of every VM in every hour of the week. `hostCpus` gives each host's physical CPUs,
 * for VMs whose samples carry only their share of the host's CPU.
 */
export function weekDemand(samples: readonly LoadSample[], vms: readonly VmShape[], hostCpus: ReadonlyMap<string, number>, timeZone: string, p = 95): WeekDemand {
  const indexOf = new Map(vms.map((v, i) => [v.uuid.toLowerCase(), i]));
  const uuids = vms.map((v) => v.uuid.toLowerCase());
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
  // Figures keyed by hour x VM in flat columns: millions of them for a large pool, and no small array each.
  const cores = new Column();
  const memory = new Column();
  const all = new Set<string>();
  for (const s of samples) {
    const t = Date.parse(s.at);
    if (!Number.isFinite(t)) continue;
    const h = hourOf(t);
    bucketsOf[h].add(s.at);
    all.add(s.at);
    const cpus = hostCpus.get(s.hostId);
    for (const vm of s.vms) {
      const i = indexOf.get(vm.uuid) ?? indexOf.get(vm.uuid.toLowerCase());
      if (i === undefined) continue;
      const key = h * vms.length + i;
      let c: number | null = null;
      if (vm.cpuPercent !== null) c = (vm.cpuPercent / 100) * vms[i].vcpus;
      else if (vm.hostCpuPercent !== null && cpus !== undefined) c = (vm.hostCpuPercent / 100) * cpus;
      if (c !== null) cores.add(key, c);
      if (vm.memoryBytes !== null) memory.add(key, vm.memoryBytes);
    }
  }
  const keys = HOURS_PER_WEEK * vms.length;
  const coreP = cores.percentiles(keys, p);
  const memoryP = memory.percentiles(keys, p);
  const hours = bucketsOf.map((b, h) => {
    const byVm = new Map<string, VmHourDemand>();
    for (let i = 0; i < vms.length; i++) {
      const key = h * vms.length + i;
      const c = Number.isNaN(coreP[key]) ? null : coreP[key];
      const m = Number.isNaN(memoryP[key]) ? null : memoryP[key];
      if (c !== null || m !== null) byVm.set(uuids[i], { cores: c, memoryBytes: m });
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

/** Values under integer keys, grown in place; then the percentile of each key's values (NaN for none). */
class Column {
  private keys = new Int32Array(1024);
  private vals = new Float64Array(1024);
  private n = 0;

  add(key: number, v: number): void {
    if (this.n === this.keys.length) {
      const keys = new Int32Array(this.n * 2);
      keys.set(this.keys);
      this.keys = keys;
      const vals = new Float64Array(this.n * 2);
      vals.set(this.vals);
      this.vals = vals;
    }
    this.keys[this.n] = key;
    this.vals[this.n] = v;
    this.n++;
  }

  percentiles(keyCount: number, p: number): Float64Array {
    // A counting sort by key, then each key's run sorted in place.
    const start = new Int32Array(keyCount + 1);
    for (let i = 0; i < this.n; i++) start[this.keys[i] + 1]++;
    for (let k = 0; k < keyCount; k++) start[k + 1] += start[k];
    const at = start.slice(0, keyCount);
    const ordered = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) ordered[at[this.keys[i]]++] = this.vals[i];
    const out = new Float64Array(keyCount).fill(Number.NaN);
    for (let k = 0; k < keyCount; k++) {
      const len = start[k + 1] - start[k];
      if (!len) continue;
      const run = ordered.subarray(start[k], start[k + 1]).sort();
      out[k] = run[Math.min(len, Math.max(1, Math.ceil((p / 100) * len))) - 1];
    }
    return out;
  }
}

/** Days between the first and the last bucket (the last one's 5 minutes included). */
export function daysCovered(d: WeekDemand): number {
  if (!d.first || !d.last) return 0;
  return (Date.parse(d.last) + 300_000 - Date.parse(d.first)) / (24 * HOUR_MS);
}
