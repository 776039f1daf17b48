/**
 * The load poll: every live member's RRD export for the current 5-minute bucket (1-minute rows,
 * averaged), written as one item per host (its VMs inside it) in one batched write. A later poll
 * of the same bucket replaces it with more rows. A member that does not answer is named with the
 * reason and nothing is written for it: no load is guessed. Run by the `poll-load` schedule.
 */
import { LOAD_BUCKET_MS, type LoadSampleInput, type LoadSampleRepository, type PoolRepository } from '../store/index.ts';
import type { Pool } from '../store/index.ts';
import { readPoolLoad, XapiHypervisor, type Hypervisor, type MemberLoadReport, type PoolLoadRead } from '../xen/index.ts';

export interface LoadPollDeps {
  store: PoolRepository & LoadSampleRepository;
  hypervisorFor(pool: Pool): Promise<Hypervisor>;
  now?: () => number;
}

export interface LoadPollResult {
  poolId: string;
  /** The bucket written (its start). */
  at: string;
  /** Hosts whose bucket was written. */
  written: string[];
  /** Members that did not answer, or answered with no host figures, with why. */
  failed: Array<{ hostId: string; reason: string }>;
  /** Members XAPI does not show live (asleep): not asked. */
  notLive: string[];
}

/** The bucket a poll at `now` writes: the one holding the last whole minute. */
export function loadBucketAt(now: number): number {
  return Math.floor((now - 60_000) / LOAD_BUCKET_MS) * LOAD_BUCKET_MS;
}

const clampPct = (x: number | null): number | null => (x === null ? null : Math.min(100, Math.max(0, x)));

/** A member's report as the store keeps it. */
export function sampleOf(poolId: string, at: string, m: MemberLoadReport): LoadSampleInput | undefined {
  if (!m.host) return undefined;
  return {
    poolId,
    hostId: m.hostId,
    at,
    rows: m.host.rows,
    host: { cpuPercent: clampPct(m.host.cpuPercent), memoryUsedBytes: m.host.memoryUsedBytes, memoryTotalBytes: m.host.memoryTotalBytes },
    vms: m.vms.map((v) => ({
      uuid: v.uuid,
      ...(v.vmId !== undefined ? { vmId: v.vmId } : {}),
      cpuPercent: clampPct(v.cpuPercent),
      hostCpuPercent: clampPct(v.hostCpuPercent),
      memoryUsedBytes: v.memoryUsedBytes,
      memoryBytes: v.memoryBytes,
    })),
  };
}

/** The samples of one read and the members left out, for the bucket starting at `bucket`. */
export function samplesOfRead(poolId: string, bucket: number, read: PoolLoadRead): { samples: LoadSampleInput[]; failed: LoadPollResult['failed'] } {
  const at = new Date(bucket).toISOString();
  const samples: LoadSampleInput[] = [];
  const failed: LoadPollResult['failed'] = read.failed.map((f) => ({ hostId: f.hostId, reason: `${f.kind}: ${f.reason}` }));
  for (const m of read.members) {
    const s = sampleOf(poolId, at, m);
    if (s) samples.push(s);
    else failed.push({ hostId: m.hostId, reason: 'its export has no host figures' });
  }
  return { samples, failed };
}

/** The pool's XAPI adapter, able to ask members for their RRD export. */
export function rrdHypervisor(hv: Hypervisor): XapiHypervisor {
  if (!(hv instanceof XapiHypervisor)) throw new Error('load poll: this pool is not reached through XAPI, whose members export RRDs');
  return hv;
}

export async function pollPoolLoad(deps: LoadPollDeps, poolId: string): Promise<LoadPollResult> {
  const pool = await deps.store.getPool(poolId);
  if (!pool) throw new Error(`pool ${poolId} is not known`);
  const hv = rrdHypervisor(await deps.hypervisorFor(pool));
  const bucket = loadBucketAt((deps.now ?? Date.now)());
  const startSeconds = bucket / 1000;
  const read = await readPoolLoad(hv, { start: startSeconds, interval: 60, window: { after: startSeconds, upTo: startSeconds + LOAD_BUCKET_MS / 1000 } });
  const { samples, failed } = samplesOfRead(poolId, bucket, read);
  if (samples.length) await deps.store.putLoadSamples(samples);
  return { poolId, at: new Date(bucket).toISOString(), written: samples.map((s) => s.hostId), failed, notLive: read.notLive };
}
