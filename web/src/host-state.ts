/**
 * What a host's tile says: one of five states, each with a word and a symbol so colour is never
 * the only signal. Derived from the host record, the operation holding its lock, its open alerts
 * and its latest reading. Pure: tested without a browser.
 */
import type { Alert, HostSummary, Operation, Reading } from './types.ts';

export type TileState = 'on' | 'off' | 'going-down' | 'coming-up' | 'error';

export interface TileView {
  state: TileState;
  /** The word on the tile: "On", "Asleep", "Going to sleep", "Switching on", "No answer"... */
  label: string;
  /** A symbol beside the word (aria-hidden; the word carries the meaning). */
  symbol: string;
  /** A second line: the alert or the operation, when there is one. */
  note?: string;
  hot: boolean;
  hottestC?: number;
  watts?: number;
  /** When the reading behind temperature and watts was taken. */
  readingAt?: string;
}

export const SYMBOL: Record<TileState, string> = { on: '●', off: '○', 'going-down': '▼', 'coming-up': '▲', error: '⚠' };

const RUNNING = new Set(['pending', 'running']);
const ERROR_ALERTS: Record<string, string> = { 'sleep-failed': 'Sleep failed', 'wake-late': 'Woke late', drift: 'Power drift' };

function listOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The transition an operation is making on this host, if it is making one. */
export function transitionOf(op: Operation | undefined, hostId: string): { state: TileState; label: string } | undefined {
  if (!op || !RUNNING.has(op.state)) return undefined;
  const p = op.params ?? {};
  if (op.kind === 'pool-sleep') {
    const plan = p.plan as { sleep?: unknown } | undefined;
    return listOf(plan?.sleep).includes(hostId) ? { state: 'going-down', label: 'Going to sleep' } : undefined;
  }
  if (op.kind === 'pool-wake') {
    const plan = p.plan as { wake?: unknown } | undefined;
    return listOf(plan?.wake).includes(hostId) ? { state: 'coming-up', label: 'Waking' } : undefined;
  }
  if (op.kind === 'host-power' && (op.hostIds ?? [hostId]).includes(hostId)) {
    if (p.action === 'on') return { state: 'coming-up', label: 'Switching on' };
    if (p.action === 'off' || p.action === 'soft') return { state: 'going-down', label: 'Switching off' };
    if (p.action === 'cycle') return { state: 'coming-up', label: 'Power cycling' };
  }
  return undefined;
}

/** The hottest temperature of a reading, in °C. */
export function hottest(r: Reading | undefined): number | undefined {
  const t = r?.temperatures ?? [];
  return t.length ? Math.max(...t.map((x) => x.celsius)) : undefined;
}

export function tileView(host: HostSummary, o: { op?: Operation; alerts?: Alert[]; reading?: Reading; asleep?: boolean } = {}): TileView {
  const alerts = (o.alerts ?? []).filter((a) => a.hostId === host.id && a.state === 'open');
  const thermal = alerts.find((a) => a.kind === 'thermal');
  // A reading taken before the last power change describes the host as it was: show no draw.
  const r = o.reading;
  const fresh = r && !(r.power && r.power !== host.power && host.powerObservedAt && r.at < host.powerObservedAt);
  const base = {
    hot: thermal !== undefined,
    hottestC: fresh ? hottest(r) : undefined,
    watts: fresh ? r?.powerWatts : undefined,
    readingAt: fresh ? r?.at : undefined,
  };
  const moving = transitionOf(o.op, host.id);
  if (moving) return { ...base, ...moving, symbol: SYMBOL[moving.state], note: o.op ? `${o.op.kind} by ${o.op.actor}` : undefined };
  const busy = host.operation ? `busy: operation ${host.operation.slice(0, 8)}` : undefined;
  const bad = alerts.find((a) => a.kind in ERROR_ALERTS);
  if (bad) return { ...base, state: 'error', label: ERROR_ALERTS[bad.kind], symbol: SYMBOL.error, note: bad.message };
  if (host.power === 'unknown') return { ...base, state: 'error', label: 'No answer', symbol: SYMBOL.error, note: 'power state unknown: the BMC did not answer' };
  const note = thermal ? thermal.message : busy;
  if (host.power === 'on') return { ...base, state: 'on', label: 'On', symbol: SYMBOL.on, note };
  const asleep = o.asleep === true || host.xenState === 'asleep';
  return { ...base, state: 'off', label: asleep ? 'Asleep' : 'Off', symbol: SYMBOL.off, note };
}
