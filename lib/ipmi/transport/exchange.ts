/**
 * One request/response exchange over UDP: send, wait, retransmit with backoff, all inside one
 * deadline. What counts as "the answer" is decided by the caller's `accept` function.
 */
import type { UdpTransport } from './udp-transport.ts';
import { IpmiError, IpmiProtocolError, IpmiTimeoutError } from '../errors.ts';

export interface Peer {
  transport: UdpTransport;
  host: string;
  address: string;
  family: 4 | 6;
  port: number;
}

export interface ExchangeOptions<T> {
  /** What is being asked, for the timeout message ("Get Chassis Status"). */
  what: string;
  /** Builds the packet for attempt n (0-based): retransmissions may need a new sequence number. */
  build: (attempt: number) => Buffer;
  /**
   * Looks at every packet from the peer. Returns the result when the packet is the answer,
   * undefined when it belongs to someone else. Throwing an IpmiError ends the exchange with it;
   * any other decode problem makes the packet be ignored.
   */
  accept: (packet: Buffer) => T | undefined;
  timeoutMs: number;
  /** Retransmissions after the first send; 0 sends once. */
  retries: number;
}

/** Waits per attempt: doubling, summing to the whole deadline. */
export function backoffSchedule(timeoutMs: number, retries: number): number[] {
  const n = retries + 1;
  const unit = timeoutMs / (2 ** n - 1);
  return Array.from({ length: n }, (_, i) => unit * 2 ** i);
}

/** The schedules in use (a handful of deadline and retry pairs), made once rather than per packet. */
const schedules = new Map<string, readonly number[]>();

function scheduleFor(timeoutMs: number, retries: number): readonly number[] {
  const key = `${timeoutMs}/${retries}`;
  let s = schedules.get(key);
  if (!s) {
    s = Object.freeze(backoffSchedule(timeoutMs, retries));
    if (schedules.size >= 64) schedules.clear();
    schedules.set(key, s);
  }
  return s;
}

export function exchange<T>(peer: Peer, o: ExchangeOptions<T>): Promise<T> {
  const started = performance.now();
  const waits = scheduleFor(o.timeoutMs, o.retries);
  return new Promise<T>((resolve, reject) => {
    let attempt = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      fn();
    };
    const unsubscribe = peer.transport.subscribe(peer.address, peer.port, (packet) => {
      if (done) return;
      let result: T | undefined;
      try {
        result = o.accept(packet);
      } catch (e) {
        // An authentication failure is an answer; a malformed or foreign packet is noise.
        if (e instanceof IpmiError && !(e instanceof IpmiProtocolError)) {
          finish(() => reject(e));
        }
        return;
      }
      if (result !== undefined) finish(() => resolve(result));
    });
    const sendAttempt = (): void => {
      let packet: Buffer;
      try {
        packet = o.build(attempt);
      } catch (e) {
        finish(() => reject(e));
        return;
      }
      peer.transport.post(peer.address, peer.family, peer.port, packet);
      timer = setTimeout(onTimeout, waits[attempt]);
    };
    const onTimeout = (): void => {
      attempt++;
      if (attempt < waits.length) {
        sendAttempt();
        return;
      }
      finish(() => reject(new IpmiTimeoutError(peer.host, peer.port, attempt, o.what, performance.now() - started)));
    };
    sendAttempt();
  });
}
