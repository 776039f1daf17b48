/**
 * What lowpower tells people on its own, decided from finished work, as typed notices (notices.ts):
 * the night report after a pool sleep (planned, so nobody is paged), a failed operation, one per
 * host not ready by the wake deadline (and a pool ready late), and the drift and heat a sensor
 * poll found. Pure but for reading the records; the caller's notifier renders and sends them.
 */
import type { Alert, OperationWithSteps } from '../store/index.ts';
import type { AlertRepository, PoolRepository } from '../store/index.ts';
import type { Store } from '../store/index.ts';
import type { ScheduleService } from '../schedules/index.ts';
import type { PollResult } from './sensor-poll.ts';
import { localDate } from '../schedules/index.ts';
import { POOL_SLEEP } from './pool-sleep.ts';
import { POOL_WAKE } from './pool-wake.ts';
import { REBALANCE } from './rebalance.ts';
import type { HostOutcome, Notice, Notifier } from './notices.ts';

export type { Notice, Notifier } from './notices.ts';

interface HostRow {
  hostId: string;
  result: string;
  detail?: string;
  step?: string;
  wattsSaved?: number;
}

const rows = (op: OperationWithSteps): HostRow[] => (Array.isArray(op.result?.hosts) ? (op.result.hosts as HostRow[]) : []);
const outcome = (r: HostRow): HostOutcome => ({ hostId: r.hostId, result: r.result, ...(r.detail !== undefined ? { detail: r.detail } : {}), ...(typeof r.wattsSaved === 'number' ? { watts: r.wattsSaved } : {}) });

export function noticesAfterOperation(op: OperationWithSteps, timeZone = 'UTC'): Notice[] {
  const out: Notice[] = [];
  if (op.kind === POOL_SLEEP && op.state !== 'cancelled') {
    const watts = op.result?.wattsSwitchedOff;
    out.push({ kind: 'night-report', poolId: op.poolId, night: localDate(new Date(op.createdAt), timeZone), operationId: op.operationId, hosts: rows(op).map(outcome), ...(typeof watts === 'number' ? { wattsSwitchedOff: watts } : {}) });
  }
  if (op.kind === POOL_WAKE) {
    const deadline = String(op.result?.readyBy ?? op.params?.readyBy ?? '');
    for (const h of rows(op).filter((r) => r.result === 'failed')) {
      out.push({ kind: 'wake-late', poolId: op.poolId, hostId: h.hostId, step: h.step ?? 'wake', deadline, operationId: op.operationId, ...(h.detail ? { detail: h.detail } : {}) });
    }
    // Late but done is reported too.
    const lateByMs = Number(op.result?.lateByMs ?? 0);
    if (lateByMs > 0 && rows(op).every((r) => r.result !== 'failed')) out.push({ kind: 'wake-ready-late', poolId: op.poolId, deadline, lateByMs, operationId: op.operationId, hosts: rows(op).map((r) => r.hostId) });
    return out;
  }
  if (op.kind === REBALANCE && (op.state === 'succeeded' || op.state === 'failed')) {
    const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
    const moved = list<{ vmId: string; from: string; to: string }>(op.result?.moved).map((m) => ({ vmId: m.vmId, from: m.from, to: m.to }));
    const stayed = list<{ vmId?: string; hostId: string | null; why: string }>(op.result?.stayed).map((m) => ({ ...(m.vmId ? { vmId: m.vmId } : {}), hostId: m.hostId, why: m.why }));
    out.push({ kind: 'rebalance-report', poolId: op.poolId, operationId: op.operationId, mode: String(op.result?.mode ?? op.params?.mode ?? '?'), moved, stayed });
    return out;
  }
  if (op.state === 'failed') {
    out.push({ kind: 'operation-failed', poolId: op.poolId, operationId: op.operationId, operation: op.kind, actor: op.actor, source: op.source, reason: op.reason, ...(op.error ? { error: op.error } : {}), hosts: rows(op).map(outcome) });
  }
  return out;
}

/** Alerts as notices, from the alert's own fields. */
export function noticesForAlerts(alerts: Alert[]): Notice[] {
  return alerts.map((a): Notice => {
    if (a.kind === 'drift') return { kind: 'drift', poolId: a.poolId, hostId: a.hostId, expected: a.detail?.expected === 'awake' ? 'awake' : 'asleep', found: String(a.detail?.found ?? '?'), detail: a.message };
    if (a.kind === 'thermal') {
      const celsius = typeof a.detail?.celsius === 'number' ? a.detail.celsius : Number(a.detail?.hottest ?? 0);
      return { kind: 'heat', poolId: a.poolId, hostId: a.hostId, sensor: typeof a.detail?.sensor === 'string' ? a.detail.sensor : 'temperature', celsius, detail: a.message };
    }
    const operationId = typeof a.detail?.operationId === 'string' ? a.detail.operationId : undefined;
    return { kind: 'alert', poolId: a.poolId, hostId: a.hostId, alert: a.kind, message: a.message, ...(operationId ? { operationId } : {}) };
  });
}

/**
 * What follows a finished operation, wherever it ran: a wake taught lowpower the pool's lead
 * time (its next wake timer starts that early), and the channel hears how it went.
 */
export async function afterOperation(d: { store: Store; schedules: ScheduleService; notifier: Notifier; launch?: (operationId: string) => Promise<void> }, operationId: string): Promise<void> {
  const op = await d.store.getOperation(operationId);
  if (!op) return;
  if (op.kind === POOL_WAKE) await d.schedules.refreshWakeTimers(op.poolId);
  // A wake that requested its morning rebalance (the pool's afterWake) has it run now; the sweeper launches it otherwise.
  const rebalance = op.kind === POOL_WAKE ? (op.result?.rebalance as { operationId?: unknown } | undefined)?.operationId : undefined;
  if (typeof rebalance === 'string') await d.launch?.(rebalance);
  await d.notifier(noticesAfterOperation(op, (await d.store.getPool(op.poolId))?.policy?.timeZone));
}

/** The heat and drift a poll has just found, as notices (none when it found none). */
export async function alertNoticesAfterPoll(store: AlertRepository & PoolRepository, poolId: string, poll: PollResult): Promise<Notice[]> {
  const opened = new Set([...poll.alertsOpened, ...poll.drift]);
  if (opened.size === 0) return [];
  return noticesForAlerts((await store.listAlerts(poolId, { open: true })).filter((a) => opened.has(a.hostId) && (a.kind === 'thermal' || a.kind === 'drift')));
}
