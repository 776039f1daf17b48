/**
 * One simulated host's answer to `GET /rrd_updates`, as xcp-rrdd computes it: the host's RRD
 * (host=true) and those of its resident VMs (vm_uuid=all by default, one uuid, or none), from the
 * archive xcp-rrdd would pick: 5 s steps for 10 minutes, 1 min for 2 hours, 1 h for a week, 1 day
 * for a year; the first at least as coarse as `interval` that still reaches back to `start`, else
 * the longest (rrd.ml's find_best_rras). Rows run from the last step boundary back to `start`.
 * Values come from the load model at points inside each step (its CDP: AVERAGE, MIN or MAX);
 * rows from before the host last came up are NaN, as a rebooted host's RRD shows its gap.
 *
 * Data sources: host cpuN, cpu_avg, memory_total_kib, memory_free_kib; VM cpuN, memory,
 * memory_target, and memory_internal_free only for a guest with an agent.
 */
import { isGuest, type Ref } from '../../xen/index.ts';
import type { LoadModel } from './load-model.ts';
import type { PoolCore } from './pool-core.ts';
import type { RrdDocument } from './rrd-format.ts';

const PDP_SECONDS = 5;
/** xcp-rrdd's archives: steps of pdp × 5 s, and rows kept. */
const ARCHIVES = [
  { pdp: 1, rows: 120 },
  { pdp: 12, rows: 120 },
  { pdp: 720, rows: 168 },
  { pdp: 17280, rows: 366 },
];
const CFS = ['AVERAGE', 'MIN', 'MAX'] as const;
type Cf = (typeof CFS)[number];
/** Model points per row: one per minute of the step, at most this many. */
const MAX_POINTS_PER_ROW = 12;

export interface RrdRequest {
  start: number;
  interval: number;
  /** Undefined: every CF the archive has. */
  cf?: Cf;
  host: boolean;
  /** 'all' (default), 'none', or one VM's uuid. */
  vmUuid: string;
  json: boolean;
}

/** A query xapi's handler would fail on (it answers 500). */
export class RrdQueryError extends Error {}

/** The query as xapi's get_rrd_updates_handler reads it (start required; json by presence). */
export function parseRrdQuery(q: URLSearchParams): RrdRequest {
  const start = q.get('start');
  if (start === null || !/^-?\d+$/.test(start.trim())) throw new RrdQueryError('start: a whole number of seconds is required');
  const interval = Number(q.get('interval') ?? '0');
  const cf = q.get('cf');
  const known = CFS.find((c) => c === cf);
  // xapi reads a CF it does not know as none given (every CF), and fails when no archive has the one asked (LAST).
  if (cf === 'LAST') throw new RrdQueryError('No_RRA_Available: no archive with CF LAST');
  const req: RrdRequest = { start: Number(start), interval: Number.isFinite(interval) && interval > 0 ? Math.floor(interval) : 0, host: q.get('host') === 'true', vmUuid: q.get('vm_uuid') ?? 'all', json: q.has('json') };
  if (known) req.cf = known;
  return req;
}

export interface ExportContext {
  /** Model time of the answer (epoch ms). */
  nowMs: number;
  /** When the simulation began: a host up since then has its history; one that came up later has a gap before. */
  startedAt: number;
  /** Guests without an agent. */
  noAgent: ReadonlySet<Ref>;
}

