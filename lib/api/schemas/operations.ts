/** Operations: the durable step machines as stored (with their steps), the list, and cancel. */
import * as z from 'zod/mini';
import { inner, lazy } from './lazy.ts';
import { AnyRecord, OPERATION_STATES, queryInt, Reason } from './common.ts';

export const ACTION_SOURCES = ['schedule', 'api', 'cli', 'slack'] as const;
export const STEP_STATES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;

const versioned = () => ({ version: z.number(), createdAt: z.string(), updatedAt: z.string() });
const CancelRequest = lazy(() => z.object({ by: z.string(), at: z.string(), reason: z.string() }));

export const OperationStep = lazy(() =>
  z.object({
    operationId: z.string(),
    index: z.number(),
    name: z.string(),
    state: z.enum(STEP_STATES),
    hostId: z.optional(z.string()),
    detail: z.optional(AnyRecord),
    error: z.optional(z.string()),
    startedAt: z.optional(z.string()),
    finishedAt: z.optional(z.string()),
    ...versioned(),
  }),
);

/** An operation as stored: who asked, why, its state, its parameters and result. */
export const Operation = lazy(() =>
  z.object({
    operationId: z.string(),
    poolId: z.string(),
    kind: z.string().check(z.describe('host-power, pool-sleep, pool-wake, ...')),
    actor: z.string(),
    source: z.enum(ACTION_SOURCES),
    reason: z.string(),
    state: z.enum(OPERATION_STATES),
    idempotencyKey: z.string(),
    requestHash: z.optional(z.string()),
    hostIds: z.optional(z.array(z.string())),
    params: z.optional(AnyRecord),
    result: z.optional(AnyRecord.check(z.describe('when finished: hosts (hostId, result done/failed/skipped, detail, wattsSaved) and what the kind adds'))),
    error: z.optional(z.string()),
    cursor: z.optional(z.number()),
    leaseOwner: z.optional(z.string()),
    leaseExpiresAt: z.optional(z.number()),
    cancelRequested: z.optional(CancelRequest),
    sweeps: z.optional(z.number()),
    ...versioned(),
  }),
);

export const OperationWithSteps = lazy(() => z.extend(inner(Operation), { steps: z.array(OperationStep) }));

export const OperationsQuery = lazy(() => z.object({ pool: z.optional(z.string()), limit: queryInt(50, 1, 200) }));
export const CancelBody = lazy(() => z.object({ reason: Reason }));

export const OperationsAnswer = lazy(() => z.strictObject({ operations: z.array(Operation).check(z.describe('newest first')) }));
export const OperationAnswer = lazy(() => z.strictObject({ operation: OperationWithSteps }));
export const CancelAnswer = lazy(() => z.strictObject({ operation: z.strictObject({ id: z.string(), state: z.enum(OPERATION_STATES), cancelRequested: z.optional(CancelRequest) }) }));

export type OperationStep = z.output<typeof OperationStep>;
export type Operation = z.output<typeof Operation>;
export type OperationWithSteps = z.output<typeof OperationWithSteps>;
