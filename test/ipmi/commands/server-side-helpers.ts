/** Assertions for the BMC side of the command modules: decodeRequest and encodeResponse. */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { IpmiRequestError, type BmcCommand } from '../../../lib/ipmi/commands/command.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * encode(req) gives `bytes` (when given), decodeRequest gives back `req`, and the decoded request
 * is a fixed point: encoding and decoding it again changes nothing.
 */
export function expectRequestRoundTrip<Req>(c: BmcCommand<Req, any>, req: Req, bytes?: number[]): Buffer {
  const data = c.encode(req);
  if (bytes) expect(hexOf(data), `${c.name} request bytes`).toBe(hexOf(Buffer.from(bytes)));
  const back = c.decodeRequest(data);
  expect(back).toEqual(req);
  expect(isDeepStrictEqual(c.decodeRequest(c.encode(back)), back), `${c.name}: decodeRequest(encode(r)) is r`).toBe(true);
  return data;
}

/** decodeRequest reads `bytes` as `req`. */
export function expectRequestDecodes<Req>(c: BmcCommand<Req, any>, bytes: number[], req: Req): void {
  const back = c.decodeRequest(Buffer.from(bytes));
  expect(back).toEqual(req);
  expect(isDeepStrictEqual(c.decodeRequest(c.encode(back)), back), `${c.name}: decodeRequest(encode(r)) is r`).toBe(true);
}

/** encodeResponse(res) gives `bytes` (when given) and decode gives back `res`. */
export function expectResponseRoundTrip<Res>(c: BmcCommand<any, Res>, res: Res, bytes?: number[]): Buffer {
  const data = c.encodeResponse(res);
  if (bytes) expect(hexOf(data), `${c.name} response bytes`).toBe(hexOf(Buffer.from(bytes)));
  expect(c.decode(data)).toEqual(res);
  return data;
}

/** A reply decoded and encoded again is byte for byte the reply (for replies with no reserved bits set). */
export function expectReplyReencodes<Res>(c: BmcCommand<any, Res>, bytes: number[]): void {
  expect(hexOf(c.encodeResponse(c.decode(Buffer.from(bytes))))).toBe(hexOf(Buffer.from(bytes)));
}

/** The refusal is an IpmiProtocolError naming the completion code a BMC answers with. */
export function expectRequestRefused(fn: () => unknown, completionCode: number, message?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected the request to be refused').toBeInstanceOf(IpmiRequestError);
  expect(caught).toBeInstanceOf(IpmiProtocolError);
  expect((caught as IpmiRequestError).completionCode).toBe(completionCode);
  if (message) expect((caught as Error).message).toMatch(message);
}

/** Every prefix of a valid request shorter than `minLength` is refused with 0xC7, and `minLength` bytes decode. */
export function expectShortRequestsRefused(c: BmcCommand<any, any>, valid: Uint8Array, minLength = valid.length): void {
  for (let n = 0; n < minLength; n++) expectRequestRefused(() => c.decodeRequest(Buffer.from(valid.subarray(0, n))), 0xc7, /data bytes/);
  expect(() => c.decodeRequest(Buffer.from(valid.subarray(0, minLength)))).not.toThrow();
}

/** A request with a byte more than its layout holds is refused with 0xC7. */
export function expectLongRequestRefused(c: BmcCommand<any, any>, valid: Uint8Array): void {
  expectRequestRefused(() => c.decodeRequest(Buffer.concat([valid, Buffer.from([0x00])])), 0xc7, /data bytes/);
}
