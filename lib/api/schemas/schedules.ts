/** Schedules: cron (EventBridge Scheduler syntax) with a time zone, their exceptions, and the bodies that set them. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';
// Pure modules, imported by path: the dashboard compiles these schemas for the browser, and a folder's index brings Node.
import { SCHEDULE_ACTIONS } from '../../schedules/model.ts';
import { PoolQuery, Reason } from './common.ts';

export const ScheduleAction = lazy(() => z.enum(SCHEDULE_ACTIONS));

const localDate = () => z.string().check(z.describe('a local date, YYYY-MM-DD'));

/** Skip tonight, hold the pool awake, keep a host off, and a calendar of special dates. */
export const ScheduleExceptions = lazy(() =>
  z.object({
    skipOnce: z.optional(z.object({ date: localDate(), reason: z.optional(z.string()) }).check(z.describe('the first run on this local date does not run'))),
    holdAwakeUntil: z.optional(z.object({ until: z.string(), reason: z.optional(z.string()) }).check(z.describe('sleep actions do not run before this instant'))),
    keepOff: z.optional(z.array(z.object({ hostId: z.string(), until: localDate(), reason: z.optional(z.string()) })).check(z.describe('wake actions leave these hosts out before until'))),
    calendar: z.optional(
      z.array(
        z.discriminatedUnion('kind', [
          z.object({ date: localDate(), kind: z.literal('skip'), label: z.optional(z.string()) }),
          z.object({ date: localDate(), kind: z.literal('replace'), action: ScheduleAction, label: z.optional(z.string()) }),
        ]),
      ),
    ),
  }),
);

/** A schedule as the API shows it, with its version and next run. */
export const ScheduleView = lazy(() =>
  z.strictObject({
    name: z.string(),
    poolId: z.string(),
    hostIds: z.optional(z.array(z.string())),
    action: ScheduleAction,
    expression: z.string(),
    timezone: z.string(),
    enabled: z.boolean(),
    exceptions: ScheduleExceptions,
    version: z.number(),
    nextFire: z.nullable(z.string()),
  }),
);

const expression = () => z.string().check(z.describe('EventBridge Scheduler syntax: cron(min hour dom month dow year), rate(...), at(...)'));

export const ScheduleCreateBody = lazy(() =>
  z.object({
    name: z.string().check(z.regex(/^[0-9a-zA-Z\-_.]{1,64}$/, "name must be 1-64 characters of letters, digits, '-', '_' or '.'")),
    hostIds: z.optional(z.array(z.string()).check(z.describe('the hosts to act on; absent: the whole pool'))),
    action: ScheduleAction,
    expression: expression(),
    timezone: z._default(z.string().check(z.describe('an IANA time zone')), 'UTC'),
    enabled: z._default(z.boolean(), true),
    exceptions: z._default(ScheduleExceptions, {}),
  }),
);

export const SchedulePatchBody = lazy(() =>
  z.object({
    hostIds: z.optional(z.array(z.string())),
    action: z.optional(ScheduleAction),
    expression: z.optional(expression()),
    timezone: z.optional(z.string()),
    enabled: z.optional(z.boolean()),
    exceptions: z.optional(ScheduleExceptions),
    version: z.optional(z.int().check(z.describe('write only if the schedule is still at this version'))),
  }),
);

export const SkipBody = lazy(() => z.object({ reason: Reason }));
export const ScheduleQuery = PoolQuery;

export const SchedulesAnswer = lazy(() => z.strictObject({ schedules: z.array(ScheduleView) }));
export const ScheduleAnswer = lazy(() => z.strictObject({ schedule: ScheduleView }));
export const ScheduleDeletedAnswer = lazy(() => z.strictObject({ deleted: z.string() }));

export type ScheduleExceptions = z.output<typeof ScheduleExceptions>;
export type ScheduleView = z.output<typeof ScheduleView>;
