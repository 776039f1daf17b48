/**
 * The measured night CPU demand of a pool's running VMs, for the sleep plan: the pool's stored
 * load samples (the `poll-load` schedule's, one item per host and 5-minute bucket) of the night
 * hours of the last DEFAULT_DEMAND_NIGHTS nights, turned into each VM's history and its demand
 * (lib/planner/cpu-demand.ts), attached to the planner's VMs.
 *
 * The read: one pool query (GSI1, by bucket time) per night, over that night's hours plus an hour
 * either side (a change of daylight-saving time moves the local hours; cpuDemands keeps only the
 * samples inside them), so the day's buckets are never read. A VM is matched by its uuid, or its
 * vmId (name_label) when a sample carries it.
 *
 * Bounded: at most MAX_DEMAND_BUCKETS host buckets are read (the pool's hosts times the buckets of
 * the nights read), the most recent nights first: 50 hosts' 7 nights of 22:00-06:00 (10 hours read
 * each) are 42,000 items, about 70 Query pages of 1 MB with 20 VMs a host. A larger pool reads
 * fewer nights, and the plan says how many; one where not even DEFAULT_MIN_NIGHTS fit plans
 * without demand and says why (its samples would not fit a Lambda's memory as objects).
 *
 * A read that fails, or a night that cannot be worked out, plans without demand (the ceiling stays
 * off, as before the load was measured) and says why in `error`: never silently.
 */
import { cpuDemands, withCpuDemands, DEFAULT_DEMAND_NIGHTS, DEFAULT_MIN_NIGHTS, type CpuSample, type VmCpuHistory } from '../planner/index.ts';
import { LOAD_BUCKET_MS } from '../store/index.ts';
import { localDate, startOfLocalDay } from '../schedules/index.ts';
import type { LoadSample, LoadSampleRepository, ScheduleRepository } from '../store/index.ts';
import { errorText } from './step-machine.ts';
import { poolNight, type PoolNight } from './night-hours.ts';
import type { PoolView } from './pool-view.ts';

/** What the plan says about the measured load it used. */
export interface PlanDemand {
  /** Running VMs that carried a measured demand. */
  vms: number;
  /** Running VMs in the plan. */
  of: number;
  /** Most distinct nights any VM's demand came from (0 when none). */
  nights: number;
  /** Nights looked at. */
  lookedBack: number;
  /** The night's hours, and where they came from. */
  night: { start: string; end: string; timeZone: string; from: PoolNight['from'] };
  /** Buckets (host x 5 minutes) read. */
  samplesRead: number;
  /** Why no demand was used, when the read failed. */
  error?: string;
}

/** Host buckets one plan reads at most (see the top). */
export const MAX_DEMAND_BUCKETS = 60_000;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The UTC ranges to read: the last `nights` nights that began before now (and tonight's as well,
 * while it lasts), each an hour wider either side, none past now.
 */
export function nightRanges(night: PoolNight['night'], now: number, nights = DEFAULT_DEMAND_NIGHTS): Array<{ since: number; until: number }> {
  const start = minutes(night.start);
  const length = (minutes(night.end) - start + 1440) % 1440 || 1440;
  const begun: Array<{ begin: number; end: number }> = [];
  for (let k = nights + 2; k >= 0; k--) {
    const day = startOfLocalDay(localDate(now - k * DAY_MS, night.timeZone), night.timeZone);
    const begin = day + start * MINUTE_MS;
    if (begin < now && begin !== begun.at(-1)?.begin) begun.push({ begin, end: begin + length * MINUTE_MS });
  }
  const last = begun.at(-1);
  const take = last && now < last.end ? nights + 1 : nights;
  const out: Array<{ since: number; until: number }> = [];
  for (const n of begun.slice(-take)) {
    const since = n.begin - HOUR_MS;
    const until = Math.min(now, n.end + HOUR_MS);
    const prev = out[out.length - 1];
    if (prev && since <= prev.until) prev.until = Math.max(prev.until, until);
    else out.push({ since, until });
  }
  return out;
}

/**
 * The most recent ranges whose buckets (times the pool's hosts) fit MAX_DEMAND_BUCKETS; how many
 * nights they are, and the whole days back they reach (cpuDemands' look-back).
 */
