/**
 * Sleep a pool: plan, disable the chosen hosts, migrate their VMs away (in the plan's waves),
 * check from XAPI right before the cut that no guest VM is left, `host.shutdown`, wait until XAPI
 * says not live AND the BMC says off (the proof), then mark the host asleep. A host whose any step
 * fails is re-enabled (when live) and left on, with the reason. Every host of the pool is locked
 * for the whole operation, so no other power change can race it.
 */
import { randomUUID } from 'node:crypto';
import { planSleep, type SleepPlan } from '../planner/index.ts';
import type { Hypervisor } from '../xen/hypervisor.ts';
import { HostBusyError, IdempotencyKeyReusedError } from '../store/errors.ts';
import { requestHash } from './request-hash.ts';
import type { ActionSource, Host, OperationStep, OperationWithSteps, Pool } from '../store/types.ts';
import { recordPower, type OpsDeps } from './host-power.ts';
import { readPoolView, type PoolView } from './pool-view.ts';
import { checkLease, errorText, LeaseLostError, hostOf, isCancelled, runStepMachine, sleep, stepsOfHost, waitUntil, type RunOptions, type RunResult, type StepExecution, type StepMachine, type StepOutcome } from './step-machine.ts';
import { bindingRefusal } from './binding.ts';
import { XapiUnreachableError } from '../xen/errors.ts';
import { bmcCutRefusal } from './bind-host.ts';
import { entryHostOf } from './xen-guard.ts';

export const POOL_SLEEP = 'pool-sleep';

export interface PoolOpsDeps extends OpsDeps {
  /** The pool's XAPI, logged in with the pool's secret. */
  hypervisorFor(pool: Pool): Promise<Hypervisor>;
  /** How long to wait for a shut-down host to be not live and off (default 5 min). */
  downTimeoutMs?: number;
  /** How long to wait for a woken host to be live (default 10 min). */
  liveTimeoutMs?: number;
  /** How long a step waits out an XAPI that does not answer before it gives up on a host (default 20 s). */
  xapiRetryMs?: number;
  /** Book a sweep at this instant (a wake's ready time: not ready then is alerted then). */
  checkAt?(at: Date, operationId: string): Promise<void>;
}

export interface PoolRequest {
  poolId: string;
  reason: string;
  actor: string;
  source: ActionSource;
  idempotencyKey: string;
  /** Only these hosts may sleep (a schedule's targets); the others stay on. */
  hostIds?: string[];
}

export interface SleepAnswer {
  plan: SleepPlan;
  /** Absent for a dry run, or when nothing can sleep. */
  operationId?: string;
  created?: boolean;
}


export async function loadPool(deps: PoolOpsDeps, poolId: string): Promise<{ pool: Pool; hv: Hypervisor }> {
  const pool = await deps.store.getPool(poolId);
  if (!pool) throw new Error(`pool ${poolId} is not known`);
  return { pool, hv: await deps.hypervisorFor(pool) };
}

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

/**
 * Lock every host of the pool for one operation; all or none. With `busyOk` (a wake), a host that
 * another operation holds is left out and named in `busy` instead of refusing the whole request.
 */
export async function lockPool(deps: OpsDeps, poolId: string, operationId: string, o: { busyOk?: string[] } = {}): Promise<{ hostIds: string[]; busy: Array<{ hostId: string; operationId: string }> }> {
  const hosts = (await deps.store.listHosts(poolId)).map((h) => h.hostId);
  const taken: string[] = [];
  const busy: Array<{ hostId: string; operationId: string }> = [];
  try {
    for (const h of hosts) {
      try {
        await deps.store.acquireHostLock(poolId, h, operationId, deps.leaseMs ?? 60 * 60_000, (deps.now ?? Date.now)());
        taken.push(h);
      } catch (e) {
        if (!(e instanceof HostBusyError) || !o.busyOk?.includes(h)) throw e;
        busy.push({ hostId: h, operationId: e.operationId });
      }
    }
  } catch (e) {
    await Promise.all(taken.map((h) => deps.store.releaseHostLock(poolId, h, operationId)));
    throw e;
  }
  return { hostIds: taken, busy };
}

/**
 * Lock every host of the pool and write the operation, once per idempotency key: the same request
 * again (a retried schedule or click) gets the operation it started, with `created: false`.
 */
