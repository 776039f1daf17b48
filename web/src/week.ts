/**
 * The week ahead of a pool's schedules, as the server will see it: fire times from the same
 * schedule maths the scheduler uses (lib/schedules), each fire passed through the same decision
 * (skip tonight, hold awake, calendar), then laid out per local day in the pool's time zone.
 * Pure: tested without a browser.
 */
import { decide, SLEEP_ACTIONS, WAKE_ACTIONS, type Schedule } from '../../lib/schedules/model.ts';
import { nextFireTimes } from '../../lib/schedules/next-fire.ts';
import { localDate, startOfLocalDay, wallClockAt } from '../../lib/schedules/zoned.ts';
import type { ScheduleView } from './types.ts';

export type Direction = 'down' | 'up';

export interface WeekEvent {
  schedule: string;
  action: string;
  direction: Direction;
  at: number;
  /** "23:30" in the pool's time zone. */
  time: string;
  runs: boolean;
  /** Why it will not run ("skipped once on 2026-11-26: ..."). */
  why?: string;
  /** Position within its day, 0..1. */
  x: number;
}

export interface WeekSpan {
  kind: 'asleep' | 'held';
  from: number;
  to: number;
}

export interface WeekDay {
  date: string;
  start: number;
  end: number;
  events: WeekEvent[];
  /** Spans clipped to this day, as fractions 0..1. */
  spans: Array<{ kind: WeekSpan['kind']; x0: number; x1: number }>;
}

export interface Week {
  timeZone: string;
  now: number;
  days: WeekDay[];
  /** Schedules not drawn (sensor polls and the like), by name. */
  other: ScheduleView[];
}

const TIMELINE_ACTIONS: readonly string[] = [...SLEEP_ACTIONS, ...WAKE_ACTIONS];

function asSchedule(v: ScheduleView): Schedule {
  return { name: v.name, poolId: v.poolId, hostIds: v.hostIds, action: v.action, expression: v.expression, timezone: v.timezone, enabled: v.enabled, exceptions: v.exceptions as Schedule['exceptions'] };
}

function hhmm(at: number, timeZone: string): string {
  const w = wallClockAt(at, timeZone);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

function nextDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * @param asleepNow whether the pool has hosts asleep now (the first span starts at `now`)
 */
export function weekAhead(schedules: ScheduleView[], timeZone: string, now: number, o: { days?: number; asleepNow?: boolean } = {}): Week {
  const drawn = schedules.filter((v) => TIMELINE_ACTIONS.includes(v.action));
  const dates: string[] = [localDate(now, timeZone)];
  while (dates.length < (o.days ?? 7)) dates.push(nextDate(dates[dates.length - 1]));
  const days: WeekDay[] = dates.map((date) => ({ date, start: startOfLocalDay(date, timeZone), end: startOfLocalDay(nextDate(date), timeZone), events: [], spans: [] }));
  const horizon = days[days.length - 1].end;

  const events: WeekEvent[] = [];
  for (const v of drawn) {
    let fires: Date[] = [];
    try {
      fires = nextFireTimes(v.expression, v.timezone, new Date(now), 64).filter((d) => d.getTime() < horizon);
    } catch {
      continue;
    }
    const schedule = asSchedule(v);
    for (const f of fires) {
      const d = decide(schedule, f);
      events.push({
        schedule: v.name,
        action: v.action,
        direction: SLEEP_ACTIONS.includes(v.action as Schedule['action']) ? 'down' : 'up',
        at: f.getTime(),
        time: hhmm(f.getTime(), timeZone),
        runs: d.run,
        why: d.run ? d.replacedBy : d.detail,
        x: 0,
      });
    }
  }
  events.sort((a, b) => a.at - b.at);

  const spans: WeekSpan[] = [];
  let asleepFrom: number | undefined = o.asleepNow ? now : undefined;
  for (const e of events) {
    if (!e.runs) continue;
    if (e.direction === 'down' && asleepFrom === undefined) asleepFrom = e.at;
    if (e.direction === 'up' && asleepFrom !== undefined) {
      spans.push({ kind: 'asleep', from: asleepFrom, to: e.at });
      asleepFrom = undefined;
    }
  }
  if (asleepFrom !== undefined) spans.push({ kind: 'asleep', from: asleepFrom, to: horizon });
  const holds = drawn.map((v) => v.exceptions.holdAwakeUntil?.until).filter((u): u is string => !!u && Date.parse(u) > now);
  if (holds.length) spans.push({ kind: 'held', from: now, to: Math.min(horizon, Math.max(...holds.map((u) => Date.parse(u)))) });

  for (const day of days) {
    const len = day.end - day.start;
    for (const e of events) if (e.at >= day.start && e.at < day.end) day.events.push({ ...e, x: (e.at - day.start) / len });
    for (const sp of spans) {
      const a = Math.max(sp.from, day.start);
      const b = Math.min(sp.to, day.end);
      if (b > a) day.spans.push({ kind: sp.kind, x0: (a - day.start) / len, x1: (b - day.start) / len });
    }
  }
  return { timeZone, now, days, other: schedules.filter((v) => !TIMELINE_ACTIONS.includes(v.action)) };
}

/** The first sleep-type schedule's next fire that would run, for "skip tonight". */
export function nextSleep(week: Week): WeekEvent | undefined {
  return week.days.flatMap((d) => d.events).find((e) => e.direction === 'down' && e.runs);
}
