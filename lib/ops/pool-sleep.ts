/**
 * Sleep a pool: plan, disable the chosen hosts, migrate their VMs away (in the plan's waves),
 * check from XAPI right before the cut that no guest VM is left, `host.shutdown`, wait until XAPI
 * says not live AND the BMC says off (the proof), then mark the host asleep. A host whose any step
 * fails is re-enabled (when live) and left on, with the reason. Every host of the pool is locked
 * for the whole operation, so no other power change can race it. The steps are the named
 * functions of sleep-steps.ts; the machine at the end of this file runs them in order.
 */
import { planSleep, type SleepPlan } from '../planner/index.ts';
import type { Hypervisor } from '../xen/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import type { OpsDeps } from './ops-deps.ts';
import { readPoolView, type PoolView } from './pool-view.ts';
import { stepsOfHost, type RunOptions, type RunResult, type StepMachine } from './step-machine.ts';
import { bindingRefusal } from './binding.ts';
import { entryHostOf } from './xen-guard.ts';
import { failedOnError, loadPool, runPoolMachine, startPoolOperation, type HostStep, type PoolOpsDeps, type PoolRequest } from './pool-operation.ts';
import { sleepSteps } from './sleep-steps.ts';
import { withNightDemand, type PlanDemand } from './night-demand.ts';

export type { PoolOpsDeps, PoolRequest } from './pool-operation.ts';

export const POOL_SLEEP = 'pool-sleep';

/** A sleep plan as a request answers it: the planner's, and the measured load it used (absent in plans made before it was read). */
export type PoolSleepPlan = SleepPlan & { demand?: PlanDemand };

export interface SleepAnswer {
  plan: PoolSleepPlan;
  /** Absent for a dry run, or when nothing can sleep. */
  operationId?: string;
  created?: boolean;
}

/** A host's steps after the migrations, in the order they run. */
const HOST_STEPS_AFTER_MIGRATION = ['verify-empty', 'shutdown', 'wait-down', 'settle'] as const;

/** The plan for a pool, from XAPI and the store as they are now. Changes nothing. */
export function sleepPlanOf(view: PoolView, only?: string[]): SleepPlan {
  const stored = new Map(view.stored.map((h) => [h.hostId, h]));
  const entry = entryHostOf(view);
  // Hosts that must stay on whatever the load says, with the operator's words for why.
  const held = new Map<string, string>();
  for (const h of view.hosts) {
    const s = stored.get(h.id);
    const unbound = s ? bindingRefusal(s) : undefined;
    if (!s) held.set(h.id, 'no BMC known to lowpower: it could not be woken');
    else if (h.id === entry && !h.isMaster) held.set(h.id, `lowpower reaches the pool's XAPI through it (${view.pool.xapiUrl})`);
    else if (unbound) held.set(h.id, `its BMC is not bound to it: ${unbound.why}`);
    else if (only && !only.includes(h.id)) held.set(h.id, 'not a target of this request');
  }
  const hosts = view.hosts.map((h) => (held.has(h.id) ? { ...h, neverSleep: true } : h));
  const plan = planSleep(hosts, view.plannerVms, view.policy);
  // Say why in the operator's words where the planner only saw a never-sleep flag.
  plan.keep = plan.keep.map((k) => (held.has(k.hostId) && /never-sleep/.test(k.reason) ? { hostId: k.hostId, reason: held.get(k.hostId) as string } : k));
  return plan;
}

/** One line for the audit: whether the plan used measured load. */
export function demandText(d: PlanDemand): string {
  if (d.error) return d.error;
  return `measured CPU demand for ${d.vms} of ${d.of} VMs from up to ${d.nights} of the last ${d.lookedBack} nights (${d.night.start}-${d.night.end} ${d.night.timeZone})`;
}

