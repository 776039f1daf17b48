/**
 * The steps of a rebalance: one wave of the plan's moves, and the release. The plan was safe for
 * the pool as it was when requested; a wave runs on the pool as it is now, so each move is checked
 * again right before it (the VM still where the plan found it, the target live and enabled, the
 * memory, vCPU, anti-affinity and HA checks on the live pool with the wave in flight, then XAPI's
 * own assert_can_migrate). A move refused or failed is skipped with why; the others go on.
 */
import { Placement } from '../planner/index.ts';
import type { RebalancePlan } from '../planner/index.ts';
import type { Hypervisor } from '../xen/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import { readPoolView } from './pool-view.ts';
import { poolHosts, type PoolOpsDeps } from './pool-operation.ts';
import { checkLease, errorText, sleep, waitUntil, type StepExecution, type StepOutcome } from './step-machine.ts';

export interface MoveResult {
  vmId: string;
  from: string;
  to: string;
  /** done: on its target; skipped: refused before it moved (why in detail); failed: XAPI's migration failed. */
  result: 'done' | 'skipped' | 'failed';
  detail: string;
}

export function rebalanceSteps(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps) {
  const plan = op0.params?.plan as RebalancePlan;
  const { now, release: releaseLocks } = poolHosts(deps, hv, op0.poolId);

  async function migrateWave(x: StepExecution): Promise<StepOutcome> {
    const wave = Number(x.step.detail?.wave);
    const moves = plan.moves.filter((m) => m.wave === wave);
    let view;
    try {
      const pool = await deps.store.getPool(op0.poolId);
      if (!pool) throw new Error(`pool ${op0.poolId} is not known`);
      view = await readPoolView(deps.store, hv, pool);
    } catch (e) {
      const why = `not moved: the pool could not be read (${errorText(e)})`;
      return { state: 'done', detail: { wave, moves: moves.map((m): MoveResult => ({ vmId: m.vmId, from: m.from, to: m.to, result: 'skipped', detail: why })) } };
    }
    const where = new Map(view.vms.map((v) => [v.vmId, v]));
    // The wave's moves, checked on the live pool one after another as one wave in flight.
    const placement = new Placement(view.hosts, view.plannerVms, { ...view.policy, concurrentMigrations: Math.max(moves.length, 1) });
    const checked = moves.map((m): MoveResult | undefined => {
      const vm = where.get(m.vmId);
      if (!vm || vm.powerState !== 'Running') return { ...m, result: 'skipped', detail: vm ? `it is ${vm.powerState}` : 'it no longer exists' };
      if (vm.hostId === m.to) return { ...m, result: 'done', detail: `already on ${m.to}` };
      if (vm.hostId !== m.from) return { ...m, result: 'skipped', detail: `it now runs on ${vm.hostId ?? 'no host'}, not ${m.from}` };
      const why = placement.refusal(m.vmId, m.to);
      if (why !== undefined) return { ...m, result: 'skipped', detail: why };
      placement.tryMove(m.vmId, m.to);
      return undefined;
    });
    const results = await Promise.all(
      moves.map(async (m, i): Promise<MoveResult> => {
        const pre = checked[i];
        const base = { vmId: m.vmId, from: m.from, to: m.to };
        if (pre) return { ...base, result: pre.result, detail: pre.detail };
        try {
          await hv.assertCanMigrate(m.vmId, m.to);
        } catch (e) {
          // An interrupted run may find its first attempt still under way: it lands, or it is refused.
          if (await landed(x, m.vmId, m.to, e)) return { ...base, result: 'done', detail: `${m.from} -> ${m.to}` };
          return { ...base, result: 'skipped', detail: `XAPI refuses it: ${errorText(e)}` };
        }
        try {
          await hv.migrateVm(m.vmId, m.to);
          return { ...base, result: 'done', detail: `${m.from} -> ${m.to}` };
        } catch (e) {
          if (await landed(x, m.vmId, m.to, e)) return { ...base, result: 'done', detail: `${m.from} -> ${m.to}` };
          return { ...base, result: 'failed', detail: `the migration failed: ${errorText(e)}` };
        }
      }),
    );
    deps.log?.('rebalance-wave', {
      operation: x.op.operationId.slice(0, 8),
      wave,
      moved: results.filter((r) => r.result === 'done').map((r) => `${r.vmId} ${r.detail}`),
      notMoved: results.filter((r) => r.result !== 'done').map((r) => `${r.vmId} ${r.result}: ${r.detail}`),
    });
    // A move that did not happen fails no step: the VM stays where it runs, which is safe.
    return { state: 'done', detail: { wave, moves: results } };
  }

  /** After an error: whether the VM reaches its target anyway (a minute when XAPI says another operation is under way, else half a second). */
  async function landed(x: StepExecution, vmId: string, to: string, e: unknown): Promise<boolean> {
    const { until } = waitUntil(x, now() + (/OTHER_OPERATION_IN_PROGRESS/.test(errorText(e)) ? 60_000 : 500));
    while (now() < until) {
      checkLease(x, x.op.operationId);
      await sleep(250);
      const again = (await hv.vms().catch(() => [])).find((v) => v.vmId === vmId);
      if (again?.hostId === to) return true;
    }
    return false;
  }

  async function release(x: StepExecution): Promise<StepOutcome> {
    await releaseLocks(x.op.hostIds ?? [], x.op.operationId);
    return { state: 'done', detail: { released: x.op.hostIds?.length ?? 0 } };
  }

  return { migrateWave, release };
}
