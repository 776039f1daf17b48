/** Pools: the inventory view, the pool with its hosts and VMs, the policy, the night's plans, sleep, wake and hold bodies. */
import * as z from 'zod/mini';
import { inner, lazy } from './lazy.ts';
import { meta } from 'zod/v4/core';
import { ID_PATTERN, ID_RULE, isoTime, noCredentialsInUrl, OperationRef, Reason } from './common.ts';
import { HostView } from './hosts.ts';
import { phrase } from './phrase.ts';

const between = (min: number, max: number, int: boolean) =>
  (int ? z.int(phrase(`must be a whole number ${min}..${max}`)) : z.number(phrase(`must be a number ${min}..${max}`))).check(
    z.minimum(min, phrase(`must be a number ${min}..${max}`)),
    z.maximum(max, phrase(`must be a number ${min}..${max}`)),
  );

const isTimeZone = (v: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
};

/** The pool's policy as a request sets it: known keys only, numbers in range. */
export const PoolPolicyInput = lazy(() =>
  z.strictObject(
    {
      haFailuresToTolerate: z.optional(between(0, 3, true)),
      minHostsOn: z.optional(between(1, 10_000, true)),
      headroomPercent: z.optional(between(0, 90, false)),
      vcpuOvercommit: z.optional(between(1, 16, false)),
      concurrentMigrations: z.optional(between(1, 16, true)),
      wakeGroupSize: z.optional(between(1, 100, true)),
      wakeStaggerMs: z.optional(between(0, 600_000, true)),
      neverSleep: z.optional(z.array(z.string(), phrase('must be a list of host ids'))),
      hardOffWhenEmpty: z.optional(z.boolean(phrase('must be true or false'))),
      timeZone: z.optional(z.string(phrase('must be an IANA time zone')).check(z.refine(isTimeZone, phrase('is not a known IANA time zone')))),
      cpuCeilingPercent: z.optional(between(10, 100, false)),
      spikeSeconds: z.optional(between(10, 3600, true)),
      maxWakesPerNight: z.optional(between(0, 100, true)),
      resleepAfterQuietSeconds: z.optional(between(60, 86_400, true).check(z.describe('sleep the hosts the night watch woke again once their demand has been gone this long; absent: they stay on until the next night'))),
      afterWake: z.optional(z.enum(['restore', 'balance', 'none'], phrase('must be restore, balance or none'))),
      electricityPricePerKwh: z.optional(between(0, 100, false).check(z.describe('what a kWh costs, in electricityCurrency: savings are shown in money'))),
      electricityCurrency: z.optional(z.string(phrase('must be a currency code such as EUR')).check(z.regex(/^[A-Z]{3}$/, phrase('must be a three-letter currency code such as EUR')))),
      gridCarbonGramsPerKwh: z.optional(between(0, 2000, false).check(z.describe('g CO2 per kWh of the grid: savings are shown in CO2'))),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? phrase('is not a policy setting') : phrase('must be an object')) },
  ),
);

/** The policy as stored: what a request set, and keys of later versions kept as they are. */
export const PoolPolicy = lazy(() =>
  z.object({
    haFailuresToTolerate: z.optional(z.number()),
    minHostsOn: z.optional(z.number()),
    headroomPercent: z.optional(z.number()),
    vcpuOvercommit: z.optional(z.number()),
    concurrentMigrations: z.optional(z.number()),
    wakeGroupSize: z.optional(z.number()),
    wakeStaggerMs: z.optional(z.number()),
    neverSleep: z.optional(z.array(z.string())),
    hardOffWhenEmpty: z.optional(z.boolean()),
    timeZone: z.optional(z.string()),
    powerRestorePolicy: z.optional(z.enum(['previous', 'always-off'])),
    cpuCeilingPercent: z.optional(z.number()),
    spikeSeconds: z.optional(z.number()),
    maxWakesPerNight: z.optional(z.number()),
    resleepAfterQuietSeconds: z.optional(z.number()),
    afterWake: z.optional(z.enum(['restore', 'balance', 'none'])),
    electricityPricePerKwh: z.optional(z.number()),
    electricityCurrency: z.optional(z.string()),
    gridCarbonGramsPerKwh: z.optional(z.number()),
  }),
);

/** The policy the planner applies: the stricter of the pool's HA setting and lowpower's own, with defaults filled in. */
export const PlannerPolicy = lazy(() =>
  z.strictObject({
    haFailuresToTolerate: z.number(),
    headroomPercent: z.number(),
    minHostsOn: z.number(),
    vcpuOvercommit: z.number(),
    concurrentMigrations: z.number(),
  }),
);

