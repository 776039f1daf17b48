/** What a logged-in session offers the client, whichever IPMI version carries it. */
import type { IpmiResponse } from '../codec/ipmi-message.ts';

export interface SendOptions {
  what: string;
  timeoutMs: number;
  /** 0 sends once: used for commands that change power, which are never blindly repeated. */
  retries: number;
}

export interface IpmiSession {
  readonly version: '2.0' | '1.5';
  /** Cipher suite in use (RMCP+), or the 1.5 auth type name. */
  readonly security: string;
  readonly isOpen: boolean;
  /**
   * True once the BMC answered any message of the last handshake: it is there, so a handshake
   * that then timed out lost a packet on the way, and another may well succeed.
   */
  readonly handshakeAnswered: boolean;
  open(): Promise<void>;
  send(netFn: number, cmd: number, data: Uint8Array, o: SendOptions): Promise<IpmiResponse>;
  /** Close Session on the BMC; never throws. */
  close(timeoutMs: number): Promise<void>;
}

export interface Credentials {
  username: string;
  password: Buffer;
  /** BMC key (Kg), when the BMC has one set; otherwise the password key is used. */
  kg?: Buffer;
}

/**
 * How long a BMC may take a request with the same sequence number and contents for a retry of
 * an earlier one (IPMI v2.0 section 5.8 asks requesters not to reuse a sequence number within
 * about five seconds). A BMC that answers such a "retry" from its cache does not run it again.
 */
export const RQSEQ_REUSE_MS = 5_000;

/**
 * A 6-bit request sequence counter; starts at a random value so two clients rarely collide. The
 * counter wraps after 64 requests, which a busy session does in well under five seconds: so a
 * request is never given a number that carried the same request (command and data) within the
 * last five seconds, or a BMC would take a new "power off" for a retry of the last one and not
 * run it, or answer a status read from its cache with an old state. When all 64 numbers carried
 * this very request within the window (only a tight loop of identical requests does that), the
 * caller waits until the oldest is free.
 */
export class RqSeq {
  private value = Math.floor(Math.random() * 64);
  /** Per number, the requests it carried and when (only those within the window are kept). */
  private readonly used: Array<Map<string, number>> = Array.from({ length: 64 }, () => new Map());

  /** The next number, for requests outside a session (each sent once per handshake). */
  next(): number {
    this.value = (this.value + 1) & 0x3f;
    return this.value;
  }

  /** A number for this request, or how long until one is free. */
  reserve(key: string, now: number = Date.now()): { seq: number } | { retryInMs: number } {
    let oldest = Infinity;
    for (let tries = 0; tries < 64; tries++) {
      const candidate = (this.value + 1 + tries) & 0x3f;
      const seen = this.used[candidate];
      for (const [k, at] of seen) if (now - at >= RQSEQ_REUSE_MS) seen.delete(k);
      const at = seen.get(key);
      if (at === undefined) {
        this.value = candidate;
        seen.set(key, now);
        return { seq: candidate };
      }
      oldest = Math.min(oldest, at);
    }
    return { retryInMs: Math.max(1, oldest + RQSEQ_REUSE_MS - now) };
  }

  /** The next number for this request, waiting if the window is full of it. */
  async take(key: string): Promise<number> {
    for (;;) {
      const r = this.reserve(key);
      if ('seq' in r) return r.seq;
      await new Promise((resolve) => setTimeout(resolve, r.retryInMs));
    }
  }
}

/** The identity of a request for RqSeq: what a BMC compares to spot a retry. */
export const requestKey = (netFn: number, cmd: number, data: Uint8Array): string => `${netFn}:${cmd}:${Buffer.from(data).toString('hex')}`;

/** A random non-zero 32-bit session ID or sequence start. */
export function randomNonZero32(): number {
  const b = new Uint32Array(1);
  do crypto.getRandomValues(b);
  while (b[0] === 0);
  return b[0];
}
