/**
 * The durable step machine under every operation: a worker takes a lease on the operation, runs
 * its saved steps in order, writes each step as `running` before it acts and as done / skipped /
 * failed after, and appends one audit record per finished step (written at most once, so a
 * resumed worker can backfill safely). A worker that dies anywhere is followed by one that picks
 * up at the first unfinished step; a step found `running` was interrupted, and its executor is
 * told so (a command that may have left must not be sent twice).
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { HostBusyError, LockNotHeldError, VersionConflictError } from '../store/errors.ts';
import type { Host, OperationStep, OperationWithSteps, StepPatch } from '../store/types.ts';

export interface StepMachineDeps {
  store: Store;
  now?: () => number;
  /** One readable line per step. */
  log?: (line: string) => void;
  /** Test hook: called after each step is saved; throwing here stands for a crash. */
  afterStep?: (step: OperationStep) => void;
  /** Fault hook: called after a step acted and before its end is recorded; throwing here is a worker killed inside the step. */
  inStep?: (step: OperationStep) => void;
  /** Who runs operations here (one id per worker process or invocation). */
  workerId?: string;
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

export interface RunOptions {
  /** Stop before starting a step after this instant (epoch ms) and answer "resume"; waits inside steps end before it. */
  deadlineAt?: number;
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

/** How long before the worker's deadline a wait gives up its turn, so the resume is booked in time. */
export const DEADLINE_MARGIN_MS = 5_000;

export type RunResult = 'succeeded' | 'failed' | 'resume';

export interface StepOutcome {
  /** `wait`: not finished, time is up for this run; the step is taken up again by the next run. */
  state: 'done' | 'skipped' | 'failed' | 'wait';
  detail?: Record<string, unknown>;
  error?: string;
}

export interface StepExecution {
  op: OperationWithSteps;
  step: OperationStep;
  /** The step was found `running`: an earlier worker began it and died before recording its end. */
  interrupted: boolean;
  /** The step was left waiting by an earlier run that ran out of time (not interrupted: nothing was lost). */
  resumed: boolean;
  /** When this run must stop (epoch ms): waits end before it and answer `wait`. */
  deadlineAt?: number;
  /** Aborted when this worker's lease could not be renewed: stop, another worker takes over. */
  signal: AbortSignal;
}

/** The instant a wait inside a step must end: its own limit, or a little before the worker's deadline. */
export function waitUntil(x: Pick<StepExecution, 'deadlineAt'>, ownUntil: number): { until: number; cutShort: boolean } {
  const hard = x.deadlineAt === undefined ? Infinity : x.deadlineAt - DEADLINE_MARGIN_MS;
  return hard < ownUntil ? { until: hard, cutShort: true } : { until: ownUntil, cutShort: false };
}

/** Throws when the lease was lost: every loop inside a step calls it. */
export function checkLease(x: Pick<StepExecution, 'signal'>, operationId: string): void {
  if (x.signal.aborted) throw new LeaseLostError(operationId, String(x.signal.reason ?? 'renewal failed'));
}

export interface StepMachine {
  /** Runs one step; throwing means the worker cannot go on (the step stays `running`). */
  execute(x: StepExecution): Promise<StepOutcome>;
  /** After the last step: the operation's final state and result. */
  finish(op: OperationWithSteps): Promise<{ state: 'succeeded' | 'failed'; result: Record<string, unknown> }>;
  /** The audit action of a step, e.g. `step command h1`. */
  auditAction?(step: OperationStep): string;
  /** Steps that still run after a cancel (they release locks, re-enable hosts, record results). */
  alwaysRun?: readonly string[];
}

/** One host's steps, in order. */
export const stepsOfHost = (op: OperationWithSteps, hostId: string): OperationStep[] => op.steps.filter((s) => s.hostId === hostId).sort((a, b) => a.index - b.index);

/** The host an operation acts on, read fresh; gone from the store is an error that stops the run. */
export async function hostOf(store: Store, poolId: string, hostId: string): Promise<Host> {
  const h = await store.getHost(poolId, hostId);
  if (!h) throw new Error(`host ${hostId} vanished from pool ${poolId}`);
  return h;
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A step skipped because the operation was cancelled: compensating steps treat it as not done. */
export const isCancelled = (s: OperationStep): boolean => s.state === 'skipped' && s.detail?.cancelled === true;

const defaultWorker = `worker-${randomUUID().slice(0, 8)}`;

const isFinished = (s: OperationStep): boolean => s.state === 'done' || s.state === 'skipped' || s.state === 'failed';

/**
 * Take (or renew) this worker's lease on the operation as just read: a conditional write on its
 * version, so two workers never run it at once; a lease left by a dead worker lapses. A write that
 * lost to something other than a lease (a cancel request) is tried again on a fresh read.
 */
async function takeLease(deps: StepMachineDeps, read: OperationWithSteps, worker: string): Promise<OperationWithSteps> {
  let op = read;
  for (let attempt = 0; ; attempt++) {
    const now = (deps.now ?? Date.now)();
    if (op.leaseOwner && op.leaseOwner !== worker && (op.leaseExpiresAt ?? 0) > now) throw new OperationBusyError(op.operationId, op.leaseOwner);
    try {
      const meta = await deps.store.updateOperation(op.operationId, op.version, { leaseOwner: worker, leaseExpiresAt: now + (deps.operationLeaseMs ?? 120_000) });
      return { ...op, ...meta, steps: op.steps };
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
      op = await load(deps, op.operationId);
      if (attempt >= 2) throw new OperationBusyError(op.operationId, op.leaseOwner ?? 'another worker');
    }
  }
}

async function load(deps: StepMachineDeps, operationId: string): Promise<OperationWithSteps> {
  const op = await deps.store.getOperation(operationId);
  if (!op) throw new Error(`operation ${operationId} not found`);
  return op;
}

/** A step refused by a safety rule carries `detail.refused: true` and is audited as refused. */
function stepAudit(machine: StepMachine, op: OperationWithSteps, step: OperationStep) {
  return {
    at: step.finishedAt,
    once: `step-${step.index}`,
    operationId: op.operationId,
    poolId: op.poolId,
    hostId: step.hostId,
    actor: op.actor,
    source: op.source,
    reason: op.reason,
    action: machine.auditAction?.(step) ?? `step ${step.name}${step.hostId ? ` ${step.hostId}` : ''}`,
    result: step.detail?.refused === true ? 'refused' : step.state === 'failed' ? 'failed' : 'ok',
    message: step.error ?? (typeof step.detail?.why === 'string' ? step.detail.why : undefined),
  } as const;
}

/**
 * While a step runs, renew the worker's lease on the operation and the operation's host locks
 * every third of the lease. A renewal that fails (another worker took the lease, a lock is gone)
 * aborts the signal: the step stops and this worker hands over. A transient store error is
 * tried again at the next beat; the lease still has two thirds of its time.
 */
function heartbeat(deps: StepMachineDeps, op: OperationWithSteps, worker: string): { signal: AbortSignal; stop(): void } {
  const ctl = new AbortController();
  const leaseMs = deps.operationLeaseMs ?? 120_000;
  const now = deps.now ?? Date.now;
  let busy = false;
  const beat = async (): Promise<void> => {
    if (busy || ctl.signal.aborted) return;
    busy = true;
    try {
      const fresh = await load(deps, op.operationId);
      if (fresh.leaseOwner !== worker && (fresh.leaseExpiresAt ?? 0) > now()) return ctl.abort(`worker ${fresh.leaseOwner} holds it now`);
      try {
        await deps.store.updateOperation(op.operationId, fresh.version, { leaseOwner: worker, leaseExpiresAt: now() + leaseMs });
      } catch (e) {
        if (!(e instanceof VersionConflictError)) throw e;
        // Someone wrote the operation meanwhile (a cancel request): the next beat reads it again.
      }
      for (const h of op.hostIds ?? []) {
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
  const timer = setInterval(() => void beat(), Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref?.();
  return { signal: ctl.signal, stop: () => clearInterval(timer) };
}

/**
 * Run (or resume) an operation until it is done, or until the deadline comes before a step:
 * then the lease is let go and the answer is "resume" (the caller schedules the next run).
 */
export async function runStepMachine(
  deps: StepMachineDeps,
  operationId: string,
  machineOf: StepMachine | ((op: OperationWithSteps) => StepMachine | Promise<StepMachine>),
  run: RunOptions = {},
): Promise<RunResult> {
  const log = deps.log ?? (() => undefined);
  const worker = deps.workerId ?? defaultWorker;
  const now = deps.now ?? Date.now;
  const tag = operationId.slice(0, 8);
  let op = await load(deps, operationId);
  if (op.state === 'succeeded' || op.state === 'failed' || op.state === 'cancelled') return op.state === 'succeeded' ? 'succeeded' : 'failed';
  // Built only for an unfinished operation (a pool's machine logs in to XAPI).
  const machine = typeof machineOf === 'function' ? await machineOf(op) : machineOf;
  op = await takeLease(deps, op, worker);
  if (op.state === 'pending') await deps.store.updateOperation(operationId, op.version, { state: 'running' });

  // Steps found finished may lack their audit record (a worker died between the two writes).
  const foundFinished: OperationStep[] = [];
  const indexes = [...op.steps].sort((a, b) => a.index - b.index).map((s) => s.index);
  for (const index of indexes) {
    op = await load(deps, operationId);
    let step = op.steps.find((s) => s.index === index) as OperationStep;
    if (isFinished(step)) {
      foundFinished.push(step);
      continue;
    }
    if (run.deadlineAt !== undefined && now() >= run.deadlineAt) {
      await deps.store.updateOperation(operationId, op.version, { leaseOwner: worker, leaseExpiresAt: 0 });
      log(`${tag} paused before ${step.name}${step.hostId ? ` ${step.hostId}` : ''}: time is up, resume later`);
      return 'resume';
    }
    op = await takeLease(deps, op, worker);
    const interrupted = step.state === 'running';
    if (op.cancelRequested && !(machine.alwaysRun ?? []).includes(step.name)) {
      // Cancelled: what is left is skipped, never half-run; the safety steps still follow.
      step = await deps.store.updateStep(operationId, index, step.version, { state: 'skipped', detail: { cancelled: true, why: `cancelled by ${op.cancelRequested.by}: ${op.cancelRequested.reason}` }, finishedAt: new Date(now()).toISOString() });
      log(`${tag} ${step.name}${step.hostId ? ` ${step.hostId}` : ''}: skipped (cancelled)`);
      try {
        await deps.store.appendAudit(stepAudit(machine, op, step));
      } finally {
        deps.afterStep?.(step);
      }
      continue;
    }
    const resumed = interrupted && step.detail?.waiting === true;
    if (!interrupted) {
      step = await deps.store.updateStep(operationId, index, step.version, { state: 'running', startedAt: new Date(now()).toISOString() });
    }
    const beat = heartbeat(deps, op, worker);
    let outcome: StepOutcome;
    try {
      outcome = await machine.execute({ op, step, interrupted: interrupted && !resumed, resumed, deadlineAt: run.deadlineAt, signal: beat.signal });
    } finally {
      beat.stop();
    }
    if (beat.signal.aborted) throw new LeaseLostError(operationId, String(beat.signal.reason));
    deps.inStep?.(step);
    if (outcome.state === 'wait') {
      // Time is up inside a wait: the step stays running, marked as waiting, and the next run takes it up.
      step = await deps.store.updateStep(operationId, index, step.version, { detail: { ...(outcome.detail ?? {}), waiting: true } });
      const fresh = await load(deps, operationId);
      await deps.store.updateOperation(operationId, fresh.version, { leaseOwner: worker, leaseExpiresAt: 0 });
      log(`${tag} paused in ${step.name}${step.hostId ? ` ${step.hostId}` : ''}: time is up, resume later`);
      return 'resume';
    }
    const patch: StepPatch = { state: outcome.state, finishedAt: new Date(now()).toISOString() };
    if (outcome.detail === undefined && step.detail?.waiting === true) patch.detail = {};
    if (outcome.detail !== undefined) patch.detail = outcome.detail;
    if (outcome.error !== undefined) patch.error = outcome.error;
    step = await deps.store.updateStep(operationId, index, step.version, patch);
    log(`${tag} ${step.name}${step.hostId ? ` ${step.hostId}` : ''}: ${step.state}${step.error ? ` (${step.error})` : ''}`);
    try {
      await deps.store.appendAudit(stepAudit(machine, op, step));
    } finally {
      deps.afterStep?.(step);
    }
  }

  op = await load(deps, operationId);
  for (const s of foundFinished) if (s.finishedAt) await deps.store.appendAudit(stepAudit(machine, op, s));
  const { state, result } = await machine.finish(op);
  op = await load(deps, operationId);
  const final = op.cancelRequested ? 'cancelled' : state;
  await deps.store.updateOperation(operationId, op.version, { state: final, result, leaseExpiresAt: 0 });
  log(`${tag} ${op.kind} ${final}`);
  return state;
}

/** Ask an unfinished operation to stop; the worker acts on it before its next step. */
export async function requestCancel(deps: Pick<StepMachineDeps, 'store' | 'now'>, operationId: string, by: string, reason: string): Promise<OperationWithSteps> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const op = await load(deps as StepMachineDeps, operationId);
    if (op.state === 'succeeded' || op.state === 'failed' || op.state === 'cancelled') throw new OperationFinishedError(operationId, op.state);
    if (op.cancelRequested) return op;
    try {
      await deps.store.updateOperation(operationId, op.version, { cancelRequested: { by, at: new Date((deps.now ?? Date.now)()).toISOString(), reason } });
      await deps.store.appendAudit({ operationId, poolId: op.poolId, actor: by, source: op.source, reason, action: `cancel ${op.kind}`, result: 'ok' });
      return load(deps as StepMachineDeps, operationId);
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
    }
  }
  throw new Error(`operation ${operationId}: could not record the cancel (busy)`);
}

export class OperationFinishedError extends Error {
  constructor(
    readonly operationId: string,
    readonly state: string,
  ) {
    super(`operation ${operationId} has already ${state === 'cancelled' ? 'been cancelled' : state}`);
  }
}
