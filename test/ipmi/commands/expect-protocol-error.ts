/** Assertions shared by the decoder tests: refusals must be typed, never a RangeError or TypeError. */
import { expect } from 'vitest';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';

export function expectProtocolError(fn: () => unknown, message?: RegExp): IpmiProtocolError {
  let caught: unknown = undefined;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  expect(threw, 'expected an IpmiProtocolError to be thrown, but the call returned').toBe(true);
  expect(caught).toBeInstanceOf(IpmiProtocolError);
  if (message) expect((caught as Error).message).toMatch(message);
  return caught as IpmiProtocolError;
}

/** Every prefix of `valid` shorter than `minLength` must be refused with IpmiProtocolError. */
export function expectShortRepliesRefused(decode: (data: Buffer) => unknown, valid: Uint8Array, minLength = valid.length): void {
  expect(valid.length).toBeGreaterThanOrEqual(minLength);
  for (let n = 0; n < minLength; n++) {
    expectProtocolError(() => decode(Buffer.from(valid.subarray(0, n))));
  }
  // ...and the minimal reply itself decodes.
  expect(() => decode(Buffer.from(valid.subarray(0, minLength)))).not.toThrow();
}
