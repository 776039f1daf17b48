import { describe, expect, it } from 'vitest';
import { getSystemGuid } from '../../../lib/ipmi/commands/get-system-guid.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectResponseRoundTrip } from './server-side-helpers.ts';

const GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('Get System GUID (App 0x37)', () => {
  it('is App command 0x37 with no request data', () => {
    expect([getSystemGuid.netFn, getSystemGuid.cmd]).toEqual([0x06, 0x37]);
    expect(getSystemGuid.encode()).toEqual(Buffer.alloc(0));
  });
  it('decodes the 16 GUID bytes as sent', () => {
    expect(getSystemGuid.decode(GUID)).toEqual({ guid: GUID });
    expect(getSystemGuid.decode(Buffer.concat([GUID, Buffer.from([1])]))).toEqual({ guid: GUID });
  });
  it('refuses replies shorter than 16 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSystemGuid.decode(b), GUID, 16);
  });

  describe('BMC side', () => {
    it('takes an empty request', () => {
      expect(getSystemGuid.decodeRequest(Buffer.alloc(0))).toBeUndefined();
      expectLongRequestRefused(getSystemGuid, Buffer.alloc(0));
    });
    it('replies with the 16 bytes, and refuses a GUID of another size', () => {
      expectResponseRoundTrip(getSystemGuid, { guid: GUID }, [...GUID]);
      expectProtocolError(() => getSystemGuid.encodeResponse({ guid: GUID.subarray(0, 15) }), /15 bytes, not 16/);
      expectProtocolError(() => getSystemGuid.encodeResponse({ guid: Buffer.concat([GUID, GUID]) }), /32 bytes/);
    });
  });
});
