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
    ['cron(10 0 ? * MON *)', 20, /cross midnight/],
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
