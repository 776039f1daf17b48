/**
 * Wake a pool (or some of its hosts): IPMI power on in small staggered groups (BMCs and power
 * feeds dislike bursts), wait for XAPI to call each host live, `host.enable`, mark it awake and
 * learn its lead time (power-on to enabled). The last step is the morning guard: by the time the
 * pool must be ready, every host is live and enabled, or it is retried once and an alert names
 * the host and the step where it stopped. The steps are the named functions of wake-steps.ts;
 * the machine at the end of this file runs them in order.
 */
import { planWake, type WakePlan } from '../planner/index.ts';
import type { HostRepository, PoolRepository } from '../store/index.ts';
import type { Hypervisor } from '../xen/index.ts';
import type { Host, OperationWithSteps } from '../store/index.ts';
import { XapiUnreachableError } from '../xen/index.ts';
import type { OpsDeps } from './ops-deps.ts';
import { readPoolView } from './pool-view.ts';
import { failedOnError, loadPool, runPoolMachine, startPoolOperation, type BusyHost, type HostStep, type PoolOpsDeps, type PoolRequest } from './pool-operation.ts';
import { errorText, stepsOfHost, type RunOptions, type RunResult, type StepMachine } from './step-machine.ts';
import { wakeSteps, type WakeHostReport } from './wake-steps.ts';
import { rebalanceAfterWake } from './rebalance.ts';

export const POOL_WAKE = 'pool-wake';

/** Lead time of a host with no history yet: power-on, POST, boot, XAPI start, enable. */
export const DEFAULT_WAKE_LEAD_MS = 10 * 60_000;

export interface WakeRequest extends PoolRequest {
  dryRun?: boolean;
  /** Hosts to leave off (a schedule's "keep off until"). */
  excludeHostIds?: string[];
  /** When the pool must be ready (ISO); the guard checks by then. Default: now + the longest lead. */
  readyBy?: string;
}

export interface WakeAnswer {
  plan: WakePlan;
  operationId?: string;
  created?: boolean;
}

/** A host's lead time: the slowest of its recent wakes plus a quarter, or the safe default. */
export function wakeLeadMs(h: Pick<Host, 'wakeLeadsMs'>): number {
  const leads = h.wakeLeadsMs ?? [];
  return leads.length === 0 ? DEFAULT_WAKE_LEAD_MS : Math.round(Math.max(...leads) * 1.25);
}

/**
 * How many minutes before its ready time a pool's wake must start: the slowest host's lead time,
 * plus the pauses between power-on groups, rounded up to whole minutes.
 */
export async function poolWakeLeadMinutes(store: HostRepository & PoolRepository, poolId: string): Promise<number> {
  const [pool, hosts] = await Promise.all([store.getPool(poolId), store.listHosts(poolId)]);
  if (hosts.length === 0) return 0;
  const group = Math.max(1, pool?.policy?.wakeGroupSize ?? 2);
  const stagger = (Math.ceil(hosts.length / group) - 1) * (pool?.policy?.wakeStaggerMs ?? 10_000);
  return Math.ceil((Math.max(...hosts.map((h) => wakeLeadMs(h))) + stagger) / 60_000);
}