export async function startPoolOperation(
  deps: OpsDeps,
  r: PoolRequest & { kind: string; params: Record<string, unknown>; busyOk?: string[]; asked?: Record<string, unknown> },
): Promise<{ operationId: string; created: boolean; params?: Record<string, unknown>; busy?: Array<{ hostId: string; operationId: string }> }> {
  const operationId = randomUUID();
  // A person's request (not a schedule's, whose key is its fire) is held to its key.
  const hash = r.source === 'schedule' ? undefined : requestHash({ kind: r.kind, poolId: r.poolId, hostIds: r.hostIds, reason: r.reason, actor: r.actor, source: r.source, ...(r.asked ?? {}) });
  const same = (holder: { operationId: string; requestHash?: string }): void => {
    if (hash && holder.requestHash && holder.requestHash !== hash) throw new IdempotencyKeyReusedError(r.idempotencyKey, holder.operationId);
  };
  let hostIds: string[];
  let busy: Array<{ hostId: string; operationId: string }> = [];
  try {
    ({ hostIds, busy } = await lockPool(deps, r.poolId, operationId, { busyOk: r.busyOk }));
    if (busy.length) {
      // The same request again finds its own operation holding the hosts.
      const holder = await deps.store.getOperation(busy[0].operationId);
      if (holder?.idempotencyKey === r.idempotencyKey) {
        same(holder);
        await Promise.all(hostIds.map((h) => deps.store.releaseHostLock(r.poolId, h, operationId)));
        return { operationId: holder.operationId, created: false, params: holder.params };
      }
    }
  } catch (e) {
    if (e instanceof HostBusyError) {
      const holder = await deps.store.getOperation(e.operationId);
      if (holder?.idempotencyKey === r.idempotencyKey) {
        same(holder);
        return { operationId: holder.operationId, created: false, params: holder.params };
      }
    }
    throw e;
  }
  const params = busy.length ? { ...r.params, busy } : r.params;
  const { operation, created } = await deps.store.createOperation(
    { operationId, poolId: r.poolId, kind: r.kind, actor: r.actor, source: r.source, reason: r.reason, hostIds, params, ...(hash ? { requestHash: hash } : {}) },
    r.idempotencyKey,
  );
  if (!created) {
    await Promise.all(hostIds.map((h) => deps.store.releaseHostLock(r.poolId, h, operationId)));
    return { operationId: operation.operationId, created: false, params: operation.params };
  }
  return { operationId, created: true, params, busy };
}

/** Plan, and unless it is a dry run, lock the pool and write the operation with its steps. */
export async function requestPoolSleep(deps: PoolOpsDeps, r: PoolRequest & { dryRun?: boolean }): Promise<SleepAnswer> {
  if (!r.reason.trim()) throw new Error('a reason is required');
  const { pool, hv } = await loadPool(deps, r.poolId);
  const view = await readPoolView(deps.store, hv, pool);
  const plan = sleepPlanOf(view, r.hostIds);
  if (r.dryRun || plan.sleep.length === 0) {
    await deps.store.appendAudit({ poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'sleep pool', result: r.dryRun ? 'dry-run' : 'ok', message: plan.sleep.length ? `would sleep ${plan.sleep.join(', ')}` : `nothing to sleep: ${plan.why ?? 'every host is needed'}` });
    return { plan };
  }
  const started = await startPoolOperation(deps, { ...r, kind: POOL_SLEEP, params: { plan } });
  if (!started.created) return { plan: started.params?.plan as SleepPlan, operationId: started.operationId, created: false };
  const { operationId } = started;
  let index = 0;
  const step = (name: string, hostId?: string, detail?: Record<string, unknown>) => deps.store.createStep(operationId, { index: index++, name, hostId, state: 'pending', detail });
  for (const h of plan.sleep) await step('disable', h);
  const waves = [...new Set(plan.migrations.map((m) => m.wave))].sort((a, b) => a - b);
  for (const w of waves) await step('migrate', undefined, { wave: w });
  for (const h of plan.sleep) for (const name of ['verify-empty', 'shutdown', 'wait-down', 'settle']) await step(name, h);
  await step('release');
  await deps.store.appendAudit({ operationId, poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'sleep pool requested', result: 'ok', message: `sleep ${plan.sleep.join(', ')}; ${plan.migrations.length} migrations` });
  return { plan, operationId, created: true };
}

