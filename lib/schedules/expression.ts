/**
 * Amazon EventBridge Scheduler expressions, parsed and validated without I/O:
 * `cron(min hour day-of-month month day-of-week year)`, `rate(n unit)` and `at(yyyy-mm-ddThh:mm:ss)`,
 * plus IANA time zone validation. Anything wrong is a ScheduleValidationError naming the problem.
 */
import { ScheduleValidationError } from './errors.ts';
import type { WallClock } from './zoned.ts';

export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

export type RateUnit = 'minute' | 'hour' | 'day';

export type ParsedExpression =
  | {
      kind: 'cron';
      source: string;
      fields: CronFields;
      /** The same schedule in croner's 7-part syntax (seconds first, numeric, Quartz weekdays 1-7). */
      croner: string;
    }
  | { kind: 'rate'; source: string; value: number; unit: RateUnit; intervalMs: number }
  | { kind: 'at'; source: string; local: WallClock };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const SPECS = {
  minutes: { label: 'minutes', min: 0, max: 59 },
  hours: { label: 'hours', min: 0, max: 23 },
  dayOfMonth: { label: 'day-of-month', min: 1, max: 31 },
  month: { label: 'month', min: 1, max: 12, names: MONTHS },
  dayOfWeek: { label: 'day-of-week', min: 1, max: 7, names: DAYS },
  year: { label: 'year', min: 1970, max: 2199 },
} satisfies Record<keyof CronFields, FieldSpec>;

function invalid(message: string): ScheduleValidationError {
  return new ScheduleValidationError('expression', message);
}

function value(token: string, spec: FieldSpec, source: string): number {
  const upper = token.toUpperCase();
  if (spec.names) {
    const i = spec.names.indexOf(upper);
    if (i >= 0) return i + 1;
  }
  if (!/^\d+$/.test(token)) {
    const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    throw invalid(`${spec.label} field '${source}': '${token}' is not a number${names}`);
  }
  const n = Number.parseInt(token, 10);
  if (n < spec.min || n > spec.max) {
    throw invalid(`${spec.label} field '${source}': ${n} is out of range ${spec.min}-${spec.max}`);
  }
  return n;
}

/** One list item without `L`, `W`, `#`: `*`, `*\/n`, `a`, `a-b`, `a/n`, `a-b/n`. Returns croner's form. */
function plainItem(item: string, spec: FieldSpec, source: string): string {
  const m = /^([^/]+)(?:\/(.*))?$/.exec(item);
  if (!m) throw invalid(`${spec.label} field '${source}': '${item}' is not a value, range or step`);
  const [, base, stepText] = m;
  let step: number | undefined;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number.parseInt(stepText, 10) < 1) {
      throw invalid(`${spec.label} field '${source}': step '/${stepText}' must be a whole number of at least 1`);
    }
    step = Number.parseInt(stepText, 10);
  }
  const suffix = step === undefined ? '' : `/${step}`;
  if (base === '*') return `*${suffix}`;
  const range = base.split('-');
  if (range.length > 2) throw invalid(`${spec.label} field '${source}': '${item}' is not a valid range`);
  const from = value(range[0], spec, source);
  if (range.length === 2) {
    const to = value(range[1], spec, source);
    if (from > to) throw invalid(`${spec.label} field '${source}': range ${range[0]}-${range[1]} runs backwards`);
    return `${from}-${to}${suffix}`;
  }
  // `a/n` (Quartz, accepted by AWS) means from a to the end of the field; croner wants `a-max/n`.
  return step === undefined ? `${from}` : `${from}-${spec.max}/${step}`;
}

function listItems(field: string, spec: FieldSpec): string[] {
  const items = field.split(',');
  if (items.some((i) => i === '')) throw invalid(`${spec.label} field '${field}' has an empty list item`);
  return items;
}

function plainField(field: string, spec: FieldSpec): string {
  if (field === '?') throw invalid(`'?' is only allowed in day-of-month or day-of-week, not in ${spec.label}`);
  return listItems(field, spec)
    .map((i) => plainItem(i, spec, field))
    .join(',');
}

function dayOfMonthField(field: string): string {
  const spec = SPECS.dayOfMonth;
  const upper = field.toUpperCase();
  if (upper === 'L' || upper === 'LW') return upper;
  const w = /^(\d+)W$/.exec(upper);
  if (w) return `${value(w[1], spec, field)}W`;
  if (/[LW]/.test(upper)) {
    throw invalid(`day-of-month field '${field}': use L, LW or nW (e.g. 15W) on their own, not in a list or range`);
  }
  return plainField(field, spec);
}

