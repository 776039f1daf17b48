/**
 * When a wake must start, for every day, even on the days one recurring cron cannot say it. Pure.
 *
 * A wake schedule's cron names the time R the pool must be ready; the wake must start at R minus
 * the lead (real elapsed minutes). The recurring timer is the cron shifted by the lead (lead.ts),
 * and on most days it fires exactly then. It does not when the shifted wall-clock time falls into
 * a spring-forward gap (EventBridge skips it), happens twice in a fall-back hour (EventBridge runs
 * the first, an hour early), or a clock change lies between start and ready time (the fire is an
 * hour off); nor on any day when the cron could not be shifted at all. For those ready times
 * `earlyStarts` lists a one-time start, and `wakeFireRole` tells at fire time what a fire is: the
 * start for a ready time, a recurring fire a one-time start replaces, or neither.
 */
import { parseExpression, type ParsedExpression } from './expression.ts';
import { shiftCronEarlier } from './lead.ts';
import { nextFireTime } from './next-fire.ts';
import { localDate, offsetMsAt, resolveLocal, wallClockAt, type WallClock } from './zoned.ts';

export interface WakeTiming {
  /** The wake schedule's own expression: when the pool must be ready. */
  expression: string;
  timezone: string;
  /** How long before the ready time the wake must start. */
  leadMinutes: number;
}

/** The recurring timer of a wake: shifted by the lead where it can be, else as written. */
export interface WakeTimer {
  expression: string;
  /** Minutes between the timer's wall-clock time and the ready time's (0 when not shifted). */
  shiftedBy: number;
  /** Why the timer is not shifted (absent when it is, or when there is no lead). */
  why?: string;
}

export type EarlyStartWhy = 'gap' | 'repeated-hour' | 'clock-change' | 'not-shifted';

/** A ready time that the recurring timer does not start at the right instant: it gets a one-time start. */
export interface EarlyStart {
  readyAt: Date;
  /** readyAt minus the lead. */
  startAt: Date;
  /** The ready time's local date. */
  localDate: string;
  why: EarlyStartWhy;
  detail: string;
}

export type WakeFireRole =
  /** This fire starts the wake for `readyAt`. */
  | { kind: 'start'; readyAt: Date }
  /** A recurring fire before the one-time start that replaces it for `readyAt`: it must not start anything. */
  | { kind: 'covered'; readyAt: Date; startAt: Date; why: EarlyStartWhy }
  /** A recurring fire after the one-time start for `readyAt`: only a repeat of that start (same idempotency key). */
  | { kind: 'after-early-start'; readyAt: Date; startAt: Date; why: EarlyStartWhy }
  /** A recurring fire standing for a ready time that does not exist that day (it falls into a gap). */
  | { kind: 'no-ready-time'; detail: string }
  /** A one-time start for a ready time the schedule no longer has (it changed since). */
  | { kind: 'stale'; readyAt: Date; detail: string }
  /** Nothing planned fires now (a manual fire, a lead that changed since the timer was armed). */
  | { kind: 'unplanned' };

/** A fire within this much of a planned start is that start. */
const START_TOLERANCE_MS = 60_000;
const MINUTE = 60_000;

const leadOf = (w: WakeTiming): number => (w.leadMinutes > 0 ? Math.ceil(w.leadMinutes) : 0);

export function wakeTimerOf(w: WakeTiming): WakeTimer {
  const shift = shiftCronEarlier(w.expression, w.leadMinutes);
  if ('why' in shift) return shift.why === 'no lead time' ? { expression: w.expression, shiftedBy: 0 } : { expression: w.expression, shiftedBy: 0, why: shift.why };
  return { expression: shift.expression, shiftedBy: shift.shiftedBy };
}

