/**
 * What a pool sleep and a pool wake share: the request, the pool and its XAPI, the locks on every
 * host of the pool taken once per idempotency key, the run with the pool's hypervisor, and the
 * small host helpers their steps use (the host read fresh, XAPI's `live` never guessed, a step's
 * error turned into a failed step unless the lease was lost).
 */
import { randomUUID } from 'node:crypto';
import type { Hypervisor } from '../xen/index.ts';
import { HostBusyError, IdempotencyKeyReusedError } from '../store/index.ts';
import type { ActionSource, Host, OperationWithSteps, Pool } from '../store/index.ts';
import { requestHash } from './request-hash.ts';
import type { OpsDeps } from './ops-deps.ts';
import { errorText, hostOf, LeaseLostError, runStepMachine, type RunOptions, type RunResult, type StepExecution, type StepMachine, type StepOutcome } from './step-machine.ts';

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

/** Another operation's hold on a host that a wake goes on without. */
export interface BusyHost {
  hostId: string;
  operationId: string;
}

export async function loadPool(deps: PoolOpsDeps, poolId: string): Promise<{ pool: Pool; hv: Hypervisor }> {
  const pool = await deps.store.getPool(poolId);
  if (!pool) throw new Error(`pool ${poolId} is not known`);
  return { pool, hv: await deps.hypervisorFor(pool) };
}

/**
 * Lock every host of the pool for one operation (or only the hosts `only` names); all or none.
 * With `busyOk` (a wake), a host that another operation holds is left out and named in `busy`
 * instead of refusing the whole request.
 */
export async function lockPool(deps: OpsDeps, poolId: string, operationId: string, o: { busyOk?: string[]; only?: readonly string[] } = {}): Promise<{ hostIds: string[]; busy: BusyHost[] }> {
  const hosts = (await deps.store.listHosts(poolId)).map((h) => h.hostId).filter((h) => !o.only || o.only.includes(h));
  const taken: string[] = [];
  const busy: BusyHost[] = [];
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
  r: PoolRequest & { kind: string; params: Record<string, unknown>; busyOk?: string[]; lockOnly?: readonly string[]; asked?: Record<string, unknown> },
): Promise<{ operationId: string; created: boolean; params?: Record<string, unknown>; busy?: BusyHost[] }> {
  const operationId = randomUUID();
  // A person's request (not a schedule's, whose key is its fire) is held to its key.
  const hash = r.source === 'schedule' ? undefined : requestHash({ kind: r.kind, poolId: r.poolId, hostIds: r.hostIds, reason: r.reason, actor: r.actor, source: r.source, ...(r.asked ?? {}) });
  const same = (holder: { operationId: string; requestHash?: string }): void => {
    if (hash && holder.requestHash && holder.requestHash !== hash) throw new IdempotencyKeyReusedError(r.idempotencyKey, holder.operationId);
  };
  let hostIds: string[];
  let busy: BusyHost[] = [];
  try {
    ({ hostIds, busy } = await lockPool(deps, r.poolId, operationId, { busyOk: r.busyOk, only: r.lockOnly }));
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
  let made: Awaited<ReturnType<typeof deps.store.createOperation>>;
  try {
    made = await deps.store.createOperation(
      { operationId, poolId: r.poolId, kind: r.kind, actor: r.actor, source: r.source, reason: r.reason, hostIds, params, ...(hash ? { requestHash: hash } : {}) },
      r.idempotencyKey,
    );
  } catch (e) {
    // No operation was written (a bad key, a reused key with another body, the table away): the
    // hosts locked for it are let go now, not when their lease runs out.
    await Promise.allSettled(hostIds.map((h) => deps.store.releaseHostLock(r.poolId, h, operationId)));
    throw e;
  }
  const { operation, created } = made;
  if (!created) {
    await Promise.all(hostIds.map((h) => deps.store.releaseHostLock(r.poolId, h, operationId)));
    return { operationId: operation.operationId, created: false, params: operation.params };
  }
  return { operationId, created: true, params, busy };
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

/** One host's step of a pool operation, bound to the operation's pool and plan. */
export type HostStep = (x: StepExecution, hostId: string) => Promise<StepOutcome>;

/** The host helpers a pool operation's steps share, bound to one pool and its XAPI. */
export function poolHosts(deps: PoolOpsDeps, hv: Hypervisor, poolId: string) {
  const now = deps.now ?? Date.now;
  return {
    now,
    iso: (): string => new Date(now()).toISOString(),
    /** The stored host, read fresh. */
    host: (hostId: string): Promise<Host> => hostOf(deps.store, poolId, hostId),
    /** XAPI's `live`, or undefined when XAPI cannot be asked: never guessed either way. */
    liveOrUnknown: (hostId: string): Promise<boolean | undefined> => hv.hostLive(hostId).catch(() => undefined),
    /** Let the locks of these hosts go, one after the other. */
    async release(hostIds: readonly string[], operationId: string): Promise<void> {
      for (const h of hostIds) await deps.store.releaseHostLock(poolId, h, operationId);
    },
  };
}

/** A step's error fails the step (the host stays as it is); a lost lease stops the worker instead. */
export async function failedOnError(step: () => Promise<StepOutcome>): Promise<StepOutcome> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof LeaseLostError) throw e;
    return { state: 'failed', error: errorText(e) };
  }
}
