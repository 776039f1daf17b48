/**
 * The charts' pure parts at many scales: value ticks step by 1, 2 or 5 x 10^n and no two labels
 * read the same (the energy chart once labelled its axis "0.01 / 0 / 0"); energy in Wh, kWh or MWh
 * by size; time ticks on whole local steps; the advice grid's window hours; 5-minute averaging.
 */
import { describe, expect, it } from 'vitest';
import { decimalsFor, energyText, energyUnit, niceStep, niceTicks, timeTicks } from '../../web/src/ticks.ts';
import { nightsText, windowHoursOf } from '../../web/src/views/advice.ts';
import { bucketed } from '../../web/src/views/host-history.ts';

const isNice = (step: number): boolean => {
  const m = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  return [1, 2, 5].some((x) => Math.abs(m - x) < 1e-6);
};

describe('value ticks', () => {
  const ranges: Array<[number, number]> = [];
  for (let e = -4; e <= 7; e++) for (const m of [1, 1.3, 2.7, 4.9, 7.2]) ranges.push([0, m * 10 ** e]);
  ranges.push([0.004, 0.013], [-3.2, 4.1], [97, 103], [41.2, 41.9], [1_000_000, 1_000_400], [0.0001, 0.0002], [12, 12], [0, 0]);

  it.each(ranges)('from %s to %s: a 1/2/5 step, at most 6 ticks covering the range, labels all different', (lo, hi) => {
    const t = niceTicks(lo, hi, 4);
    expect(isNice(t.step)).toBe(true);
    expect(t.values.length).toBeGreaterThanOrEqual(2);
    expect(t.values.length).toBeLessThanOrEqual(6);
    expect(t.lo).toBeLessThanOrEqual(Math.min(lo, hi));
    expect(t.hi).toBeGreaterThanOrEqual(Math.max(lo, hi));
    expect(new Set(t.labels).size).toBe(t.labels.length);
    // Evenly spaced, and each label reads as its value.
    t.values.forEach((v, i) => {
      if (i) expect(v - t.values[i - 1]).toBeCloseTo(t.step, 9);
      expect(Number(t.labels[i].replace(/,/g, ''))).toBeCloseTo(v, 9);
    });
  });

  it('the range that printed "0.01 / 0 / 0" now reads 0.000, 0.005, 0.010, 0.015', () => {
    const t = niceTicks(0, 0.0113, 4);
    expect(t.labels).toEqual(['0.000', '0.005', '0.010', '0.015']);
    expect(niceTicks(0, 3.5, 4).labels).toEqual(['0', '1', '2', '3', '4']);
    expect(niceTicks(0, 2350, 4).labels).toEqual(['0', '1000', '2000', '3000']);
    expect(niceTicks(0, 100, 4).labels).toEqual(['0', '50', '100']);
  });

  it('a flat series gets a range around its value, never below zero for a positive one', () => {
    expect(niceTicks(0, 0).lo).toBe(0);
    const t = niceTicks(230, 230);
    expect(t.lo).toBeLessThan(230);
    expect(t.hi).toBeGreaterThan(230);
  });

  it('steps and decimals', () => {
    expect([niceStep(10, 4), niceStep(1, 4), niceStep(0.07, 4), niceStep(7000, 4)]).toEqual([5, 0.5, 0.02, 2000]);
    expect([decimalsFor(5), decimalsFor(0.5), decimalsFor(0.02), decimalsFor(0.001)]).toEqual([0, 1, 2, 3]);
  });
});

describe('energy units', () => {
  it('Wh below a kWh, kWh up to 1000, MWh above', () => {
    expect(energyUnit(0.012)).toEqual({ unit: 'Wh', perKwh: 1000 });
    expect(energyUnit(0)).toEqual({ unit: 'kWh', perKwh: 1 });
    expect(energyUnit(999)).toEqual({ unit: 'kWh', perKwh: 1 });
    expect(energyUnit(1000)).toEqual({ unit: 'MWh', perKwh: 0.001 });
    expect([0.0123, 0.5, 4.567, 45.67, 456.7, 4567, 1_234_567].map(energyText)).toEqual(['12.3 Wh', '500 Wh', '4.57 kWh', '45.7 kWh', '457 kWh', '4.57 MWh', '1235 MWh']);
    expect(energyText(0)).toBe('0 kWh');
  });
});

describe('time ticks', () => {
  const at = (iso: string) => Date.parse(iso);

  it('an hour gets quarter-hours; three days get whole days at local midnight, labelled with the day', () => {
    const hour = timeTicks(at('2026-11-26T10:03:00Z'), at('2026-11-26T11:03:00Z'), 5, 'UTC');
    expect(hour.map((t) => t.label)).toEqual(['10:15', '10:30', '10:45', '11:00']);
    const days = timeTicks(at('2026-11-23T10:00:00Z'), at('2026-11-26T10:00:00Z'), 4, 'Europe/Berlin');
    expect(days.map((t) => t.label)).toEqual(['Tue 24', 'Wed 25', 'Thu 26']);
    expect(days.map((t) => new Date(t.t).toISOString())).toEqual(['2026-11-23T23:00:00.000Z', '2026-11-24T23:00:00.000Z', '2026-11-25T23:00:00.000Z']);
  });

  it('a day gets 6-hour steps, midnight named by its day', () => {
    const day = timeTicks(at('2026-11-26T00:00:00Z'), at('2026-11-27T00:00:00Z'), 5, 'UTC');
    expect(day.map((t) => t.label)).toEqual(['Thu 26', '06:00', '12:00', '18:00', 'Fri 27']);
  });
});

describe('advice grid', () => {
  it("a window's hours: one starting before midnight runs into the next day; one after midnight belongs to the night before", () => {
    const evening = windowHoursOf([{ days: ['SUN'], start: '22:00', end: '02:00', hours: 4, hosts: 1, sleepExpression: '', wakeExpression: '', hostHours: 4, kWh: null, money: null, co2Kg: null }]);
    expect([...evening].sort((a, b) => a - b)).toEqual([0, 1, 166, 167]);
    const late = windowHoursOf([{ days: ['MON'], start: '01:00', end: '03:00', hours: 2, hosts: 1, sleepExpression: '', wakeExpression: '', hostHours: 2, kWh: null, money: null, co2Kg: null }]);
    expect([...late]).toEqual([25, 26]);
  });

  it('nights read as day names and ranges', () => {
    expect(nightsText(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'])).toBe('every night');
    expect(nightsText(['MON', 'TUE', 'WED', 'THU', 'FRI'])).toBe('Mon–Fri');
    expect(nightsText(['SAT', 'SUN'])).toBe('Sat, Sun');
  });
});

describe('five-minute averages', () => {
  it('readings of a bucket become one point at its start', () => {
    const t = Date.parse('2026-11-26T10:00:00Z');
    expect(bucketed([{ t: t + 10_000, v: 100 }, { t: t + 200_000, v: 110 }, { t: t + 300_000, v: 90 }])).toEqual([{ t, v: 105 }, { t: t + 300_000, v: 90 }]);
  });
});
