/**
 * "Hold until 08:00": the next instant at which a pool's wall clock shows a given time, correct
 * across daylight-saving changes (a time in the spring gap means the first instant after the gap;
 * a time the autumn repeats means whichever showing comes next). Pure.
 */
import { resolveLocal, wallClockAt } from '../schedules/index.ts';

export interface LocalTimeOfDay {
  hour: number;
  minute: number;
}

const HH_MM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM` (24 h) as hour and minute; undefined when it is not one. */
export function parseTimeOfDay(text: string): LocalTimeOfDay | undefined {
  const m = HH_MM.exec(text.trim());
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** Throws a RangeError for a zone Intl does not know. */
export function checkTimeZone(timeZone: string): string {
  new Intl.DateTimeFormat('en-US', { timeZone });
  return timeZone;
}

/** The first instant strictly after `nowMs` at which the clock in `timeZone` shows `at` (epoch ms). */
export function nextLocalTime(nowMs: number, at: LocalTimeOfDay, timeZone: string): number {
  checkTimeZone(timeZone);
  const today = wallClockAt(nowMs, timeZone);
  for (let days = 0; days <= 2; days++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
    const r = resolveLocal({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: at.hour, minute: at.minute, second: 0 }, timeZone);
    const candidates = r.kind === 'single' ? [r.instant] : r.kind === 'ambiguous' ? [r.earlier, r.later] : [r.after];
    const next = candidates.find((c) => c > nowMs);
    if (next !== undefined) return next;
  }
  // Unreachable: tomorrow's showing always lies ahead.
  throw new RangeError(`no next ${at.hour}:${at.minute} in ${timeZone}`);
}

/** `HH:MM` of an instant on the wall clock of `timeZone`, with the local date. */
export function describeLocal(instantMs: number, timeZone: string): string {
  const w = wallClockAt(instantMs, timeZone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)} ${timeZone}`;
}
