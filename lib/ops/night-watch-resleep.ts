/**
 * When the night watch sleeps again the hosts it woke, pure. Only with the pool's
 * resleepAfterQuietSeconds (off by default: the hosts the watch woke stay on until the next
 * night's sleep). The demand is gone ("quiet") when, with those hosts taken away, the awake CPU
 * stays at or under the ceiling and no start was refused; once quiet for the set time, the watch
 * asks the ordinary pool sleep for them, whose planner applies every rule (memory, HA, headroom,
 * the master, bound BMCs) and may keep some on. Never a host that flapped (the watch woke it more
 * than once tonight), at most once per host and night, not after another wake of the pool (a
 * person's, the morning's) took over, not a host a person has acted on since (a single-host
 * operation), and not once the pool's morning has begun (its wake schedule's ready time, less the
 * wake's lead).
 */
import { nextFireTime, resolveLocal } from '../schedules/index.ts';
import type { Schedule } from '../store/index.ts';
import type { CpuFigure, WatchSettings } from './night-watch-rules.ts';

export interface WatchOperation {
  /** A pool wake, a pool sleep, or a single-host power operation. */
  kind: 'wake' | 'sleep' | 'host';
  /** The watch's own, or someone else's (a person, a schedule). */
  byWatch: boolean;
  createdAt: string;
  /** A wake's: the hosts it woke (its plan; the watch's own: those it brought up, once it ended). */
  hostIds: string[];
}

export interface ResleepHost {
  hostId: string;
  cpus: number;
  /** XAPI says live and enabled. */
  awake: boolean;
}

/**
 * The hosts the watch may sleep again now: woken by it tonight, awake, woken once only, not slept
 * by it since, and no other wake of the pool after the watch's first. With why when none.
 */
export function resleepable(ops: readonly WatchOperation[], hosts: readonly ResleepHost[]): { hostIds: string[]; why?: string } {
  const watchWakes = ops.filter((o) => o.kind === 'wake' && o.byWatch);
  if (watchWakes.length === 0) return { hostIds: [], why: 'the watch woke no host tonight' };
  const over = takenOver(ops);
  if (over) return { hostIds: [], why: `the pool was woken since by someone else (${over.createdAt}): its hosts are theirs now` };
  const wakes = new Map<string, number>();
  for (const o of watchWakes) for (const h of o.hostIds) wakes.set(h, (wakes.get(h) ?? 0) + 1);
  const sleptByWatch = new Set(ops.filter((o) => o.kind === 'sleep' && o.byWatch).flatMap((o) => o.hostIds));
  // A person's operation on a host since the watch's first wake: the host is theirs now.
  const first = Math.min(...watchWakes.map((o) => Date.parse(o.createdAt)));
  const theirs = new Set(ops.filter((o) => o.kind === 'host' && !o.byWatch && Date.parse(o.createdAt) > first).flatMap((o) => o.hostIds));
  const awake = new Set(hosts.filter((h) => h.awake).map((h) => h.hostId));
  const hostIds = [...wakes.keys()].filter((h) => awake.has(h) && !sleptByWatch.has(h) && !theirs.has(h) && (wakes.get(h) ?? 0) < 2).sort();
  if (hostIds.length) return { hostIds };
  if ([...wakes.keys()].some((h) => theirs.has(h))) return { hostIds: [], why: `a person has acted on ${[...wakes.keys()].filter((h) => theirs.has(h)).sort().join(', ')} since: theirs now; the others are asleep or were slept once tonight` };
  const flapped = [...wakes.keys()].filter((h) => (wakes.get(h) ?? 0) >= 2);
  return { hostIds: [], why: flapped.length ? `not again: ${flapped.join(', ')} flapped (woken more than once tonight); the others are asleep or were slept once tonight` : 'the hosts the watch woke are asleep or were slept once tonight' };
}

const WEEK_MS = 7 * 24 * 3600_000;

/**
 * Where a night's morning is counted from: the night's first sleep (a person's or a schedule's),
 * or local noon of the night's date (where the night begins) when there was none tonight.
 */
