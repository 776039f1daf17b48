/**
 * The notifier port: what lowpower tells people on its own, as typed notices with their fields as
 * data. Operations and polls emit them; lib/slack renders them as Block Kit, the local runner can
 * print them. Nothing here knows how a channel formats anything.
 */

/** One host's part in a finished operation. */
export interface HostOutcome {
  hostId: string;
  result: string;
  detail?: string;
  /** Watts switched off (a slept host). */
  watts?: number;
}

export type Notice =
  /** A pool sleep went as planned or not: nobody is paged for the planned part. */
  | { kind: 'night-report'; poolId: string; night: string; operationId: string; hosts: HostOutcome[]; wattsSwitchedOff?: number }
  | { kind: 'operation-failed'; poolId: string; operationId: string; operation: string; actor?: string; source?: string; reason?: string; error?: string; hosts: HostOutcome[] }
  /** A host not ready by the wake deadline, with the step it stopped at. */
  | { kind: 'wake-late'; poolId: string; hostId: string; step: string; deadline: string; operationId?: string; detail?: string }
  /** Every host woke, but after the deadline. */
  | { kind: 'wake-ready-late'; poolId: string; deadline: string; lateByMs: number; operationId: string; hosts: string[] }
  /** The morning rebalance ended: what moved, what stayed and why. */
  | { kind: 'rebalance-report'; poolId: string; operationId: string; mode: string; moved: Array<{ vmId: string; from: string; to: string }>; stayed: Array<{ vmId?: string; hostId: string | null; why: string }> }
  | { kind: 'drift'; poolId: string; hostId: string; expected: 'asleep' | 'awake'; found: string; detail?: string }
  | { kind: 'heat'; poolId: string; hostId: string; sensor: string; celsius: number; detail?: string }
  /** Any other alert (a stuck operation, a BMC that answers as another machine, a sleep that failed). */
  | { kind: 'alert'; poolId: string; hostId: string; alert: string; message: string; operationId?: string };

export type Notifier = (notices: Notice[]) => Promise<void>;

/** One plain line per notice: the local runner's log, a test's expectation. */
export function noticeText(n: Notice): string {
  switch (n.kind) {
    case 'night-report': {
      const asleep = n.hosts.filter((h) => h.result === 'done').length;
      return `night of ${n.night}, pool ${n.poolId}: ${asleep} host${asleep === 1 ? '' : 's'} asleep, ${Math.round(n.wattsSwitchedOff ?? 0)} W switched off (planned)`;
    }
    case 'operation-failed':
      return `${n.operation} failed in pool ${n.poolId} (operation ${n.operationId})${n.error ? `: ${n.error}` : ''}${n.hosts.filter((h) => h.result === 'failed').map((h) => `; ${h.hostId}: ${h.detail ?? 'failed'}`).join('')}`;
    case 'wake-late':
      return `host ${n.hostId} not ready by ${n.deadline}: stopped at ${n.step}${n.detail ? ` (${n.detail})` : ''}`;
    case 'wake-ready-late':
      return `pool ${n.poolId} ready ${Math.max(1, Math.round(n.lateByMs / 60_000))} min late (deadline ${n.deadline})`;
    case 'rebalance-report':
      return `rebalance (${n.mode}) of pool ${n.poolId}: ${n.moved.length} VM${n.moved.length === 1 ? '' : 's'} moved, ${n.stayed.length} stayed${n.stayed.slice(0, 5).map((x) => `; ${x.vmId ?? x.hostId ?? '?'}: ${x.why}`).join('')}`;
    case 'drift':
      return `drift: host ${n.hostId} is ${n.found}, expected ${n.expected}`;
    case 'heat':
      return `heat: host ${n.hostId} at ${Math.round(n.celsius)} °C (${n.sensor})`;
    case 'alert':
      return `${n.alert}: ${n.message}`;
  }
}
