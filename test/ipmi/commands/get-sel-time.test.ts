import { describe, expect, it } from 'vitest';
import { getSelTime } from '../../../lib/ipmi/commands/get-sel-time.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectResponseRoundTrip } from './server-side-helpers.ts';

describe('Get SEL Time (Storage 0x48)', () => {
  it('is Storage command 0x48 with no request data', () => {
    expect([getSelTime.netFn, getSelTime.cmd]).toEqual([0x0a, 0x48]);
    expect(getSelTime.encode()).toEqual(Buffer.alloc(0));
  });
  it('decodes the time LS byte first, as unsigned', () => {
    expect(getSelTime.decode(Buffer.from([0x00, 0x00, 0x00, 0x66]))).toEqual({ timestamp: 0x66000000 });
    expect(getSelTime.decode(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toEqual({ timestamp: 0xffffffff });
  });
  it('refuses replies shorter than 4 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSelTime.decode(b), Buffer.from([0, 0, 0, 0x66]), 4);
  });

  describe('BMC side', () => {
    it('takes an empty request', () => {
      expect(getSelTime.decodeRequest(Buffer.alloc(0))).toBeUndefined();
      expectLongRequestRefused(getSelTime, Buffer.alloc(0));
    });
    it('replies with 4 bytes LS first', () => {
      expectResponseRoundTrip(getSelTime, { timestamp: 0x66000000 }, [0x00, 0x00, 0x00, 0x66]);
      expectResponseRoundTrip(getSelTime, { timestamp: 0x12345678 }, [0x78, 0x56, 0x34, 0x12]);
      expectResponseRoundTrip(getSelTime, { timestamp: 0xffffffff }, [0xff, 0xff, 0xff, 0xff]);
    });
  });
});
