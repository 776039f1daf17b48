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

/** A 6-bit request sequence counter; starts at a random value so two clients rarely collide. */
export class RqSeq {
  private value = Math.floor(Math.random() * 64);
  next(): number {
    this.value = (this.value + 1) & 0x3f;
    return this.value;
  }
}

/** A random non-zero 32-bit session ID or sequence start. */
export function randomNonZero32(): number {
  const b = new Uint32Array(1);
  do crypto.getRandomValues(b);
  while (b[0] === 0);
  return b[0];
}
