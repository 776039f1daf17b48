/**
 * The steps of a host power operation, per host: check (already there?), disable in XAPI before a
 * cut, command (the guards first: the BMC bound to this host, then the hypervisor's safety rules
 * unless forced), confirm on the chassis, escalate a soft off that did not finish (when allowed),
 * re-enable what is still live; and release the locks with one audit record per host.
 *
 * A power cycle is a hard off, confirmed off, then an on, confirmed on (the `restart` step), as
 * Ironic reboots through IPMI: a chassis power cycle command ends where it started, so reading the
 * power could never tell a cycle that happened from one that did not. (Operations written before
 * the `restart` step existed still send the cycle command, as they were promised.)
 */
import type { Host, OperationWithSteps } from '../store/index.ts';
import type { HostPowerAction } from './power-driver.ts';
import { commandFailure } from './command-outcome.ts';
import { checkLease, errorText, hostOf, isCancelled, sleep, stepsOfHost, waitUntil, type StepExecution, type StepMachine, type StepOutcome } from './step-machine.ts';
import { bmcCutRefusal, bmcOnRefusal } from './bind-host.ts';
import { recordPower, waitForPower } from './chassis-power.ts';
import type { OpsDeps } from './ops-deps.ts';

/** The chassis state each action ends in. */
export const TARGET: Record<HostPowerAction, 'on' | 'off'> = { on: 'on', off: 'off', soft: 'off', cycle: 'on' };
/** The actions that cut power: the guards apply to them. */
export const CUTS: readonly HostPowerAction[] = ['off', 'soft', 'cycle'];

/** The steps of each action, per host (a cycle: off, confirmed, then on, confirmed). */
export function hostPowerSteps(action: HostPowerAction): string[] {
  if (action === 'on') return ['check', 'command', 'confirm'];
  if (action === 'soft') return ['check', 'disable', 'command', 'confirm', 'escalate', 'reenable'];
  if (action === 'cycle') return ['check', 'disable', 'command', 'confirm', 'restart', 'reenable'];
  return ['check', 'disable', 'command', 'confirm', 'reenable'];
}

