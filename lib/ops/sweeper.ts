/**
 * The sweeper: what keeps a night from failing silently. Run on the scheduler every few minutes
 * and when a runner starts, it
 * - launches operations left `pending` (their first launch was lost) and resumes operations
 *   whose worker lease lapsed (the worker died), up to a bounded number of tries, then raises an
 *   alert naming the operation and the step it stopped at;
 * - raises the wake-late alert for a wake that is not done by its `readyBy`, at that time, not
 *   only when (if ever) the wake reaches its own ready check;
 * - enables in XAPI the hosts a wake powered on while XAPI did not answer, once XAPI is back and
 *   calls them live (rule 4: never on a guess).
 */
import type { Operation, Pool } from '../store/index.ts';
import { VersionConflictError } from '../store/index.ts';
import type { PoolOpsDeps } from './pool-operation.ts';
import { errorText } from './step-machine.ts';
import { POOL_WAKE } from './pool-wake.ts';

export interface SweepDeps extends PoolOpsDeps {
  /** Start (or resume) an operation in the background: the local runner in process, a worker invoke on AWS. */
  launch(operationId: string): Promise<void>;
  /** Relaunches and resumes per operation before it is given up to a person (default 5). */
  maxSweeps?: number;
  /** A pending operation younger than this is left alone: its first launch may be on its way (default 30 s). */
  pendingGraceMs?: number;
  /** How far back operations are looked at (default 2 days). */
  horizonMs?: number;
}

