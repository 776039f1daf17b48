/**
 * Messages lowpower sends to a channel on its own (through an incoming webhook): alerts that want
 * a person (an operation failed, a host not ready by the wake deadline, drift, heat) and the
 * night report, which is marked as planned so that nobody is paged for a sleep that went to plan.
 */
import { context, escapeMrkdwn, section, SLACK_LIMITS, type SlackMessage } from './blocks/kit.ts';
import { resultBlocks, type HostResultRow } from './blocks/tables.ts';
import { postSlackJson, type SlackPostOptions } from './response-url.ts';
import type { Notice } from '../ops/index.ts';
import { errorField, type Log } from '../util/index.ts';

/** Where channel messages go. */
export interface SlackChannel {
  post(message: SlackMessage): Promise<void>;
}

export function webhookChannel(url: string, o: SlackPostOptions = {}): SlackChannel {
  return { post: (message) => postSlackJson(url, message, o) };
}

/** Posts and reports whether it worked; never throws (an alert path must not fail on Slack). */
export async function notify(channel: SlackChannel, message: SlackMessage, log?: Log): Promise<boolean> {
  try {
    await channel.post(message);
    return true;
  } catch (e) {
    log?.('slack-notify-failed', { error: errorField(e) });
    return false;
  }
}

/** The context line of a report that needs nobody. */
export const PLANNED_NOTE = 'planned: nightly sleep, no action needed';
export const ALERT_NOTE = 'alert: needs a look';

const e = escapeMrkdwn;

function alert(title: string, lines: string[], extra: SlackMessage['blocks'] = []): SlackMessage {
  const text = `:rotating_light: ${title}`;
  return {
    text,
    blocks: [section(`*${e(title)}*${lines.length ? `\n${lines.join('\n')}` : ''}`), ...(extra ?? []), context(ALERT_NOTE)].slice(0, SLACK_LIMITS.blocks),
  };
}

export interface FailedOperationAlert {
  operationId: string;
  kind: string;
  poolId: string;
  actor?: string;
  source?: string;
  reason?: string;
  error?: string;
  hosts?: HostResultRow[];
}

export function failedOperationMessage(a: FailedOperationAlert): SlackMessage {
  const lines = [
    `pool \`${e(a.poolId)}\`, operation \`${e(a.operationId)}\``,
    ...(a.actor ? [`asked by ${e(a.actor)}${a.source ? ` (${e(a.source)})` : ''}${a.reason ? `: ${e(a.reason)}` : ''}`] : []),
    ...(a.error ? [`:warning: ${e(a.error)}`] : []),
  ];
  return alert(`${a.kind} failed in pool ${a.poolId}`, lines, a.hosts?.length ? resultBlocks(a.hosts, SLACK_LIMITS.blocks - 2) : []);
}

export interface WakeLateAlert {
  poolId: string;
  hostId: string;
  /** The step the host was stuck in, e.g. `wait-live`, `enable`. */
  step: string;
  /** The wake deadline (ISO time). */
  deadline: string;
  operationId?: string;
  detail?: string;
}