export async function requestPoolWake(deps: PoolOpsDeps, r: WakeRequest): Promise<WakeAnswer> {
  if (!r.reason.trim()) throw new Error('a reason is required');
  const { pool, hv } = await loadPool(deps, r.poolId);
  const stored = await deps.store.listHosts(r.poolId);
  const byId = new Map(stored.map((h) => [h.hostId, h]));
  const exclude = new Set(r.excludeHostIds ?? []);
  // A person naming hosts may wake any of them; otherwise (and always for a schedule) only the
  // hosts lowpower put to sleep wake: a host off for maintenance stays off.
  const named = r.source !== 'schedule' && r.hostIds !== undefined;
  const wanted = (id: string): boolean => byId.has(id) && !exclude.has(id) && (r.hostIds === undefined || r.hostIds.includes(id)) && (named || byId.get(id)?.sleepState === 'asleep');
  let plan: WakePlan;
  try {
    const view = await readPoolView(deps.store, hv, pool);
    plan = planWake(view.hosts.filter((h) => wanted(h.id)), view.plannerVms, view.policy, { all: true });
    for (const h of view.hosts) {
      const s = byId.get(h.id);
      if (s && h.state === 'off' && !exclude.has(h.id) && !wanted(h.id) && (r.hostIds === undefined || r.hostIds.includes(h.id))) plan.why.push(`${h.id}: off, but lowpower did not put it to sleep (maintenance?): left off`);
    }
  } catch (e) {
    if (!(e instanceof XapiUnreachableError)) throw e;
    // Rule 4: the morning goes on through the BMCs when XAPI is down; nothing is guessed from
    // XAPI's silence: the hosts are enabled once XAPI is back and calls them live.
    const wake = stored.filter((h) => wanted(h.hostId) && h.power !== 'on').map((h) => h.hostId);
    plan = { wake, why: [...wake.map((h) => `${h}: put to sleep by lowpower; woken through its BMC`), `XAPI does not answer (${errorText(e)}): the hosts are powered on through their BMCs and enabled once XAPI is back`] };
  }
  for (const h of exclude) if (byId.has(h)) plan.why.push(`${h}: kept off by a schedule exception`);
  if (r.dryRun || plan.wake.length === 0) {
    await deps.store.appendAudit({ poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'wake pool', result: r.dryRun ? 'dry-run' : 'ok', message: plan.wake.length ? `would wake ${plan.wake.join(', ')}` : 'nothing to wake' });
    return { plan };
  }
  const lead = Math.max(...plan.wake.map((h) => wakeLeadMs(byId.get(h) ?? {})));
  const readyBy = r.readyBy ?? new Date((deps.now ?? Date.now)() + lead).toISOString();
  // A wake holds only the hosts it wakes: a lock on a host that is already on (a person's
  // operation, a rebalance) is no business of the morning's. A host it wakes that another
  // operation holds does not stop it either: that host is woken after the other operation ends.
  // (A sleep, which locks the whole pool, still cannot start beside it.)
  const started = await startPoolOperation(deps, { ...r, kind: POOL_WAKE, params: { plan, readyBy }, busyOk: plan.wake, lockOnly: plan.wake, asked: { excludeHostIds: r.excludeHostIds, readyBy: r.readyBy } });
  if (!started.created) return { plan: started.params?.plan as WakePlan, operationId: started.operationId, created: false };
  const { operationId } = started;
  const busy = new Set((started.busy ?? []).map((b) => b.hostId));
  for (const b of started.busy ?? []) plan.why.push(`${b.hostId}: busy with operation ${b.operationId}; woken once that ends`);
  const group = Math.max(1, pool.policy?.wakeGroupSize ?? 2);
  const free = plan.wake.filter((h) => !busy.has(h));
  let index = 0;
  const step = (name: string, hostId?: string) => deps.store.createStep(operationId, { index: index++, name, hostId, state: 'pending' });
  for (let i = 0; i < free.length; i += group) {
    if (i > 0) await step('stagger');
    for (const h of free.slice(i, i + group)) await step('power-on', h);
  }
  for (const h of free) {
    await step('wait-live', h);
    await step('enable', h);
  }
  for (const h of plan.wake.filter((x) => busy.has(x))) {
    await step('await-lock', h);
    await step('power-on', h);
    await step('wait-live', h);
    await step('enable', h);
  }
  await step('ready-check');
  await step('release');
  // Not ready by readyBy is alerted at readyBy, however long the wake itself still waits.
  await deps.checkAt?.(new Date(readyBy), operationId).catch((e: unknown) => deps.log?.('ready-check-not-booked', { operation: operationId.slice(0, 8), readyBy, error: errorText(e) }));
  await deps.store.appendAudit({ operationId, poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'wake pool requested', result: 'ok', message: `wake ${plan.wake.join(', ')}; ready by ${readyBy}${busy.size ? `; busy now: ${[...busy].join(', ')}` : ''}` });
  return { plan, operationId, created: true };
}

/**
 * The wake machine: power-on in groups with a stagger between them, then per host wait-live and
 * enable; a host another operation held goes await-lock, power-on, wait-live, enable after them;
 * then the ready check and the release. A host whose step failed skips its next ones; the ready
 * check retries it once. The release runs even after a cancel.
 */
function wakeMachine(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps): StepMachine {
  const readyBy = Date.parse(String(op0.params?.readyBy));
  const poolId = op0.poolId;
  const steps = wakeSteps(deps, hv, op0);
  const hostSteps = new Map<string, HostStep>([
    ['await-lock', steps.awaitLock],
    ['power-on', steps.powerOnHost],
    ['wait-live', steps.waitUntilLive],
    ['enable', steps.enableHost],
  ]);
  return {
    alwaysRun: ['release'],
    async execute(x) {
      const { step } = x;
      if (step.name === 'release') return steps.release(x);
      if (step.name === 'stagger') return steps.stagger();
      if (step.name === 'ready-check') return steps.readyCheck(x);
      const hostId = step.hostId as string;
      const bad = stepsOfHost(x.op, hostId).find((s) => s.index < step.index && s.state === 'failed');
      if (bad) return { state: 'skipped', detail: { why: `${bad.name} failed` } };
      const run = hostSteps.get(step.name);
      if (!run) throw new Error(`unknown step ${step.name}`);
      return failedOnError(() => run(x, hostId));
    },
    async finish(op: OperationWithSteps) {
      const check = op.steps.find((s) => s.name === 'ready-check');
      const hosts = (check?.detail?.hosts as WakeHostReport[] | undefined) ?? [];
      for (const h of hosts) {
        await deps.store.appendAudit({ at: check?.finishedAt, once: `host-${h.hostId}`, operationId: op.operationId, poolId, hostId: h.hostId, actor: op.actor, source: op.source, reason: op.reason, action: 'wake host', result: h.result === 'done' ? 'ok' : 'failed', message: h.detail });
      }
      // Late but done is reported too: the pool was not ready when it had to be.
      const lateByMs = Math.max(0, Date.parse(check?.finishedAt ?? new Date((deps.now ?? Date.now)()).toISOString()) - readyBy);
      const busy = (op.params?.busy as BusyHost[] | undefined) ?? [];
      const ok = hosts.every((h) => h.result === 'done');
      // The pool's afterWake: a rebalance of its own, requested once (keyed by this wake) when all woke.
      const rebalance = ok && !op.cancelRequested ? await rebalanceAfterWake(deps, op) : undefined;
      return {
        state: ok ? ('succeeded' as const) : ('failed' as const),
        result: { hosts, readyBy: op.params?.readyBy, ...(lateByMs > 0 ? { lateByMs } : {}), ...(busy.length ? { wokenAfterBusy: busy } : {}), ...(rebalance ? { rebalance } : {}) },
      };
    },
  };
}

export const runPoolWake = (deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> => runPoolMachine(deps, operationId, run, wakeMachine);
