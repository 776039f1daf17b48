/** EventBridge Scheduler expression parsing: what AWS accepts is accepted, the rest is a 400 naming the problem. */
import { describe, expect, it } from 'vitest';
import { parseExpression, validateTimezone } from '../../lib/schedules/expression.ts';
import { ScheduleValidationError } from '../../lib/schedules/errors.ts';

function rejects(expr: string, message: RegExp): void {
  let caught: unknown;
  try {
    parseExpression(expr);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ScheduleValidationError);
  const e = caught as ScheduleValidationError;
  expect(e.field).toBe('expression');
  expect(e.statusCode).toBe(400);
  expect(e.message).toMatch(message);
}

describe('cron()', () => {
  it.each([
    ['cron(0 22 ? * MON-FRI *)', '0 0 22 * * 2-6 *'],
    ['cron(30 2 * * ? *)', '0 30 2 * * * *'],
    ['cron(0 12 L * ? *)', '0 0 12 L * * *'],
    ['cron(0 12 LW * ? *)', '0 0 12 LW * * *'],
    ['cron(0 12 15W * ? *)', '0 0 12 15W * * *'],
    ['cron(0 12 ? * 6#3 *)', '0 0 12 * * 6#3 *'],
    ['cron(0 12 ? * FRI#3 *)', '0 0 12 * * 6#3 *'],
    ['cron(0 12 ? * L *)', '0 0 12 * * 7 *'],
    ['cron(0 12 ? * 6L *)', '0 0 12 * * 6L *'],
    ['cron(0/15 * * * ? *)', '0 0-59/15 * * * * *'],
    ['cron(*/10 8-17 ? JAN-MAR,DEC SUN,SAT 2026-2030)', '0 */10 8-17 * 1-3,12 1,7 2026-2030'],
    ['cron(5,35 14 1 jan ? 2026)', '0 5,35 14 1 1 * 2026'],
    ['cron(0 0-23/2 ? * * *)', '0 0 0-23/2 * * * *'],
  ])('%s -> croner %s', (expr, croner) => {
    const p = parseExpression(expr);
    expect(p.kind).toBe('cron');
    if (p.kind === 'cron') expect(p.croner).toBe(croner);
  });

  it('keeps the AWS fields', () => {
    const p = parseExpression(' cron(0 22 ? * MON-FRI *) ');
    expect(p).toMatchObject({ kind: 'cron', source: 'cron(0 22 ? * MON-FRI *)', fields: { minutes: '0', hours: '22', dayOfMonth: '?', month: '*', dayOfWeek: 'MON-FRI', year: '*' } });
  });

  it.each([
    ['cron(0 22 * * *)', /6 fields.*got 5/],
    ['cron(0 22 * * ? * *)', /6 fields.*got 7/],
    ['cron(0 22 * * * *)', /exactly one of day-of-month \('\*'\) and day-of-week \('\*'\) must be '\?'/],
    ['cron(0 22 ? * ? *)', /exactly one of day-of-month/],
    ['cron(60 22 * * ? *)', /minutes field '60': 60 is out of range 0-59/],
    ['cron(0 24 * * ? *)', /hours field '24': 24 is out of range 0-23/],
    ['cron(0 0 0 * ? *)', /day-of-month field '0': 0 is out of range 1-31/],
    ['cron(0 0 32 * ? *)', /day-of-month.*32 is out of range 1-31/],
    ['cron(0 0 1 13 ? *)', /month field '13': 13 is out of range 1-12/],
    ['cron(0 0 1 FOO ? *)', /month field 'FOO': 'FOO' is not a number or JAN-DEC/],
    ['cron(0 0 ? * 0 *)', /day-of-week field '0': 0 is out of range 1-7/],
    ['cron(0 0 ? * 8 *)', /day-of-week.*8 is out of range 1-7/],
    ['cron(0 0 ? * MON#6 *)', /'#6' must be #1 to #5/],
    ['cron(0 0 1 * ? 1969)', /year field '1969': 1969 is out of range 1970-2199/],
    ['cron(0 0 1 * ? 2200)', /year.*out of range 1970-2199/],
    ['cron(0/0 * * * ? *)', /step '\/0' must be a whole number of at least 1/],
    ['cron(0 20-10 * * ? *)', /range 20-10 runs backwards/],
    ['cron(? 0 * * ? *)', /'\?' is only allowed in day-of-month or day-of-week, not in minutes/],
    ['cron(0 0 1,,2 * ? *)', /empty list item/],
    ['cron(0 0 L,15 * ? *)', /L, LW or nW/],
    ['cron(0 0 15W-20 * ? *)', /L, LW or nW/],
    ['cron(a 0 * * ? *)', /minutes field 'a': 'a' is not a number/],
  ])('rejects %s', (expr, message) => rejects(expr, message));
});

describe('rate()', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 43_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 604_800_000],
  ])('%s every %d ms', (expr, ms) => {
    expect(parseExpression(expr)).toMatchObject({ kind: 'rate', intervalMs: ms });
  });

  it.each([
    ['rate(0 minutes)', /at least 1/],
    ['rate(-1 minutes)', /at least 1/],
    ['rate(1.5 hours)', /whole number/],
    ['rate(1 minutes)', /singular unit: rate\(1 minute\)/],
    ['rate(5 minute)', /plural unit: rate\(5 minutes\)/],
    ['rate(5 weeks)', /unit 'weeks' must be minute\(s\), hour\(s\) or day\(s\)/],
    ['rate(5)', /value and a unit/],
  ])('rejects %s', (expr, message) => rejects(expr, message));
});

describe('at()', () => {
  it('parses a local date-time', () => {
    expect(parseExpression('at(2026-03-29T02:30:00)')).toMatchObject({
      kind: 'at',
      local: { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 },
    });
  });
  it.each([
    ['at(2026-02-30T01:00:00)', /day 30 does not exist in 2026-02/],
    ['at(2026-13-01T01:00:00)', /month 13/],
    ['at(2026-01-01T24:00:00)', /hour 24/],
    ['at(2026-01-01T01:00:00Z)', /yyyy-mm-ddThh:mm:ss/],
    ['at(2026-01-01 01:00:00)', /yyyy-mm-ddThh:mm:ss/],
  ])('rejects %s', (expr, message) => rejects(expr, message));
});

describe('other input', () => {
  it.each([
    ['', /empty/],
    ['0 22 * * ? *', /must be cron\(...\), rate\(...\) or at\(...\)/],
    ['every(5 minutes)', /must be cron/],
  ])('rejects %j', (expr, message) => rejects(expr, message));
});

describe('validateTimezone', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'UTC', 'Asia/Kolkata'])('accepts %s', (tz) => {
    expect(validateTimezone(tz)).toBe(tz);
  });
  it.each(['Mars/Olympus', 'Europe/Berlinn', '', 'CEST+2'])('rejects %j with field timezone', (tz) => {
    expect(() => validateTimezone(tz)).toThrow(ScheduleValidationError);
    try {
      validateTimezone(tz);
    } catch (err) {
      expect((err as ScheduleValidationError).field).toBe('timezone');
      expect((err as Error).message).toMatch(tz === '' ? /empty/ : new RegExp(`unknown time zone '${tz.replace('+', '\\+')}'`));
    }
  });
});
