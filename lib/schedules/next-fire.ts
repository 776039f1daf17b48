/**
 * Next fire times of an EventBridge Scheduler expression in a time zone, without I/O.
 * croner does the calendar search; this module corrects it to AWS's daylight-saving rules:
 * a wall-clock time that does not exist (spring forward) is skipped for that day, and a wall-clock
 * time that occurs twice (fall back) runs once, at its first occurrence.
 */
import { Cron } from 'croner';
import { parseExpression, validateTimezone, type ParsedExpression } from './expression.ts';
import { offsetMsAt, resolveLocal, sameWallClock, wallClockAt } from './zoned.ts';

export interface NextFireOptions {
  /**
   * For rate(): the instant the schedule started counting (its creation or start date);
   * fires fall on anchor + k * interval. Defaults to `after`, so the first fire is one interval later.
   */
  anchor?: Date;
}

const MAX_SKIPS = 10_000;

function toParsed(expression: string | ParsedExpression): ParsedExpression {
  return typeof expression === 'string' ? parseExpression(expression) : expression;
}

/** True when the same wall-clock time already happened earlier (the second pass of a repeated hour). */
function isRepeatedWallClock(instant: number, timeZone: string): boolean {
  const offsetNow = offsetMsAt(instant, timeZone);
  const offsetBefore = offsetMsAt(instant - 10_800_000, timeZone);
  if (offsetBefore <= offsetNow) return false;
  const earlier = instant - (offsetBefore - offsetNow);
  return sameWallClock(wallClockAt(earlier, timeZone), wallClockAt(instant, timeZone));
}

function cronFires(croner: string, timeZone: string, after: Date, count: number): Date[] {
  const job = new Cron(croner, {
    timezone: timeZone,
    mode: '7-part',
    alternativeWeekdays: true, // AWS day-of-week 1-7 = SUN-SAT
    domAndDow: false, // one of the two is '?' (croner '*'), so OR logic picks the other
    paused: true,
  });
  const out: Date[] = [];
  let cursor = after;
  let skips = 0;
  while (out.length < count) {
    const next = job.nextRun(cursor);
    if (next === null) break;
    cursor = next;
    // croner moves a fixed-time job out of a DST gap to the first valid time after it; AWS skips it.
    // Whatever croner proposes must show a wall-clock time the pattern really names.
    const shifted = !job.match(next);
    // croner runs interval-style jobs (lists, ranges, steps) on both passes of a repeated hour; AWS once.
    const repeated = !shifted && isRepeatedWallClock(next.getTime(), timeZone);
    if (shifted || repeated) {
      if (++skips > MAX_SKIPS) break;
      continue;
    }
    out.push(next);
  }
  return out;
}

function rateFires(intervalMs: number, after: Date, count: number, anchor: Date): Date[] {
  const a = anchor.getTime();
  const t = after.getTime();
  const k = t < a ? 0 : Math.floor((t - a) / intervalMs);
  let next = a + k * intervalMs;
  const out: Date[] = [];
  while (out.length < count) {
    if (next > t) out.push(new Date(next));
    next += intervalMs;
  }
  return out;
}

/** The single instant of an at() expression in `timeZone`. A time in a DST gap runs when the gap ends. */
export function atInstant(expression: string | ParsedExpression, timeZone: string): Date {
  const parsed = toParsed(expression);
  if (parsed.kind !== 'at') throw new TypeError(`atInstant needs an at() expression, got ${parsed.source}`);
  const r = resolveLocal(parsed.local, validateTimezone(timeZone));
  return new Date(r.kind === 'single' ? r.instant : r.kind === 'ambiguous' ? r.earlier : r.after);
}

/** Up to `count` fire instants strictly after `after`. */
export function nextFireTimes(
  expression: string | ParsedExpression,
  timeZone: string,
  after: Date,
  count: number,
  options: NextFireOptions = {},
): Date[] {
  const parsed = toParsed(expression);
  validateTimezone(timeZone);
  if (count <= 0) return [];
  switch (parsed.kind) {
    case 'cron':
      return cronFires(parsed.croner, timeZone, after, count);
    case 'rate':
      return rateFires(parsed.intervalMs, after, count, options.anchor ?? after);
    case 'at': {
      const at = atInstant(parsed, timeZone);
      return at.getTime() > after.getTime() ? [at] : [];
    }
  }
}

/** The next fire instant strictly after `after`, or null when there is none (a past at(), a past year). */
export function nextFireTime(
  expression: string | ParsedExpression,
  timeZone: string,
  after: Date,
  options: NextFireOptions = {},
): Date | null {
  return nextFireTimes(expression, timeZone, after, 1, options)[0] ?? null;
}