export function hostPowerMachine(deps: OpsDeps, op0: OperationWithSteps): StepMachine {
  const action = op0.params?.action as HostPowerAction;
  // A cycle as off then on; one written before the restart step existed is the chassis's own cycle.
  const offThenOn = action === 'cycle' && op0.steps.some((s) => s.name === 'restart');
  /** What the command sends, and the state its confirm waits for. */
  const sent: HostPowerAction = offThenOn ? 'off' : action;
  const target = TARGET[action];
  const confirmTarget = offThenOn ? 'off' : target;
  const force = op0.params?.force === true;
  /** Written since the command step records its send (see `send`). */
  const recordsSend = op0.params?.recordsSend === true;
  const stepsOf = stepsOfHost;

  /**
   * Send one command unless an interrupted run may already have sent it; the guard goes first.
   * "Sending" is recorded (with what the guard was forced past) before the command goes out, so an
   * interrupted run that finds no such record knows nothing was sent, and checks and sends afresh.
   */
  const send = async (x: StepExecution, host: Host, what: HostPowerAction): Promise<StepOutcome | undefined> => {
    if (x.interrupted && (!recordsSend || x.step.detail?.sending !== undefined)) {
      const past = x.step.detail?.forcedPast;
      return { state: 'done', detail: { sent: 'unknown (not repeated)', ...(typeof past === 'string' ? { forcedPast: past } : {}) } };
    }
    // Rule 2: only through a BMC bound to this host, and still answering as itself. Never forced.
    // A power-on needs no proof of binding, but never goes through a BMC known to be another's.
    const foreign = CUTS.includes(what) ? await bmcCutRefusal(deps, host) : await bmcOnRefusal(deps, host);
    if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
    let forcedPast: string | undefined;
    if (CUTS.includes(what) && deps.guard) {
      const refusal = await deps.guard.refuseCut(host, what);
      if (refusal && !force) return { state: 'failed', detail: { refused: true, why: refusal }, error: `refused: ${refusal}` };
      // Forced: what it went past is kept with the step and in the audit, not only in a log line.
      if (refusal) deps.log?.('forced', { operation: x.op.operationId.slice(0, 8), host: host.hostId, refusal });
      forcedPast = refusal || undefined;
    }
    await x.record({ sending: what, ...(forcedPast ? { forcedPast } : {}) });
    try {
      await deps.driver.sendOnce(host, what);
    } catch (e) {
      // The BMC said no (or the command never left): nothing was done, and the step says so. A
      // lost answer leaves the outcome to the confirm step; anything else (the worker dying)
      // leaves this step "running", so it is never sent again.
      const failure = commandFailure(e);
      if (!failure) throw e;
      const why = (e as Error).message;
      if (failure === 'refused') return { state: 'failed', detail: { sent: false, refused: true, why, ...(forcedPast ? { forcedPast } : {}) }, error: `the BMC refused ${what}: ${why}` };
      return { state: 'done', detail: { sent: true, answer: why, ...(forcedPast ? { forcedPast } : {}) } };
    }
    return forcedPast ? { state: 'done', detail: { sent: true, forcedPast } } : undefined;
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
    // A cycle whose on did not bring the host back (the chassis read off) leaves it off; one whose
    // power could not be read after the on is waited for like any cycled host.
    const restartStep = mine.find((s) => s.name === 'restart');
    const leftOff = offThenOn && restartStep?.state !== 'done' && restartStep?.detail?.power === 'off';
    if (cutDone && (action !== 'cycle' || leftOff)) return { state: 'skipped', detail: { why: 'the host is off: it stays disabled until it is woken' } };
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
    // The on of a cycle runs whenever its off went out, even after a cancel or a failed confirm: a
    // cycle never leaves a host off.
    alwaysRun: ['restart', 'reenable', 'release'],
    async execute(x: StepExecution): Promise<StepOutcome> {
      const { op, step } = x;
      if (step.name === 'release') return { state: 'done', detail: { hosts: await release(op) } };
      const hostId = step.hostId as string;
      const mine = stepsOf(op, hostId);
      const check = mine.find((s) => s.name === 'check');
      if (step.name === 'reenable') return reenable(x, hostId);
      if (step.name === 'restart') return restart(x, await hostOf(deps.store, op.poolId, hostId));
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
      if (step.name === 'command') return (await send(x, host, sent)) ?? { state: 'done', detail: { sent: true } };
      if (step.name === 'confirm') {
        const target = confirmTarget;
        const soft = action === 'soft';
        const budget = soft ? Number(op.params?.softTimeoutMs ?? 120_000) : (deps.confirmMs ?? 30_000);
        // The wait counts from the step's start, across runs: a resumed wait does not start over.
        const began = step.startedAt ? Date.parse(step.startedAt) : (deps.now ?? Date.now)();
        const left = Math.max(0, began + budget - (deps.now ?? Date.now)());
        const power = await waitForPower(deps, host, target, left, x);
        await recordPower(deps.store, op.poolId, hostId, power, 'command');
        if (power === target) return { state: 'done', detail: { power } };
        if ((deps.now ?? Date.now)() < began + budget) return { state: 'wait', detail: { power } };
        if (soft && power === 'on' && op.params?.escalate === true) return { state: 'done', detail: { power, escalate: true } };
        const why = soft ? `still ${power} after the soft-off wait${op.params?.escalate === true ? '' : '; escalation to a hard off was not allowed'}` : `chassis is ${power}, not ${target}${offThenOn ? ': the cycle did not happen' : ''}`;
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

  /**
   * The second half of a cycle: once its off went out, an on (the binding checked first), then the
   * chassis read until on. An on is safe to send again, so an interrupted step sends it again unless
   * the chassis is on; a step resumed from a wait (its on sent, the worker's time up) only reads.
   * Whatever the BMC answers the on, the chassis decides: a BMC may refuse an on for a host that is on.
   */
  async function restart(x: StepExecution, host: Host): Promise<StepOutcome> {
    const command = stepsOf(x.op, host.hostId).find((s) => s.name === 'command');
    if (command?.state !== 'done') return { state: 'skipped', detail: { why: 'no off was sent' } };
    const now = deps.now ?? Date.now;
    const began = x.step.startedAt ? Date.parse(x.step.startedAt) : now();
    const budget = deps.confirmMs ?? 30_000;
    let answer: string | undefined;
    if (!(x.resumed && x.step.detail?.sent === true)) {
      const before = await deps.driver.readPower(host).catch(() => 'unknown' as const);
      if (before !== 'on') {
        const foreign = await bmcOnRefusal(deps, host);
        if (foreign) return { state: 'failed', detail: { refused: true, why: foreign, power: before }, error: `refused: ${foreign}: the host is left off, after the off half of the cycle` };
        try {
          await deps.driver.sendOnce(host, 'on');
        } catch (e) {
          answer = errorText(e);
        }
      }
    }
    const power = await waitForPower(deps, host, 'on', Math.max(0, began + budget - now()), x);
    await recordPower(deps.store, x.op.poolId, host.hostId, power, 'command');
    if (power === 'on') return { state: 'done', detail: { power, ...(answer ? { answer } : {}) } };
    // The worker's time ran out inside the wait: the next run reads on, without a second on.
    if (now() < began + budget) return { state: 'wait', detail: { sent: true, power } };
    return { state: 'failed', detail: { power, ...(answer ? { answer } : {}) }, error: `chassis is ${power}, not on, after the off half of the cycle${answer ? ` (the BMC answered the on: ${answer})` : ''}: the host is left ${power === 'off' ? 'off' : 'in an unknown state'}` };
  }

  function results(op: OperationWithSteps) {
    return (op.hostIds ?? []).map((h) => {
      const s = stepsOf(op, h);
      const failed = s.find((x) => x.state === 'failed');
      const cancelled = s.find((x) => isCancelled(x));
      const already = s[0]?.detail?.already === true;
      const hard = s.some((x) => x.name === 'escalate' && x.state === 'done');
      const forcedPast = s.map((x) => x.detail?.forcedPast).find((f): f is string => typeof f === 'string');
      const detail = failed?.error ?? (cancelled ? `cancelled before ${cancelled.name}` : already ? `already ${target}` : hard ? 'now off (hard, after the soft-off wait)' : `now ${action === 'cycle' ? 'cycled' : target}`);
      return {
        hostId: h,
        result: failed ? 'failed' : cancelled || already ? 'skipped' : 'done',
        detail: forcedPast ? `${detail} (forced past: ${forcedPast})` : detail,
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
