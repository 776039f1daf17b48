/**
 * Power changes through `ComputerSystem.Reset`. The state is read first: asking for the state the
 * host is already in sends nothing, a state in transition is not acted on, and a cycle of a host
 * that is off is refused (that is an "on"). A reset is posted exactly once; when its answer is
 * lost the state is read instead of posting it again, so a lost answer never becomes a second
 * power cut. A 202 is followed through its task monitor; then the state is watched until it shows
 * the target or the confirmation time runs out.
 */
import type { RedfishClient } from '../client.ts';
import type { ResetAction, Topology } from '../discovery.ts';
import { afterReset, RedfishConnectionError, RedfishNotSupportedError, RedfishStateError, RedfishTimeoutError, seconds } from '../errors.ts';
import { followTask, type TaskOutcome } from '../task-monitor.ts';
import { readPowerState, type PowerStateName, type PowerStateReading } from './power-state.ts';
import { planReset, type RedfishPowerAction } from './reset-plan.ts';

export interface PowerOptions {
  /** How long to watch for the target state after a reset (default 60 s; soft-off: see softWaitMs). */
  confirmTimeoutMs?: number;
  /** How long to watch after a soft-off, which waits on the OS (default 0: one read). */
  softWaitMs?: number;
  /** Between two state reads, and two task monitor reads (default 1 s). */
  pollMs?: number;
  /** Deadline of a reset's task (default 120 s). */
  taskTimeoutMs?: number;
}

export interface RedfishPowerResult {
  action: RedfishPowerAction;
  /** The state read last. */
  power: PowerStateName;
  /** `PowerState` as the BMC gave it last. */
  raw: string | null;
  observedAt: string;
  /** False when the host already was in the asked-for state (nothing was sent). */
  changed: boolean;
  /** True when the last reading shows the target state (for a cycle: on again). */
  confirmed: boolean;
  /** The reset types posted, in order. */
  resetTypes: string[];
  message: string;
}

/** The reset was posted and its fate is unclear (no answer, or the connection broke after sending). */
const answerLost = (e: unknown): boolean => (e instanceof RedfishTimeoutError || e instanceof RedfishConnectionError) && e.requestSent;

/** Post one reset (exactly once) and follow its task. The type must be one the BMC offers. */
export async function sendReset(c: RedfishClient, reset: ResetAction | undefined, type: string, o: PowerOptions = {}): Promise<TaskOutcome> {
  if (!reset) throw new RedfishNotSupportedError(`${c.label}: the system has no #ComputerSystem.Reset action`);
  if (reset.types !== null && !reset.types.includes(type)) {
    throw new RedfishNotSupportedError(`${c.label}: reset type '${type}' is not offered (it offers ${reset.types.join(', ') || 'none'})`);
  }
  const res = await c.post(reset.target, { ResetType: type });
  try {
    return await followTask(c, res, { what: `ComputerSystem.Reset ${type}`, deadlineMs: o.taskTimeoutMs, pollMs: o.pollMs });
  } catch (e) {
    throw afterReset(e);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** Read the state until it is `target` or `waitMs` has passed; the last reading. */
async function watchFor(c: RedfishClient, systemPath: string, target: 'on' | 'off', waitMs: number, pollMs: number): Promise<PowerStateReading> {
  const until = Date.now() + waitMs;
  for (;;) {
    const now = await readPowerState(c, systemPath);
    if (now.power === target || Date.now() >= until) return now;
    await sleep(Math.min(pollMs, Math.max(0, until - Date.now())));
  }
}

export async function changePower(c: RedfishClient, topo: Topology, action: RedfishPowerAction, o: PowerOptions = {}): Promise<RedfishPowerResult> {
  const pollMs = o.pollMs ?? 1000;
  const confirmMs = o.confirmTimeoutMs ?? 60_000;
  const before = await readPowerState(c, topo.systemPath);
  const target: 'on' | 'off' = action === 'on' || action === 'cycle' ? 'on' : 'off';
  const result = (now: PowerStateReading, changed: boolean, resetTypes: string[], message: string): RedfishPowerResult => ({
    action,
    power: now.power,
    raw: now.raw,
    observedAt: now.observedAt,
    changed,
    confirmed: now.power === target,
    resetTypes,
    message,
  });

  if (before.power === 'unknown') {
    throw new RedfishStateError(`${c.label}: the power state is ${before.raw ?? 'not reported'}: '${action}' not sent on a guess (try again once it settles)`);
  }
  if (action !== 'cycle' && before.power === target) return result(before, false, [], `already ${target}`);
  if (action === 'cycle' && before.power === 'off') {
    throw new RedfishStateError(`${c.label}: the host is off; a power cycle is refused (use 'on' to start it)`);
  }
  if (!topo.reset) throw new RedfishNotSupportedError(`${c.label}: the system has no #ComputerSystem.Reset action`);
  const plan = planReset(action, topo.reset.types, c.label);
  const sent: string[] = [];
  /** Resets the BMC answered, or may have acted on (a lost answer). */
  let posted = 0;

  /** Post one reset; a lost answer is not an error here: the state read next decides. */
  const post = async (type: string): Promise<boolean> => {
    sent.push(type);
    try {
      await sendReset(c, topo.reset, type, o);
      posted++;
      return true;
    } catch (e) {
      if (answerLost(e)) {
        posted++;
        return false;
      }
      throw e;
    }
  };

  // Whatever goes wrong once a reset was posted (a read after it, the on of a cycle refused after
  // its off), that reset may have been carried out: the error says so.
  try {
    return await afterPlan();
  } catch (e) {
    throw posted > 0 ? afterReset(e) : e;
  }

  async function afterPlan(): Promise<RedfishPowerResult> {
    if (plan.kind === 'one') {
      const answered = await post(plan.type);
      const now = await watchFor(c, topo.systemPath, target, action === 'soft' ? (o.softWaitMs ?? 0) : confirmMs, pollMs);
      const how = answered ? `${plan.type} done` : `${plan.type} sent, answer lost (not sent again)`;
      if (now.power === target) return result(now, true, sent, `${how}; now ${target}`);
      if (action === 'soft') return result(now, true, sent, `${how}; the host still reports ${now.raw ?? 'no state'} (the OS may be shutting down)`);
      return result(now, true, sent, `${how}; the host still reports ${now.raw ?? 'no state'} after ${seconds(confirmMs)}`);
    }

    // No PowerCycle: off, confirmed off, then on. Never on before the off is seen.
    await post(plan.off);
    const off = await watchFor(c, topo.systemPath, 'off', confirmMs, pollMs);
    if (off.power !== 'off') {
      throw new RedfishStateError(`${c.label}: cycle: ${plan.off} sent but the host still reports ${off.raw ?? 'no state'} after ${seconds(confirmMs)}; not powering on`);
    }
    const answered = await post(plan.on);
    const now = await watchFor(c, topo.systemPath, 'on', confirmMs, pollMs);
    const how = `cycled by ${plan.off}, then ${plan.on}${answered ? '' : ' (answer lost, not sent again)'}`;
    return result(now, true, sent, now.power === 'on' ? `${how}; now on` : `${how}; the host still reports ${now.raw ?? 'no state'} after ${seconds(confirmMs)}`);
  }
}
