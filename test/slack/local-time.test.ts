import { describe, expect, it } from 'vitest';
import { describeLocal, nextLocalTime, parseTimeOfDay } from '../../lib/slack/index.ts';

const at = (hhmm: string) => {
  const t = parseTimeOfDay(hhmm);
  if (!t) throw new Error(hhmm);
  return t;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const next = (nowIso: string, hhmm: string, zone: string): string => iso(nextLocalTime(Date.parse(nowIso), at(hhmm), zone));

describe('nextLocalTime', () => {
  it('later today, or tomorrow when the time has passed or is now (strictly after now)', () => {
    // 13:00 Berlin (CET, +1) is exactly now: the next one is tomorrow.
    expect(next('2025-01-15T12:00:00Z', '13:00', 'Europe/Berlin')).toBe('2025-01-16T12:00:00.000Z');
    expect(next('2025-01-15T12:00:00Z', '13:01', 'Europe/Berlin')).toBe('2025-01-15T12:01:00.000Z');
    expect(next('2025-01-15T12:00:00Z', '08:00', 'Europe/Berlin')).toBe('2025-01-16T07:00:00.000Z');
    expect(next('2025-01-15T12:00:00Z', '08:00', 'UTC')).toBe('2025-01-16T08:00:00.000Z');
  });

  it('works in the pool zone, not the server zone, across midnight', () => {
    // 23:30 in New York (EST, -5) is 04:30 UTC the next day.
    expect(next('2025-01-15T03:00:00Z', '23:30', 'America/New_York')).toBe('2025-01-15T04:30:00.000Z');
    // 23:45 on the 14th in New York, already the 15th in UTC: the next 23:30 is on the 15th there.
    expect(next('2025-01-15T04:45:00Z', '23:30', 'America/New_York')).toBe('2025-01-16T04:30:00.000Z');
  });

  describe('spring forward (Europe/Berlin, 2025-03-30: 02:00 CET becomes 03:00 CEST)', () => {
    const evening = '2025-03-29T21:00:00Z'; // 22:00 CET
    it('a time after the change uses the new offset', () => {
      expect(next(evening, '08:00', 'Europe/Berlin')).toBe('2025-03-30T06:00:00.000Z');
    });
    it('a time before the change uses the old offset', () => {
      expect(next(evening, '01:30', 'Europe/Berlin')).toBe('2025-03-30T00:30:00.000Z');
    });
    it('a time in the gap means the first instant after it (03:00 CEST)', () => {
      expect(next(evening, '02:30', 'Europe/Berlin')).toBe('2025-03-30T01:00:00.000Z');
      expect(describeLocal(Date.parse('2025-03-30T01:00:00Z'), 'Europe/Berlin')).toBe('2025-03-30 03:00 Europe/Berlin');
    });
    it('the same in New York (2025-03-09, 02:00 EST becomes 03:00 EDT)', () => {
      expect(next('2025-03-09T03:00:00Z', '08:00', 'America/New_York')).toBe('2025-03-09T12:00:00.000Z');
      expect(next('2025-03-09T03:00:00Z', '02:15', 'America/New_York')).toBe('2025-03-09T07:00:00.000Z');
    });
  });

  describe('fall back (Europe/Berlin, 2025-10-26: 03:00 CEST becomes 02:00 CET)', () => {
    it('a time after the change uses the new offset', () => {
      expect(next('2025-10-25T20:00:00Z', '08:00', 'Europe/Berlin')).toBe('2025-10-26T07:00:00.000Z');
    });
    it('a repeated time: the first showing when it lies ahead', () => {
      expect(next('2025-10-25T20:00:00Z', '02:30', 'Europe/Berlin')).toBe('2025-10-26T00:30:00.000Z');
    });
    it('a repeated time: the second showing once the first has passed', () => {
      // 02:45 CEST, first pass: the clock shows 02:30 again at 02:30 CET.
      expect(next('2025-10-26T00:45:00Z', '02:30', 'Europe/Berlin')).toBe('2025-10-26T01:30:00.000Z');
      // After both: tomorrow.
      expect(next('2025-10-26T01:45:00Z', '02:30', 'Europe/Berlin')).toBe('2025-10-27T01:30:00.000Z');
    });
  });

  it('a zone on a half hour, and one with no DST', () => {
    expect(next('2025-06-01T00:00:00Z', '08:00', 'Asia/Kolkata')).toBe('2025-06-01T02:30:00.000Z');
    expect(next('2025-06-01T00:00:00Z', '08:00', 'Asia/Tokyo')).toBe('2025-06-01T23:00:00.000Z');
  });

  it('refuses an unknown zone', () => {
    expect(() => nextLocalTime(0, at('08:00'), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('parseTimeOfDay', () => {
  it.each([
    ['08:00', { hour: 8, minute: 0 }],
    ['8:00', { hour: 8, minute: 0 }],
    ['23:59', { hour: 23, minute: 59 }],
    ['00:00', { hour: 0, minute: 0 }],
  ])('%s', (t, want) => expect(parseTimeOfDay(t)).toEqual(want));
  it.each(['24:00', '8', '08:0', '08:60', '8am', '-1:00', ''])('not %j', (t) => expect(parseTimeOfDay(t)).toBeUndefined());
});
