/**
 * A worker's lease on an operation: taken by a conditional write on the operation's version (so two
 * workers never run it at once), renewed with the operation's host locks while a step runs, and
 * lapsing when its worker dies. Losing it aborts the step's signal; the step machine stops there.
 */
import type { HostLockRepository, OperationRepository, StepRepository } from '../store/index.ts';
import { HostBusyError, LockNotHeldError, VersionConflictError } from '../store/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import { retry } from '../util/index.ts';

export interface LeaseDeps {
  store: OperationRepository & StepRepository & HostLockRepository;
  now?: () => number;
  /** How long a worker's lease on an operation lasts without renewal (default 2 min); renewed every third of it while a step runs. */
  operationLeaseMs?: number;
  /** How long the host locks last from each renewal (default 60 min). */
  lockRenewMs?: number;
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

/** This worker lost its lease (another worker took the operation over): it stops at once. */
export class LeaseLostError extends Error {
  constructor(
    readonly operationId: string,
    why: string,
  ) {
    super(`operation ${operationId}: lease lost (${why}); another worker carries on`);
    this.name = 'LeaseLostError';
  }
}

/** Throws when the lease was lost: every loop inside a step calls it. */
export function checkLease(x: { signal: AbortSignal }, operationId: string): void {
  if (x.signal.aborted) throw new LeaseLostError(operationId, String(x.signal.reason ?? 'renewal failed'));
}

/** The operation with its steps, read fresh; an unknown one is an error. */
export async function loadOperation(deps: Pick<LeaseDeps, 'store'>, operationId: string): Promise<OperationWithSteps> {
  const op = await deps.store.getOperation(operationId);
  if (!op) throw new Error(`operation ${operationId} not found`);
  return op;
}

/**
 * Take (or renew) this worker's lease on the operation as just read: a conditional write on its
 * version, so two workers never run it at once; a lease left by a dead worker lapses. A write that
 * lost to something other than a lease (a cancel request) is tried again on a fresh read, three
 * tries in all; losing every one means another worker is busy with it.
 */
export async function takeLease(deps: LeaseDeps, read: OperationWithSteps, worker: string): Promise<OperationWithSteps> {
  let op = read;
  try {
    return await retry(
      async (attempt) => {
        if (attempt > 0) op = await loadOperation(deps, op.operationId);
        const now = (deps.now ?? Date.now)();
        if (op.leaseOwner && op.leaseOwner !== worker && (op.leaseExpiresAt ?? 0) > now) throw new OperationBusyError(op.operationId, op.leaseOwner);
        const meta = await deps.store.updateOperation(op.operationId, op.version, { leaseOwner: worker, leaseExpiresAt: now + (deps.operationLeaseMs ?? 120_000) });
        return { ...op, ...meta, steps: op.steps };
      },
      { attempts: 3, retryOn: (e) => e instanceof VersionConflictError },
    );
  } catch (e) {
    if (!(e instanceof VersionConflictError)) throw e;
    op = await loadOperation(deps, op.operationId);
    throw new OperationBusyError(op.operationId, op.leaseOwner ?? 'another worker');
  }
}

/**
 * While a step runs, renew the worker's lease on the operation and the operation's host locks
 * every third of the lease. A renewal that fails (another worker took the lease, a lock is gone)
 * aborts the signal: the step stops and this worker hands over. A transient store error is
 * tried again at the next beat; the lease still has two thirds of its time. During the step that
 * releases the host locks, only the lease is renewed.
 */
export function heartbeat(deps: LeaseDeps, op: OperationWithSteps, worker: string, o: { renewLocks?: boolean } = {}): { signal: AbortSignal; stop(): void; settled(): Promise<void> } {
  const ctl = new AbortController();
  const leaseMs = deps.operationLeaseMs ?? 120_000;
  const now = deps.now ?? Date.now;
  let busy = false;
  let inFlight: Promise<void> = Promise.resolve();
  const beat = async (): Promise<void> => {
    if (busy || ctl.signal.aborted) return;
    busy = true;
    try {
      const fresh = await loadOperation(deps, op.operationId);
      if (fresh.leaseOwner !== worker && (fresh.leaseExpiresAt ?? 0) > now()) return ctl.abort(`worker ${fresh.leaseOwner} holds it now`);
      try {
        await deps.store.updateOperation(op.operationId, fresh.version, { leaseOwner: worker, leaseExpiresAt: now() + leaseMs });
      } catch (e) {
        if (!(e instanceof VersionConflictError)) throw e;
        // Someone wrote the operation meanwhile (a cancel request): the next beat reads it again.
      }
      // The release step lets the locks go itself: renewing them then would find them gone.
      // A wake's host that another operation held is locked later, by its await-lock step: renewed too.
      const late = op.steps.filter((s) => s.name === 'await-lock' && s.state === 'done' && s.hostId).map((s) => s.hostId as string);
      for (const h of o.renewLocks === false ? [] : [...(op.hostIds ?? []), ...late]) {
        try {
          await deps.store.renewHostLock(op.poolId, h, op.operationId, deps.lockRenewMs ?? 60 * 60_000, now());
        } catch (e) {
          if (e instanceof HostBusyError || e instanceof LockNotHeldError) return ctl.abort(`the lock on ${h} is gone (${e.message})`);
          throw e;
        }
      }
    } catch {
      // A store hiccup: the lease has time left; the next beat tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => {
    if (!busy) inFlight = beat();
  }, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref?.();
  // settled(): the beat that may still be writing when stop() is called has ended.
  return { signal: ctl.signal, stop: () => clearInterval(timer), settled: () => inFlight };
}
