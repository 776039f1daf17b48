/**
 * One entry point for workers: run (or resume) any operation by its kind. The local runner and
 * the Lambda worker both call this; neither knows the kinds.
 */
import { HOST_POWER, runHostPower } from './host-power.ts';
import type { OpsDeps } from './ops-deps.ts';
import type { RunOptions, RunResult } from './step-machine.ts';
import { POOL_SLEEP, runPoolSleep } from './pool-sleep.ts';
import { POOL_WAKE, runPoolWake } from './pool-wake.ts';
import { REBALANCE, runRebalance } from './rebalance.ts';

export type OperationRunner = (deps: OpsDeps, operationId: string, run?: RunOptions) => Promise<RunResult>;

const runners = new Map<string, OperationRunner>([
  [HOST_POWER, runHostPower],
  [POOL_SLEEP, runPoolSleep],
  [POOL_WAKE, runPoolWake],
  [REBALANCE, runRebalance],
]);

export async function runOperation(deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> {
  const op = await deps.store.getOperation(operationId);
  if (!op) throw new Error(`operation ${operationId} not found`);
  const runner = runners.get(op.kind);
  if (!runner) throw new Error(`operation ${operationId}: no runner for kind ${op.kind}`);
  return runner(deps, operationId, run);
}