export interface SweepResult {
  relaunched: string[];
  givenUp: string[];
  lateAlerts: string[];
  enabled: string[];
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** The step an operation stopped at, in words, for the alert. */
function stoppedAt(op: Operation & { steps?: Array<{ name: string; state: string; hostId?: string; index: number }> }): string {
  const step = [...(op.steps ?? [])].sort((a, b) => a.index - b.index).find((s) => s.state === 'pending' || s.state === 'running');
  return step ? `${step.name}${step.hostId ? ` ${step.hostId}` : ''} (${step.state})` : 'its end';
}

export async function sweep(deps: SweepDeps): Promise<SweepResult> {
  const now = (deps.now ?? Date.now)();
  const result: SweepResult = { relaunched: [], givenUp: [], lateAlerts: [], enabled: [] };
  const pools = await deps.store.listPools();
  for (const pool of pools) {
    const ops = await deps.store.listOperations(pool.poolId, { since: new Date(now - (deps.horizonMs ?? 2 * 86_400_000)).toISOString() });
    for (const listed of ops) {
      if (FINISHED.has(listed.state)) continue;
      const op = await deps.store.getOperation(listed.operationId);
      if (!op || FINISHED.has(op.state)) continue;
      await lateWake(deps, op, now, result);
      const lapsed = (op.leaseExpiresAt ?? 0) <= now;
      const young = op.state === 'pending' && now - Date.parse(op.createdAt) < (deps.pendingGraceMs ?? 30_000);
      if (!lapsed || young) continue;
      const tries = op.sweeps ?? 0;
      if (tries >= (deps.maxSweeps ?? 5)) {
        const at = stoppedAt(op);
        const { opened } = await deps.store.openAlert({ poolId: op.poolId, hostId: op.steps.find((s) => s.state === 'running' || s.state === 'pending')?.hostId ?? 'pool', kind: 'operation-stuck', message: `operation ${op.operationId} (${op.kind}) is stuck at ${at}: ${tries} resumes did not finish it; a person must look`, detail: { operationId: op.operationId, step: at } });
        if (opened) {
          deps.log?.('alert', { kind: 'operation-stuck', operation: op.operationId, pool: op.poolId, step: at, resumes: tries });
          await deps.store.appendAudit({ operationId: op.operationId, poolId: op.poolId, actor: 'sweeper', source: 'schedule', reason: 'sweep', action: `give up ${op.kind}`, result: 'failed', message: `stuck at ${at} after ${tries} resumes` });
        }
        result.givenUp.push(op.operationId);
        continue;
      }
      try {
        // Counted first (a conditional write): two sweepers at once launch it once.
        await deps.store.updateOperation(op.operationId, op.version, { sweeps: tries + 1 });
      } catch (e) {
        if (e instanceof VersionConflictError) continue;
        throw e;
      }
      deps.log?.('sweeper-resume', { action: op.state === 'pending' ? 'launch' : 'resume', kind: op.kind, operation: op.operationId.slice(0, 8), step: stoppedAt(op), try: tries + 1 });
      await deps.store.appendAudit({ operationId: op.operationId, poolId: op.poolId, actor: 'sweeper', source: 'schedule', reason: 'sweep', action: `${op.state === 'pending' ? 'launch' : 'resume'} ${op.kind}`, result: 'ok', message: `at ${stoppedAt(op)}, try ${tries + 1}` });
      await deps.launch(op.operationId);
      result.relaunched.push(op.operationId);
    }
    await enableWhenXapiIsBack(deps, pool, result);
  }
  return result;
}

/** A wake past its readyBy and not finished: the hosts not yet enabled get their alert now. */
async function lateWake(deps: SweepDeps, op: Operation & { steps: Array<{ name: string; state: string; hostId?: string }> }, now: number, result: SweepResult): Promise<void> {
  if (op.kind !== POOL_WAKE) return;
  const readyBy = Date.parse(String(op.params?.readyBy));
  if (!(readyBy <= now)) return;
  const plan = op.params?.plan as { wake?: string[] } | undefined;
  for (const hostId of plan?.wake ?? []) {
    const enable = op.steps.find((s) => s.name === 'enable' && s.hostId === hostId);
    if (enable?.state === 'done') continue;
    const step = op.steps.find((s) => s.hostId === hostId && (s.state === 'pending' || s.state === 'running' || s.state === 'failed'));
    const text = `${hostId} is not ready by ${new Date(readyBy).toISOString()}: the wake ${op.operationId.slice(0, 8)} is still at ${step ? `${step.name} (${step.state})` : 'its ready check'}`;
    const { opened } = await deps.store.openAlert({ poolId: op.poolId, hostId, kind: 'wake-late', message: text, detail: { operationId: op.operationId, step: step?.name ?? 'ready-check' } });
    // The host's enable may have ended since the operation was read: it records the host awake,
    // closes this alert, and only then is its step recorded done. A host awake and enabled now is
    // not late, whichever came first; read after the alert is open, it cannot be missed.
    const h = await deps.store.getHost(op.poolId, hostId);
    if (h?.sleepState === 'awake' && h.xenState === 'enabled') {
      await deps.store.closeAlert(op.poolId, 'wake-late', hostId);
      continue;
    }
    if (opened) {
      deps.log?.('alert', { kind: 'wake-late', pool: op.poolId, host: hostId, operation: op.operationId.slice(0, 8), step: step ? `${step.name} (${step.state})` : 'ready-check', readyBy: new Date(readyBy).toISOString() });
      result.lateAlerts.push(hostId);
    }
  }
}

/** Hosts woken through their BMC while XAPI was away: enable them now that XAPI calls them live. */
async function enableWhenXapiIsBack(deps: SweepDeps, pool: Pool, result: SweepResult): Promise<void> {
  const waiting = (await deps.store.listHosts(pool.poolId)).filter((h) => h.awaitingEnable);
  if (waiting.length === 0) return;
  const hv = await deps.hypervisorFor(pool);
  let hosts;
  try {
    hosts = await hv.hosts();
  } catch (e) {
    deps.log?.('sweeper-enable-waiting', { pool: pool.poolId, hosts: waiting.map((h) => h.hostId), error: errorText(e) });
    return;
  }
  for (const h of waiting) {
    const xen = hosts.find((x) => x.hostId === h.hostId);
    if (!xen?.live) continue;
    // Another operation holding the host decides for itself.
    if (h.lockOperationId && h.lockOperationId !== h.awaitingEnable?.operationId && (h.lockExpiresAt ?? 0) > (deps.now ?? Date.now)()) continue;
    try {
      if (!xen.enabled) await hv.enableHost(h.hostId);
      const fresh = await deps.store.getHost(pool.poolId, h.hostId);
      if (!fresh) continue;
      const at = new Date((deps.now ?? Date.now)()).toISOString();
      await deps.store.updateHost(pool.poolId, h.hostId, fresh.version, { awaitingEnable: undefined, xenState: 'enabled', sleepState: 'awake', power: 'on', powerObservedAt: at, powerSource: 'xapi', lastWokenAt: at, sleptAt: undefined, sleptByOperation: undefined });
      await deps.store.closeAlert(pool.poolId, 'wake-late', h.hostId);
      await deps.store.closeAlert(pool.poolId, 'sleep-failed', h.hostId);
      await deps.store.appendAudit({ poolId: pool.poolId, hostId: h.hostId, operationId: h.awaitingEnable?.operationId, actor: 'sweeper', source: 'schedule', reason: 'XAPI is back', action: 'enable host', result: 'ok', message: `enabled once XAPI answered again (waiting since ${h.awaitingEnable?.since})` });
      deps.log?.('sweeper-enabled', { host: h.hostId, why: 'XAPI is back' });
      result.enabled.push(h.hostId);
    } catch (e) {
      deps.log?.('sweeper-enable-failed', { host: h.hostId, error: errorText(e) });
    }
  }
}