/** Wall-clock fields as a naive UTC number, so minutes can be added across midnight. */
const naive = (w: WallClock): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
const fieldsOf = (n: number): WallClock => {
  const d = new Date(n);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
};
const hhmm = (w: WallClock): string => `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;

/**
 * True when the zone's offset is the same from a few hours before `from` to a few hours after `to`:
 * then the shifted wall-clock time exists once and is `to`'s minus the lead, so the shifted cron
 * fires at `from` (the quick answer for all but the days around a clock change).
 */
function steadyOffset(timezone: string, from: number, to: number): boolean {
  const o = offsetMsAt(from - 3 * 3_600_000, timezone);
  return o === offsetMsAt(from, timezone) && o === offsetMsAt(to, timezone) && o === offsetMsAt(to + 3 * 3_600_000, timezone);
}

/** True when `expression` fires exactly at `instant`. */
function firesAt(expression: string | ParsedExpression, timezone: string, instant: number): boolean {
  return nextFireTime(expression, timezone, new Date(instant - 1))?.getTime() === instant;
}

function why(w: WakeTiming, timer: WakeTimer, readyAt: number): { why: EarlyStartWhy; detail: string } {
  if (timer.shiftedBy === 0) return { why: 'not-shifted', detail: `the timer is not shifted (${timer.why ?? 'no shift'})` };
  const shifted = fieldsOf(naive(wallClockAt(readyAt, w.timezone)) - timer.shiftedBy * MINUTE);
  const date = `${shifted.year}-${String(shifted.month).padStart(2, '0')}-${String(shifted.day).padStart(2, '0')}`;
  const r = resolveLocal(shifted, w.timezone);
  if (r.kind === 'gap') return { why: 'gap', detail: `${hhmm(shifted)} does not exist on ${date} (the clocks go forward)` };
  if (r.kind === 'ambiguous') return { why: 'repeated-hour', detail: `${hhmm(shifted)} happens twice on ${date} and the timer runs at the first` };
  return { why: 'clock-change', detail: `the clocks change between ${hhmm(shifted)} and the ready time on ${date}` };
}

/**
 * The one-time starts needed for the ready times in [from, to): every ready time at whose start
 * (ready time minus the lead) the recurring timer does not fire. At most `max`, earliest first.
 * None without a lead, and none for rate() schedules (they have no wall-clock ready time).
 */
export function earlyStarts(w: WakeTiming, from: Date, to: Date, max = 1000): EarlyStart[] {
  const lead = leadOf(w);
  const parsed = parseExpression(w.expression);
  if (lead === 0 || parsed.kind === 'rate') return [];
  const timer = wakeTimerOf(w);
  const out: EarlyStart[] = [];
  let cursor = new Date(from.getTime() - 1);
  while (out.length < max) {
    const ready = nextFireTime(parsed, w.timezone, cursor);
    if (!ready || ready.getTime() >= to.getTime()) break;
    cursor = ready;
    const start = ready.getTime() - lead * MINUTE;
    if (timer.shiftedBy === lead && (steadyOffset(w.timezone, start, ready.getTime()) || firesAt(timer.expression, w.timezone, start))) continue;
    out.push({ readyAt: ready, startAt: new Date(start), localDate: localDate(ready, w.timezone), ...why(w, timer, ready.getTime()) });
  }
  return out;
}

/**
 * What a fire of a wake schedule at `at` is. `readyAt` is the marker a one-time start carries;
 * without it (a runner that does not pass it on) the instant tells: a fire at a ready time minus
 * the lead is that ready time's start.
 */
export function wakeFireRole(w: WakeTiming, at: Date, readyAt?: Date): WakeFireRole {
  const parsed = parseExpression(w.expression);
  if (readyAt) {
    return firesAt(parsed, w.timezone, readyAt.getTime())
      ? { kind: 'start', readyAt }
      : { kind: 'stale', readyAt, detail: `${readyAt.toISOString()} is no ready time of ${w.expression} in ${w.timezone}` };
  }
  const lead = leadOf(w);
  if (lead === 0 || parsed.kind === 'rate') return { kind: 'unplanned' };
  const t = at.getTime();
  const ready = nextFireTime(parsed, w.timezone, new Date(t + lead * MINUTE - START_TOLERANCE_MS - 1));
  if (ready && Math.abs(ready.getTime() - lead * MINUTE - t) <= START_TOLERANCE_MS) return { kind: 'start', readyAt: ready };
  // Not a start: is it the recurring timer firing for some ready time at the wrong instant?
  const timer = wakeTimerOf(w);
  if (!firesAt(timer.expression, w.timezone, t)) return { kind: 'unplanned' };
  const nominal = fieldsOf(naive(wallClockAt(t, w.timezone)) + timer.shiftedBy * MINUTE);
  const r = resolveLocal(nominal, w.timezone);
  if (r.kind === 'gap') return { kind: 'no-ready-time', detail: `the ready time ${hhmm(nominal)} does not exist on ${localDate(t + timer.shiftedBy * MINUTE, w.timezone)}` };
  const nominalReady = r.kind === 'single' ? r.instant : r.earlier;
  const planned = earlyStarts(w, new Date(nominalReady), new Date(nominalReady + 1), 1)[0];
  if (!planned || planned.readyAt.getTime() !== nominalReady) return { kind: 'unplanned' };
  const role = { readyAt: planned.readyAt, startAt: planned.startAt, why: planned.why };
  return t < planned.startAt.getTime() ? { kind: 'covered', ...role } : { kind: 'after-early-start', ...role };
}
