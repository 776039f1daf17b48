/**
 * Schedule advice for a pool, with its I/O: the pool as XAPI and the store see it now (every host
 * lowpower put to sleep counted as one it can wake), the stored load samples of the last days, and
 * each host's measured draw; the pure core (advice-rules.ts) does the rest. Reads only.
 *
 * A host's draw saved by sleeping: from the energy records of its nights asleep (the draw just
 * before the shutdown, when it was already empty, less its standby draw), else from its readings
 * (the 10th percentile of its draw while on: its idle draw, less the median of its draw while off).
 */
import type { Hypervisor } from '../xen/index.ts';
import type { EnergyRepository, HostRepository, LoadSampleRepository, ReadingRepository } from '../store/index.ts';
import type { PlannerHost } from '../planner/index.ts';
import type { Pool } from '../store/index.ts';
import { mapBounded } from '../util/index.ts';
import { percentile } from './advice-demand.ts';
import { scheduleAdvice, type AdviceOptions, type AdviceVm, type HostWatts, type ScheduleAdvice } from './advice-rules.ts';
import { pricingOf } from './energy-worth.ts';
import { sleepPlanOf } from './pool-sleep.ts';
import { readPoolView } from './pool-view.ts';

export type AdviceStore = HostRepository & ReadingRepository & LoadSampleRepository & EnergyRepository;

export interface PoolAdviceOptions extends AdviceOptions {
  /** Days of samples to read (default 14, the samples' TTL). */
  days?: number;
  now?: number;
}

export const DEFAULT_ADVICE_DAYS = 14;
const DAY_MS = 86_400_000;
/** Nights asleep and readings looked at for each host's draw. */
const ENERGY_DAYS = 60;
const READING_DAYS = 2;
const READINGS_PER_HOST = 3000;

export async function poolAdvice(store: AdviceStore, hv: Hypervisor, pool: Pool, o: PoolAdviceOptions = {}): Promise<ScheduleAdvice> {
  const now = o.now ?? Date.now();
  const days = o.days ?? DEFAULT_ADVICE_DAYS;
  const [view, samples] = await Promise.all([readPoolView(store, hv, pool), store.listPoolLoad(pool.poolId, { since: new Date(now - days * DAY_MS).toISOString(), until: new Date(now).toISOString() })]);
  const asleep = new Set(view.stored.filter((h) => h.sleepState === 'asleep').map((h) => h.hostId));
  // A host asleep has no live memory figures: it reserves what the live ones typically do.
  const reserved = percentile(view.hosts.filter((h) => h.state !== 'off').map((h) => h.reservedMemoryBytes ?? 0), 50) ?? 0;
  const hosts: PlannerHost[] = view.hosts.map((h) => (h.state === 'off' && asleep.has(h.id) ? { ...h, state: 'on', reservedMemoryBytes: reserved } : h));
  const uuidOf = new Map(view.vms.map((v) => [v.vmId, v.uuid]));
  const vms: AdviceVm[] = view.plannerVms.map((v) => ({ ...v, uuid: uuidOf.get(v.id) ?? v.id }));
  const ceiling = (pool.policy as { cpuCeilingPercent?: unknown } | undefined)?.cpuCeilingPercent;
  const policy = typeof ceiling === 'number' ? { ...view.policy, cpuCeilingPercent: ceiling } : view.policy;
  const planView = { ...view, hosts, policy };
  return scheduleAdvice({
    poolId: pool.poolId,
    timeZone: pool.policy?.timeZone ?? 'UTC',
    now,
    days,
    hosts,
    vms,
    policy,
    samples,
    plan: (forHour) => sleepPlanOf({ ...planView, plannerVms: forHour }),
    watts: await measuredWatts(store, pool.poolId, hosts.map((h) => h.id), now),
    pricing: pricingOf(pool.policy),
    options: o,
  });
}

/** Each host's draw saved by sleeping, from its nights asleep, else its readings. */
export async function measuredWatts(store: EnergyRepository & ReadingRepository, poolId: string, hostIds: string[], now: number): Promise<HostWatts[]> {
  const records = await store.listEnergy(poolId, { since: new Date(now - ENERGY_DAYS * DAY_MS).toISOString() });
  return mapBounded(hostIds, 8, async (hostId): Promise<HostWatts> => {
    const nights = records.filter((r) => r.hostId === hostId).map((r) => r.wattsBefore - r.wattsAsleep).filter((w) => w > 0);
    const fromNights = percentile(nights, 50);
    if (fromNights !== null) return { hostId, watts: Math.round(fromNights * 10) / 10, source: 'energy' };
    const readings = await store.listReadings(hostId, { since: new Date(now - READING_DAYS * DAY_MS).toISOString(), limit: READINGS_PER_HOST });
    const drawn = (power: string) => readings.filter((r) => r.power === power && typeof r.powerWatts === 'number').map((r) => r.powerWatts as number);
    const idle = percentile(drawn('on'), 10);
    if (idle === null) return { hostId, watts: null, source: 'unknown' };
    const standby = percentile(drawn('off'), 50) ?? 0;
    return { hostId, watts: Math.round(Math.max(0, idle - standby) * 10) / 10, source: 'readings' };
  });
}
