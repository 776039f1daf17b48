/**
 * What a logged-in session offers the client, whichever IPMI version carries it, and what both
 * versions share: request sequence numbers, the request message (direct, at a LUN, or bridged),
 * and reading an answer with the quirks learned for the host.
 */
import { decodeResponse, encodeRequest, type IpmiResponse } from '../codec/ipmi-message.ts';
import { encodeBridgedRequest, readBridged, type BridgeTarget } from '../codec/bridge.ts';
import { IpmiChecksumError } from '../errors.ts';
import type { LearnedQuirks } from '../host-quirks.ts';
import { quirkOn, type BmcQuirks } from '../quirks.ts';
import { randomPooled } from '../crypto/random-pool.ts';

export interface SendOptions {
  what: string;
  timeoutMs: number;
  /** 0 sends once: used for commands that change power, which are never blindly repeated. */
  retries: number;
  /** The responder's LUN (sensors on LUN 1-3); 0 by default. */
  lun?: number;
  /** Send to another controller through the BMC (Send Message with tracking). */
  bridge?: BridgeTarget;
}

/** A session's view of the host's quirks: the table in force, what is known of this BMC, and how to learn more. */
export interface HostQuirkView {
  quirks: BmcQuirks;
  learned: Readonly<LearnedQuirks>;
  learn(patch: LearnedQuirks): void;
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
  /** The BMC's GUID as RAKP 2 gave it (RMCP+ only), hex. */
  readonly bmcGuid?: string;
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

/** The identity of a request for RqSeq: what a BMC compares to spot a retry (the LUN and a bridge target count when set). */
export const requestKey = (netFn: number, cmd: number, data: Uint8Array, lun = 0, bridge?: BridgeTarget): string =>
  `${netFn}:${cmd}:${Buffer.from(data).toString('hex')}${lun ? `/${lun}` : ''}${bridge ? `@${bridge.channel}:${bridge.address}` : ''}`;

/** The IPMI message of a request: to the BMC (at a LUN), or to a controller behind it. */
export function requestMessage(netFn: number, cmd: number, data: Uint8Array, rqSeq: number, o: Pick<SendOptions, 'lun' | 'bridge'>): Buffer {
  if (o.bridge) return encodeBridgedRequest(o.bridge, { netFn, cmd, data, rqSeq, rsLun: o.lun });
  return encodeRequest({ netFn, cmd, data, rqSeq, rsLun: o.lun });
}

/**
 * Decodes an IPMI message of an answer. A wrong checksum is tolerated when the no-checksum-check
 * quirk is on (the caller learns it once the answer proves to be its own).
 */
export function decodeAnswer(message: Uint8Array, hq: HostQuirkView): { rsp: IpmiResponse; checksumWrong: boolean } {
  const checksums = !hq.learned.ignoreChecksums;
  try {
    return { rsp: decodeResponse(message, { checksums }), checksumWrong: false };
  } catch (e) {
    if (!(e instanceof IpmiChecksumError) || !quirkOn(hq.quirks, 'no-checksum-check')) throw e;
    return { rsp: decodeResponse(message, { checksums: false }), checksumWrong: true };
  }
}

/**
 * The answer to our request in an IPMI message from the BMC, or undefined when it is another's (or,
 * bridged, when the BMC only took the Send Message and the target's answer is still to come).
 */
export function answerIn(message: Uint8Array, hq: HostQuirkView, netFn: number, cmd: number, rqSeq: number, o: Pick<SendOptions, 'bridge'>): IpmiResponse | undefined {
  const { rsp, checksumWrong } = decodeAnswer(message, hq);
  let answer: IpmiResponse | undefined;
  if (o.bridge) {
    const b = readBridged(rsp, netFn, cmd, rqSeq, { checksums: !(checksumWrong || hq.learned.ignoreChecksums) });
    answer = b && b.kind !== 'accepted' ? b.response : undefined;
  } else if (rsp.netFn === (netFn | 1) && rsp.cmd === cmd && rsp.rqSeq === rqSeq) {
    answer = rsp;
  }
  // Ours in every other way (session, sequence, integrity code, command): the checksum is the BMC's slip.
  if (answer && checksumWrong) hq.learn({ ignoreChecksums: true });
  return answer;
}

/** A random non-zero 32-bit session ID or sequence start. */
export function randomNonZero32(): number {
  let v = 0;
  while (v === 0) v = randomPooled(4).readUInt32LE(0);
  return v;
}
