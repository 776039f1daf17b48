/**
 * Durable host power operations: on, off, soft (ACPI shutdown, escalated to a hard off only when
 * the request allows it) and cycle. Requesting one takes every host's lock (a busy host answers
 * with the operation that holds it) and writes the steps; running it goes through the step machine,
 * so a worker that dies anywhere is followed by one that finishes the job. A chassis command whose
 * sending began but was not recorded as finished is never sent again: the next run only watches.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { HostBusyError, IdempotencyKeyReusedError } from '../store/errors.ts';
import { requestHash } from './request-hash.ts';
import type { ActionSource, Host, OperationWithSteps, PowerState } from '../store/types.ts';
import type { HostPowerAction, PowerDriver } from './power-driver.ts';
import { IpmiError } from '../ipmi/errors.ts';
import { checkLease, errorText, hostOf, isCancelled, runStepMachine, sleep, stepsOfHost, waitUntil, type RunOptions, type RunResult, type StepExecution, type StepMachineDeps, type StepOutcome } from './step-machine.ts';
import { bindingRefusal } from './binding.ts';
import { bmcCutRefusal, bmcOnRefusal } from './bind-host.ts';

export { OperationBusyError, type RunOptions } from './step-machine.ts';

/** Safety rules 1 to 5 from the hypervisor before power is cut: a reason to refuse, or undefined to go ahead. */
export interface PowerGuard {
  refuseCut(host: Host, action: HostPowerAction): Promise<string | undefined>;
  /** Disable the host in XAPI before its cut (nothing lands on it meanwhile); true when it was enabled. */
  disable?(host: Host): Promise<boolean>;
  /** Enable it again (an abandoned cut, or a cycled host back live). */
  enable?(host: Host): Promise<void>;
  /** XAPI's `live`, or undefined when XAPI cannot be asked (never a guess). */
  live?(host: Host): Promise<boolean | undefined>;
}

export interface OpsDeps extends StepMachineDeps {
  driver: PowerDriver;
  /** Checked right before any command that cuts power (off, soft, cycle, escalation). */
  guard?: PowerGuard;
  /** How long a host lock lasts before another operation may take it (default 15 min). */
  leaseMs?: number;
  /** How long `confirm` waits for the chassis to reach the state (default 30 s). */
  confirmMs?: number;
  /** How often `confirm` reads the chassis (default 200 ms). */
  pollMs?: number;
  /** How long a cycled host may take to be live again before it is enabled (default 10 min). */
  liveTimeoutMs?: number;
}

export interface HostPowerRequest {
  poolId: string;
  hostIds: string[];
  action: HostPowerAction;
  reason: string;
  actor: string;
  source: ActionSource;
  idempotencyKey: string;
  /** Soft off: a host still on after `softTimeoutMs` is switched off hard (only if empty). */
  escalate?: boolean;
  softTimeoutMs?: number;
  /** Override the power-cut guard (safety rules 1, 2, 5); recorded in the audit. */
  force?: boolean;
}

export const HOST_POWER = 'host-power';

/** The chassis state each action ends in. */
const TARGET: Record<HostPowerAction, 'on' | 'off'> = { on: 'on', off: 'off', soft: 'off', cycle: 'on' };
const CUTS: readonly HostPowerAction[] = ['off', 'soft', 'cycle'];

export const isHostPowerAction = (v: unknown): v is HostPowerAction => v === 'on' || v === 'off' || v === 'soft' || v === 'cycle';

/** The guard said no (and nobody forced it): nothing was written. */
export class PowerRefusedError extends Error {
  constructor(
    readonly hostId: string,
    readonly why: string,
    readonly forceable = true,
  ) {
    super(`refused to cut power to ${hostId}: ${why}${forceable ? ' (a person may force it, with a reason)' : ''}`);
  }
}

