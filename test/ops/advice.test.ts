/**
 * Schedule advice on a generated week: samples made by the simulator's own load model (quiet
 * nights, busy days, each VM with its phase) for a pool in Europe/Berlin, fed to the pure core
 * with the real planner. The proposed window must hold every hour the model keeps quiet and none
 * it keeps busy, and its savings follow from the hosts' draw, the price and the grid intensity.
 * Too little history says how much is needed. The window rules are checked on hand-made weeks.
 */
import { describe, expect, it } from 'vitest';
import { LoadModel } from '../../lib/sim/xen/load-model.ts';
import { planSleep, type PlannerHost, type PlannerPolicy } from '../../lib/planner/index.ts';
import { scheduleAdvice, type AdviceInput, type AdviceVm } from '../../lib/ops/advice-rules.ts';
import { dayList, nightWindows, shareWindows, windowExpressions } from '../../lib/ops/advice-window.ts';
import { hourOfWeek, percentile } from '../../lib/ops/advice-demand.ts';
import { pricingOf, worthOf } from '../../lib/ops/energy-worth.ts';
import type { LoadSample } from '../../lib/store/index.ts';

const GiB = 1024 ** 3;
const HOUR = 3_600_000;
const BUCKET = 300_000;
const ZONE = 'Europe/Berlin';
/** Monday 5 January 2026, 00:00 in Berlin (UTC+1 in winter: no DST change in the weeks used). */
const MONDAY = Date.parse('2026-01-04T23:00:00Z');
const model = new LoadModel({ seed: 7, utcOffsetMinutes: 60 });

const hosts: PlannerHost[] = Array.from({ length: 6 }, (_, i) => ({ id: `host-${i + 1}`, memoryBytes: 256 * GiB, reservedMemoryBytes: 4 * GiB, cpus: 16, state: 'on', isMaster: i === 0 }));
const vms: AdviceVm[] = Array.from({ length: 24 }, (_, i) => ({
  id: `vm-${String(i + 1).padStart(2, '0')}`,
  uuid: `0000000${i.toString(16)}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`,
  memoryBytes: 16 * GiB,
  vcpus: 8,
  hostId: hosts[i % hosts.length].id,
}));
const policy: PlannerPolicy = { haFailuresToTolerate: 1, headroomPercent: 10, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 2 };

/** One sample per host per bucket from `from` for `days`, each VM at the model's figures of that minute. */
function generate(from: number, days: number, everyMs = BUCKET): LoadSample[] {
  const out: LoadSample[] = [];
  for (let t = from; t < from + days * 24 * HOUR; t += everyMs) {
    for (const h of hosts) {
      const resident = vms.filter((v) => v.hostId === h.id);
      const figures = resident.map((v) => {
        const busy = model.vcpuBusy(v.uuid, v.vcpus, t);
        return { uuid: v.uuid, vmId: v.id, cpuPercent: (100 * busy.reduce((a, b) => a + b, 0)) / busy.length, hostCpuPercent: null, memoryUsedBytes: Math.round(model.memoryUsed(v.uuid, t) * v.memoryBytes), memoryBytes: v.memoryBytes };
      });
      const demand = resident.reduce((a, v) => a + model.vcpuBusy(v.uuid, v.vcpus, t).reduce((x, y) => x + y, 0), 0);
      const cpu = model.hostCpuBusy(h.id, h.cpus, demand, t);
      out.push({
        poolId: 'p',
        hostId: h.id,
        at: new Date(t).toISOString(),
        host: { cpuPercent: (100 * cpu.reduce((a, b) => a + b, 0)) / cpu.length, memoryUsedBytes: null, memoryTotalBytes: h.memoryBytes },
        vms: figures,
        expiresAt: 0,
      });
    }
  }
  return out;
}

function input(samples: LoadSample[], now: number, pool: Parameters<typeof pricingOf>[0] = {}): AdviceInput {
  return {
    poolId: 'p',
    timeZone: ZONE,
    now,
    days: 14,
    hosts,
    vms,
    policy,
    samples,
    plan: (forHour) => planSleep(hosts, forHour, policy),
    watts: hosts.map((h) => ({ hostId: h.id, watts: 150, source: 'energy' as const })),
    pricing: pricingOf(pool),
  };
}

/** The model's activity (0 night .. 1 day) of every VM that has a daily rhythm, over a local hour of the day. */
function activityOver(hourOfDay: number): number[] {
  const rhythmic = vms.map((v) => model.profile(v.uuid)).filter((p) => !p.steady);
  const out: number[] = [];
  for (let m = 0; m < 60; m += 5) for (const p of rhythmic) out.push(model.activity(MONDAY + hourOfDay * HOUR + m * 60_000, p.phaseHours));
  return out;
}

