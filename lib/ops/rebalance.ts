/**
 * The morning rebalance: after a wake, spread the VMs back over the hosts that are on again, as
 * its own durable operation (kind `rebalance`): restore (each VM back to where it ran before the
 * sleep) or balance (even out the measured CPU and memory). Planned when requested (lib/planner/
 * rebalance.ts), locked like a sleep (every host of the pool), one `migrate` step per wave, then
 * the release. A wake that succeeds requests it when the pool's policy says `afterWake` (the
 * wake's finish, so no step of the wake changes and a wake never waits on a migration).
 */
import { planBalance, planRestore, type RebalanceHost, type RebalanceMode, type RebalancePlan, type RebalanceVm } from '../planner/index.ts';
import type { Hypervisor } from '../xen/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import type { OpsDeps } from './ops-deps.ts';
import { readPoolView, type PoolView } from './pool-view.ts';
import { loadPool, runPoolMachine, startPoolOperation, type PoolOpsDeps, type PoolRequest } from './pool-operation.ts';
import { lastSleepOrigins, measuredLoad, type Origins } from './rebalance-inputs.ts';
import { rebalanceSteps, type MoveResult } from './rebalance-steps.ts';
import { errorText, type RunOptions, type RunResult, type StepMachine } from './step-machine.ts';

export const REBALANCE = 'rebalance';

export interface RebalanceRequest extends PoolRequest {
  mode: RebalanceMode;
  dryRun?: boolean;
  /** The wake this rebalance follows (its origins are the sleep before that wake). */
  afterWakeOf?: { operationId: string; createdAt: string };
}

export interface RebalanceAnswer {
  plan: RebalancePlan;
  /** The sleep whose moves a restore undoes. */
  sleepOperationId?: string;
  operationId?: string;
  created?: boolean;
}

/** The plan for the pool as XAPI and the store show it now. Changes nothing. */
export async function rebalancePlanOf(deps: PoolOpsDeps, view: PoolView, mode: RebalanceMode, origins: Origins): Promise<RebalancePlan> {
  const hosts: RebalanceHost[] = view.hosts.map((h) => ({ ...h }));
  if (mode === 'restore') return planRestore(hosts, view.plannerVms, view.policy, origins.origins);
  const vcpus = new Map(view.plannerVms.map((v) => [v.id, v.vcpus]));
  const cpus = new Map(view.hosts.map((h) => [h.id, h.cpus]));
  const load = await measuredLoad(deps.store, view.pool.poolId, (deps.now ?? Date.now)(), vcpus, cpus);
  // A host just woken has no samples yet: it is given the measured hosts' dom0 share per CPU.
  const measured = [...load.hostBaseCores].filter(([h]) => cpus.has(h));
  const perCpu = measured.length ? measured.reduce((a, [h, c]) => a + c / (cpus.get(h) as number), 0) / measured.length : 0;
  for (const h of hosts) h.baseCpuCores = load.hostBaseCores.get(h.id) ?? perCpu * h.cpus;
  // A VM without history counts at its vCPUs: the cautious figure.
  const vms: RebalanceVm[] = view.plannerVms.map((v) => (load.vmCores.has(v.id) ? { ...v, cpuCores: load.vmCores.get(v.id) } : v));
  return planBalance(hosts, vms, view.policy);
}

/** Plan, and unless it is a dry run or nothing moves, lock the pool and write the operation with its steps. */
export async function requestRebalance(deps: PoolOpsDeps, r: RebalanceRequest): Promise<RebalanceAnswer> {
  if (!r.reason.trim()) throw new Error('a reason is required');
  if (r.mode !== 'restore' && r.mode !== 'balance') throw new Error(`mode must be restore or balance, got ${String(r.mode)}`);
  const { pool, hv } = await loadPool(deps, r.poolId);
  const view = await readPoolView(deps.store, hv, pool);
  const origins = r.mode === 'restore' ? await lastSleepOrigins(deps.store, r.poolId, r.afterWakeOf?.createdAt) : { origins: {} };
  const plan = await rebalancePlanOf(deps, view, r.mode, origins);
  const from = origins.sleepOperationId ? { sleepOperationId: origins.sleepOperationId } : {};
  if (r.dryRun || plan.moves.length === 0) {
    const message = plan.moves.length ? `would ${r.mode}: ${plan.moves.length} moves in ${waves(plan)} waves` : `nothing to ${r.mode}: ${plan.why ?? 'no move'}`;
    await deps.store.appendAudit({ poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'rebalance pool', result: r.dryRun ? 'dry-run' : 'ok', message });
    return { plan, ...from };
  }
  const params = { mode: r.mode, plan, ...from, ...(r.afterWakeOf ? { afterWakeOf: r.afterWakeOf.operationId } : {}) };
  const started = await startPoolOperation(deps, { ...r, kind: REBALANCE, params, asked: { mode: r.mode } });
  if (!started.created) return { plan: started.params?.plan as RebalancePlan, ...from, operationId: started.operationId, created: false };
  const { operationId } = started;
  let index = 0;
  for (let w = 1; w <= waves(plan); w++) await deps.store.createStep(operationId, { index: index++, name: 'migrate', state: 'pending', detail: { wave: w } });
  await deps.store.createStep(operationId, { index: index++, name: 'release', state: 'pending' });
  await deps.store.appendAudit({ operationId, poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'rebalance pool requested', result: 'ok', message: `${r.mode}: ${plan.moves.length} moves in ${waves(plan)} waves; ${plan.stays.length} stay` });
  return { plan, ...from, operationId, created: true };
}

