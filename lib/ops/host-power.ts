/**
 * Durable host power operations: on, off, soft (ACPI shutdown, escalated to a hard off only when
 * the request allows it) and cycle. Requesting one takes every host's lock (a busy host answers
 * with the operation that holds it) and writes the steps; running it goes through the step machine,
 * so a worker that dies anywhere is followed by one that finishes the job. A chassis command whose
 * sending began but was not recorded as finished is never sent again: the next run only watches.
 * The steps themselves are in host-power-steps.ts.
 */
import { randomUUID } from 'node:crypto';
import { HostBusyError, IdempotencyKeyReusedError } from '../store/index.ts';
import { requestHash } from './request-hash.ts';
import type { ActionSource } from '../store/index.ts';
import type { HostPowerAction } from './power-driver.ts';
import { runStepMachine, type RunOptions, type RunResult } from './step-machine.ts';
import { bindingRefusal } from './binding.ts';
import { CUTS, hostPowerMachine, hostPowerSteps } from './host-power-steps.ts';
import type { OpsDeps } from './ops-deps.ts';

export { OperationBusyError, type RunOptions } from './step-machine.ts';
export type { OpsDeps, PowerGuard } from './ops-deps.ts';
export { recordPower, waitForPower } from './chassis-power.ts';

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
  if (r.action === 'cycle') {
    // A cycle is for a host that must lose power (a hung one): XAPI can only ask it to shut down.
    for (const hostId of r.hostIds) {
      const host = await deps.store.getHost(r.poolId, hostId);
      if (host?.bmcProtocol === 'xapi') throw new PowerRefusedError(hostId, `a power cycle needs a BMC, and ${hostId} has none (it is reached through XAPI only): use off, then on`, false);
    }
  }
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
  // Its command step records "sending" before it sends: an interrupted step without that record
  // sent nothing and runs again (operations written before had no such record: theirs is not repeated).
  params.recordsSend = true;
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
  const names = hostPowerSteps(r.action);
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
 * Run (or resume) a host power operation until it is done, or until the deadline comes before a
 * step: then the answer is "resume" (the caller schedules the next run).
 */
export function runHostPower(deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> {
  return runStepMachine(deps, operationId, (op) => hostPowerMachine(deps, op), run);
}
