/**
 * A durable host power operation. Requesting it takes every host's lock (a busy host answers with
 * the operation that holds it) and writes the operation with its steps; running it executes the
 * steps in order, saving after each, so a worker that dies anywhere is followed by one that
 * finishes the job. A chassis command whose sending was started but not recorded as finished is
 * never sent again: the next run only watches the chassis.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { HostBusyError, VersionConflictError } from '../store/errors.ts';
import type { ActionSource, Host, OperationStep, OperationWithSteps } from '../store/types.ts';
import type { HostPowerAction, PowerDriver } from './power-driver.ts';
import { IpmiError } from '../ipmi/errors.ts';

export interface OpsDeps {
  store: Store;
  driver: PowerDriver;
  now?: () => number;
  /** One readable line per step. */
  log?: (line: string) => void;
  /** How long a host lock lasts before another operation may take it (default 15 min). */
  leaseMs?: number;
  /** How long `confirm` waits for the chassis to reach the state (default 30 s). */
  confirmMs?: number;
  /** Test hook: called after each step is saved; throwing here stands for a crash. */
  afterStep?: (step: OperationStep) => void;
  /** Who runs operations here (one id per worker process or invocation). */
  workerId?: string;
  /** How long a worker's lease on an operation lasts without renewal (default 2 min). */
  operationLeaseMs?: number;
}

/** Another worker holds the operation's lease: this one must not run it. */
export class OperationBusyError extends Error {
  constructor(
    readonly operationId: string,
    readonly owner: string,
  ) {
    super(`operation ${operationId} is being run by worker ${owner}`);
  }
}

export interface RunOptions {
  /** Stop before starting a step after this instant (epoch ms) and answer "resume". */
  deadlineAt?: number;
}

export interface HostPowerRequest {
  poolId: string;
  hostIds: string[];
  action: HostPowerAction;
  reason: string;
  actor: string;
  source: ActionSource;
  idempotencyKey: string;
}

export const HOST_POWER = 'host-power';

/** Take the locks and record the operation; run it with runHostPower. */
export async function requestHostPower(deps: OpsDeps, r: HostPowerRequest): Promise<{ operationId: string; created: boolean }> {
  if (r.hostIds.length === 0) throw new Error('no hosts given');
  if (!r.reason.trim()) throw new Error('a reason is required');
  const now = deps.now ?? Date.now;
  const operationId = randomUUID();
  const taken: string[] = [];
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
      if (holder?.idempotencyKey === r.idempotencyKey) return { operationId: holder.operationId, created: false };
    }
    throw e;
  }
  const { operation, created } = await deps.store.createOperation(
    { operationId, poolId: r.poolId, kind: HOST_POWER, actor: r.actor, source: r.source, reason: r.reason, hostIds: r.hostIds, params: { action: r.action } },
    r.idempotencyKey,
  );
  if (!created) {
    await Promise.all(taken.map((h) => deps.store.releaseHostLock(r.poolId, h, operationId)));
    return { operationId: operation.operationId, created: false };
  }
  let index = 0;
  for (const hostId of r.hostIds) {
    for (const name of ['check', 'command', 'confirm']) await deps.store.createStep(operationId, { index: index++, name, hostId, state: 'pending' });
  }
  await deps.store.createStep(operationId, { index: index++, name: 'release', state: 'pending' });
  await deps.store.appendAudit({ operationId, poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: `power ${r.action} requested`, result: 'ok' });
  return { operationId, created: true };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const defaultWorker = `worker-${randomUUID().slice(0, 8)}`;

/**
 * Take (or renew) this worker's lease on the operation: a conditional write on the operation's
 * version, so two workers never run it at once. A lease left by a dead worker lapses.
 */
async function takeLease(deps: OpsDeps, operationId: string, worker: string): Promise<void> {
  const now = (deps.now ?? Date.now)();
  const op = await deps.store.getOperation(operationId);
  if (!op) throw new Error(`operation ${operationId} not found`);
  if (op.leaseOwner && op.leaseOwner !== worker && (op.leaseExpiresAt ?? 0) > now) throw new OperationBusyError(operationId, op.leaseOwner);
  try {
    await deps.store.updateOperation(operationId, op.version, { leaseOwner: worker, leaseExpiresAt: now + (deps.operationLeaseMs ?? 120_000) });
  } catch (e) {
    if (e instanceof VersionConflictError) {
      const other = await deps.store.getOperation(operationId);
      throw new OperationBusyError(operationId, other?.leaseOwner ?? 'another worker');
    }
    throw e;
  }
}

/**
 * Run (or resume) an operation until it is done, or until the deadline comes before a step:
 * then the lease is let go and the answer is "resume" (the caller schedules the next run).
 */
