/**
 * A week of simulated load history for the local runner's pool, so its first night is planned with
 * a measured CPU demand as a pool that has polled for a week is: the night hours (the pool's own,
 * as the sleep plan works them out) of the last 7 nights, one item per host and 5-minute bucket in
 * the shape the load poll writes, each figure from the simulated pool's own seeded day/night model
 * (the same one its RRD exports serve), for the VMs where they run now. Simulated, not measured:
 * the runner says so at start. Nothing is written when the pool already has samples in that span
 * (a kept --state-dir).
 */
import { nightRanges, poolNight, type PoolNight } from '../ops/index.ts';
import { LOAD_BUCKET_MS, type LoadSampleInput, type Pool, type Store } from '../store/index.ts';
import type { Log } from '../util/index.ts';
import type { Hypervisor, XenHostInfo, XenVmInfo } from '../xen/index.ts';
import type { XapiSim } from '../sim/index.ts';
import { offsetMsAt } from '../schedules/index.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3600_000;
const NIGHTS = 7;

export interface LoadHistory {
  /** Items written (host x bucket); 0 when the pool had samples already. */
  written: number;
  night: PoolNight;
  /** Set when nothing was written, with why. */
  skipped?: string;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/**
 * One host's bucket from the model: the load poll averages the bucket's five 1-minute rows, each
 * taken at the middle of its minute; the same minutes are read here.
 */
export function simulatedBucket(model: XapiSim['loadModel'], poolId: string, bucket: number, host: XenHostInfo, vms: readonly XenVmInfo[]): LoadSampleInput {
  const minutes = Array.from({ length: LOAD_BUCKET_MS / MINUTE_MS }, (_, k) => bucket + k * MINUTE_MS + MINUTE_MS / 2);
  const busy = minutes.map((t) => vms.map((v) => model.vcpuBusy(v.uuid, v.vcpus, t)));
  const hostCpu = minutes.map((t, i) => mean(model.hostCpuBusy(host.uuid, host.cpus, busy[i].reduce((s, b) => s + b.reduce((a, x) => a + x, 0), 0), t)));
  return {
    poolId,
    hostId: host.hostId,
    at: new Date(bucket).toISOString(),
    rows: minutes.length,
    host: { cpuPercent: round2(100 * mean(hostCpu)), memoryUsedBytes: host.memoryTotalBytes - host.memoryFreeBytes, memoryTotalBytes: host.memoryTotalBytes },
    vms: vms.map((v, j) => {
      const cores = mean(busy.map((b) => b[j].reduce((a, x) => a + x, 0)));
      return {
        uuid: v.uuid,
        vmId: v.vmId,
        cpuPercent: round2((100 * cores) / Math.max(1, v.vcpus)),
        hostCpuPercent: round2(Math.min(100, (100 * cores) / Math.max(1, host.cpus))),
        memoryUsedBytes: Math.round(v.memoryBytes * mean(minutes.map((t) => model.memoryUsed(v.uuid, t)))),
        memoryBytes: v.memoryBytes,
      };
    }),
  };
}

export interface SeedOptions {
  store: Store;
  hypervisorFor(pool: Pool): Promise<Hypervisor>;
  model: XapiSim['loadModel'];
  poolId: string;
  now: number;
  /** Told what was seeded, marked simulated. */
  log?: Log;
}

/** Seed the pool's last 7 nights of load, unless it has samples in that span already; logged as simulated. */
export async function seedLoadHistory(o: SeedOptions): Promise<LoadHistory> {
  const h = await seed(o);
  const n = h.night.night;
  o.log?.('load-history', { simulated: true, buckets: h.written, nights: NIGHTS, night: `${n.start}-${n.end} ${n.timeZone}`, skipped: h.skipped });
  return h;
}

async function seed(o: SeedOptions): Promise<LoadHistory> {
  const pool = await o.store.getPool(o.poolId);
  if (!pool) throw new Error(`pool ${o.poolId} is not known`);
  const night = poolNight(pool, await o.store.listSchedules(o.poolId), o.now);
  const since = new Date(o.now - NIGHTS * DAY_MS).toISOString();
  if ((await o.store.listPoolLoad(o.poolId, { since, limit: 1 })).length) return { written: 0, night, skipped: 'the pool has load samples of the last 7 nights already' };
  const hv = await o.hypervisorFor(pool);
  const [hosts, vms] = await Promise.all([hv.hosts(), hv.vms()]);
  const running = vms.filter((v) => v.powerState === 'Running' && v.hostId !== null);
  const samples: LoadSampleInput[] = [];
  // Only whole buckets that ended before now, as a poll would have written them.
  const last = Math.floor(o.now / LOAD_BUCKET_MS) * LOAD_BUCKET_MS - LOAD_BUCKET_MS;
  const n = night.night;
  const [start, end] = [n.start, n.end].map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)));
  // The bucket's local minute of the day inside the night (cpuDemands' rule): the margins of the read are not written.
  const inside = (b: number): boolean => {
    const m = Math.floor((((b + offsetMsAt(b, n.timeZone)) % DAY_MS) + DAY_MS) % DAY_MS / MINUTE_MS);
    return end < start ? m >= start || m < end : m >= start && m < end;
  };
  for (const r of nightRanges(n, o.now, NIGHTS)) {
    for (let b = Math.ceil(r.since / LOAD_BUCKET_MS) * LOAD_BUCKET_MS; b < r.until && b <= last; b += LOAD_BUCKET_MS) {
      if (!inside(b)) continue;
      for (const h of hosts.filter((x) => x.live)) samples.push(simulatedBucket(o.model, o.poolId, b, h, running.filter((v) => v.hostId === h.hostId)));
    }
  }
  if (samples.length) await o.store.putLoadSamples(samples);
  return { written: samples.length, night };
}
