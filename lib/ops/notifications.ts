/**
 * What lowpower tells a channel on its own, decided from finished work: the night report after a
 * pool sleep (marked as planned, so nobody is paged), an alert for a failed operation, one per
 * host not ready by the wake deadline, and the drift and heat a sensor poll found. Pure: the
 * caller posts the messages (locally to a webhook, on AWS through the Slack function).
 */
import type { Alert, OperationWithSteps } from '../store/types.ts';
import type { Store } from '../store/store.ts';
import type { ScheduleService } from '../schedules/service.ts';
import type { PollResult } from './sensor-poll.ts';
import { driftMessage, failedOperationMessage, nightReportMessage, nightReportOf, thermalMessage, wakeLateMessage, wakeReadyLateMessage } from '../slack/notify.ts';
import type { SlackMessage } from '../slack/blocks.ts';
import { localDate } from '../schedules/zoned.ts';
import { POOL_SLEEP } from './pool-sleep.ts';
import { POOL_WAKE } from './pool-wake.ts';

export type Notifier = (messages: SlackMessage[]) => Promise<void>;

interface HostRow {
  hostId: string;
  result: string;
  detail?: string;
}

const rows = (op: OperationWithSteps): HostRow[] => (Array.isArray(op.result?.hosts) ? (op.result.hosts as HostRow[]) : []);

export function messagesAfterOperation(op: OperationWithSteps, timeZone = 'UTC'): SlackMessage[] {
  const out: SlackMessage[] = [];
  if (op.kind === POOL_SLEEP && op.state !== 'cancelled') out.push(nightReportMessage(nightReportOf(op, localDate(new Date(op.createdAt), timeZone))));
  if (op.kind === POOL_WAKE) {
    const readyBy = String(op.result?.readyBy ?? op.params?.readyBy ?? '');
    for (const h of rows(op).filter((r) => r.result === 'failed')) {
      const step = /stopped at ([\w-]+)/.exec(h.detail ?? '')?.[1] ?? 'wake';
      out.push(wakeLateMessage({ poolId: op.poolId, hostId: h.hostId, step, deadline: readyBy, operationId: op.operationId, detail: h.detail }));
    }
    // Late but done is reported too.
    const lateByMs = Number(op.result?.lateByMs ?? 0);
    if (lateByMs > 0 && rows(op).every((r) => r.result !== 'failed')) out.push(wakeReadyLateMessage({ poolId: op.poolId, deadline: readyBy, lateByMs, operationId: op.operationId, hosts: rows(op).map((r) => r.hostId) }));
    return out;
  }
  if (op.state === 'failed') {
    out.push(
      failedOperationMessage({
        operationId: op.operationId,
        kind: op.kind,
        poolId: op.poolId,
        actor: op.actor,
        source: op.source,
        reason: op.reason,
        error: op.error,
        hosts: rows(op).map((r) => ({ host: r.hostId, result: r.result, detail: r.detail })),
      }),
    );
  }
  return out;
}

/** Alerts a poll has just opened, as messages. */
export function messagesForAlerts(alerts: Alert[]): SlackMessage[] {
  return alerts.map((a) => {
    if (a.kind === 'drift') return driftMessage({ poolId: a.poolId, hostId: a.hostId, expected: /put to sleep/.test(a.message) ? 'asleep' : 'awake', found: String(a.detail?.found ?? '?'), detail: a.message });
    if (a.kind === 'thermal') {
      const m = /^(.+?) ([\d.]+) C/.exec(a.message);
      return thermalMessage({ poolId: a.poolId, hostId: a.hostId, sensor: m?.[1] ?? 'temperature', celsius: m ? Number(m[2]) : Number(a.detail?.hottest ?? 0) });
    }
    return failedOperationMessage({ operationId: String(a.detail?.operationId ?? '-'), kind: a.kind, poolId: a.poolId, error: a.message });
  });
}

/**
 * What follows a finished operation, wherever it ran: a wake taught lowpower the pool's lead
 * time (its next wake timer starts that early), and the channel hears how it went.
 */
export async function afterOperation(d: { store: Store; schedules: ScheduleService; notifier: Notifier }, operationId: string): Promise<void> {
  const op = await d.store.getOperation(operationId);
  if (!op) return;
  if (op.kind === POOL_WAKE) await d.schedules.refreshWakeTimers(op.poolId);
  await d.notifier(messagesAfterOperation(op, (await d.store.getPool(op.poolId))?.policy?.timeZone));
}

/** The heat and drift a poll has just found, as channel messages (none when it found none). */
export async function alertMessagesAfterPoll(store: Store, poolId: string, poll: PollResult): Promise<SlackMessage[]> {
  const opened = new Set([...poll.alertsOpened, ...poll.drift]);
  if (opened.size === 0) return [];
  return messagesForAlerts((await store.listAlerts(poolId, { open: true })).filter((a) => opened.has(a.hostId) && (a.kind === 'thermal' || a.kind === 'drift')));
}