export function nightStart(night: string, timeZone: string, sleptAt: readonly number[]): number {
  const [year, month, day] = night.split('-').map(Number);
  const r = resolveLocal({ year, month, day, hour: 12, minute: 0, second: 0 }, timeZone);
  const noon = r.kind === 'single' ? r.instant : r.kind === 'ambiguous' ? r.earlier : r.after;
  return sleptAt.length ? Math.max(noon, Math.min(...sleptAt)) : noon;
}

/**
 * When the pool's morning begins after `after` (epoch ms; the watch gives the night's start): the
 * first ready time of an enabled wake schedule within a week, less the wake's lead (the morning
 * wake starts then). Undefined when no wake schedule is ready within a week.
 */
export function morningAt(schedules: readonly Pick<Schedule, 'enabled' | 'action' | 'cron' | 'timeZone'>[], after: number, leadMs: number): number | undefined {
  let first: number | undefined;
  for (const s of schedules) {
    if (!s.enabled || s.action !== 'wake') continue;
    let at: number | undefined;
    try {
      at = nextFireTime(s.cron, s.timeZone, new Date(after))?.getTime();
    } catch {
      at = undefined; // a schedule the service would refuse to arm: it wakes nobody
    }
    if (at !== undefined && at - after <= WEEK_MS && (first === undefined || at < first)) first = at;
  }
  return first === undefined ? undefined : first - leadMs;
}

/** Another wake of the pool (a person's, the morning's) after the watch's first tonight, if any. */
export function takenOver(ops: readonly WatchOperation[]): WatchOperation | undefined {
  const watchWakes = ops.filter((o) => o.kind === 'wake' && o.byWatch);
  if (watchWakes.length === 0) return undefined;
  const first = Math.min(...watchWakes.map((o) => Date.parse(o.createdAt)));
  return ops.find((o) => o.kind === 'wake' && !o.byWatch && Date.parse(o.createdAt) > first);
}

export interface QuietState {
  /** Since when the demand has been gone (ISO); undefined while it is not. */
  since?: string;
  quiet: boolean;
  /** Gone for the set time: the watch asks for the sleep. */
  due: boolean;
  why: string;
}

const pct = (x: number): string => `${Math.round(x * 10) / 10}%`;

/**
 * Whether the demand that woke `woken` is gone: a CPU figure (nothing is guessed without one),
 * its busy cores at or under the ceiling of the awake cores less theirs, and no refusal now.
 */
export function quietNow(previousSince: string | undefined, s: WatchSettings, cpu: CpuFigure | undefined, woken: readonly ResleepHost[], refusalsNow: number, now: Date): QuietState {
  const seconds = s.resleepAfterQuietSeconds;
  if (seconds === undefined) return { quiet: false, due: false, why: 'the pool does not ask for a sleep again (resleepAfterQuietSeconds is not set)' };
  if (refusalsNow > 0) return { quiet: false, due: false, why: 'XAPI refused a start: not quiet' };
  if (!cpu || cpu.unmeasured.length) return { quiet: false, due: false, why: `no CPU figure for every awake host${cpu?.unmeasured.length ? ` (${cpu.unmeasured.join(', ')})` : ''}: not quiet` };
  const without = cpu.cpus - woken.reduce((a, h) => a + h.cpus, 0);
  const percent = without > 0 ? (100 * cpu.busyCpus) / without : Infinity;
  if (!(percent <= s.cpuCeilingPercent)) return { quiet: false, due: false, why: `without ${woken.map((h) => h.hostId).join(', ')} the awake CPU would be ${Number.isFinite(percent) ? pct(percent) : 'unbounded'}, above the ${s.cpuCeilingPercent}% ceiling` };
  const since = previousSince ?? now.toISOString();
  const lastedMs = Math.max(0, now.getTime() - Date.parse(since));
  const due = lastedMs >= seconds * 1000;
  return { since, quiet: true, due, why: `without ${woken.map((h) => h.hostId).join(', ')} the awake CPU would be ${pct(percent)} (ceiling ${s.cpuCeilingPercent}%), quiet for ${Math.round(lastedMs / 1000)} s of ${seconds} s` };
}

/** One sleep per key: the n-th sleep of the watch in a pool's night. */
export function watchSleepKey(poolId: string, night: string, n: number): string {
  return `night-watch:${poolId}:${night}:sleep-${n}`;
}