/** Take the locks and record the operation; run it with runHostPower. */
export async function requestHostPower(deps: OpsDeps, r: HostPowerRequest): Promise<{ operationId: string; created: boolean }> {
  if (r.hostIds.length === 0) throw new Error('no hosts given');
  if (!r.reason.trim()) throw new Error('a reason is required');
  if (!isHostPowerAction(r.action)) throw new Error(`action '${String(r.action)}' is not one of on, off, soft, cycle`);
  if (CUTS.includes(r.action) && r.hostIds.length === 1) {
    // One host asked for by a person: say no at once. (Several hosts: each is checked in its own
    // step, so one refused host does not block the others.) The step checks again before the cut.
    const host = await deps.store.getHost(r.poolId, r.hostIds[0]);
    const unbound = host && bindingRefusal(host);
    if (unbound) throw new PowerRefusedError(r.hostIds[0], unbound.why, false);
    const why = host && deps.guard && !r.force && (await deps.guard.refuseCut(host, r.action));
    if (why) throw new PowerRefusedError(r.hostIds[0], why);
  }
  const now = deps.now ?? Date.now;
  const operationId = randomUUID();
  const taken: string[] = [];
  // A person's request (not a schedule's, whose key is its fire) is held to its key.
  const { idempotencyKey: _key, ...asked } = r;
  const hash = r.source === 'schedule' ? undefined : requestHash({ kind: HOST_POWER, ...asked });
  try {
    for (const hostId of r.hostIds) {
      const host = await deps.store.getHost(r.poolId, hostId);
      if (!host) throw new Error(`host ${hostId} is not in pool ${r.poolId}`);
      await deps.store.acquireHostLock(r.poolId, hostId, operationId, deps.leaseMs ?? 15 * 60_000, now());
      taken.push(hostId);
    }
  } catch (e) {
    await Promise.all(taken.map((h) => deps.store.releaseHostLock(r.poolId, h, operationId)));
    if (e instanceof HostBusyError) {
      // The same request again (same idempotency key) gets the operation it already started.
      const holder = await deps.store.getOperation(e.operationId);
      if (holder?.idempotencyKey === r.idempotencyKey) {
        if (hash && holder.requestHash && holder.requestHash !== hash) throw new IdempotencyKeyReusedError(r.idempotencyKey, holder.operationId);
        return { operationId: holder.operationId, created: false };
      }
    }
    throw e;
  }
  const params: Record<string, unknown> = { action: r.action };
  if (r.action === 'soft') {
    params.escalate = r.escalate === true;
    params.softTimeoutMs = r.softTimeoutMs ?? 120_000;
  }
  if (r.force) params.force = true;
  const { operation, created } = await deps.store.createOperation(
    { operationId, poolId: r.poolId, kind: HOST_POWER, actor: r.actor, source: r.source, reason: r.reason, hostIds: r.hostIds, params, ...(hash ? { requestHash: hash } : {}) },
    r.idempotencyKey,
  );
  if (!created) {
    await Promise.all(taken.map((h) => deps.store.releaseHostLock(r.poolId, h, operationId)));
    return { operationId: operation.operationId, created: false };
  }
  let index = 0;
  // A cut disables the host in XAPI first and enables it again when the cut is abandoned (or a cycled host is back).
  const names = r.action === 'on' ? ['check', 'command', 'confirm'] : r.action === 'soft' ? ['check', 'disable', 'command', 'confirm', 'escalate', 'reenable'] : ['check', 'disable', 'command', 'confirm', 'reenable'];
  for (const hostId of r.hostIds) {
    for (const name of names) await deps.store.createStep(operationId, { index: index++, name, hostId, state: 'pending' });
  }
  await deps.store.createStep(operationId, { index: index++, name: 'release', state: 'pending' });
  await deps.store.appendAudit({
    operationId,
    poolId: r.poolId,
    actor: r.actor,
    source: r.source,
    reason: r.reason,
    action: `power ${r.action} requested`,
    result: 'ok',
    forced: r.force ? true : undefined,
  });
  return { operationId, created: true };
}


/**
 * Read the chassis until it shows `target` or `ms` pass (or, inside a step, the worker's time is
 * up, or its lease is lost); a BMC that stops answering is `unknown`.
 */
export async function waitForPower(deps: OpsDeps, host: Host, target: 'on' | 'off', ms: number, x?: Pick<StepExecution, 'deadlineAt' | 'signal' | 'op'>): Promise<PowerState> {
  const now = deps.now ?? Date.now;
  const until = x ? waitUntil(x, now() + ms).until : now() + ms;
  for (;;) {
    if (x) checkLease(x, x.op.operationId);
    const power: PowerState = await deps.driver.readPower(host).catch(() => 'unknown' as const);
    if (power === target || now() > until) return power;
    await sleep(deps.pollMs ?? 200);
  }
}

/**
 * Record what the chassis showed, when and from where. A sleeping host that a person switched on
 * is awake from then on (so the drift check does not flag it).
 */
export async function recordPower(store: Store, poolId: string, hostId: string, power: PowerState, source = 'ipmi'): Promise<void> {
  const fresh = await store.getHost(poolId, hostId);
  if (!fresh) return;
  const woke = power === 'on' && fresh.sleepState === 'asleep' && source === 'ipmi-command';
  await store.updateHost(poolId, hostId, fresh.version, { power, powerObservedAt: new Date().toISOString(), powerSource: source === 'ipmi-command' ? 'ipmi' : source, ...(woke ? { sleepState: 'awake' as const, sleptAt: undefined, sleptByOperation: undefined } : {}) });
}