/** Plan, and unless it is a dry run, lock the pool and write the operation with its steps. */
export async function requestPoolSleep(deps: PoolOpsDeps, r: PoolRequest & { dryRun?: boolean }): Promise<SleepAnswer> {
  if (!r.reason.trim()) throw new Error('a reason is required');
  const { pool, hv } = await loadPool(deps, r.poolId);
  // The night's measured CPU demand, so the pool's CPU ceiling holds (a failed read plans without it, and says so).
  const { view, demand } = await withNightDemand(deps.store, await readPoolView(deps.store, hv, pool), (deps.now ?? Date.now)());
  const plan: PoolSleepPlan = { ...sleepPlanOf(view, r.hostIds), demand };
  deps.log?.('sleep-plan-demand', { pool: r.poolId, vms: `${demand.vms}/${demand.of}`, nights: demand.nights, night: `${demand.night.start}-${demand.night.end} ${demand.night.timeZone} (${demand.night.from})`, samples: demand.samplesRead, error: demand.error });
  const load = demandText(demand);
  if (r.dryRun || plan.sleep.length === 0) {
    await deps.store.appendAudit({ poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'sleep pool', result: r.dryRun ? 'dry-run' : 'ok', message: `${plan.sleep.length ? `would sleep ${plan.sleep.join(', ')}` : `nothing to sleep: ${plan.why ?? 'every host is needed'}`}; ${load}` });
    return { plan };
  }
  const started = await startPoolOperation(deps, { ...r, kind: POOL_SLEEP, params: { plan } });
  if (!started.created) return { plan: started.params?.plan as PoolSleepPlan, operationId: started.operationId, created: false };
  const { operationId } = started;
  let index = 0;
  const step = (name: string, hostId?: string, detail?: Record<string, unknown>) => deps.store.createStep(operationId, { index: index++, name, hostId, state: 'pending', detail });
  for (const h of plan.sleep) await step('disable', h);
  const waves = [...new Set(plan.migrations.map((m) => m.wave))].sort((a, b) => a - b);
  for (const w of waves) await step('migrate', undefined, { wave: w });
  for (const h of plan.sleep) for (const name of HOST_STEPS_AFTER_MIGRATION) await step(name, h);
  await step('release');
  await deps.store.appendAudit({ operationId, poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'sleep pool requested', result: 'ok', message: `sleep ${plan.sleep.join(', ')}; ${plan.migrations.length} migrations; ${load}` });
  return { plan, operationId, created: true };
}

/**
 * The sleep machine: each host disabled, the migration waves, then per host verify-empty,
 * shutdown, wait-down and settle, and the release. A host whose step failed skips its next ones
 * until settle, which (like release) runs even after a cancel.
 */
function sleepMachine(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps): StepMachine {
  const plan = op0.params?.plan as SleepPlan;
  const poolId = op0.poolId;
  const steps = sleepSteps(deps, hv, op0);
  const hostSteps = new Map<string, HostStep>([
    ['disable', steps.disableHost],
    ['verify-empty', steps.verifyEmpty],
    ['shutdown', steps.shutdownHost],
    ['wait-down', steps.waitDown],
  ]);
  return {
    alwaysRun: ['settle', 'release'],
    async execute(x) {
      const { step } = x;
      if (step.name === 'release') return steps.release(x);
      if (step.name === 'migrate') return steps.migrateWave(x);
      const hostId = step.hostId as string;
      if (step.name === 'settle') return steps.settle(x, hostId);
      const bad = steps.failedBefore(x.op, hostId, step.index);
      if (bad) return { state: 'skipped', detail: { why: `${bad.name} failed` } };
      const run = hostSteps.get(step.name);
      if (!run) throw new Error(`unknown step ${step.name}`);
      return failedOnError(() => run(x, hostId));
    },
    async finish(op: OperationWithSteps) {
      const hosts = plan.sleep.map((h) => {
        const settleStep = stepsOfHost(op, h).find((s) => s.name === 'settle');
        const asleep = settleStep?.detail?.asleep === true;
        const watts = asleep && typeof settleStep?.detail?.wattsBefore === 'number' ? settleStep.detail.wattsBefore - (Number(settleStep.detail.wattsAsleep) || 0) : 0;
        return { hostId: h, result: asleep ? 'done' : 'failed', detail: asleep ? 'asleep' : String(settleStep?.detail?.why ?? settleStep?.error ?? 'not finished'), wattsSaved: watts };
      });
      const kept = plan.keep.map((k) => ({ hostId: k.hostId, result: 'skipped', detail: k.reason }));
      const wattsSwitchedOff = hosts.reduce((a, h) => a + h.wattsSaved, 0);
      for (const h of hosts) {
        await deps.store.appendAudit({ at: op.steps.find((s) => s.name === 'release')?.finishedAt, once: `host-${h.hostId}`, operationId: op.operationId, poolId, hostId: h.hostId, actor: op.actor, source: op.source, reason: op.reason, action: 'sleep host', result: h.result === 'done' ? 'ok' : 'failed', message: h.detail });
      }
      return { state: hosts.every((h) => h.result === 'done') ? ('succeeded' as const) : ('failed' as const), result: { hosts: [...hosts, ...kept], wattsSwitchedOff } };
    },
  };
}

export const runPoolSleep = (deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> => runPoolMachine(deps, operationId, run, sleepMachine);
