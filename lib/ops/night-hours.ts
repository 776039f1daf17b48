/**
 * The hours a pool's night covers, for the measured CPU demand: from its own schedules when they
 * say it (the enabled sleep schedule's local time to the ready time of the first enabled wake
 * after it, in the sleep schedule's time zone), else the default 22:00-06:00 in the pool's time
 * zone (UTC when it names none), with the reason. Pure.
 *
 * Which sleep schedule: of the enabled cron sleeps, those for the whole pool before those for some
 * hosts, then the one whose last fire (within a day before `now`) is the latest, so a sleep that
 * fires now plans with its own night. A wake schedule's cron is the time the pool must be ready
 * (its timer fires earlier by the lead), so that is the night's end: the first wake ready after
 * the sleep fires (a weekday sleep on Friday is matched by Monday's wake: only the local times of
 * day count).
 */
import { nextFireTime, parseExpression, wallClockAt } from '../schedules/index.ts';
import type { Pool, Schedule } from '../store/index.ts';
import type { NightHours } from '../planner/index.ts';

export const DEFAULT_NIGHT = { start: '22:00', end: '06:00' } as const;

export interface PoolNight {
  night: NightHours;
  /** schedules: derived from the pool's sleep and wake; default: DEFAULT_NIGHT. */
  from: 'schedules' | 'default';
  /** Which schedules, or why the default. */
  why: string;
}

const DAY_MS = 24 * 3600_000;
const WEEK_MS = 7 * DAY_MS;

const hhmm = (t: number, timeZone: string): string => {
  const w = wallClockAt(t, timeZone);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};

/** The first fire strictly after `after`, or undefined for a bad or non-cron expression. */
function fireAfter(s: Schedule, after: number): number | undefined {
  try {
    if (parseExpression(s.cron).kind !== 'cron') return undefined;
    return nextFireTime(s.cron, s.timeZone, new Date(after))?.getTime();
  } catch {
    return undefined;
  }
}

/** The pool's night hours at `now` (epoch ms), from its schedules or the default. */
export function poolNight(pool: Pool, schedules: readonly Schedule[], now: number): PoolNight {
  const zone = pool.policy?.timeZone ?? 'UTC';
  const fallback = (why: string): PoolNight => ({ night: { ...DEFAULT_NIGHT, timeZone: zone }, from: 'default', why });
  const sleeps = schedules
    .filter((s) => s.enabled && s.action === 'sleep')
    .map((s) => ({ s, at: fireAfter(s, now - DAY_MS) }))
    .filter((x): x is { s: Schedule; at: number } => x.at !== undefined);
  if (!sleeps.length) return fallback('the pool has no enabled cron sleep schedule');
  // A fire after now (the day's sleep still to come) counts as the day before's, for the order.
  const last = (at: number) => (at <= now ? at : at - DAY_MS);
  sleeps.sort((a, b) => Number(a.s.hostIds !== undefined) - Number(b.s.hostIds !== undefined) || last(b.at) - last(a.at) || a.s.scheduleId.localeCompare(b.s.scheduleId));
  const sleep = sleeps[0];
  const wakes = schedules
    .filter((s) => s.enabled && s.action === 'wake')
    .map((s) => ({ s, at: fireAfter(s, sleep.at) }))
    .filter((x): x is { s: Schedule; at: number } => x.at !== undefined && x.at - sleep.at <= WEEK_MS)
    .sort((a, b) => a.at - b.at);
  if (!wakes.length) return fallback(`no enabled cron wake is ready within a week after sleep schedule ${sleep.s.scheduleId}`);
  const wake = wakes[0];
  const night = { start: hhmm(sleep.at, sleep.s.timeZone), end: hhmm(wake.at, sleep.s.timeZone), timeZone: sleep.s.timeZone };
  if (night.start === night.end) return fallback(`sleep schedule ${sleep.s.scheduleId} and wake schedule ${wake.s.scheduleId} are at the same local time`);
  return { night, from: 'schedules', why: `sleep schedule ${sleep.s.scheduleId} to wake schedule ${wake.s.scheduleId}` };
}
