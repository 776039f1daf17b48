/**
 * Next fire times, with AWS's daylight-saving rules: a wall-clock time that does not exist is
 * skipped that day; one that happens twice runs once. Expected instants are UTC.
 */
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { atInstant, nextFireTime, nextFireTimes } from '../../lib/schedules/next-fire.ts';
import { ScheduleValidationError } from '../../lib/schedules/errors.ts';

const iso = (ds: Date[]): string[] => ds.map((d) => d.toISOString());

describe('across daylight-saving changes', () => {
  it.each([
    // Europe/Berlin: 2026-03-29 02:00 -> 03:00 (no 02:30 that day)
    ['cron(30 2 * * ? *)', 'Europe/Berlin', '2026-03-27T12:00:00Z', ['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']],
    // Europe/Berlin: 2026-10-25 03:00 -> 02:00 (02:30 twice, runs once at the first)
    ['cron(30 2 * * ? *)', 'Europe/Berlin', '2026-10-24T12:00:00Z', ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']],
    // America/New_York: 2026-03-08 02:00 -> 03:00
    ['cron(30 2 * * ? *)', 'America/New_York', '2026-03-07T12:00:00Z', ['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z', '2026-03-11T06:30:00.000Z']],
    // America/New_York: 2026-11-01 02:00 -> 01:00; 02:30 happens once anyway
    ['cron(30 2 * * ? *)', 'America/New_York', '2026-10-31T12:00:00Z', ['2026-11-01T07:30:00.000Z', '2026-11-02T07:30:00.000Z', '2026-11-03T07:30:00.000Z']],
    // ... and 01:30 happens twice: once, at the first (EDT)
    ['cron(30 1 * * ? *)', 'America/New_York', '2026-10-31T12:00:00Z', ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']],
    // a list in the repeated hour: each wall-clock time once
    ['cron(0,30 1 * * ? *)', 'America/New_York', '2026-10-31T12:00:00Z', ['2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:00:00.000Z']],
    // a list in the skipped hour: the 02:xx times are skipped, 03:30 runs
    ['cron(30 2,3 * * ? *)', 'Europe/Berlin', '2026-03-28T12:00:00Z', ['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-30T01:30:00.000Z']],
    // every 30 minutes through the November change: 01:00 and 01:30 once each
    ['cron(0/30 * * * ? *)', 'America/New_York', '2026-11-01T04:10:00Z', ['2026-11-01T04:30:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T07:30:00.000Z']],
  ])('%s in %s after %s', (expr, tz, after, expected) => {
    expect(iso(nextFireTimes(expr, tz, new Date(after), expected.length))).toEqual(expected);
  });

  it('documents what croner does on its own (and why next-fire corrects it)', () => {
    const opts = { mode: '7-part', alternativeWeekdays: true, paused: true } as const;
    // spring: croner moves 02:30 to 03:00 local instead of skipping the day
    const spring = new Cron('0 30 2 * * * *', { ...opts, timezone: 'Europe/Berlin' }).nextRuns(2, new Date('2026-03-28T12:00:00Z'));
    expect(iso(spring)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    // autumn: croner runs a list-valued job on both passes of the repeated hour
    const autumn = new Cron('0 0,30 1 * * * *', { ...opts, timezone: 'America/New_York' }).nextRuns(4, new Date('2026-10-31T12:00:00Z'));
    expect(iso(autumn)).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T06:30:00.000Z']);
  });
});

describe('ordinary schedules', () => {
  it.each([
    // weekdays at 22:00 Berlin, from Friday 2026-03-27 (the weekend and the DST change in between)
    ['cron(0 22 ? * MON-FRI *)', 'Europe/Berlin', '2026-03-27T12:00:00Z', ['2026-03-27T21:00:00.000Z', '2026-03-30T20:00:00.000Z', '2026-03-31T20:00:00.000Z']],
    ['cron(0 22 ? * 2-6 *)', 'Europe/Berlin', '2026-03-27T12:00:00Z', ['2026-03-27T21:00:00.000Z', '2026-03-30T20:00:00.000Z', '2026-03-31T20:00:00.000Z']],
    // last day of the month
    ['cron(0 12 L * ? *)', 'UTC', '2026-01-27T12:00:00Z', ['2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z']],
    // weekday nearest the 15th: Sun 15 Feb -> Mon 16, Sun 15 Mar -> Mon 16, Wed 15 Apr
    ['cron(0 12 15W * ? *)', 'UTC', '2026-01-27T12:00:00Z', ['2026-02-16T12:00:00.000Z', '2026-03-16T12:00:00.000Z', '2026-04-15T12:00:00.000Z']],
    // third Friday (AWS 6 = FRI)
    ['cron(0 12 ? * 6#3 *)', 'UTC', '2026-01-27T12:00:00Z', ['2026-02-20T12:00:00.000Z', '2026-03-20T12:00:00.000Z', '2026-04-17T12:00:00.000Z']],
    // L in day-of-week: Saturday
    ['cron(0 12 ? * L *)', 'UTC', '2026-01-27T12:00:00Z', ['2026-01-31T12:00:00.000Z', '2026-02-07T12:00:00.000Z']],
    // a year field
    ['cron(0 6 1 JAN ? 2027-2028)', 'UTC', '2026-01-27T12:00:00Z', ['2027-01-01T06:00:00.000Z', '2028-01-01T06:00:00.000Z']],
    // New Year in Asia/Kolkata (+05:30)
    ['cron(0 0 1 1 ? *)', 'Asia/Kolkata', '2026-06-01T00:00:00Z', ['2026-12-31T18:30:00.000Z']],
  ])('%s in %s after %s', (expr, tz, after, expected) => {
    expect(iso(nextFireTimes(expr, tz, new Date(after), expected.length))).toEqual(expected);
  });

  it('ends when the years run out', () => {
    expect(nextFireTimes('cron(0 6 1 JAN ? 2027-2028)', 'UTC', new Date('2026-01-01T00:00:00Z'), 5)).toHaveLength(2);
    expect(nextFireTime('cron(0 12 * * ? 2020)', 'UTC', new Date('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('is strictly after the given instant', () => {
    expect(nextFireTime('cron(0 22 * * ? *)', 'UTC', new Date('2026-01-01T22:00:00Z'))?.toISOString()).toBe('2026-01-02T22:00:00.000Z');
  });
});

describe('rate()', () => {
  it('counts from the anchor, not from the question', () => {
    const anchor = new Date('2026-01-01T00:00:00Z');
    expect(iso(nextFireTimes('rate(15 minutes)', 'UTC', new Date('2026-01-01T01:07:00Z'), 3, { anchor }))).toEqual([
      '2026-01-01T01:15:00.000Z',
      '2026-01-01T01:30:00.000Z',
      '2026-01-01T01:45:00.000Z',
    ]);
    expect(iso(nextFireTimes('rate(1 hour)', 'UTC', new Date('2026-01-01T01:00:00Z'), 1, { anchor }))).toEqual(['2026-01-01T02:00:00.000Z']);
  });
  it('defaults the anchor to the instant asked about', () => {
    expect(iso(nextFireTimes('rate(1 day)', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z'), 2))).toEqual([
      '2026-03-29T12:00:00.000Z',
      '2026-03-30T12:00:00.000Z',
    ]);
  });
  it('elapsed time does not care about DST', () => {
    const anchor = new Date('2026-03-29T00:30:00Z');
    expect(iso(nextFireTimes('rate(30 minutes)', 'Europe/Berlin', anchor, 2, { anchor }))).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T01:30:00.000Z',
    ]);
  });
});

describe('at()', () => {
  it('fires once, in the schedule time zone', () => {
    const at = 'at(2026-07-01T22:15:00)';
    expect(iso(nextFireTimes(at, 'America/New_York', new Date('2026-01-01T00:00:00Z'), 5))).toEqual(['2026-07-02T02:15:00.000Z']);
    expect(nextFireTime(at, 'America/New_York', new Date('2026-07-02T02:15:00Z'))).toBeNull();
  });
  it('a time in the spring gap runs when the gap ends; a repeated time runs at its first pass', () => {
    expect(atInstant('at(2026-03-29T02:30:00)', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(atInstant('at(2026-11-01T01:30:00)', 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('bad input', () => {
  it('rejects an unknown time zone', () => {
    expect(() => nextFireTimes('rate(1 day)', 'Europe/Nowhere', new Date(), 1)).toThrow(ScheduleValidationError);
  });
  it('rejects a bad expression', () => {
    expect(() => nextFireTime('cron(0 0 * * * *)', 'UTC', new Date())).toThrow(/exactly one of day-of-month/);
  });
});
