/** cpuDemands: the p95 of a VM's CPU in each of the night's local hours over the last nights (the busiest hour), and when there is too little to say. */
import { describe, expect, it } from 'vitest';
import { PlannerInputError, cpuDemands, planSleep, withCpuDemands, type CpuSample, type NightHours, type PlannerVm } from '../../lib/planner/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const UTC_NIGHT: NightHours = { start: '22:00', end: '06:00', timeZone: 'UTC' };
/** Planning at 22:00 UTC on 2025-03-10: the last 7 nights are those starting on the 3rd to the 9th. */
const NOW = Date.UTC(2025, 2, 10, 22, 0);

/** One sample every 5 minutes from `from` (epoch ms) for `count` samples, percent from `percent(k)`. */
function every5(from: number, count: number, percent: (k: number) => number | null): CpuSample[] {
  return Array.from({ length: count }, (_, k) => ({ at: from + k * 5 * MIN, cpuPercent: percent(k) }));
}

/** The 96 buckets of the night that starts at 22:00 UTC `daysBack` days before NOW. */
const nightOf = (daysBack: number, percent: (k: number) => number | null): CpuSample[] => every5(NOW - daysBack * DAY, 96, percent);

describe('cpuDemands: which samples count', () => {
  it('takes the p95 (nearest rank) of the cores in each hour of the night over the last nights, and the busiest hour', () => {
    // 7 nights x 96 samples; percent k % 100 of 4 vCPUs, so cores = 0.04 x (k % 100).
    const samples = [1, 2, 3, 4, 5, 6, 7].flatMap((d) => nightOf(d, (k) => k % 100));
    const [d] = cpuDemands([{ vmId: 'v', vcpus: 4, samples }], { night: UTC_NIGHT, now: NOW });
    expect(d.samples).toBe(7 * 96);
    expect(d.nights).toBe(7);
    // The last hour (05:00-06:00) holds k = 84..95, seven of each: its rank 80 of 84 is 95 %.
    const lastHour = samples.filter((s) => new Date(s.at).getUTCHours() === 5).map((s) => ((s.cpuPercent as number) / 100) * 4).sort((a, b) => a - b);
    expect(d.cpuDemand).toBe(lastHour[Math.ceil(0.95 * lastHour.length) - 1]);
    expect(d.cpuDemand).toBeCloseTo(0.04 * 95, 10);
    expect(d.why).toBeUndefined();
  });

  it('a peak at the same hour every night counts, where a percentile of all the night would drop it', () => {
    // 10 % all night, but 60 % in the last 20 minutes of every night (a morning ramp): 4 of 96 samples.
    const samples = [1, 2, 3, 4, 5, 6, 7].flatMap((d) => nightOf(d, (k) => (k >= 92 ? 60 : 10)));
    const [d] = cpuDemands([{ vmId: 'v', vcpus: 4, samples }], { night: UTC_NIGHT, now: NOW });
    // Pooled, 28 of 672 samples are under 5 %: the p95 of all hours would say 0.4 cores.
    expect(d.cpuDemand).toBeCloseTo(2.4, 10);
  });

  it('leaves out daytime, the night in progress, anything older than the window and buckets that start outside it', () => {
    const night = nightOf(1, () => 10); // 10 % of 2 vCPUs = 0.2 cores
    const older = nightOf(2, () => 20);
    const day = every5(NOW - DAY + 9 * HOUR, 96, () => 100); // 07:00-15:00
    const tooOld = nightOf(9, () => 100); // outside nights: 2
    const tonight = every5(NOW, 12, () => 100); // not before now
    const edge = [
      { at: NOW - DAY - 5 * MIN, cpuPercent: 100 }, // the 21:55 bucket: before the night
      { at: NOW - DAY + 8 * HOUR, cpuPercent: 100 }, // the 06:00 bucket: after it
    ];
    const [d] = cpuDemands([{ vmId: 'v', vcpus: 2, samples: [...day, ...night, ...tooOld, ...tonight, ...edge, ...older] }], { night: UTC_NIGHT, now: NOW, nights: 2 });
    expect(d).toMatchObject({ samples: 192, nights: 2 });
    // 96 of 0.2 and 96 of 0.4: the p95 is 0.4.
    expect(d.cpuDemand).toBeCloseTo(0.4, 12);
  });

  it('reads the hours as local time in the night\'s time zone, across a DST change', () => {
    // Europe/Paris moves to summer time on 2025-03-30 at 02:00. A night of 01:00-03:00 local is
    // 00:00-02:00 UTC before the change and 23:00-01:00 UTC after it.
    const now = Date.UTC(2025, 3, 2, 12, 0);
    const night: NightHours = { start: '01:00', end: '03:00', timeZone: 'Europe/Paris' };
    const before = every5(Date.UTC(2025, 2, 28, 0, 0), 24, () => 50); // 01:00-03:00 CET
    const beforeOutside = every5(Date.UTC(2025, 2, 28, 2, 0), 12, () => 100); // 03:00-04:00 CET
    const after = every5(Date.UTC(2025, 3, 1, 23, 0), 24, () => 50); // 01:00-03:00 CEST
    const afterOutside = every5(Date.UTC(2025, 3, 1, 22, 0), 12, () => 100); // 00:00-01:00 CEST
    const [d] = cpuDemands([{ vmId: 'v', vcpus: 2, samples: [...before, ...beforeOutside, ...after, ...afterOutside] }], { night, now, nights: 7 });
    expect(d).toMatchObject({ samples: 48, nights: 2, cpuDemand: 1 });
  });

  it('skips null samples, counts a little over 100 % as 100 %, and uses the vCPUs of the time', () => {
    const samples: CpuSample[] = [
      ...nightOf(1, (k) => (k % 2 === 0 ? null : 25)),
      ...nightOf(2, () => 25).map((s) => ({ ...s, vcpus: 8 })), // 2 cores then
      { at: NOW - 3 * DAY, cpuPercent: 100.4 },
    ];
    const [d] = cpuDemands([{ vmId: 'v', vcpus: 4, samples }], { night: UTC_NIGHT, now: NOW, percentile: 100 });
    expect(d.samples).toBe(48 + 96 + 1);
    expect(d.cpuDemand).toBe(4); // 100 % of 4 vCPUs, not 100.4 %
    const [p50] = cpuDemands([{ vmId: 'v', vcpus: 4, samples }], { night: UTC_NIGHT, now: NOW, percentile: 50 });
    expect(p50.cpuDemand).toBe(2); // 96 samples at 2 cores of 145: the median
  });
});