function hostMachine(deps: OpsDeps, op0: OperationWithSteps) {
  const action = op0.params?.action as HostPowerAction;
  const target = TARGET[action];
  const force = op0.params?.force === true;
  const stepsOf = stepsOfHost;

  /** Send one command unless an interrupted run may already have sent it; the guard goes first. */
  const send = async (x: StepExecution, host: Host, what: HostPowerAction): Promise<StepOutcome | undefined> => {
    if (x.interrupted) return { state: 'done', detail: { sent: 'unknown (not repeated)' } };
    // Rule 2: only through a BMC bound to this host, and still answering as itself. Never forced.
    // A power-on needs no proof of binding, but never goes through a BMC known to be another's.
    const foreign = CUTS.includes(what) ? await bmcCutRefusal(deps, host) : await bmcOnRefusal(deps, host);
    if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
    if (CUTS.includes(what) && deps.guard) {
      const refusal = await deps.guard.refuseCut(host, what);
      if (refusal && !force) return { state: 'failed', detail: { refused: true, why: refusal }, error: `refused: ${refusal}` };
      if (refusal) deps.log?.(`${x.op.operationId.slice(0, 8)} ${host.hostId}: forced past "${refusal}"`);
    }
    try {
      await deps.driver.sendOnce(host, what);
    } catch (e) {
      // A lost or refused answer leaves the outcome to the confirm step; anything else (the
      // worker dying) leaves this step "running", so it is never sent again.
      if (!(e instanceof IpmiError)) throw e;
      return { state: 'done', detail: { sent: true, answer: e.message } };
    }
    return undefined;
  };

  /**
   * After a cut: a host that is still live (the cut was refused, failed or cancelled) is enabled
   * again if it was enabled before; a cycled host is enabled once it is live again. What XAPI does
   * not answer is not guessed: the host is left for the sweeper to enable once XAPI is back.
   */
  async function reenable(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const mine = stepsOf(x.op, hostId);
    const disable = mine.find((s) => s.name === 'disable');
    if (disable?.detail?.wasEnabled !== true || !deps.guard?.enable) return { state: 'skipped', detail: { why: 'the host was not disabled by this operation' } };
    const host = await hostOf(deps.store, x.op.poolId, hostId);
    const cutDone = mine.filter((s) => s.name === 'confirm' || s.name === 'escalate').some((s) => s.state === 'done' && s.detail?.escalate !== true);
    if (cutDone && action !== 'cycle') return { state: 'skipped', detail: { why: 'the host is off: it stays disabled until it is woken' } };
    const now = deps.now ?? Date.now;
    const began = x.step.startedAt ? Date.parse(x.step.startedAt) : now();
    const { until, cutShort } = waitUntil(x, began + (action === 'cycle' ? (deps.liveTimeoutMs ?? 600_000) : 60_000));
    let live: boolean | undefined;
    for (;;) {
      checkLease(x, x.op.operationId);
      live = deps.guard.live ? await deps.guard.live(host) : true;
      if (live === true || now() > until) break;
      await sleep(deps.pollMs ?? 200);
    }
    if (live === true) {
      await deps.guard.enable(host);
      return { state: 'done', detail: { enabled: true } };
    }
    if (cutShort) return { state: 'wait', detail: { live } };
    const fresh = await hostOf(deps.store, x.op.poolId, hostId);
    await deps.store.updateHost(x.op.poolId, hostId, fresh.version, { awaitingEnable: { operationId: x.op.operationId, since: new Date(now()).toISOString() } });
    const why = live === undefined ? 'XAPI does not answer: the host is left disabled and is enabled once XAPI is back and calls it live' : 'not live in XAPI yet: it is enabled once it is live';
    return { state: 'done', detail: { enabled: false, why } };
  }

  return {
    alwaysRun: ['reenable', 'release'],
    async execute(x: StepExecution): Promise<StepOutcome> {
      const { op, step } = x;
      if (step.name === 'release') return { state: 'done', detail: { hosts: await release(op) } };
      const hostId = step.hostId as string;
      const mine = stepsOf(op, hostId);
      const check = mine.find((s) => s.name === 'check');
      if (step.name === 'reenable') return reenable(x, hostId);
      if (mine.some((s) => s.index < step.index && s.state === 'failed')) return { state: 'skipped', detail: { why: 'an earlier step failed' } };
      if (step.name !== 'check' && check?.detail?.already === true) return { state: 'skipped', detail: { why: `already ${target}` } };
      const host = await hostOf(deps.store, op.poolId, hostId);

      if (step.name === 'disable') {
        if (!deps.guard?.disable) return { state: 'skipped', detail: { why: 'no hypervisor configured' } };
        try {
          return { state: 'done', detail: { wasEnabled: await deps.guard.disable(host) } };
        } catch (e) {
          if (force) return { state: 'done', detail: { wasEnabled: false, why: `forced past: could not disable in XAPI (${errorText(e)})` } };
          return { state: 'failed', detail: { refused: true, why: `could not disable ${hostId} in XAPI before the cut: ${errorText(e)}` }, error: `refused: could not disable ${hostId} in XAPI before the cut: ${errorText(e)}` };
        }
      }

      if (step.name === 'check') {
        const power = await deps.driver.readPower(host);
        if (action === 'cycle' && power === 'off') return { state: 'failed', detail: { power }, error: 'the host is off: a power cycle needs it on (use on)' };
        return { state: 'done', detail: { power, already: action !== 'cycle' && power === target } };
      }
      if (step.name === 'command') return (await send(x, host, action)) ?? { state: 'done', detail: { sent: true } };
      if (step.name === 'confirm') {
        const soft = action === 'soft';
        const budget = soft ? Number(op.params?.softTimeoutMs ?? 120_000) : (deps.confirmMs ?? 30_000);
        // The wait counts from the step's start, across runs: a resumed wait does not start over.
        const began = step.startedAt ? Date.parse(step.startedAt) : (deps.now ?? Date.now)();
        const left = Math.max(0, began + budget - (deps.now ?? Date.now)());
        const power = await waitForPower(deps, host, target, left, x);
        await recordPower(deps.store, op.poolId, hostId, power, 'ipmi-command');
        if (power === target) return { state: 'done', detail: { power } };
        if ((deps.now ?? Date.now)() < began + budget) return { state: 'wait', detail: { power } };
        if (soft && power === 'on' && op.params?.escalate === true) return { state: 'done', detail: { power, escalate: true } };
        const why = soft ? `still ${power} after the soft-off wait${op.params?.escalate === true ? '' : '; escalation to a hard off was not allowed'}` : `chassis is ${power}, not ${target}`;
        return { state: 'failed', detail: { power }, error: why };
      }
      if (step.name === 'escalate') {
        const confirm = mine.find((s) => s.name === 'confirm');
        if (confirm?.detail?.escalate !== true) return { state: 'skipped', detail: { why: 'the soft off finished' } };
        const refused = await send(x, host, 'off');
        if (refused?.state === 'failed') return refused;
        const power = await waitForPower(deps, host, 'off', deps.confirmMs ?? 30_000, x);
        await recordPower(deps.store, op.poolId, hostId, power);
        return power === 'off' ? { state: 'done', detail: { power, hard: true } } : { state: 'failed', detail: { power }, error: `hard off after soft: chassis is ${power}` };
      }
      throw new Error(`unknown step ${step.name}`);
    },
    async finish(op: OperationWithSteps) {
      const hosts = results(op);
      return { state: hosts.some((r) => r.result === 'failed') ? ('failed' as const) : ('succeeded' as const), result: { hosts } };
    },
  };

  function results(op: OperationWithSteps) {
    return (op.hostIds ?? []).map((h) => {
      const s = stepsOf(op, h);
      const failed = s.find((x) => x.state === 'failed');
      const cancelled = s.find((x) => isCancelled(x));
      const already = s[0]?.detail?.already === true;
      const hard = s.some((x) => x.name === 'escalate' && x.state === 'done');
      return {
        hostId: h,
        result: failed ? 'failed' : cancelled || already ? 'skipped' : 'done',
        detail: failed?.error ?? (cancelled ? `cancelled before ${cancelled.name}` : already ? `already ${target}` : hard ? 'now off (hard, after the soft-off wait)' : `now ${action === 'cycle' ? 'cycled' : target}`),
      };
    });
  }

  async function release(op: OperationWithSteps) {
    const hosts = results(op);
    for (const r of hosts) {
      await deps.store.releaseHostLock(op.poolId, r.hostId, op.operationId);
      await deps.store.appendAudit({
        at: op.steps.find((s) => s.name === 'release')?.startedAt,
        once: `host-${r.hostId}`,
        operationId: op.operationId,
        poolId: op.poolId,
        hostId: r.hostId,
        actor: op.actor,
        source: op.source,
        reason: op.reason,
        action: `power ${action}`,
        result: r.result === 'failed' ? 'failed' : 'ok',
        message: r.detail,
        forced: force ? true : undefined,
      });
    }
    return hosts;
  }
}

/**
 * Run (or resume) a host power operation until it is done, or until the deadline comes before a
 * step: then the answer is "resume" (the caller schedules the next run).
 */
export function runHostPower(deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> {
  return runStepMachine(deps, operationId, (op) => hostMachine(deps, op), run);
}