const xapiUrl = () =>
  z.pipe(
  z.string(phrase('is required (https://pool-master)')).check(
    z.refine((v) => URL.canParse(v), phrase('is not a URL')),
    z.refine((v) => !URL.canParse(v) || ['https:', 'http:'].includes(new URL(v).protocol), phrase('must be http(s)')),
    z.refine(noCredentialsInUrl, phrase('must not carry a user or password: give them as xapiUser and xapiPassword (the password goes to the secret store)')),
    z.describe('https://pool-master'),
  ),
  z.transform((v) => new URL(v).toString().replace(/\/$/, '')),
);

export const PoolCreateBody = lazy(() =>
  z.object({
    id: z.string(phrase(`must be ${ID_RULE}`)).check(z.regex(ID_PATTERN, phrase(`must be ${ID_RULE}`))),
    xapiUrl: xapiUrl(),
    xapiPassword: z.string(phrase('is required (it goes to the secret store)')).check(z.minLength(1, phrase('is required (it goes to the secret store)')), meta({ writeOnly: true, description: 'stored in the secret store, never returned' })),
    policy: z.optional(PoolPolicyInput),
    name: z.optional(z.string()),
    xapiUser: z.optional(z.string().check(z.describe('default root'))),
    loadPoll: z.optional(z.boolean(phrase('must be true or false')).check(z.describe('false: add no load poll schedule (default: the pool gets `load`, poll-load every minute, which runs the night watch)'))),
  }),
);

export const PoolPatchBody = lazy(() =>
  z.object({
    name: z.optional(z.string()),
    xapiUrl: z.optional(xapiUrl()),
    xapiUser: z.optional(z.string()),
    xapiPassword: z.optional(z.string().check(meta({ writeOnly: true, description: 'stored in the secret store; an empty one changes nothing' }))),
    policy: z.optional(PoolPolicyInput),
  }),
);

/** A pool as the inventory shows it (never its secret reference). */
export const PoolView = lazy(() => z.strictObject({ id: z.string(), name: z.string(), xapiUrl: z.string(), xapiUser: z.nullable(z.string()), policy: PoolPolicy, version: z.number() }));

export const PoolSummary = lazy(() => z.strictObject({ id: z.string(), name: z.string(), hosts: z.number(), asleep: z.number(), on: z.number() }));

export const Vm = lazy(() => z.strictObject({ id: z.string(), memoryBytes: z.number(), vcpus: z.number(), pinned: z.nullable(z.string().check(z.describe('why it cannot move (local storage, PCI device, vGPU)'))), tags: z.array(z.string()) }));

/** A host of the pool as XAPI reports it, joined with the stored host (absent for a host the store does not know). */
export const PoolHost = lazy(() =>
  z.extend(z.partial(inner(HostView)), {
    id: z.string(),
    pool: z.string(),
    bmc: z.nullable(z.string()),
    live: z.boolean(),
    enabled: z.boolean(),
    isMaster: z.boolean(),
    memoryTotalBytes: z.number(),
    memoryFreeBytes: z.number(),
    cpus: z.number(),
    sleepState: z.enum(['awake', 'asleep']),
    vms: z.array(Vm).check(z.describe('the running VMs on this host')),
  }),
);

export const PoolDetailAnswer = lazy(() =>
  z.strictObject({
    pool: z.strictObject({ id: z.string(), name: z.string(), master: z.string(), haEnabled: z.boolean(), haFailuresToTolerate: z.number(), policy: PlannerPolicy }),
    hosts: z.array(PoolHost),
  }),
);

export const Migration = lazy(() => z.strictObject({ vmId: z.string(), from: z.string(), to: z.string(), memoryBytes: z.number(), wave: z.number().check(z.describe('migrations of a wave may run at once; waves run in order from 1')) }));

