/**
 * A pool's recent load for inspection: the stored 5-minute samples per host (one host, or all),
 * with their VMs only on request. Bounded: at most MAX_HOST_POINTS host samples (MAX_VM_SAMPLES
 * when VMs are asked), so a wide range over a large pool is cut to its most recent part and the
 * answer says from when it holds samples.
 */
import type { LoadSampleRepository, VmLoadFigures } from '../store/index.ts';
import { LOAD_BUCKET_MS } from '../store/index.ts';

export const MAX_HOST_POINTS = 20_000;
export const MAX_VM_SAMPLES = 4_000;
export const MAX_LOAD_RANGE_MS = 14 * 86_400_000;

export interface LoadViewQuery {
  since: number;
  until: number;
  /** One host only. */
  hostId?: string;
  vms: boolean;
  /** Hosts the pool has (for the bound when no host is named). */
  hostCount: number;
}

export interface LoadPoint {
  at: string;
  cpuPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  vms?: VmLoadFigures[];
}

export interface PoolLoadView {
  pool: string;
  /** The range the answer covers: `since` is later than asked when the bound cut it. */
  since: string;
  until: string;
  /** Set when the bound moved `since`: the range asked, and why. */
  cut: string | null;
  bucketMinutes: number;
  hosts: Array<{ hostId: string; samples: LoadPoint[] }>;
}

/** The samples of a range, grouped by host (hosts by id, samples in time order). */
export async function poolLoadView(store: LoadSampleRepository, poolId: string, q: LoadViewQuery): Promise<PoolLoadView> {
  const hosts = q.hostId ? 1 : Math.max(1, q.hostCount);
  const limit = q.vms ? MAX_VM_SAMPLES : MAX_HOST_POINTS;
  const until = q.until;
  let since = Math.max(q.since, until - MAX_LOAD_RANGE_MS);
  let cut: string | null = q.since < since ? `samples are kept for 14 days: the range starts ${new Date(since).toISOString()}` : null;
  // Buckets per host the bound allows, counted back from until.
  const buckets = Math.floor(limit / hosts);
  const earliest = until - buckets * LOAD_BUCKET_MS;
  if (since < earliest) {
    since = earliest;
    cut = `at most ${limit} samples${q.vms ? ' with VMs' : ''} per answer: ${hosts === 1 ? 'this host' : `${hosts} hosts`} get the last ${buckets} buckets, from ${new Date(since).toISOString()}`;
  }
  const opts = { since: new Date(since).toISOString(), until: new Date(until).toISOString() };
  const samples = q.hostId ? await store.listHostLoad(poolId, q.hostId, { ...opts, limit }) : await store.listPoolLoad(poolId, { ...opts, limit });
  const byHost = new Map<string, LoadPoint[]>();
  for (const s of samples) {
    const p: LoadPoint = { at: s.at, cpuPercent: s.host.cpuPercent, memoryUsedBytes: s.host.memoryUsedBytes, memoryTotalBytes: s.host.memoryTotalBytes };
    if (q.vms) p.vms = s.vms;
    const list = byHost.get(s.hostId);
    if (list) list.push(p);
    else byHost.set(s.hostId, [p]);
  }
  return {
    pool: poolId,
    since: opts.since,
    until: opts.until,
    cut,
    bucketMinutes: LOAD_BUCKET_MS / 60_000,
    hosts: [...byHost.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([hostId, list]) => ({ hostId, samples: list.sort((a, b) => a.at.localeCompare(b.at)) })),
  };
}