function dayOfWeekField(field: string): string {
  const spec = SPECS.dayOfWeek;
  // `L` alone is the last day of the week, Saturday.
  if (field.toUpperCase() === 'L') return '7';
  return listItems(field, spec)
    .map((item) => {
      const nth = /^([^#]+)#(.*)$/.exec(item);
      if (nth) {
        const day = value(nth[1], spec, field);
        if (!/^[1-5]$/.test(nth[2])) throw invalid(`day-of-week field '${field}': '#${nth[2]}' must be #1 to #5`);
        return `${day}#${nth[2]}`;
      }
      const last = /^(.+)L$/i.exec(item);
      if (last && !/^\*|\//.test(last[1])) return `${value(last[1], spec, field)}L`;
      return plainItem(item, spec, field);
    })
    .join(',');
}

function parseCron(source: string, body: string): ParsedExpression {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw invalid(
      `cron() needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}: '${body.trim()}'`,
    );
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts;
  const domQ = dayOfMonth === '?';
  const dowQ = dayOfWeek === '?';
  if (domQ === dowQ) {
    throw invalid(
      `exactly one of day-of-month ('${dayOfMonth}') and day-of-week ('${dayOfWeek}') must be '?'`,
    );
  }
  const c = {
    minutes: plainField(minutes, SPECS.minutes),
    hours: plainField(hours, SPECS.hours),
    dayOfMonth: domQ ? '*' : dayOfMonthField(dayOfMonth),
    month: plainField(month, SPECS.month),
    dayOfWeek: dowQ ? '*' : dayOfWeekField(dayOfWeek),
    year: plainField(year, SPECS.year),
  };
  return {
    kind: 'cron',
    source,
    fields: { minutes, hours, dayOfMonth, month, dayOfWeek, year },
    croner: `0 ${c.minutes} ${c.hours} ${c.dayOfMonth} ${c.month} ${c.dayOfWeek} ${c.year}`,
  };
}

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function parseRate(source: string, body: string): ParsedExpression {
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(body);
  if (!m) throw invalid(`rate() takes a value and a unit, e.g. rate(5 minutes), got '${body}'`);
  const [, valueText, unitText] = m;
  if (!/^\d+$/.test(valueText) || Number.parseInt(valueText, 10) < 1) {
    throw invalid(`rate() value '${valueText}' must be a whole number of at least 1`);
  }
  const n = Number.parseInt(valueText, 10);
  const um = /^(minute|hour|day)(s?)$/.exec(unitText);
  if (!um) throw invalid(`rate() unit '${unitText}' must be minute(s), hour(s) or day(s)`);
  const unit = um[1] as RateUnit;
  if (n === 1 && um[2] === 's') throw invalid(`rate() with value 1 takes the singular unit: rate(1 ${unit})`);
  if (n > 1 && um[2] === '') throw invalid(`rate() with value ${n} takes the plural unit: rate(${n} ${unit}s)`);
  return { kind: 'rate', source, value: n, unit, intervalMs: n * UNIT_MS[unit] };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseAt(source: string, body: string): ParsedExpression {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!m) throw invalid(`at() takes a local date and time yyyy-mm-ddThh:mm:ss, got '${body}'`);
  const [year, month, day, hour, minute, second] = m.slice(1).map((s) => Number.parseInt(s, 10));
  if (month < 1 || month > 12) throw invalid(`at() month ${month} is out of range 1-12`);
  if (day < 1 || day > daysInMonth(year, month)) throw invalid(`at() day ${day} does not exist in ${m[1]}-${m[2]}`);
  if (hour > 23) throw invalid(`at() hour ${hour} is out of range 0-23`);
  if (minute > 59) throw invalid(`at() minute ${minute} is out of range 0-59`);
  if (second > 59) throw invalid(`at() second ${second} is out of range 0-59`);
  return { kind: 'at', source, local: { year, month, day, hour, minute, second } };
}

/** Parse and validate an EventBridge Scheduler expression. */
export function parseExpression(expression: string): ParsedExpression {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw invalid('expression is empty; use cron(...), rate(...) or at(...)');
  }
  const source = expression.trim();
  const m = /^(cron|rate|at)\((.*)\)$/s.exec(source);
  if (!m) throw invalid(`expression '${source}' must be cron(...), rate(...) or at(...)`);
  const [, kind, body] = m;
  if (kind === 'cron') return parseCron(source, body);
  if (kind === 'rate') return parseRate(source, body);
  return parseAt(source, body);
}

/** Validate an IANA time zone name (e.g. Europe/Berlin); returns it unchanged. */
export function validateTimezone(timezone: string): string {
  if (typeof timezone !== 'string' || timezone.trim() === '') {
    throw new ScheduleValidationError('timezone', 'timezone is empty; give an IANA name such as Europe/Berlin');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch (cause) {
    throw new ScheduleValidationError('timezone', `unknown time zone '${timezone}'; give an IANA name such as Europe/Berlin`, { cause });
  }
  return timezone;
}
