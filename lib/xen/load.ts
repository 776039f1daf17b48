/**
 * Host and VM load from one member's RRD export (rrd-updates.ts), averaged over a window of rows.
 * Pure. The data sources, as xcp-rrdd names them:
 * - host: cpuN (busy fraction 0..1 of physical CPU N), cpu_avg, memory_total_kib,
 *   memory_free_kib (what Xen has not given to a domain);
 * - VM: cpuN (busy fraction of vCPU N), memory (bytes the domain holds), memory_target (the
 *   balloon target, bytes), memory_internal_free (KiB free inside the guest, reported by its
 *   agent; absent without one).
 * Host CPU % is the mean of its cpuN (cpu_avg when there are none). A VM's CPU % is the mean of
 * its vCPUs; in host terms it is that times its vCPUs over the host's physical CPUs. A VM's used
 * memory is memory - memory_internal_free × 1024 where the guest reports free memory, else what
 * it holds (memory_target, else memory). A null (NaN) value is skipped, never read as 0; a source
 * the export lacks is named in `missing`.
 */
import { rrdSeries, rrdSourceNames, type RrdObject, type RrdUpdates, type RrdValue } from './rrd-updates.ts';

/** Rows with after < t <= upTo (epoch seconds); either bound may be left open. */
export interface LoadWindow {
  after?: number;
  upTo?: number;
}

export interface HostLoad {
  uuid: string;
  /** Percent 0..100; null when no row of the window has a value. */
  cpuPercent: number | null;
  /** Physical CPUs: the cpuN sources of the export. */
  cpus: number;
  memoryTotalBytes: number | null;
  memoryFreeBytes: number | null;
  memoryUsedBytes: number | null;
  /** Rows of the window. */
  rows: number;
  /** The sources the load is made of that the export lacks ("cpuN" for no CPU at all). */
  missing: string[];
}

export type VmMemorySource = 'guest' | 'allocation' | 'mixed';

export interface VmLoad {
  uuid: string;
  vcpus: number;
  /** Percent of its own vCPUs, 0..100. */
  cpuPercent: number | null;
  /** Percent of the host's physical CPUs it keeps busy (null when the host's CPU count is unknown). */
  hostCpuPercent: number | null;
  /** `memory`: what the domain holds. */
  memoryBytes: number | null;
  memoryUsedBytes: number | null;
  /** Where memoryUsedBytes came from: the guest's own free figure, the allocation, or both over the window. */
  memoryUsedFrom: VmMemorySource | null;
  rows: number;
  missing: string[];
}

export interface MemberLoad {
  /** The member's own host (an export asked with host=true has exactly one). */
  host?: HostLoad;
  vms: VmLoad[];
}

export interface LoadOptions {
  window?: LoadWindow;
  /** The host's physical CPUs when the export has no host object (asked without host=true). */
  hostCpus?: number;
}

const KiB = 1024;

/** The load of the host and VMs of one export. */
export function loadFromUpdates(u: RrdUpdates, o: LoadOptions = {}): MemberLoad {
  const rows = rowsIn(u.times, o.window ?? {});
  const objects = [...u.objects.values()];
  const hostObject = objects.find((x) => x.kind === 'host');
  const host = hostObject ? hostLoad(hostObject, rows) : undefined;
  const hostCpus = host?.cpus || o.hostCpus || 0;
  const vms = objects.filter((x) => x.kind === 'vm').map((x) => vmLoad(x, rows, hostCpus));
  return host ? { host, vms } : { vms };
}

function hostLoad(h: RrdObject, rows: number[]): HostLoad {
  const missing: string[] = [];
  const cpus = cpuSeries(h);
  let cpu: number | null;
  if (cpus.length) cpu = mean(rows.map((r) => rowMean(cpus, r)));
  else {
    const avg = rrdSeries(h, 'cpu_avg');
    missing.push('cpuN');
    if (!avg) missing.push('cpu_avg');
    cpu = avg ? mean(rows.map((r) => avg[r])) : null;
  }
  const total = average(h, 'memory_total_kib', rows, missing);
  const free = average(h, 'memory_free_kib', rows, missing);
  return {
    uuid: h.uuid,
    cpuPercent: percent(cpu),
    cpus: cpus.length,
    memoryTotalBytes: total === null ? null : total * KiB,
    memoryFreeBytes: free === null ? null : free * KiB,
    memoryUsedBytes: total === null || free === null ? null : Math.max(0, (total - free) * KiB),
    rows: rows.length,
    missing,
  };
}

function vmLoad(v: RrdObject, rows: number[], hostCpus: number): VmLoad {
  const missing: string[] = [];
  const cpus = cpuSeries(v);
  if (!cpus.length) missing.push('cpuN');
  const cpu = cpus.length ? mean(rows.map((r) => rowMean(cpus, r))) : null;
  const memory = rrdSeries(v, 'memory');
  const target = rrdSeries(v, 'memory_target');
  const internalFree = rrdSeries(v, 'memory_internal_free');
  for (const [name, s] of [['memory', memory], ['memory_target', target], ['memory_internal_free', internalFree]] as const) if (!s) missing.push(name);
  let fromGuest = 0;
  let fromAllocation = 0;
  const used = rows.map((r) => {
    const held = memory?.[r] ?? null;
    const free = internalFree?.[r] ?? null;
    if (held !== null && free !== null) {
      fromGuest++;
      return Math.max(0, held - free * KiB);
    }
    const allocation = target?.[r] ?? held;
    if (allocation !== null) fromAllocation++;
    return allocation;
  });
  return {
    uuid: v.uuid,
    vcpus: cpus.length,
    cpuPercent: percent(cpu),
    hostCpuPercent: cpu === null || hostCpus <= 0 ? null : percent((cpu * cpus.length) / hostCpus),
    memoryBytes: memory ? mean(rows.map((r) => memory[r])) : null,
    memoryUsedBytes: mean(used),
    memoryUsedFrom: fromGuest && fromAllocation ? 'mixed' : fromGuest ? 'guest' : fromAllocation ? 'allocation' : null,
    rows: rows.length,
    missing,
  };
}

/** The cpuN series of an object, by N. */
function cpuSeries(o: RrdObject): RrdValue[][] {
  return rrdSourceNames(o)
    .map((n) => /^cpu(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => rrdSeries(o, m[0]) as RrdValue[]);
}

function average(o: RrdObject, name: string, rows: number[], missing: string[]): number | null {
  const s = rrdSeries(o, name);
  if (!s) {
    missing.push(name);
    return null;
  }
  return mean(rows.map((r) => s[r]));
}

/** The mean of the values of row r that are there (null when none is). */
function rowMean(series: RrdValue[][], r: number): number | null {
  let sum = 0;
  let n = 0;
  for (const s of series) {
    const v = s[r];
    if (v !== null) {
      sum += v;
      n++;
    }
  }
  return n ? sum / n : null;
}

function mean(values: Array<number | null>): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v !== null) {
      sum += v;
      n++;
    }
  }
  return n ? sum / n : null;
}

function percent(fraction: number | null): number | null {
  return fraction === null ? null : fraction * 100;
}

/** Indexes of the rows in the window. */
function rowsIn(times: number[], w: LoadWindow): number[] {
  const out: number[] = [];
  times.forEach((t, i) => {
    if ((w.after === undefined || t > w.after) && (w.upTo === undefined || t <= w.upTo)) out.push(i);
  });
  return out;
}