export function boundedRanges(ranges: Array<{ since: number; until: number }>, hosts: number, now = ranges.at(-1)?.until ?? 0): { list: Array<{ since: number; until: number }>; nights: number; days: number } {
  const list: Array<{ since: number; until: number }> = [];
  let buckets = 0;
  for (let i = ranges.length - 1; i >= 0; i--) {
    const r = ranges[i];
    const cost = Math.max(1, hosts) * Math.ceil((r.until - r.since) / LOAD_BUCKET_MS);
    if (buckets + cost > MAX_DEMAND_BUCKETS) break;
    buckets += cost;
    list.unshift(r);
  }
  // cpuDemands' look-back: whole days that reach the first night read (at least its fewest nights).
  const days = list.length ? Math.max(DEFAULT_MIN_NIGHTS, Math.ceil((now - list[0].since) / DAY_MS)) : 0;
  return { list, nights: list.length, days };
}

/** Each running VM's samples, from the pool's buckets. */
export function vmHistories(view: Pick<PoolView, 'vms' | 'plannerVms'>, samples: readonly LoadSample[]): VmCpuHistory[] {
  const planned = new Set(view.plannerVms.map((v) => v.id));
  const vms = view.vms.filter((v) => planned.has(v.vmId));
  const byUuid = new Map(vms.map((v) => [v.uuid.toLowerCase(), v.vmId]));
  const byId = new Map(vms.map((v) => [v.vmId, v.vmId]));
  const history = new Map<string, CpuSample[]>(vms.map((v) => [v.vmId, []]));
  for (const s of samples) {
    const at = Date.parse(s.at);
    if (!Number.isFinite(at)) continue;
    for (const f of s.vms) {
      const id = byUuid.get(f.uuid.toLowerCase()) ?? (f.vmId !== undefined ? byId.get(f.vmId) : undefined);
      if (id !== undefined) history.get(id)?.push({ at, cpuPercent: f.cpuPercent });
    }
  }
  return vms.map((v) => ({ vmId: v.vmId, vcpus: v.vcpus, samples: history.get(v.vmId) ?? [] }));
}

/**
 * The view with each running VM's measured demand attached (where its history is enough), and
 * what the plan should say about it. A failure leaves the view as it was and names the reason.
 */
export async function withNightDemand(store: LoadSampleRepository & ScheduleRepository, view: PoolView, now: number): Promise<{ view: PoolView; demand: PlanDemand }> {
  const base = { vms: 0, of: view.plannerVms.length, nights: 0, lookedBack: DEFAULT_DEMAND_NIGHTS, samplesRead: 0 };
  let night: PoolNight = poolNight(view.pool, [], now);
  try {
    night = poolNight(view.pool, await store.listSchedules(view.pool.poolId), now);
    const ranges = boundedRanges(nightRanges(night.night, now), view.xenHosts.length);
    const said = { ...night.night, from: night.from };
    if (ranges.nights < DEFAULT_MIN_NIGHTS) {
      return { view, demand: { ...base, lookedBack: 0, night: said, error: `planned without measured CPU demand: ${view.xenHosts.length} hosts' samples of ${DEFAULT_MIN_NIGHTS} nights are over the ${MAX_DEMAND_BUCKETS} buckets one plan reads` } };
    }
    const reads = await Promise.all(ranges.list.map((r) => store.listPoolLoad(view.pool.poolId, { since: new Date(r.since).toISOString(), until: new Date(r.until).toISOString() })));
    const samples = reads.flat();
    const demands = cpuDemands(vmHistories(view, samples), { night: night.night, now, nights: ranges.days });
    const measured = demands.filter((d) => d.cpuDemand !== undefined);
    return {
      view: { ...view, plannerVms: withCpuDemands(view.plannerVms, demands) },
      demand: { ...base, vms: measured.length, nights: Math.max(0, ...measured.map((d) => d.nights)), lookedBack: ranges.nights, night: said, samplesRead: samples.length },
    };
  } catch (e) {
    return { view, demand: { ...base, night: { ...night.night, from: night.from }, error: `planned without measured CPU demand: ${errorText(e)}` } };
  }
}
