import { describe, expect, it } from 'vitest';
import { shiftCronEarlier } from '../../lib/schedules/lead.ts';

describe('shiftCronEarlier', () => {
  it.each([
    ['cron(0 7 ? * MON-FRI *)', 20, 'cron(40 6 ? * MON-FRI *)'],
    ['cron(30 6 * * ? *)', 12.5, 'cron(17 6 * * ? *)'],
    ['cron(0 1 ? * SUN *)', 60, 'cron(0 0 ? * SUN *)'],
  ])('%s earlier by %s min is %s', (expr, min, want) => {
    expect(shiftCronEarlier(expr, min)).toEqual({ expression: want, shiftedBy: Math.ceil(min) });
  });

  it.each([
    ['cron(10 0 ? * MON *)', 20, 'cron(50 23 ? * SUN *)'],
    ['cron(10 0 ? * MON-FRI *)', 25, 'cron(45 23 ? * SUN-THU *)'],
    ['cron(5 0 ? * SUN-TUE,SAT *)', 10, 'cron(55 23 ? * SAT,SUN-MON,FRI *)'],
    ['cron(10 0 * * ? *)', 25, 'cron(45 23 * * ? *)'],
    ['cron(0 0 1 * ? *)', 30, 'cron(30 23 L * ? *)'],
    ['cron(0 0 2,10-28 * ? *)', 30, 'cron(30 23 1,9-27 * ? *)'],
  ])('%s earlier by %s min crosses midnight: %s, one day earlier', (expr, min, want) => {
    expect(shiftCronEarlier(expr, min)).toEqual({ expression: want, shiftedBy: min, daysEarlier: 1 });
  });

  it.each([
    ['cron(10 0 ? 3 MON *)', 20, /names months or years/],
    ['cron(10 0 ? * MON 2026)', 20, /names months or years/],
    ['cron(10 0 L * ? *)', 20, /no exact day before/],
    ['cron(10 0 31 * ? *)', 20, /no exact day before/],
    ['cron(10 0 ? * MON#1 *)', 20, /no exact day before/],
    ['cron(0 1 ? * * *)', 24 * 60 + 61, /longer than a day/],
    ['cron(0 6,7 ? * MON-FRI *)', 10, /one minute and one hour/],
    ['cron(0/15 * * * ? *)', 10, /one minute and one hour/],
    ['rate(1 hour)', 10, /rate\(\) schedules/],
  ])('%s is kept as it is (%s)', (expr, min, why) => {
    const r = shiftCronEarlier(expr, min);
    expect(r.expression).toBe(expr);
    expect(r.shiftedBy).toBe(0);
    expect('why' in r ? r.why : '').toMatch(why);
  });
});