export function wakeLateMessage(a: WakeLateAlert): SlackMessage {
  return alert(`Host ${a.hostId} not ready by ${a.deadline}`, [
    `pool \`${e(a.poolId)}\`: stuck at step \`${e(a.step)}\`${a.operationId ? ` (operation \`${e(a.operationId)}\`)` : ''}`,
    ...(a.detail ? [e(a.detail)] : []),
  ]);
}

/** Every host woke, but after the deadline: the pool was not ready when it had to be. */
export function wakeReadyLateMessage(a: { poolId: string; deadline: string; lateByMs: number; operationId: string; hosts: string[] }): SlackMessage {
  const minutes = Math.max(1, Math.round(a.lateByMs / 60_000));
  return alert(`Pool ${a.poolId} ready ${minutes} min late`, [
    `every host is on and enabled, but ${minutes} min after the deadline ${e(a.deadline)} (operation \`${e(a.operationId)}\`)`,
    `hosts: ${e(a.hosts.join(', '))}; the next wake starts earlier (lead times are learned)`,
  ]);
}

export interface DriftAlert {
  poolId: string;
  hostId: string;
  /** What lowpower believed, e.g. `asleep`. */
  expected: string;
  /** What it found, e.g. `on`. */
  found: string;
  detail?: string;
}

export function driftMessage(a: DriftAlert): SlackMessage {
  return alert(`Drift: host ${a.hostId} is ${a.found}, expected ${a.expected}`, [`pool \`${e(a.poolId)}\`: someone or something changed it outside lowpower`, ...(a.detail ? [e(a.detail)] : [])]);
}

export interface ThermalAlert {
  poolId: string;
  hostId: string;
  sensor: string;
  celsius: number;
  criticalCelsius?: number;
  /** What the policy did about it, e.g. `draining and sleeping the host`. */
  action?: string;
}

export function thermalMessage(a: ThermalAlert): SlackMessage {
  const limit = a.criticalCelsius !== undefined ? ` (critical ${Math.round(a.criticalCelsius)} °C)` : '';
  return alert(`Heat: host ${a.hostId} at ${Math.round(a.celsius)} °C`, [`pool \`${e(a.poolId)}\`, sensor \`${e(a.sensor)}\`${limit}`, ...(a.action ? [`lowpower: ${e(a.action)}`] : [])]);
}

export interface NightReport {
  poolId: string;
  /** The local date the night began on. */
  night: string;
  operationId?: string;
  /** Per host: done (asleep, with watts switched off), failed, or skipped (kept on, with why). */
  hosts: HostResultRow[];
  wattsSwitchedOff?: number;
}

export function nightReportMessage(r: NightReport): SlackMessage {
  const asleep = r.hosts.filter((h) => h.result === 'done').length;
  const failed = r.hosts.filter((h) => h.result === 'failed').length;
  const watts = r.wattsSwitchedOff ?? r.hosts.reduce((a, h) => a + (h.result === 'done' ? (h.watts ?? 0) : 0), 0);
  const title = `Night of ${r.night}, pool ${r.poolId}: ${asleep} host${asleep === 1 ? '' : 's'} asleep, ${Math.round(watts)} W switched off`;
  const notes = [PLANNED_NOTE, ...(failed ? [`${failed} host${failed === 1 ? '' : 's'} did not sleep and stay on; an alert follows if it needs a look`] : []), ...(r.operationId ? [`operation ${e(r.operationId)}`] : [])];
  return {
    text: `:crescent_moon: ${title} (${PLANNED_NOTE})`,
    blocks: [section(`:crescent_moon: *${e(title)}*`), ...resultBlocks(r.hosts, SLACK_LIMITS.blocks - 2), context(...notes)],
  };
}

/** The night report of a finished pool-sleep operation (its `result`: hosts and wattsSwitchedOff). */
export function nightReportOf(op: { operationId: string; poolId: string; result?: Record<string, unknown> }, night: string): NightReport {
  const result = op.result ?? {};
  const hosts = (Array.isArray(result.hosts) ? result.hosts : []).map((h: unknown) => {
    const r = (typeof h === 'object' && h !== null ? h : {}) as Record<string, unknown>;
    return {
      host: typeof r.hostId === 'string' ? r.hostId : '?',
      result: typeof r.result === 'string' ? r.result : '?',
      detail: typeof r.detail === 'string' ? r.detail : undefined,
      watts: typeof r.wattsSaved === 'number' ? r.wattsSaved : undefined,
    };
  });
  return { poolId: op.poolId, night, operationId: op.operationId, hosts, wattsSwitchedOff: typeof result.wattsSwitchedOff === 'number' ? result.wattsSwitchedOff : undefined };
}

/** A notice of lib/ops (the notifier port) as a channel message. */
export function renderNotice(n: Notice): SlackMessage {
  switch (n.kind) {
    case 'night-report':
      return nightReportMessage({ poolId: n.poolId, night: n.night, operationId: n.operationId, wattsSwitchedOff: n.wattsSwitchedOff, hosts: n.hosts.map((h) => ({ host: h.hostId, result: h.result, detail: h.detail, watts: h.watts })) });
    case 'operation-failed':
      return failedOperationMessage({ operationId: n.operationId, kind: n.operation, poolId: n.poolId, actor: n.actor, source: n.source, reason: n.reason, error: n.error, hosts: n.hosts.map((h) => ({ host: h.hostId, result: h.result, detail: h.detail })) });
    case 'wake-late':
      return wakeLateMessage({ poolId: n.poolId, hostId: n.hostId, step: n.step, deadline: n.deadline, operationId: n.operationId, detail: n.detail });
    case 'wake-ready-late':
      return wakeReadyLateMessage(n);
    case 'rebalance-report': {
      const title = `Rebalance (${n.mode}) of pool ${n.poolId}: ${n.moved.length} VM${n.moved.length === 1 ? '' : 's'} moved, ${n.stayed.length} stayed`;
      const stayed = n.stayed.slice(0, 20).map((x) => `• ${e(x.vmId ?? x.hostId ?? '?')}: ${e(x.why)}`);
      return { text: title, blocks: [section(`*${e(title)}*`), ...(stayed.length ? [section(stayed.join('\n'))] : []), context(`operation ${e(n.operationId)}`)] };
    }
    case 'drift':
      return driftMessage(n);
    case 'heat':
      return thermalMessage(n);
    case 'alert':
      return alert(`${n.alert} in pool ${n.poolId}: host ${n.hostId}`, [e(n.message), ...(n.operationId ? [`operation \`${e(n.operationId)}\``] : [])]);
  }
}