/** The document one host serves for the request. */
export function hostRrdExport(pool: PoolCore, load: LoadModel, hostRef: Ref, req: RrdRequest, x: ExportContext): RrdDocument {
  const { db } = pool;
  const h = pool.hostRuntime(hostRef);
  const host = db.require('host', hostRef);
  const metrics = db.require('host_metrics', h.metricsRef);
  const cpus = Number(host.cpu_info.cpu_count) || host.host_CPUs.length;
  const lastUpdated = Math.floor(x.nowMs / 1000);
  const lastPdp = lastUpdated - (lastUpdated % PDP_SECONDS);
  const start = req.start < 0 ? req.start + lastUpdated : req.start;
  const wanted = Math.floor(req.interval / PDP_SECONDS);
  const archive = ARCHIVES.find((a) => a.pdp >= wanted && start > lastPdp - PDP_SECONDS * a.rows * a.pdp) ?? ARCHIVES[ARCHIVES.length - 1];
  const step = PDP_SECONDS * archive.pdp;
  const lastCdp = lastUpdated - (lastUpdated % step);
  const firstCdp = start - (((start % step) + step) % step) + step;
  const times: number[] = [];
  for (let i = 0; i < archive.rows; i++) {
    const t = lastCdp - i * step;
    if (t < start) break;
    times.push(t);
  }
  const cfs: readonly Cf[] = req.cf ? [req.cf] : archive.pdp === 1 ? ['AVERAGE'] : CFS;

  const vms = db
    .all('VM')
    .filter(([, v]) => v.resident_on === hostRef && isGuest(v) && v.power_state === 'Running')
    .filter(([, v]) => req.vmUuid === 'all' || v.uuid === req.vmUuid);
  const upSince = h.osUpSince === undefined ? Infinity : h.osUpSince <= x.startedAt ? -Infinity : h.osUpSince;
  const points = (t: number): number[] => {
    const n = Math.min(MAX_POINTS_PER_ROW, Math.max(1, Math.round(step / 60)));
    return Array.from({ length: n }, (_, j) => (t - step + ((j + 0.5) * step) / n) * 1000);
  };

  // Per column, a function from a model time to its value; rows consolidate them.
  const columns: Array<{ name: string; at: (ms: number) => number }> = [];
  if (req.host) {
    const demand = (ms: number): number => vms.reduce((s, [, v]) => s + sum(load.vcpuBusy(v.uuid, v.VCPUs_at_startup, ms)), 0);
    const seen = new Map<number, number[]>();
    const busy = (ms: number): number[] => {
      let b = seen.get(ms);
      if (!b) seen.set(ms, (b = load.hostCpuBusy(host.uuid, cpus, demand(ms), ms)));
      return b;
    };
    for (let i = 0; i < cpus; i++) columns.push({ name: `host:${host.uuid}:cpu${i}`, at: (ms) => busy(ms)[i] });
    columns.push({ name: `host:${host.uuid}:cpu_avg`, at: (ms) => sum(busy(ms)) / Math.max(1, cpus) });
    columns.push({ name: `host:${host.uuid}:memory_total_kib`, at: () => metrics.memory_total / 1024 });
    columns.push({ name: `host:${host.uuid}:memory_free_kib`, at: () => metrics.memory_free / 1024 });
  }
  if (req.vmUuid !== 'none') {
    for (const [ref, v] of vms) {
      for (let i = 0; i < v.VCPUs_at_startup; i++) columns.push({ name: `vm:${v.uuid}:cpu${i}`, at: (ms) => load.vcpuBusy(v.uuid, v.VCPUs_at_startup, ms)[i] });
      columns.push({ name: `vm:${v.uuid}:memory`, at: () => v.memory_target });
      columns.push({ name: `vm:${v.uuid}:memory_target`, at: () => v.memory_target });
      if (!x.noAgent.has(ref)) columns.push({ name: `vm:${v.uuid}:memory_internal_free`, at: (ms) => (v.memory_target * (1 - load.memoryUsed(v.uuid, ms))) / 1024 });
    }
  }

  const legend = cfs.flatMap((cf) => columns.map((c) => `${cf}:${c.name}`));
  const rows = times.map((t) => {
    const known = t * 1000 >= upSince;
    const at = points(t);
    const values = cfs.flatMap((cf) => columns.map((c) => (known ? consolidate(cf, at.map(c.at)) : NaN)));
    return { t, values };
  });
  return { start: firstCdp, step, end: lastCdp, legend, rows };
}

function consolidate(cf: Cf, xs: number[]): number {
  if (cf === 'MIN') return Math.min(...xs);
  if (cf === 'MAX') return Math.max(...xs);
  return sum(xs) / xs.length;
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
