/**
 * A VM's CPU demand for the planner, from measured samples: the high percentile (p95 unless told)
 * of the cores it kept busy in each hour a night covers, over the last N nights, at its busiest
 * hour. Pure: the samples come in (lib/store's load samples, per 5-minute bucket), the demand goes out.
 *
 * The rules, in order:
 * - a sample counts when it was taken in the `nights` x 24 h before `now` (not after) and its local
 *   time of day (in the night's time zone) is within [start, end), the window wrapping past
 *   midnight when end <= start; a sample's time is its bucket's start, so the bucket at 21:55 is
 *   outside a night from 22:00 and the one at 05:55 inside a night to 06:00;
 * - a sample's cores are its CPU percent of the VM's own vCPUs (0..100, a little over 100 from
 *   rounding counts as 100) times those vCPUs; a null percent (not measured) is skipped, never read
 *   as 0;
 * - the demand is the busiest hour of the night: the nearest-rank percentile of the cores of each
 *   local hour (the smallest value that at least `percentile` % of that hour's samples do not
 *   exceed), and the highest of those. A percentile of all the night's samples together would
 *   drop a peak that comes at the same hour every night (a morning ramp before the night ends:
 *   under 5 % of the samples, but every night); the acceptance walk of a generated night
 *   (test/planner/night-ceiling-acceptance.test.ts) found hosts over the ceiling that way;
 * - too few samples: fewer than `minSamples` counted, or from fewer than `minNights` distinct
 *   nights, give no demand (the VM has no history and the planner counts it by its vCPUs), with
 *   the reason in `why`. One busy evening must not stand for a week.
 */
import { offsetMsAt } from '../schedules/index.ts';
import { PlannerInputError } from './model.ts';
import type { PlannerVm } from './types.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export interface CpuSample {
  /** when: the start of the sample's bucket, epoch ms */
  at: number;
  /** busy percent of the VM's own vCPUs (0..100), e.g. XAPI's mean of its cpuN; null = not measured */
  cpuPercent: number | null;
  /** the VM's vCPUs at the time, when they differ from the history's */
  vcpus?: number;
}

export interface VmCpuHistory {
  vmId: string;
  /** its vCPUs now */
  vcpus: number;
  samples: readonly CpuSample[];
}

/** The hours a night covers, as local wall-clock times in an IANA time zone. */
export interface NightHours {
  /** "HH:MM", e.g. "22:00" */
  start: string;
  /** "HH:MM", e.g. "06:00"; at or before start = the next day */
  end: string;
  timeZone: string;
}

export interface CpuDemandOptions {
  night: NightHours;
  /** the instant the plan is made, epoch ms: the nights before it count */
  now: number;
  /** how many nights back (default 7) */
  nights?: number;
  /** which percentile (default 95) */
  percentile?: number;
  /** fewest samples for a demand (default 24: two hours of 5-minute buckets) */
  minSamples?: number;
  /** fewest distinct nights for a demand (default 2) */
  minNights?: number;
}

export interface CpuDemand {
  vmId: string;
  /** cores; absent when the history is too thin (see `why`) */
  cpuDemand?: number;
  /** samples counted */
  samples: number;
  /** distinct nights they came from */
  nights: number;
  /** why there is no demand, when there is none */
  why?: string;
}

export const DEFAULT_DEMAND_NIGHTS = 7;
export const DEFAULT_DEMAND_PERCENTILE = 95;
export const DEFAULT_MIN_SAMPLES = 24;
export const DEFAULT_MIN_NIGHTS = 2;