function sleepMachine(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps) {
  const plan = op0.params?.plan as SleepPlan;
  const poolId = op0.poolId;
  const now = deps.now ?? Date.now;
  const stepsOf = stepsOfHost;
  const host = (hostId: string): Promise<Host> => hostOf(deps.store, poolId, hostId);
  const failed = (op: OperationWithSteps, hostId: string, before: number): OperationStep | undefined =>
    stepsOf(op, hostId).find((s) => s.index < before && (s.state === 'failed' || isCancelled(s)));
  const message = errorText;

  async function migrateWave(x: StepExecution): Promise<StepOutcome> {
    const wave = Number(x.step.detail?.wave);
    const moves = plan.migrations.filter((m) => m.wave === wave);
    let vms;
    try {
      vms = await hv.vms();
    } catch (e) {
      // Nothing moves without XAPI; the hosts of this wave then fail verify-empty and stay on.
      return { state: 'done', detail: { wave, moves: [], error: `no VM moved: ${message(e)}` } };
    }
    const where = new Map(vms.map((v) => [v.vmId, v]));
    const results = await Promise.all(
      moves.map(async (m) => {
        const vm = where.get(m.vmId);
        if (!vm || vm.powerState !== 'Running') return { vm: m.vmId, result: 'gone', detail: vm ? vm.powerState : 'no longer exists' };
        if (vm.hostId === m.to) return { vm: m.vmId, result: 'done', detail: `already on ${m.to}` };
        if (vm.hostId !== m.from) return { vm: m.vmId, result: 'skipped', detail: `now on ${vm.hostId}, not ${m.from}` };
        // A host that failed before this wave keeps its VMs: it will be re-enabled and left on.
        if (failed(x.op, m.from, x.step.index)) return { vm: m.vmId, result: 'skipped', detail: `${m.from} is being left on` };
        try {
          await hv.migrateVm(m.vmId, m.to);
          return { vm: m.vmId, result: 'done', detail: `${m.from} -> ${m.to}` };
        } catch (e) {
          // An interrupted run may find the first attempt still under way: let it finish, look again.
          const { until } = waitUntil(x, now() + (/OTHER_OPERATION_IN_PROGRESS/.test(message(e)) ? 60_000 : 500));
          while (now() < until) {
            checkLease(x, x.op.operationId);
            await sleep(250);
            const again = (await hv.vms()).find((v) => v.vmId === m.vmId);
            if (again?.hostId === m.to) return { vm: m.vmId, result: 'done', detail: `${m.from} -> ${m.to}` };
          }
          return { vm: m.vmId, result: 'failed', detail: message(e) };
        }
      }),
    );
    deps.log?.(`${x.op.operationId.slice(0, 8)} wave ${wave}: ${results.map((r) => `${r.vm} ${r.result === 'done' ? r.detail : `${r.result} (${r.detail})`}`).join('; ')}`);
    // A failed migration fails no step here: its source host fails verify-empty and stays on.
    return { state: 'done', detail: { wave, moves: results } };
  }

  /**
   * A brief XAPI outage (a master restarting, a dropped connection) is waited out, bounded by
   * `xapiRetryMs` and the worker's time; a longer one fails the step (the host stays on). Only
   * for calls that may safely be asked again.
   */
  async function xapiRetry<T>(x: StepExecution, f: () => Promise<T>): Promise<T> {
    const { until } = waitUntil(x, now() + (deps.xapiRetryMs ?? 20_000));
    for (;;) {
      try {
        return await f();
      } catch (e) {
        if (!(e instanceof XapiUnreachableError) || now() > until) throw e;
        checkLease(x, x.op.operationId);
        await sleep(deps.pollMs ?? 250);
      }
    }
  }

  /** XAPI's `live`, or undefined when XAPI cannot be asked: never guessed either way. */
  const liveOrUnknown = (hostId: string): Promise<boolean | undefined> => hv.hostLive(hostId).catch(() => undefined);

  /** Wait (from the step's start, across runs) until XAPI says not live and the BMC says off. */
  async function waitDown(x: StepExecution, hostId: string): Promise<{ live: boolean | undefined; power: 'on' | 'off' | 'unknown'; cutShort: boolean }> {
    const began = x.step.startedAt ? Date.parse(x.step.startedAt) : now();
    const { until, cutShort } = waitUntil(x, began + (deps.downTimeoutMs ?? 300_000));
    const h = await host(hostId);
    for (;;) {
      checkLease(x, x.op.operationId);
      const live = await liveOrUnknown(hostId);
      const power = await deps.driver.readPower(h).catch(() => 'unknown' as const);
      if ((live === false && power === 'off') || now() > until) return { live, power, cutShort: cutShort && now() > until };
      await sleep(deps.pollMs ?? 250);
    }
  }

  async function settle(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const bad = failed(x.op, hostId, x.step.index);
    if (!bad) {
      const h = await host(hostId);
      const verify = stepsOf(x.op, hostId).find((s) => s.name === 'verify-empty');
      const wattsBefore = typeof verify?.detail?.watts === 'number' ? verify.detail.watts : undefined;
      const wattsAsleep = (await deps.driver.readWatts(h)) ?? undefined;
      const sleptAt = new Date(now()).toISOString();
      await deps.store.updateHost(poolId, hostId, h.version, {
        power: 'off',
        powerObservedAt: sleptAt,
        powerSource: 'ipmi',
        xenState: 'asleep',
        sleepState: 'asleep',
        sleptAt,
        sleptByOperation: x.op.operationId,
        wattsBeforeSleep: wattsBefore,
        wattsAsleep,
      });
      return { state: 'done', detail: { asleep: true, wattsBefore, wattsAsleep } };
    }
    // Rule 4: enabled again only when live. A host that went down anyway is recorded as it is.
    const live = await liveOrUnknown(hostId);
    if (live === undefined) {
      // XAPI does not answer: neither enabled nor marked asleep on a guess. The sweeper enables
      // it once XAPI is back and calls it live; the alert says so meanwhile.
      const h = await host(hostId);
      await deps.store.updateHost(poolId, hostId, h.version, { awaitingEnable: { operationId: x.op.operationId, since: new Date(now()).toISOString() } });
      await deps.store.openAlert({ poolId, hostId, kind: 'sleep-failed', message: `${hostId}: ${bad.name} failed (${bad.error ?? '?'}) and XAPI does not answer: the host may be live and disabled; lowpower enables it when XAPI is back`, detail: { operationId: x.op.operationId } });
      return { state: 'failed', detail: { leftOn: true, awaitingXapi: true }, error: `${bad.name} failed and XAPI does not answer: left for the sweeper to enable once XAPI is back` };
    }
    if (live) {
      await hv.enableHost(hostId);
      const h = await host(hostId);
      await deps.store.updateHost(poolId, hostId, h.version, { xenState: 'enabled', sleepState: 'awake' });
      return { state: 'done', detail: { leftOn: true, why: isCancelled(bad) ? 'left on: the operation was cancelled' : `left on: ${bad.name} failed: ${bad.error ?? 'no reason given'}` } };
    }
    const power = await deps.driver.readPower(await host(hostId)).catch(() => 'unknown' as const);
    await recordPower(deps.store, poolId, hostId, power);
    await deps.store.openAlert({ poolId, hostId, kind: 'sleep-failed', message: `${hostId}: ${bad.name} failed (${bad.error ?? '?'}); host not live, chassis ${power}`, detail: { operationId: x.op.operationId } });
    return { state: 'failed', detail: { power }, error: `${bad.name} failed and the host is not live (chassis ${power}): see the alert` };
  }

  return {
    alwaysRun: ['settle', 'release'],
    async execute(x: StepExecution): Promise<StepOutcome> {
      const { step } = x;
      if (step.name === 'release') {
        for (const h of x.op.hostIds ?? []) await deps.store.releaseHostLock(poolId, h, x.op.operationId);
        return { state: 'done', detail: { released: x.op.hostIds?.length ?? 0 } };
      }
      if (step.name === 'migrate') return migrateWave(x);
      const hostId = step.hostId as string;
      if (step.name === 'settle') return settle(x, hostId);
      const bad = failed(x.op, hostId, step.index);
      if (bad) return { state: 'skipped', detail: { why: `${bad.name} failed` } };
      try {
        if (step.name === 'disable') {
          await xapiRetry(x, () => hv.disableHost(hostId));
          const h = await host(hostId);
          await deps.store.updateHost(poolId, hostId, h.version, { xenState: 'disabled' });
          return { state: 'done' };
        }
        if (step.name === 'verify-empty') {
          const left = await xapiRetry(x, () => hv.residentGuestVms(hostId));
          if (left.length) return { state: 'failed', detail: { vms: left }, error: `still runs ${left.length} VM(s): ${left.join(', ')}` };
          return { state: 'done', detail: { vms: [], watts: await deps.driver.readWatts(await host(hostId)) } };
        }
        if (step.name === 'shutdown') {
          if (x.interrupted) {
            // An earlier run may have sent it: give the host time to go down before sending again.
            const until = now() + 30_000;
            while (now() < until && (await liveOrUnknown(hostId)) !== false) {
              checkLease(x, x.op.operationId);
              await sleep(deps.pollMs ?? 250);
            }
            if ((await liveOrUnknown(hostId)) === false) return { state: 'done', detail: { sent: 'by an earlier run; the host is going down' } };
          }
          // Rule 2 first: the BMC that will prove the host off (and wake it) must be this host's.
          const h = await host(hostId);
          const foreign = await bmcCutRefusal(deps, h);
          if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
          // Rules 1 and 2, right before the cut: XAPI's own shutdown would kill what still runs.
          const [left, incoming, xen] = await xapiRetry(x, () => Promise.all([hv.residentGuestVms(hostId), hv.incomingGuestVms(hostId), hv.pool()]));
          if (xen.masterHostId === hostId) return { state: 'failed', detail: { refused: true }, error: 'refused: the host is the pool master' };
          if (left.length) return { state: 'failed', detail: { refused: true, vms: left }, error: `refused: ${left.join(', ')} arrived on the host` };
          if (incoming.length) return { state: 'failed', detail: { refused: true, vms: incoming }, error: `refused: ${incoming.join(', ')} migrating to the host` };
          // A power-feed outage tonight must not bring the host up unmanaged.
          const policy = (await deps.store.getPool(poolId))?.policy?.powerRestorePolicy ?? 'previous';
          const restore = await deps.driver.setRestorePolicy(h, policy).then(() => policy, (e: unknown) => `not set (${message(e)})`);
          if (restore === policy) {
            const fresh = await host(hostId);
            await deps.store.updateHost(poolId, hostId, fresh.version, { restorePolicy: { policy, setAt: new Date(now()).toISOString() } });
          }
          await hv.shutdownHost(hostId);
          return { state: 'done', detail: { sent: true, restorePolicy: restore } };
        }
        if (step.name === 'wait-down') {
          let seen = await waitDown(x, hostId);
          if (seen.live === false && seen.power === 'on' && !seen.cutShort && step.detail?.hardOff === undefined && (await deps.store.getPool(poolId))?.policy?.hardOffWhenEmpty === true) {
            // Shut down as far as XAPI knows, yet the chassis stays on: empty, so policy may cut it
            // (through its bound BMC only).
            const h = await host(hostId);
            const foreign = await bmcCutRefusal(deps, h);
            if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
            await deps.driver.sendOnce(h, 'off').catch(() => undefined);
            seen = await waitDown({ ...x, step: { ...step, startedAt: new Date(now()).toISOString() } }, hostId);
          }
          await recordPower(deps.store, poolId, hostId, seen.power);
          if (seen.live === false && seen.power === 'off') return { state: 'done', detail: { live: seen.live, power: seen.power } };
          if (seen.cutShort) return { state: 'wait', detail: { live: seen.live ?? null, power: seen.power } };
          // XAPI silent, but the BMC (bound, checked before the cut) shows the chassis off: that is
          // a measurement, not a guess, and the host must be woken in the morning like the others.
          if (seen.live === undefined && seen.power === 'off') return { state: 'done', detail: { live: null, power: seen.power, why: 'XAPI does not answer; the BMC shows the chassis off' } };
          const xen = seen.live === undefined ? 'XAPI does not answer (liveness unknown)' : seen.live ? 'still live in XAPI' : 'not live';
          return { state: 'failed', detail: { live: seen.live ?? null, power: seen.power }, error: `after shutdown: ${xen}, chassis ${seen.power}` };
        }
      } catch (e) {
        if (e instanceof LeaseLostError) throw e;
        return { state: 'failed', error: message(e) };
      }
      throw new Error(`unknown step ${step.name}`);
    },
    async finish(op: OperationWithSteps) {
      const hosts = plan.sleep.map((h) => {
        const settleStep = stepsOf(op, h).find((s) => s.name === 'settle');
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

/** Run a pool operation's step machine with the pool's hypervisor (sleep and wake both). */
export async function runPoolMachine(
  deps: OpsDeps,
  operationId: string,
  run: RunOptions,
  machine: (deps: PoolOpsDeps, hv: Hypervisor, op: OperationWithSteps) => StepMachine,
): Promise<RunResult> {
  const pd = deps as PoolOpsDeps;
  if (typeof pd.hypervisorFor !== 'function') throw new Error('pool operations need a hypervisor (hypervisorFor)');
  return runStepMachine(deps, operationId, async (op) => machine(pd, (await loadPool(pd, op.poolId)).hv, op), run);
}

export const runPoolSleep = (deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> => runPoolMachine(deps, operationId, run, sleepMachine);
