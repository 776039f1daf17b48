/**
 * The shape every IPMI command module follows. Each command carries both halves of its codec:
 * the console's (encode a request, decode the reply) and the BMC's (decode a request, encode the
 * reply), so that the client and the BMC simulator share one description of every packet layout.
 */
import { IpmiProtocolError } from '../errors.ts';

export interface IpmiCommand<Req, Res> {
  /** The specification's name, used in errors ("Get SDR failed: ..."). */
  readonly name: string;
  readonly netFn: number;
  readonly cmd: number;
  /** Console side: the request data bytes (after the IPMI message header). */
  encode(req: Req): Buffer;
  /** Console side: decodes response data after the completion code. Throws IpmiProtocolError on bad data. */
  decode(data: Buffer): Res;
  /**
   * BMC side: parses the request data bytes (after the IPMI message header: what `encode` makes).
   * Throws IpmiProtocolError on short or malformed data, and nothing else: an IpmiRequestError that
   * carries the completion code a BMC answers with (0xC7 wrong length, 0xCC invalid field).
   * For every value it returns, decodeRequest(encode(req)) deep-equals req.
   */
  decodeRequest?(data: Buffer): Req;
  /**
   * BMC side: the response data bytes that follow the completion code, such that
   * decode(encodeResponse(res)) deep-equals res for every res that `decode` can return. Fields wider
   * than the wire are masked to their width, as the request encoders do; values that have no wire
   * form at all (a 3-byte GUID, an unknown access mode) throw IpmiProtocolError.
   */
  encodeResponse?(res: Res): Buffer;
  /** Command-specific completion codes (0x80-0xBE), by value. */
  readonly completionCodes?: Readonly<Record<number, string>>;
}

/** A command with both halves: one the BMC simulator can serve. */
export type BmcCommand<Req, Res> = IpmiCommand<Req, Res> & {
  decodeRequest(data: Buffer): Req;
  encodeResponse(res: Res): Buffer;
};

export function defineCommand<Req, Res>(c: BmcCommand<Req, Res>): BmcCommand<Req, Res>;
export function defineCommand<Req, Res>(c: IpmiCommand<Req, Res>): IpmiCommand<Req, Res>;
export function defineCommand<Req, Res>(c: IpmiCommand<Req, Res>): IpmiCommand<Req, Res> {
  return c;
}

export const noData = (): Buffer => Buffer.alloc(0);

/** Privilege levels, IPMI v2.0 table 6-2 (and 0x0F "no access" in user and channel limits). */
export const Privilege = { callback: 1, user: 2, operator: 3, administrator: 4, oem: 5, noAccess: 0x0f } as const;
export type PrivilegeName = 'callback' | 'user' | 'operator' | 'administrator' | 'oem' | 'no access';

export function privilegeName(level: number): PrivilegeName | `0x${string}` {
  const names: Record<number, PrivilegeName> = { 1: 'callback', 2: 'user', 3: 'operator', 4: 'administrator', 5: 'oem', 15: 'no access' };
  return names[level] ?? `0x${level.toString(16)}`;
}

/** Runs a command on one BMC: how the helpers above the command layer reach it. */
export type RunCommand = <Req, Res>(c: IpmiCommand<Req, Res>, req: Req) => Promise<Res>;

// ---------------------------------------------------------------------------------------------
// BMC side helpers

/** Generic completion codes a BMC answers malformed requests with (IPMI v2.0 table 5-2). */
export const RequestCompletion = { lengthInvalid: 0xc7, invalidField: 0xcc } as const;

/**
 * A request the BMC side refuses. It is an IpmiProtocolError, and names the completion code a BMC
 * answers with: 0xC7 (request data length invalid) or 0xCC (invalid data field in request).
 */
export class IpmiRequestError extends IpmiProtocolError {
  override readonly name: string = 'IpmiRequestError';
  constructor(
    message: string,
    readonly completionCode: number,
  ) {
    super(message);
  }
}

/** Refuses request data shorter than `min` or longer than `max` bytes (0xC7). */
export function requestLength(data: Uint8Array, command: string, min: number, max = min): void {
  if (data.length >= min && data.length <= max) return;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  throw new IpmiRequestError(`${command} request: ${data.length} data bytes, expected ${expected}`, RequestCompletion.lengthInvalid);
}

/** An invalid field in a request (0xCC). */
export function invalidRequestField(command: string, what: string): IpmiRequestError {
  return new IpmiRequestError(`${command} request: ${what}`, RequestCompletion.invalidField);
}

/** decodeRequest of a command whose request carries no data. */
export function emptyRequest(command: string): (data: Buffer) => void {
  return (data) => {
    requestLength(data, command, 0);
  };
}

/** A fixed-size, zero-padded field with its trailing zero bytes removed (user names, passwords). */
export function trimTrailingZeros(b: Uint8Array): Buffer {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return Buffer.from(b.subarray(0, end));
}

/** A "major.minor" version in one byte, major in bits 3:0 and minor in bits 7:4 ("2.0" is 0x02, "1.5" is 0x51). */
export function encodeVersionNibbles(text: string, what: string): number {
  const m = /^(\d{1,2})\.(\d{1,2})$/.exec(text);
  if (!m || Number(m[1]) > 15 || Number(m[2]) > 15) throw new IpmiProtocolError(`${what} "${text}" is not a version of two 4-bit numbers`);
  return Number(m[1]) | (Number(m[2]) << 4);
}

export function decodeVersionNibbles(b: number): string {
  return `${b & 0x0f}.${b >> 4}`;
}

/** Two BCD digits (0x17 -> 17); nibbles above 9 count as they are, as decoders read them (0xB1 -> 111). */
export function decodeBcd(b: number): number {
  return (b >> 4) * 10 + (b & 0x0f);
}

/** The byte decodeBcd reads as n: plain BCD for 0-99, nibbles above 9 for the rest (up to 165). */
export function encodeBcd(n: number, what: string): number {
  const hi = Math.min(15, Math.floor(n / 10));
  const lo = n - 10 * hi;
  if (!Number.isInteger(n) || n < 0 || lo > 15) throw new IpmiProtocolError(`${what} ${n} has no BCD form`);
  return (hi << 4) | lo;
}