export const SleepPlan = lazy(() =>
  z.strictObject({
    sleep: z.array(z.string()).check(z.describe('hosts to put to sleep, in the order they become empty')),
    migrations: z.array(Migration),
    keep: z
      .array(
        z.strictObject({
          hostId: z.string(),
          reason: z.string(),
          limit: z.optional(z.enum(['memory', 'cpu', 'ha', 'rules']).check(z.describe('the limit that holds the host on: memory, CPU (ceiling or vCPUs), HA spare, or a rule (master, never-sleep, pinned VM, anti-affinity, minimum hosts)'))),
        }),
      )
      .check(z.describe('every host that stays on, each with one reason')),
    hostsOn: z.number(),
    lowerBound: z.number(),
    migratedBytes: z.number(),
    why: z.optional(z.string().check(z.describe('set when nothing can sleep: why'))),
    demand: z.optional(
      z
        .strictObject({
          vms: z.number().check(z.describe('running VMs that carried a measured CPU demand')),
          of: z.number().check(z.describe('running VMs in the plan')),
          nights: z.number().check(z.describe('the most distinct nights a VM demand came from (0: none)')),
          lookedBack: z.number().check(z.describe('nights of stored load samples looked at')),
          night: z.strictObject({
            start: z.string(),
            end: z.string(),
            timeZone: z.string(),
            from: z.enum(['schedules', 'default']).check(z.describe("the pool's sleep and wake schedules, or the default 22:00-06:00")),
          }),
          samplesRead: z.number().check(z.describe('stored load buckets (host x 5 minutes) read')),
          error: z.optional(z.string().check(z.describe('set when the samples could not be read: the plan was made without measured demand'))),
        })
        .check(z.describe('the measured night CPU load the plan used: with it the pool CPU ceiling applies; without it (no VM measured) it does not')),
    ),
  }),
);

export const WakePlan = lazy(() =>
  z.strictObject({
    wake: z.array(z.string()).check(z.describe('hosts to wake, in order')),
    why: z.array(z.string()).check(z.describe('one line per woken host, then notes; why nothing wakes when nothing does')),
  }),
);

const hostIds = () =>
  z.optional(z.array(z.string(), 'hostIds must be a non-empty list of host ids').check(z.minLength(1, 'hostIds must be a non-empty list of host ids'), z.describe('only these hosts')));
const dryRun = () => z.optional(z.boolean('dryRun must be true or false').check(z.describe('answer with the plan only; nothing changes')));

export const SleepBody = lazy(() => z.object({ reason: Reason, dryRun: dryRun(), hostIds: hostIds() }));
export const WakeBody = lazy(() => z.object({ reason: Reason, dryRun: dryRun(), hostIds: hostIds(), readyBy: z.optional(isoTime('readyBy').check(z.describe('when the pool must be ready'))) }));
export const HoldBody = lazy(() =>
  z.object({
    reason: Reason,
    until: z.string('give until: an ISO 8601 time, e.g. 2026-11-27T08:00:00Z').check(z.describe('an ISO 8601 time: the sleep schedules do not run before it')),
  }),
);

export const PoolsAnswer = lazy(() => z.strictObject({ pools: z.array(PoolSummary) }));
export const PoolAnswer = lazy(() => z.strictObject({ pool: PoolView }));
export const PlanAnswer = lazy(() => z.strictObject({ plan: SleepPlan }));
export const HoldAnswer = lazy(() => z.strictObject({ held: z.array(z.string()).check(z.describe('the sleep schedules now held')), until: z.string() }));

const planAnswers = <P extends z.ZodMiniType>(plan: P) => ({
  /** A dry run, or nothing to do. */
  done: lazy(() => z.union([z.strictObject({ dryRun: z.literal(true), plan }), z.strictObject({ plan, operation: z.null() })]).check(z.describe('a dry run (the plan), or nothing to do'))),
  /** The operation started (or the one this Idempotency-Key started before). */
  started: lazy(() => z.strictObject({ operation: OperationRef, plan }).check(z.describe('the operation started (or the one this Idempotency-Key started before), and its plan'))),
});
export const SleepAnswers = planAnswers(SleepPlan);
export const WakeAnswers = planAnswers(WakePlan);

export type PoolPolicy = z.output<typeof PoolPolicy>;
export type PoolView = z.output<typeof PoolView>;
export type PoolSummary = z.output<typeof PoolSummary>;
export type Vm = z.output<typeof Vm>;
export type PoolHost = z.output<typeof PoolHost>;
export type PoolDetailAnswer = z.output<typeof PoolDetailAnswer>;
export type Migration = z.output<typeof Migration>;
export type SleepPlan = z.output<typeof SleepPlan>;
export type WakePlan = z.output<typeof WakePlan>;
export type HoldAnswer = z.output<typeof HoldAnswer>;
export type SleepStarted = z.output<typeof SleepAnswers.started>;
export type SleepDone = z.output<typeof SleepAnswers.done>;
export type WakeStarted = z.output<typeof WakeAnswers.started>;
export type WakeDone = z.output<typeof WakeAnswers.done>;