export async function runHostPower(deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<'succeeded' | 'failed' | 'resume'> {
  const log = deps.log ?? (() => undefined);
  const worker = deps.workerId ?? defaultWorker;
  const now = deps.now ?? Date.now;
  let op = (await deps.store.getOperation(operationId)) as OperationWithSteps;
  if (!op) throw new Error(`operation ${operationId} not found`);
  if (op.state === 'succeeded' || op.state === 'failed') return op.state;
  const action = op.params?.action as HostPowerAction;
  await takeLease(deps, operationId, worker);
  op = (await deps.store.getOperation(operationId)) as OperationWithSteps;
  if (op.state === 'pending') await deps.store.updateOperation(operationId, op.version, { state: 'running' });

  const hostOf = async (hostId: string): Promise<Host> => {
    const h = await deps.store.getHost(op.poolId, hostId);
    if (!h) throw new Error(`host ${hostId} vanished from pool ${op.poolId}`);
    return h;
  };
  const save = async (step: OperationStep, patch: Parameters<Store['updateStep']>[3]): Promise<OperationStep> => {
    const saved = await deps.store.updateStep(operationId, step.index, step.version, patch);
    log(`${operationId.slice(0, 8)} ${step.name}${step.hostId ? ` ${step.hostId}` : ''}: ${saved.state}${saved.error ? ` (${saved.error})` : ''}`);
    return saved;
  };
  const stepsOf = (hostId: string): OperationStep[] => op.steps.filter((s) => s.hostId === hostId);

  for (const original of [...op.steps].sort((a, b) => a.index - b.index)) {
    op = (await deps.store.getOperation(operationId)) as OperationWithSteps;
    let step = op.steps.find((s) => s.index === original.index) as OperationStep;
    if (step.state === 'done' || step.state === 'skipped' || step.state === 'failed') continue;
    if (run.deadlineAt !== undefined && now() >= run.deadlineAt) {
      await deps.store.updateOperation(operationId, op.version, { leaseOwner: worker, leaseExpiresAt: 0 });
      log(`${operationId.slice(0, 8)} paused before ${step.name}${step.hostId ? ` ${step.hostId}` : ''}: time is up, resume later`);
      return 'resume';
    }
    await takeLease(deps, operationId, worker);
    op = (await deps.store.getOperation(operationId)) as OperationWithSteps;
    const hostId = step.hostId;
    const [check] = hostId ? stepsOf(hostId) : [];
    const earlierFailed = hostId ? stepsOf(hostId).some((s) => s.index < step.index && s.state === 'failed') : false;
    try {
      if (step.name !== 'release' && (earlierFailed || (step.name !== 'check' && check?.detail?.already === true))) {
        step = await save(step, { state: 'skipped', detail: { why: earlierFailed ? 'an earlier step failed' : `already ${action}` } });
      } else if (step.name === 'check') {
        const power = await deps.driver.readPower(await hostOf(hostId as string));
        step = await save(step, { state: 'done', detail: { power, already: power === action } });
      } else if (step.name === 'command') {
        if (step.state === 'running') {
          // Sending began in a run that died before recording its end: it may have reached the
          // BMC. Never send twice; the confirm step will see what happened.
          step = await save(step, { state: 'done', detail: { sent: 'unknown (not repeated)' } });
        } else {
          step = await save(step, { state: 'running', startedAt: new Date((deps.now ?? Date.now)()).toISOString() });
          await deps.driver.sendOnce(await hostOf(hostId as string), action).catch((e: unknown) => {
            // A lost or refused answer leaves the outcome to the confirm step; anything else
            // (the worker dying) leaves this step "running", so it is never sent again.
            if (!(e instanceof IpmiError)) throw e;
          });
          step = await save(step, { state: 'done', detail: { sent: true } });
        }
      } else if (step.name === 'confirm') {
        const host = await hostOf(hostId as string);
        const until = (deps.now ?? Date.now)() + (deps.confirmMs ?? 30_000);
        let power: 'on' | 'off' | 'unknown' = 'unknown';
        for (;;) {
          power = await deps.driver.readPower(host).catch(() => 'unknown' as const);
          if (power === action || (deps.now ?? Date.now)() > until) break;
          await sleep(200);
        }
        const fresh = await hostOf(hostId as string);
        await deps.store.updateHost(op.poolId, fresh.hostId, fresh.version, { power, powerObservedAt: new Date().toISOString(), powerSource: 'ipmi' });
        step = await save(step, power === action ? { state: 'done', detail: { power } } : { state: 'failed', detail: { power }, error: `chassis is ${power}, not ${action}` });
      } else if (step.name === 'release') {
        const results = (op.hostIds ?? []).map((h) => {
          const s = stepsOf(h);
          const failed = s.find((x) => x.state === 'failed');
          const already = s[0]?.detail?.already === true;
          return { hostId: h, result: failed ? 'failed' : already ? 'skipped' : 'done', detail: failed?.error ?? (already ? `already ${action}` : `now ${action}`) };
        });
        for (const r of results) {
          await deps.store.releaseHostLock(op.poolId, r.hostId, operationId);
          await deps.store.appendAudit({
            operationId,
            poolId: op.poolId,
            hostId: r.hostId,
            actor: op.actor,
            source: op.source,
            reason: op.reason,
            action: `power ${action}`,
            result: r.result === 'failed' ? 'failed' : 'ok',
            message: r.detail,
          });
        }
        step = await save(step, { state: 'done', detail: { hosts: results } });
        const latest = (await deps.store.getOperation(operationId)) as OperationWithSteps;
        const state = results.some((r) => r.result === 'failed') ? 'failed' : 'succeeded';
        await deps.store.updateOperation(operationId, latest.version, { state, result: { hosts: results }, leaseExpiresAt: 0 });
      }
    } catch (e) {
      if (step.state === 'running' || step.state === 'pending') {
        const fresh = (await deps.store.getOperation(operationId))?.steps.find((s) => s.index === step.index);
        if (fresh && fresh.state === 'pending') await save(fresh, { state: 'failed', error: e instanceof Error ? e.message : String(e) });
      }
      throw e;
    } finally {
      deps.afterStep?.(step);
    }
  }
  const done = (await deps.store.getOperation(operationId)) as OperationWithSteps;
  return done.state === 'failed' ? 'failed' : done.state === 'succeeded' ? 'succeeded' : 'resume';
}

