/** Schedule advice (the week's hours, the proposed sleep window, its savings) and the pool's recent load samples. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';
import { isoTime, queryInt } from './common.ts';
import { Pricing } from './energy.ts';

const money = () => z.nullable(z.number().check(z.describe("in the pool's currency; null without a price")));
const co2 = () => z.nullable(z.number().check(z.describe('kg CO2; null without a grid intensity')));
const kWh = () => z.nullable(z.number().check(z.describe('null where no host has a measured draw')));

export const AdviceQuery = lazy(() => z.object({ days: queryInt(14, 1, 14) }));

export const AdviceHour = lazy(() =>
  z.strictObject({
    hour: z.number().check(z.describe('hour of the week in the pool zone: 0 = Monday 00:00')),
    day: z.number().check(z.describe('0 = Monday')),
    hourOfDay: z.number(),
    hostsCanSleep: z.nullable(z.number().check(z.describe('null: no samples in this hour'))),
    sleep: z.array(z.string()).check(z.describe('the hosts the plan would sleep at this demand')),
    keptBy: z.nullable(z.enum(['plan', 'cpu']).check(z.describe("what keeps the others on: the planner's rules (memory, HA, headroom, master, pinned) or the CPU ceiling"))),
    cpuCores: z.nullable(z.number().check(z.describe("the running VMs' p95 CPU in cores"))),
    memoryBytes: z.nullable(z.number().check(z.describe("the running VMs' p95 memory"))),
    wattsSaved: z.nullable(z.number()),
  }),
);

const savings = {
  hostHours: z.number(),
  kWh: kWh(),
  money: money(),
  co2Kg: co2(),
};

export const ProposedWindow = lazy(() =>
  z.strictObject({
    days: z.array(z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'])).check(z.describe('the nights, by the day they begin')),
    start: z.string().check(z.describe('local HH:MM')),
    end: z.string().check(z.describe('local HH:MM, the next day when not after start')),
    hours: z.number(),
    hosts: z.number().check(z.describe('hosts that can sleep through the window on each of its nights')),
    sleepExpression: z.string().check(z.describe('an EventBridge Scheduler cron for the sleep schedule, in the pool zone')),
    wakeExpression: z.string().check(z.describe('the same for the wake (the pool should be ready then)')),
    ...savings,
  }),
);

export const AdviceAnswer = lazy(() =>
  z.strictObject({
    pool: z.string(),
    timeZone: z.string(),
    generatedAt: z.string(),
    history: z.strictObject({
      since: z.string(),
      until: z.string(),
      first: z.nullable(z.string()),
      last: z.nullable(z.string()),
      buckets: z.number().check(z.describe('5-minute buckets with samples')),
      daysCovered: z.number(),
      hoursCovered: z.number().check(z.describe('hours of the week (of 168) with samples')),
      enough: z.boolean(),
      needs: z.strictObject({ days: z.number(), hoursCovered: z.number() }),
    }),
    summary: z.string().check(z.describe('the proposal and its savings in one sentence, or what history is missing')),
    week: z.array(AdviceHour).check(z.describe('168 hours, Monday 00:00 first; empty without enough history')),
    alwaysSpare: z.nullable(z.number().check(z.describe('hosts that can sleep in every hour of the week'))),
    proposal: z.array(ProposedWindow),
    savingsPerWeek: z.strictObject(savings),
    pricing: Pricing,
    hostWatts: z.array(z.strictObject({ hostId: z.string(), watts: z.nullable(z.number()), source: z.enum(['energy', 'readings', 'estimate', 'unknown']) })),
    notes: z.array(z.string()),
  }),
);

export const LoadQuery = lazy(() =>
  z.object({
    since: z.optional(isoTime('since')),
    until: z.optional(isoTime('until')),
    host: z.optional(z.string().check(z.describe('one host only'))),
    vms: z.optional(z.enum(['true', 'false'], 'vms must be true or false').check(z.describe("true: each sample with its VMs' figures"))),
  }),
);

const VmFigures = lazy(() =>
  z.strictObject({
    uuid: z.string(),
    vmId: z.optional(z.string()),
    cpuPercent: z.nullable(z.number().check(z.describe('of its own vCPUs'))),
    hostCpuPercent: z.nullable(z.number().check(z.describe("of the host's CPUs"))),
    memoryUsedBytes: z.nullable(z.number()),
    memoryBytes: z.nullable(z.number().check(z.describe('what the domain holds'))),
  }),
);

export const LoadAnswer = lazy(() =>
  z.strictObject({
    pool: z.string(),
    since: z.string().check(z.describe('the start of what the answer holds (later than asked when the bound cut it)')),
    until: z.string(),
    cut: z.nullable(z.string().check(z.describe('why the range was shortened, when it was'))),
    bucketMinutes: z.number(),
    hosts: z.array(
      z.strictObject({
        hostId: z.string(),
        samples: z.array(
          z.strictObject({
            at: z.string().check(z.describe("the bucket's start")),
            cpuPercent: z.nullable(z.number()),
            memoryUsedBytes: z.nullable(z.number()),
            memoryTotalBytes: z.nullable(z.number()),
            vms: z.optional(z.array(VmFigures)),
          }),
        ),
      }),
    ),
  }),
);

export type AdviceAnswer = z.output<typeof AdviceAnswer>;
export type AdviceHour = z.output<typeof AdviceHour>;
export type ProposedWindow = z.output<typeof ProposedWindow>;
export type LoadAnswer = z.output<typeof LoadAnswer>;
