/**
 * The durable step machine under every operation: a worker takes a lease on the operation, runs
 * its saved steps in order, writes each step as `running` before it acts and as done / skipped /
 * failed after, and appends one audit record per finished step (written at most once, so a
 * resumed worker can backfill safely). A worker that dies anywhere is followed by one that picks
 * up at the first unfinished step; a step found `running` was interrupted, and its executor is
 * told so (a command that may have left must not be sent twice). The lease itself (taken,
 * renewed while a step runs, lost) is in operation-lease.ts.
 */
import { randomUUID } from 'node:crypto';
import type { HostRepository } from '../store/index.ts';
import type { Store } from '../store/index.ts';
import { VersionConflictError } from '../store/index.ts';
import type { Host, OperationStep, OperationWithSteps, StepPatch } from '../store/index.ts';
import type { Log } from '../util/index.ts';
import { retry } from '../util/index.ts';
import { heartbeat, LeaseLostError, loadOperation as load, takeLease, type LeaseDeps } from './operation-lease.ts';

export { checkLease, LeaseLostError, OperationBusyError } from './operation-lease.ts';

export interface StepMachineDeps extends LeaseDeps {
  /** The machine runs whole operations: steps, audit, hosts and their locks. */
  store: Store;
  /** One readable line per step. */
  log?: Log;
  /** Test hook: called after each step is saved; throwing here stands for a crash. */
  afterStep?: (step: OperationStep) => void;
  /** Fault hook: called after a step acted and before its end is recorded; throwing here is a worker killed inside the step. */
  inStep?: (step: OperationStep) => void;
  /** Who runs operations here (one id per worker process or invocation). */
  workerId?: string;
}

export interface RunOptions {
  /** Stop before starting a step after this instant (epoch ms) and answer "resume"; waits inside steps end before it. */
  deadlineAt?: number;
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
  /**
   * Write to the running step's detail before an act that must not be repeated blindly (a power
   * command): a run that finds the step interrupted reads it in `step.detail` and knows whether
   * the act may have happened. Merged into the detail the step has; the step's outcome replaces it.
   */
  record(detail: Record<string, unknown>): Promise<void>;
}

/** The instant a wait inside a step must end: its own limit, or a little before the worker's deadline. */
export function waitUntil(x: Pick<StepExecution, 'deadlineAt'>, ownUntil: number): { until: number; cutShort: boolean } {
  const hard = x.deadlineAt === undefined ? Infinity : x.deadlineAt - DEADLINE_MARGIN_MS;
  return hard < ownUntil ? { until: hard, cutShort: true } : { until: ownUntil, cutShort: false };
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
export async function hostOf(store: HostRepository, poolId: string, hostId: string): Promise<Host> {
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
 * Run (or resume) an operation until it is done, or until the deadline comes before a step:
 * then the lease is let go and the answer is "resume" (the caller schedules the next run).
 */
export async function runStepMachine(
  deps: StepMachineDeps,
  operationId: string,
  machineOf: StepMachine | ((op: OperationWithSteps) => StepMachine | Promise<StepMachine>),
  run: RunOptions = {},
): Promise<RunResult> {
  const log: Log = deps.log ?? (() => undefined);
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
      log('step-paused', { operation: tag, step: step.name, host: step.hostId, why: 'time is up before the step; resumed later' });
      return 'resume';
    }
    op = await takeLease(deps, op, worker);
    const interrupted = step.state === 'running';
    if (op.cancelRequested && !(machine.alwaysRun ?? []).includes(step.name)) {
      // Cancelled: what is left is skipped, never half-run; the safety steps still follow.
      step = await deps.store.updateStep(operationId, index, step.version, { state: 'skipped', detail: { cancelled: true, why: `cancelled by ${op.cancelRequested.by}: ${op.cancelRequested.reason}` }, finishedAt: new Date(now()).toISOString() });
      log('step', { operation: tag, step: step.name, host: step.hostId, state: 'skipped', why: 'cancelled' });
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
    const beat = heartbeat(deps, op, worker, { renewLocks: step.name !== 'release' });
    let outcome: StepOutcome;
    let current = step;
    const record = async (detail: Record<string, unknown>): Promise<void> => {
      current = await deps.store.updateStep(operationId, index, current.version, { detail: { ...(current.detail ?? {}), ...detail } });
    };
    try {
      outcome = await machine.execute({ op, step, interrupted: interrupted && !resumed, resumed, deadlineAt: run.deadlineAt, signal: beat.signal, record });
    } finally {
      step = current;
      beat.stop();
      // A beat still writing the lease ends before the step is recorded: no late lease write races it.
      await beat.settled();
    }
    if (beat.signal.aborted) throw new LeaseLostError(operationId, String(beat.signal.reason));
    deps.inStep?.(step);
    if (outcome.state === 'wait') {
      // Time is up inside a wait: the step stays running, marked as waiting, and the next run takes it up.
      step = await deps.store.updateStep(operationId, index, step.version, { detail: { ...(outcome.detail ?? {}), waiting: true } });
      const fresh = await load(deps, operationId);
      await deps.store.updateOperation(operationId, fresh.version, { leaseOwner: worker, leaseExpiresAt: 0 });
      log('step-paused', { operation: tag, step: step.name, host: step.hostId, why: 'time is up inside the step; resumed later' });
      return 'resume';
    }
    const patch: StepPatch = { state: outcome.state, finishedAt: new Date(now()).toISOString() };
    if (outcome.detail === undefined && step.detail?.waiting === true) patch.detail = {};
    if (outcome.detail !== undefined) patch.detail = outcome.detail;
    if (outcome.error !== undefined) patch.error = outcome.error;
    step = await deps.store.updateStep(operationId, index, step.version, patch);
    log('step', { operation: tag, step: step.name, host: step.hostId, state: step.state, error: step.error });
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
  log('operation', { operation: tag, kind: op.kind, state: final });
  return state;
}

/** Ask an unfinished operation to stop; the worker acts on it before its next step. */
export async function requestCancel(deps: Pick<StepMachineDeps, 'store' | 'now'>, operationId: string, by: string, reason: string): Promise<OperationWithSteps> {
  // A write that lost to another (the worker renewing its lease) is tried again on a fresh read.
  return retry(
    async () => {
      const op = await load(deps, operationId);
      if (op.state === 'succeeded' || op.state === 'failed' || op.state === 'cancelled') throw new OperationFinishedError(operationId, op.state);
      if (op.cancelRequested) return op;
      await deps.store.updateOperation(operationId, op.version, { cancelRequested: { by, at: new Date((deps.now ?? Date.now)()).toISOString(), reason } });
      await deps.store.appendAudit({ operationId, poolId: op.poolId, actor: by, source: op.source, reason, action: `cancel ${op.kind}`, result: 'ok' });
      return load(deps, operationId);
    },
    { attempts: 5, retryOn: (e) => e instanceof VersionConflictError, exhausted: () => new Error(`operation ${operationId}: could not record the cancel (busy)`) },
  );
}

export class OperationFinishedError extends Error {
  constructor(
    readonly operationId: string,
    readonly state: string,
  ) {
    super(`operation ${operationId} has already ${state === 'cancelled' ? 'been cancelled' : state}`);
  }
}
