/**
 * What the Slack answers read of the API's answers: the fields each one uses, picked from the API's
 * own schemas (lib/api/schemas), extra fields ignored. An answer without them is refused by `call`
 * with a clear message instead of rendering guesses. Built on first use, as the API's schemas are.
 */
import * as z from 'zod/mini';
import { schemas as api } from '../api/index.ts';
import { inner, lazy } from '../api/index.ts';

/** The fields a reader uses of an API object schema; the others may be there or not. */
const uses = <T extends z.ZodMiniObject, M extends z.core.util.Mask<keyof T['shape']>>(schema: z.ZodMiniLazy<T>, mask: M & Record<Exclude<keyof M, keyof T['shape']>, never>) =>
  lazy(() => z.object(z.pick(inner(schema), mask).shape));

export const HostRow = uses(api.HostView, { id: true, pool: true, power: true, xenState: true, isMaster: true, operation: true });
export const ReadingRow = uses(api.Reading, { at: true, power: true, powerWatts: true, temperatures: true });
export const PlanRow = uses(api.SleepPlan, { sleep: true, migrations: true, keep: true, hostsOn: true, why: true });

export const PoolsRead = lazy(() => z.object({ pools: z.array(uses(api.PoolSummary, { id: true, hosts: true, on: true, asleep: true })) }));
export const HostsRead = lazy(() => z.object({ hosts: z.array(HostRow) }));
export const HostRead = lazy(() => z.object({ host: HostRow, readings: z.array(ReadingRow) }));
export const PlanRead = lazy(() => z.object({ plan: PlanRow }));
export const WakePlanRead = lazy(() => z.object({ plan: uses(api.WakePlan, { wake: true, why: true }) }));
export const RebalancePlanRead = lazy(() => z.object({ plan: uses(api.RebalancePlan, { mode: true, moves: true, stays: true, why: true }) }));

/** What a finished operation says per host (the `hosts` of its result: every kind writes them so). */
export const HostResult = lazy(() => z.object({ hostId: z.string(), result: z.string(), detail: z.optional(z.string()), wattsSaved: z.optional(z.number()) }));
export const OperationRead = lazy(() =>
  z.object({
    operation: z.object({
      ...z.pick(inner(api.Operation), { kind: true, state: true, actor: true, source: true, reason: true, error: true }).shape,
      result: z.optional(z.object({ hosts: z.optional(z.array(HostResult)) })),
      steps: z.array(uses(api.OperationStep, { state: true })),
    }),
  }),
);
/** A start: the operation, or null when there was nothing to do. */
export const StartRead = lazy(() => z.object({ operation: z.nullable(uses(api.OperationRef, { id: true, state: true })) }));

export const SchedulesRead = lazy(() => z.object({ schedules: z.array(uses(api.ScheduleView, { name: true, action: true, expression: true, timezone: true, enabled: true, nextFire: true, exceptions: true })) }));
export const SkipRead = lazy(() => z.object({ schedule: uses(api.ScheduleView, { exceptions: true }) }));
export const HoldRead = uses(api.HoldAnswer, { held: true });

export type HostRow = z.output<typeof HostRow>;
export type ReadingRow = z.output<typeof ReadingRow>;
export type PlanRow = z.output<typeof PlanRow>;
