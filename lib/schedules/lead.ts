/**
 * Starting early: a wake schedule names the time the pool must be ready; its timer fires earlier
 * by the pool's lead time. Pure. Only a cron with one minute and one hour (the usual "07:00 on
 * weekdays") is shifted. A shift that crosses midnight also moves the days back by one, but only
 * where that is exact (every day, days of the week, days of the month 1-28 in every month);
 * anything else keeps its time and says why, so nothing fires on a day it should not (the
 * one-time early starts of early-start.ts cover those days instead).
 */
import { parseExpression } from './expression.ts';

export type ShiftResult =
  | { expression: string; shiftedBy: number; /** Set when the timer runs on the day before the ready time. */ daysEarlier?: 1 }
  | { expression: string; shiftedBy: 0; why: string };

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A day-of-week value (name or 1-7) as 1-7, or undefined when it is not a plain value. */
function weekday(token: string): number | undefined {
  const i = DAYS.indexOf(token.toUpperCase());
  if (i >= 0) return i + 1;
  return /^[1-7]$/.test(token) ? Number(token) : undefined;
}

/** Day-of-week items one day earlier (SUN becomes SAT), or undefined when one is not a value or range. */
function weekdaysBefore(field: string): string | undefined {
  if (field === '*') return '*';
  const out: string[] = [];
  for (const item of field.split(',')) {
    const [a, b, ...rest] = item.split('-');
    const from = weekday(a);
    const to = b === undefined ? from : weekday(b);
    if (rest.length > 0 || from === undefined || to === undefined || from > to) return undefined;
    // Days from..to (1-7) are ready days; the days before them are (from-1)..(to-1), SUN-1 = SAT.
    if (from > 1) out.push(from === to ? DAYS[from - 2] : `${DAYS[from - 2]}-${DAYS[to - 2]}`);
    else {
      out.push('SAT');
      if (to > 1) out.push(to === 2 ? 'SUN' : `SUN-${DAYS[to - 2]}`);
    }
  }
  return out.join(',');
}

/**
 * Day-of-month items one day earlier, or undefined. Day 1 becomes L (every month has both); days
 * 2-28 become 1-27. Days 29-31 do not: not every month has them, but every month has the day before.
 */
function monthDaysBefore(field: string): string | undefined {
  if (field === '*') return '*';
  if (field === '1') return 'L';
  const out: string[] = [];
  for (const item of field.split(',')) {
    const m = /^(\d{1,2})(?:-(\d{1,2}))?$/.exec(item);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 2 || to > 28 || from > to) return undefined;
    out.push(from === to ? `${from - 1}` : `${from - 1}-${to - 1}`);
  }
  return out.join(',');
}

/** `cron(0 7 ? * MON-FRI *)` earlier by 20 minutes is `cron(40 6 ? * MON-FRI *)`; `cron(10 0 ? * MON *)` by 20 is `cron(50 23 ? * SUN *)`. */
export function shiftCronEarlier(expression: string, minutes: number): ShiftResult {
  const parsed = parseExpression(expression);
  if (minutes <= 0) return { expression, shiftedBy: 0, why: 'no lead time' };
  if (parsed.kind !== 'cron') return { expression, shiftedBy: 0, why: `${parsed.kind}() schedules are not shifted` };
  const { minutes: m, hours: h, dayOfMonth, month, dayOfWeek, year } = parsed.fields;
  if (!/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(h)) return { expression, shiftedBy: 0, why: 'only a cron with one minute and one hour is shifted' };
  const by = Math.ceil(minutes);
  const at = Number(h) * 60 + Number(m) - by;
  if (at >= 0) {
    const shifted = `cron(${at % 60} ${Math.floor(at / 60)} ${dayOfMonth} ${month} ${dayOfWeek} ${year})`;
    parseExpression(shifted);
    return { expression: shifted, shiftedBy: by };
  }
  if (at < -1440) return { expression, shiftedBy: 0, why: 'the lead is longer than a day' };
  if (month !== '*' || year !== '*') return { expression, shiftedBy: 0, why: 'the lead would cross midnight of a cron that names months or years' };
  const dom = dayOfMonth === '?' ? '?' : monthDaysBefore(dayOfMonth);
  const dow = dayOfWeek === '?' ? '?' : weekdaysBefore(dayOfWeek);
  if (dom === undefined || dow === undefined) return { expression, shiftedBy: 0, why: 'the lead would cross midnight and these days have no exact day before' };
  const prev = at + 1440;
  const shifted = `cron(${prev % 60} ${Math.floor(prev / 60)} ${dom} ${month} ${dow} ${year})`;
  parseExpression(shifted);
  return { expression: shifted, shiftedBy: by, daysEarlier: 1 };
}