describe('schedule advice on a generated week', () => {
  const samples = generate(MONDAY, 8);
  const now = MONDAY + 8 * 24 * HOUR;

  it('proposes one window for every night that holds the quiet hours of the load and none of its busy ones, with savings in kWh, money and CO2', () => {
    const started = Date.now();
    const a = scheduleAdvice(input(samples, now, { electricityPricePerKwh: 0.25, electricityCurrency: 'EUR', gridCarbonGramsPerKwh: 400 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(a.history).toMatchObject({ enough: true, hoursCovered: 168, daysCovered: 8 });
    expect(a.week).toHaveLength(168);
    // At night the planner's own count holds (memory, vCPUs, HA); by day the CPU ceiling keeps every host on.
    const planned = planSleep(hosts, vms, policy).sleep.length;
    expect(planned).toBeGreaterThanOrEqual(2);
    const quiet = Array.from({ length: 24 }, (_, h) => h).filter((h) => Math.max(...activityOver(h)) === 0);
    const busy = Array.from({ length: 24 }, (_, h) => h).filter((h) => (percentile(activityOver(h), 50) ?? 0) > 0.3);
    expect(quiet.length).toBeGreaterThanOrEqual(4);
    expect(busy.length).toBeGreaterThanOrEqual(8);
    for (const day of [0, 3, 6]) {
      for (const h of quiet) expect(a.week[day * 24 + h]).toMatchObject({ hostsCanSleep: planned, keptBy: 'plan' });
      for (const h of busy) expect(a.week[day * 24 + h]).toMatchObject({ hostsCanSleep: 0, keptBy: 'cpu' });
    }
    expect(a.alwaysSpare).toBe(0);

    expect(a.proposal).toHaveLength(1);
    const w = a.proposal[0];
    expect(w.days).toEqual(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);
    expect(w.hosts).toBe(planned);
    const start = Number(w.start.slice(0, 2));
    const windowHours = Array.from({ length: w.hours }, (_, i) => (start + i) % 24);
    for (const h of quiet) expect(windowHours).toContain(h);
    for (const h of busy) expect(windowHours).not.toContain(h);
    expect(w.end).toBe(`${String((start + w.hours) % 24).padStart(2, '0')}:00`);
    expect(w.sleepExpression).toBe(`cron(0 ${start} ? * * *)`);
    expect(w.wakeExpression).toBe(`cron(0 ${(start + w.hours) % 24} ? * * *)`);

    // `planned` hosts of 150 W for the window's hours on 7 nights.
    const kWh = (planned * 150 * w.hours * 7) / 1000;
    expect(w.kWh).toBeCloseTo(kWh, 6);
    expect(w.hostHours).toBe(planned * w.hours * 7);
    expect(a.savingsPerWeek).toEqual({ hostHours: planned * w.hours * 7, kWh: w.kWh, money: Math.round(kWh * 0.25 * 100) / 100, co2Kg: Math.round(kWh * 400) / 1000 });
    expect(a.pricing).toEqual({ electricityPricePerKwh: 0.25, currency: 'EUR', gridCarbonGramsPerKwh: 400 });
    expect(a.summary).toContain(`Sleep ${planned} hosts from ${w.start} to ${w.end} (every night)`);
    expect(a.summary).toContain(`${(a.savingsPerWeek.money as number).toFixed(2)} EUR`);
    expect(a.summary).toContain('kg CO2');
    expect(a.notes.join(' ')).not.toMatch(/Set electricity|Set grid/);
  });

  it('without a price or an intensity, savings are kWh only and the notes say what to set', () => {
    const a = scheduleAdvice(input(samples, now));
    expect(a.savingsPerWeek.kWh).toBeGreaterThan(0);
    expect(a.savingsPerWeek).toMatchObject({ money: null, co2Kg: null });
    expect(a.notes).toEqual(expect.arrayContaining([expect.stringContaining('electricityPricePerKwh'), expect.stringContaining('gridCarbonGramsPerKwh')]));
  });

  it('where the plan sleeps no host (every host held), no window is proposed', () => {
    const held = { ...input(samples, now), plan: () => ({ sleep: [], migrations: [], keep: [], hostsOn: 6, lowerBound: 4, migratedBytes: 0, why: 'held' }) };
    const a = scheduleAdvice(held);
    expect(a.proposal).toEqual([]);
    expect(a.week.every((h) => h.hostsCanSleep === 0)).toBe(true);
    expect(a.summary).toBe('No sleep window: in no run of hours can a host sleep.');
  });

  it('three days of history is too little: the answer says how much is needed and proposes nothing', () => {
    const short = generate(MONDAY, 3);
    const a = scheduleAdvice(input(short, MONDAY + 3 * 24 * HOUR));
    expect(a.history).toMatchObject({ enough: false, daysCovered: 3, hoursCovered: 72, needs: { days: 7, hoursCovered: 160 } });
    expect(a.week).toEqual([]);
    expect(a.proposal).toEqual([]);
    expect(a.summary).toMatch(/^Schedule advice needs 7 days of load samples covering at least 160 of the 168 hours of the week; the last 14 days hold 3 days covering 72 hours\./);
    expect(scheduleAdvice(input([], MONDAY)).history).toMatchObject({ enough: false, buckets: 0, daysCovered: 0, first: null });
  });
});

describe('hour of the week', () => {
  it('is local to the pool: Monday 00:00 in Berlin is hour 0, Sunday 23:00 is 167, across a DST change too', () => {
    expect(hourOfWeek(MONDAY, ZONE)).toBe(0);
    expect(hourOfWeek(MONDAY - HOUR, ZONE)).toBe(167);
    expect(hourOfWeek(MONDAY, 'UTC')).toBe(167);
    // Sunday 29 March 2026, 03:00 CEST is 01:00Z: hour 6*24+3.
    expect(hourOfWeek(Date.parse('2026-03-29T01:00:00Z'), ZONE)).toBe(6 * 24 + 3);
  });
});

describe('the window rules', () => {
  /** A week with `n` hosts free from `from` to `to` (local hours, across midnight) on the day each run starts, `base` elsewhere. */
  const week = (runs: Array<[from: number, to: number, n: number] | null>, base = 0): number[] => {
    const levels = Array<number>(168).fill(base);
    runs.forEach((run, day) => {
      if (!run) return;
      const [from, to, n] = run;
      const length = (to - from + 24) % 24;
      for (let i = 0; i < length; i++) levels[(day * 24 + from + i) % 168] = n;
    });
    return levels;
  };

  it('takes the run across midnight, keeps a busier hour inside it where that saves more, and drops runs shorter than the minimum', () => {
    const levels = week(Array(7).fill([22, 6, 3]));
    levels[2 * 24 + 2] = 2; // Wednesday 02:00: one host fewer for an hour
    levels[4 * 24 + 14] = 5; // Friday 14:00: a single free hour, too short
    const nights = nightWindows(levels);
    expect(nights[0]).toEqual({ day: 0, startHour: 22, hours: 8, hosts: 3 });
    // Tuesday's night: 8 hours of 2 (16) beats 4 hours of 3 (12).
    expect(nights[1]).toEqual({ day: 1, startHour: 24 + 22, hours: 8, hosts: 2 });
    expect(nights[4]).toEqual({ day: 4, startHour: 4 * 24 + 22, hours: 8, hosts: 3 });
    expect(nightWindows(week([[1, 3, 4], null, null, null, null, null, null]))).toEqual(Array(7).fill(null));
  });

  it('nights within an hour of each other share one window (their common hours); others keep their own', () => {
    // Weeknights from about 22:00 to 06:00; the weekend's nights (Saturday's, Sunday's) late, from 01:00 to 10:00 the next morning.
    const levels = week([[22, 6, 2], [23, 6, 2], [22, 5, 2], [22, 6, 2], [22, 6, 2], null, [1, 10, 3]]);
    for (let h = 1; h < 10; h++) levels[h] = 3;
    const shared = shareWindows(levels, nightWindows(levels));
    expect(shared).toEqual([
      { days: [0, 1, 2, 3, 4], startHourOfDay: 23, endHourOfDay: 5, hours: 6, hostsPerDay: [2, 2, 2, 2, 2] },
      { days: [5, 6], startHourOfDay: 1, endHourOfDay: 10, hours: 9, hostsPerDay: [3, 3] },
    ]);
    // The weekend window starts after midnight: it fires on Sunday and Monday mornings.
    expect(windowExpressions(shared[0])).toEqual({ sleep: 'cron(0 23 ? * MON-FRI *)', wake: 'cron(0 5 ? * TUE-SAT *)' });
    expect(windowExpressions(shared[1])).toEqual({ sleep: 'cron(0 1 ? * MON,SUN *)', wake: 'cron(0 10 ? * MON,SUN *)' });
  });

  it('hosts free in every hour are set apart, so the window follows the quieter hours', () => {
    const levels = week(Array(7).fill([0, 6, 3]), 1);
    expect(nightWindows(levels)[0]).toEqual({ day: 0, startHour: 24, hours: 6, hosts: 3 });
    expect(nightWindows(Array(168).fill(2))).toEqual(Array(7).fill(null));
  });

  it('day lists read as cron fields', () => {
    expect(dayList([0, 1, 2, 3, 4, 5, 6])).toBe('*');
    expect(dayList([4, 0, 1, 2, 3])).toBe('MON-FRI');
    expect(dayList([5, 6])).toBe('SAT,SUN');
    expect(dayList([0, 2, 3, 4, 6])).toBe('MON,WED-FRI,SUN');
  });
});

describe('what energy is worth', () => {
  it('needs a price and its currency for money, an intensity for CO2; never guesses', () => {
    expect(worthOf(10, pricingOf({ electricityPricePerKwh: 0.3, electricityCurrency: 'EUR', gridCarbonGramsPerKwh: 250 }))).toEqual({ money: 3, co2Kg: 2.5 });
    expect(pricingOf({ electricityPricePerKwh: 0.3 })).toEqual({ electricityPricePerKwh: null, currency: null, gridCarbonGramsPerKwh: null });
    expect(worthOf(null, pricingOf({ electricityPricePerKwh: 0.3, electricityCurrency: 'EUR', gridCarbonGramsPerKwh: 250 }))).toEqual({ money: null, co2Kg: null });
    expect(worthOf(1.234, pricingOf({ electricityPricePerKwh: 0.1, electricityCurrency: 'GBP' }))).toEqual({ money: 0.12, co2Kg: null });
  });
});