describe('cpuDemands: too little history', () => {
  it('gives no demand below the fewest samples or nights, and says why', () => {
    const oneNight = nightOf(1, () => 90);
    const thin = [...every5(NOW - DAY, 10, () => 90), ...every5(NOW - 2 * DAY, 10, () => 90)];
    const [a, b, c] = cpuDemands(
      [
        { vmId: 'one-night', vcpus: 2, samples: oneNight },
        { vmId: 'thin', vcpus: 2, samples: thin },
        { vmId: 'new', vcpus: 2, samples: [] },
      ],
      { night: UTC_NIGHT, now: NOW },
    );
    expect(a).toEqual({ vmId: 'one-night', samples: 96, nights: 1, why: "96 sample(s) over 1 night(s) in the night's hours; a demand needs 24 over 2" });
    expect(b.cpuDemand).toBeUndefined();
    expect(b.why).toMatch(/^20 sample\(s\) over 2 night\(s\)/);
    expect(c).toMatchObject({ samples: 0, nights: 0 });
    expect(c.cpuDemand).toBeUndefined();
    // Lower thresholds: the same samples are enough.
    const [a1, b1] = cpuDemands([{ vmId: 'one-night', vcpus: 2, samples: oneNight }, { vmId: 'thin', vcpus: 2, samples: thin }], { night: UTC_NIGHT, now: NOW, minNights: 1, minSamples: 20 });
    expect(a1.cpuDemand).toBeCloseTo(1.8, 12);
    expect(b1.cpuDemand).toBeCloseTo(1.8, 12);
  });

  it('rejects what it cannot read, naming the field', () => {
    const ok = [{ vmId: 'v', vcpus: 2, samples: nightOf(1, () => 10) }];
    const bad = (o: Partial<Parameters<typeof cpuDemands>[1]>, histories = ok): (() => unknown) => () => cpuDemands(histories, { night: UTC_NIGHT, now: NOW, ...o });
    expect(bad({ night: { ...UTC_NIGHT, start: '25:00' } })).toThrow(/night.start must be a time "HH:MM"/);
    expect(bad({ night: { ...UTC_NIGHT, end: '22:00' } })).toThrow(/same time/);
    expect(bad({ night: { ...UTC_NIGHT, timeZone: 'Mars/Olympus' } })).toThrow(/not an IANA time zone/);
    expect(bad({ nights: 0 })).toThrow(/nights must be a whole number >= 1/);
    expect(bad({ minNights: 8 })).toThrow(/minNights \(8\) cannot exceed nights \(7\)/);
    expect(bad({ percentile: 0 })).toThrow(/percentile/);
    expect(bad({ now: Number.NaN })).toThrow(/now must be/);
    expect(bad({}, [ok[0], ok[0]])).toThrow(/duplicate VM id v/);
    expect(bad({}, [{ vmId: 'v', vcpus: 2, samples: [{ at: NOW - DAY, cpuPercent: -1 }] }])).toThrow(PlannerInputError);
    expect(bad({}, [{ vmId: 'v', vcpus: 2, samples: [{ at: NOW - DAY, cpuPercent: Number.NaN }] }])).toThrow(/cpuPercent at 2025-03-09T22:00:00.000Z/);
    expect(bad({}, [{ vmId: 'v', vcpus: 2, samples: [{ at: Number.POSITIVE_INFINITY, cpuPercent: 1 }] }])).toThrow(/sample time/);
  });
});