function minuteOfDay(text: string, what: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new PlannerInputError(`${what} must be a time "HH:MM", got ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function wholeAtLeast(value: number, least: number, what: string): number {
  if (!Number.isInteger(value) || value < least) throw new PlannerInputError(`${what} must be a whole number >= ${least}, got ${value}`);
  return value;
}

/**
 * The demand of each VM (in the order given) from its samples, by the rules at the top.
 *
 * @throws PlannerInputError on a bad window, time zone or option, a duplicate VM id, a sample time
 *   that is not a finite number, or a percent that is negative or not finite
 */
export function cpuDemands(histories: readonly VmCpuHistory[], o: CpuDemandOptions): CpuDemand[] {
  const start = minuteOfDay(o.night.start, 'night.start');
  const end = minuteOfDay(o.night.end, 'night.end');
  if (start === end) throw new PlannerInputError('night.start and night.end are the same time: a night must cover some hours');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: o.night.timeZone });
  } catch {
    throw new PlannerInputError(`night.timeZone ${JSON.stringify(o.night.timeZone)} is not an IANA time zone`);
  }
  if (!Number.isFinite(o.now)) throw new PlannerInputError(`now must be a finite epoch time in ms, got ${o.now}`);
  const nights = wholeAtLeast(o.nights ?? DEFAULT_DEMAND_NIGHTS, 1, 'nights');
  const minSamples = wholeAtLeast(o.minSamples ?? DEFAULT_MIN_SAMPLES, 1, 'minSamples');
  const minNights = wholeAtLeast(o.minNights ?? DEFAULT_MIN_NIGHTS, 1, 'minNights');
  if (minNights > nights) throw new PlannerInputError(`minNights (${minNights}) cannot exceed nights (${nights})`);
  const percentile = o.percentile ?? DEFAULT_DEMAND_PERCENTILE;
  if (!(Number.isFinite(percentile) && percentile > 0 && percentile <= 100)) throw new PlannerInputError(`percentile must be > 0 and <= 100, got ${percentile}`);
  const wraps = end < start;
  const from = o.now - nights * DAY_MS;
  // Buckets are shared by every VM of a pool: each instant's local time is worked out once.
  const nightOf = new Map<number, number | undefined>();
  const night = (at: number): number | undefined => {
    if (nightOf.has(at)) return nightOf.get(at);
    const local = at + offsetMsAt(at, o.night.timeZone);
    const minute = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
    const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
    // A night is named by the local day it starts on.
    const key = inside ? Math.floor(local / DAY_MS) - (wraps && minute < end ? 1 : 0) : undefined;
    nightOf.set(at, key);
    return key;
  };
  const hourOf = new Map<number, number>();
  const localHour = (at: number): number => {
    let hour = hourOf.get(at);
    if (hour === undefined) {
      const local = at + offsetMsAt(at, o.night.timeZone);
      hour = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / (60 * MINUTE_MS));
      hourOf.set(at, hour);
    }
    return hour;
  };
  const seen = new Set<string>();
  return histories.map((h) => {
    if (seen.has(h.vmId)) throw new PlannerInputError(`duplicate VM id ${h.vmId} in the CPU histories`);
    seen.add(h.vmId);
    const cores: number[] = [];
    const byHour = new Map<number, number[]>();
    const nightsSeen = new Set<number>();
    for (const s of h.samples) {
      if (!Number.isFinite(s.at)) throw new PlannerInputError(`VM ${h.vmId}: a sample time must be a finite epoch time in ms, got ${s.at}`);
      if (s.cpuPercent === null) continue;
      if (!Number.isFinite(s.cpuPercent) || s.cpuPercent < 0) throw new PlannerInputError(`VM ${h.vmId}: cpuPercent at ${new Date(s.at).toISOString()} must be a finite number >= 0, got ${s.cpuPercent}`);
      if (s.at < from || s.at >= o.now) continue;
      const key = night(s.at);
      if (key === undefined) continue;
      const vcpus = s.vcpus ?? h.vcpus;
      const c = (Math.min(s.cpuPercent, 100) / 100) * vcpus;
      cores.push(c);
      const hour = localHour(s.at);
      const inHour = byHour.get(hour);
      if (inHour) inHour.push(c);
      else byHour.set(hour, [c]);
      nightsSeen.add(key);
    }
    const counted = { vmId: h.vmId, samples: cores.length, nights: nightsSeen.size };
    if (cores.length < minSamples || nightsSeen.size < minNights) {
      return { ...counted, why: `${cores.length} sample(s) over ${nightsSeen.size} night(s) in the night's hours; a demand needs ${minSamples} over ${minNights}` };
    }
    // The busiest hour of the night: a peak that comes at the same hour every night (a morning
    // ramp before the night ends) is the night's load, not noise a percentile of all hours drops.
    let demand = 0;
    for (const xs of byHour.values()) {
      xs.sort((a, b) => a - b);
      demand = Math.max(demand, xs[Math.max(1, Math.ceil((percentile * xs.length) / 100)) - 1]);
    }
    return { ...counted, cpuDemand: demand };
  });
}

/**
 * The VMs with the demands set: cpuDemand where a demand was found, none where it was not (so the
 * planner counts those by their vCPUs). VMs without an entry are returned unchanged.
 */
export function withCpuDemands(vms: readonly PlannerVm[], demands: readonly CpuDemand[]): PlannerVm[] {
  const byId = new Map(demands.map((d) => [d.vmId, d]));
  return vms.map((v) => {
    const d = byId.get(v.id);
    if (!d) return v;
    const next: PlannerVm = { ...v };
    if (d.cpuDemand === undefined) delete next.cpuDemand;
    else next.cpuDemand = d.cpuDemand;
    return next;
  });
}
