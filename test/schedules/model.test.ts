/** decide(): a schedule's exceptions applied to one fire instant. */
import { describe, expect, it } from 'vitest';
import { decide, validateSchedule, type Schedule } from '../../lib/schedules/model.ts';
import { ScheduleValidationError } from '../../lib/schedules/errors.ts';

const sleep: Schedule = {
  name: 'pool-a-sleep',
  poolId: 'pool-a',
  action: 'sleep',
  expression: 'cron(0 22 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  enabled: true,
  exceptions: {},
};
const wake: Schedule = { ...sleep, name: 'pool-a-wake', action: 'wake', expression: 'cron(0 6 ? * MON-FRI *)' };
// Mon 2026-06-01 22:00 Berlin (CEST) = 20:00Z; Tue 22:00 = 2026-06-02T20:00Z
const mon = new Date('2026-06-01T20:00:00Z');
const tue = new Date('2026-06-02T20:00:00Z');
const monMorning = new Date('2026-06-01T04:00:00Z');

describe('decide', () => {
  it('runs the action on the whole pool by default', () => {
    expect(decide(sleep, mon)).toEqual({ run: true, action: 'sleep', hostIds: undefined, excludeHostIds: [] });
  });

  it('runs on the listed hosts', () => {
    expect(decide({ ...sleep, hostIds: ['h1', 'h2'] }, mon)).toEqual({ run: true, action: 'sleep', hostIds: ['h1', 'h2'], excludeHostIds: [] });
  });

  it('does not run when disabled', () => {
    expect(decide({ ...sleep, enabled: false }, mon)).toMatchObject({ run: false, reason: 'disabled' });
  });

  describe('skip tonight', () => {
    const s: Schedule = { ...sleep, exceptions: { skipOnce: { date: '2026-06-01', reason: 'late batch job' } } };
    it('skips the occurrence on that local date', () => {
      expect(decide(s, mon)).toEqual({ run: false, reason: 'skip-once', detail: 'skipped once on 2026-06-01: late batch job' });
    });
    it('runs the next night again', () => {
      expect(decide(s, tue)).toMatchObject({ run: true, action: 'sleep' });
    });
    it('uses the local date, not the UTC date', () => {
      // 00:30 Berlin on 2 June is still 1 June in UTC
      const late: Schedule = { ...sleep, expression: 'cron(30 0 * * ? *)', exceptions: { skipOnce: { date: '2026-06-02' } } };
      expect(decide(late, new Date('2026-06-01T22:30:00Z'))).toMatchObject({ run: false, reason: 'skip-once' });
    });
    it('skips only the first occurrence of that date', () => {
      const hourly: Schedule = { ...sleep, action: 'poll-sensors', expression: 'cron(0 * * * ? *)', exceptions: { skipOnce: { date: '2026-06-01' } } };
      expect(decide(hourly, new Date('2026-05-31T22:00:00Z'))).toMatchObject({ run: false, reason: 'skip-once' }); // 00:00 local, the first
      expect(decide(hourly, new Date('2026-05-31T23:00:00Z'))).toMatchObject({ run: true }); // 01:00 local
      expect(decide(hourly, new Date('2026-06-01T00:00:00Z'))).toMatchObject({ run: true }); // 02:00 local
    });
    it('skips only the first rate() occurrence of that date', () => {
      const rate: Schedule = { ...sleep, action: 'poll-sensors', expression: 'rate(6 hours)', timezone: 'UTC', exceptions: { skipOnce: { date: '2026-06-01' } } };
      expect(decide(rate, new Date('2026-06-01T03:00:00Z'))).toMatchObject({ run: false, reason: 'skip-once' });
      expect(decide(rate, new Date('2026-06-01T09:00:00Z'))).toMatchObject({ run: true });
    });
  });

  describe('hold the pool awake', () => {
    const held = (s: Schedule): Schedule => ({ ...s, exceptions: { holdAwakeUntil: { until: '2026-06-02T06:00:00Z', reason: 'release night' } } });
    it('sleep does not run before the hold ends', () => {
      expect(decide(held(sleep), mon)).toEqual({
        run: false,
        reason: 'held-awake',
        detail: 'pool pool-a held awake until 2026-06-02T06:00:00Z: release night',
      });
      expect(decide(held({ ...sleep, action: 'power-off' }), mon)).toMatchObject({ run: false, reason: 'held-awake' });
    });
    it('resumes by itself after the hold', () => {
      expect(decide(held(sleep), tue)).toMatchObject({ run: true, action: 'sleep' });
    });
    it('does not stop wake or sensor polling', () => {
      expect(decide(held(wake), monMorning)).toMatchObject({ run: true, action: 'wake' });
      expect(decide(held({ ...sleep, action: 'poll-sensors' }), mon)).toMatchObject({ run: true, action: 'poll-sensors' });
    });
  });

  describe('keep a host off', () => {
    const exceptions = { keepOff: [{ hostId: 'h2', until: '2026-06-02', reason: 'failed PSU' }] };
    it('leaves the host out of wake actions before the date', () => {
      expect(decide({ ...wake, exceptions }, monMorning)).toEqual({ run: true, action: 'wake', hostIds: undefined, excludeHostIds: ['h2'] });
      expect(decide({ ...wake, hostIds: ['h1', 'h2'], exceptions }, monMorning)).toEqual({ run: true, action: 'wake', hostIds: ['h1'], excludeHostIds: ['h2'] });
      expect(decide({ ...wake, action: 'power-on', hostIds: ['h1', 'h3'], exceptions }, monMorning)).toEqual({ run: true, action: 'power-on', hostIds: ['h1', 'h3'], excludeHostIds: [] });
    });
    it('includes it again from the date on', () => {
      expect(decide({ ...wake, exceptions }, new Date('2026-06-02T04:00:00Z'))).toMatchObject({ run: true, excludeHostIds: [] });
    });
    it('does not run when every target host is kept off', () => {
      expect(decide({ ...wake, hostIds: ['h2'], exceptions }, monMorning)).toMatchObject({ run: false, reason: 'hosts-kept-off' });
    });
    it('does not affect sleep', () => {
      expect(decide({ ...sleep, hostIds: ['h2'], exceptions }, mon)).toMatchObject({ run: true, hostIds: ['h2'] });
    });
  });

  describe('calendar', () => {
    const exceptions = {
      calendar: [
        { date: '2026-06-01', kind: 'skip' as const, label: 'Whit Monday' },
        { date: '2026-06-02', kind: 'replace' as const, action: 'power-off' as const, label: 'patch window' },
      ],
    };
    it('does not run on a skip date', () => {
      expect(decide({ ...sleep, exceptions }, mon)).toEqual({ run: false, reason: 'calendar-skip', detail: 'calendar: no run on 2026-06-01 (Whit Monday)' });
    });
    it('runs another action on a replace date', () => {
      expect(decide({ ...sleep, exceptions }, tue)).toEqual({
        run: true,
        action: 'power-off',
        hostIds: undefined,
        excludeHostIds: [],
        replacedBy: 'calendar 2026-06-02 (patch window): power-off instead of sleep',
      });
    });
    it('a replaced sleep-type action still respects a hold', () => {
      const s: Schedule = { ...wake, exceptions: { ...exceptions, holdAwakeUntil: { until: '2026-06-03T00:00:00Z' } } };
      expect(decide(s, new Date('2026-06-02T04:00:00Z'))).toMatchObject({ run: false, reason: 'held-awake' });
    });
  });
});

describe('validateSchedule', () => {
  it('accepts a good schedule', () => {
    expect(validateSchedule(sleep)).toBe(sleep);
  });
  it.each([
    [{ name: 'has space' }, 'name'],
    [{ poolId: '' }, 'poolId'],
    [{ hostIds: [] }, 'hostIds'],
    [{ action: 'reboot' }, 'action'],
    [{ expression: 'cron(0 22 * * * *)' }, 'expression'],
    [{ timezone: 'Berlin' }, 'timezone'],
    [{ exceptions: { skipOnce: { date: '2026-02-30' } } }, 'exceptions'],
    [{ exceptions: { holdAwakeUntil: { until: 'tomorrow' } } }, 'exceptions'],
    [{ exceptions: { calendar: [{ date: '2026-06-01', kind: 'replace', action: 'dance' }] } }, 'exceptions'],
  ])('rejects %j on field %s', (over, field) => {
    const bad = { ...sleep, ...over } as Schedule;
    try {
      validateSchedule(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScheduleValidationError);
      expect((err as ScheduleValidationError).field).toBe(field);
    }
  });
});