describe('withCpuDemands, into the planner', () => {
  it('sets the demand where one was found, clears it where not, and the planner then counts by vCPUs', () => {
    const vms: PlannerVm[] = [
      { id: 'busy', hostId: 'a', memoryBytes: 1, vcpus: 8 },
      { id: 'new', hostId: 'b', memoryBytes: 1, vcpus: 8, cpuDemand: 0.1 },
      { id: 'other', hostId: 'b', memoryBytes: 1, vcpus: 1 },
    ];
    const demands = cpuDemands(
      [
        { vmId: 'busy', vcpus: 8, samples: [1, 2, 3].flatMap((d) => nightOf(d, () => 75)) },
        { vmId: 'new', vcpus: 8, samples: [] },
      ],
      { night: UTC_NIGHT, now: NOW },
    );
    const out = withCpuDemands(vms, demands);
    expect(out).toEqual([
      { id: 'busy', hostId: 'a', memoryBytes: 1, vcpus: 8, cpuDemand: 6 },
      { id: 'new', hostId: 'b', memoryBytes: 1, vcpus: 8 },
      { id: 'other', hostId: 'b', memoryBytes: 1, vcpus: 1 },
    ]);
    expect(vms[1].cpuDemand).toBe(0.1); // the input is left as it was
    // 6 cores + 8 (no history: its vCPUs) + 1 on hosts of 16 CPUs at 80 % (12.8 cores): two hosts.
    const hosts = ['a', 'b'].map((id) => ({ id, memoryBytes: 1000, cpus: 16, state: 'on' as const, isMaster: id === 'a' }));
    const plan = planSleep(hosts, out, { haFailuresToTolerate: 0, headroomPercent: 0, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 1 });
    expect(plan.sleep).toEqual([]);
    expect(plan.keep).toContainEqual({ hostId: 'b', reason: 'needed for CPU', limit: 'cpu' });
  });
});