const waves = (plan: RebalancePlan): number => plan.moves.reduce((m, x) => Math.max(m, x.wave), 0);

/**
 * What a finished wake asks for by the pool's policy: the rebalance requested (its operation id,
 * for the worker to launch), or why not. Never throws: a rebalance that cannot start leaves the
 * woken pool as it is, and the wake's result says why.
 */
export async function rebalanceAfterWake(deps: PoolOpsDeps, wake: OperationWithSteps): Promise<Record<string, unknown> | undefined> {
  try {
    const mode = (await deps.store.getPool(wake.poolId))?.policy?.afterWake ?? 'none';
    if (mode === 'none') return undefined;
    const idempotencyKey = `after-wake:${wake.operationId}`;
    // Finished again (a worker that died before recording the wake's end): the rebalance it requested.
    const earlier = (await deps.store.listOperations(wake.poolId, { since: wake.createdAt })).find((o) => o.kind === REBALANCE && o.idempotencyKey === idempotencyKey);
    if (earlier) return { mode, operationId: earlier.operationId };
    const a = await requestRebalance(deps, {
      poolId: wake.poolId,
      mode,
      reason: `afterWake ${mode}, after ${wake.reason}`,
      actor: wake.actor,
      source: wake.source,
      idempotencyKey,
      afterWakeOf: { operationId: wake.operationId, createdAt: wake.createdAt },
    });
    return a.operationId ? { mode, operationId: a.operationId } : { mode, why: a.plan.why ?? 'nothing to move' };
  } catch (e) {
    deps.log?.('rebalance-not-started', { wake: wake.operationId.slice(0, 8), error: errorText(e) });
    return { why: `not started: ${errorText(e)}` };
  }
}

/** The rebalance machine: the waves in order, then the release (which runs even after a cancel). */
function rebalanceMachine(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps): StepMachine {
  const plan = op0.params?.plan as RebalancePlan;
  const steps = rebalanceSteps(deps, hv, op0);
  return {
    alwaysRun: ['release'],
    async execute(x) {
      if (x.step.name === 'release') return steps.release(x);
      if (x.step.name === 'migrate') return steps.migrateWave(x);
      throw new Error(`unknown step ${x.step.name}`);
    },
    async finish(op) {
      const results = op.steps.filter((s) => s.name === 'migrate').flatMap((s) => (s.detail?.moves as MoveResult[] | undefined) ?? []);
      const moved = results.filter((m) => m.result === 'done');
      const stayed = [...plan.stays.map((s) => ({ vmId: s.vmId, hostId: s.hostId, why: s.why })), ...results.filter((m) => m.result !== 'done').map((m) => ({ vmId: m.vmId, hostId: m.from, why: m.detail }))];
      const failed = results.filter((m) => m.result === 'failed');
      await deps.store.appendAudit({ at: op.steps.find((s) => s.name === 'release')?.finishedAt, once: 'rebalance-result', operationId: op.operationId, poolId: op.poolId, actor: op.actor, source: op.source, reason: op.reason, action: `rebalance ${plan.mode}`, result: failed.length ? 'failed' : 'ok', message: `${moved.length} moved, ${stayed.length} stayed` });
      return {
        state: failed.length ? ('failed' as const) : ('succeeded' as const),
        result: { mode: plan.mode, moved, stayed, before: plan.before, plannedAfter: plan.after, ...(failed.length ? { error: `${failed.length} migration(s) failed` } : {}) },
      };
    },
  };
}

export const runRebalance = (deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> => runPoolMachine(deps, operationId, run, rebalanceMachine);
