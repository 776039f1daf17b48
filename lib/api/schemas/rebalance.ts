/** The morning rebalance: its request body and its plan (what moves in which wave, what stays and why). */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';
import { OperationRef, Reason } from './common.ts';

export const RebalanceBody = lazy(() =>
  z.object({
    reason: Reason,
    mode: z.enum(['restore', 'balance'], 'mode must be restore or balance').check(z.describe('restore: each VM back to its host before the last sleep; balance: even out the measured CPU and memory')),
    dryRun: z.optional(z.boolean('dryRun must be true or false').check(z.describe('answer with the plan only; nothing changes'))),
  }),
);

const Figures = lazy(() =>
  z.strictObject({
    hosts: z.array(z.strictObject({ hostId: z.string(), cpuPercent: z.number(), memoryPercent: z.number().check(z.describe("guest memory, percent of the host's usable memory")) })),
    meanCpuPercent: z.number(),
    meanMemoryPercent: z.number(),
  }),
);

export const RebalancePlan = lazy(() =>
  z.strictObject({
    mode: z.enum(['restore', 'balance']),
    moves: z.array(z.strictObject({ vmId: z.string(), from: z.string(), to: z.string(), memoryBytes: z.number(), wave: z.number().check(z.describe('moves of a wave run at once; waves run in order from 1')) })),
    stays: z.array(z.strictObject({ vmId: z.optional(z.string()), hostId: z.nullable(z.string()), why: z.string() })).check(z.describe('a VM (restore) or a host (balance) left as it is, with why')),
    home: z.array(z.string()).check(z.describe('restore: the VMs on their origin already')),
    before: Figures,
    after: Figures,
    why: z.optional(z.string().check(z.describe('set when nothing moves: why'))),
  }),
);

const from = () => z.optional(z.string().check(z.describe('the sleep whose moves a restore undoes')));
export const RebalanceDone = lazy(() =>
  z.union([z.strictObject({ dryRun: z.literal(true), plan: RebalancePlan, sleepOperationId: from() }), z.strictObject({ plan: RebalancePlan, operation: z.null(), sleepOperationId: from() })]).check(z.describe('a dry run (the plan), or nothing to move')),
);
export const RebalanceStarted = lazy(() => z.strictObject({ operation: OperationRef, plan: RebalancePlan, sleepOperationId: from() }).check(z.describe('the operation started (or the one this Idempotency-Key started before), and its plan')));

export type RebalanceBody = z.output<typeof RebalanceBody>;
export type RebalancePlan = z.output<typeof RebalancePlan>;
export type RebalanceDone = z.output<typeof RebalanceDone>;
export type RebalanceStarted = z.output<typeof RebalanceStarted>;
