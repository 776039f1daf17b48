import { describe, expect, it } from 'vitest';
import { getChannelAuthCapabilities } from '../../../lib/ipmi/commands/get-channel-auth-capabilities.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';

describe('Get Channel Authentication Capabilities (App 0x38)', () => {
  it('is App command 0x38', () => {
    expect([getChannelAuthCapabilities.netFn, getChannelAuthCapabilities.cmd]).toEqual([0x06, 0x38]);
  });
  it('asks for v2 data about this channel (0x0E) by default', () => {
    expect(getChannelAuthCapabilities.encode({ privilege: 4 })).toEqual(Buffer.from([0x8e, 0x04]));
  });
  it('can ask a given channel without v2 data', () => {
    expect(getChannelAuthCapabilities.encode({ channel: 1, privilege: 2, v2: false })).toEqual(Buffer.from([0x01, 0x02]));
    expect(getChannelAuthCapabilities.encode({ channel: 0x11, privilege: 0x14 })).toEqual(Buffer.from([0x81, 0x04]));
  });

  it('decodes a v2-capable reply (MD5 and straight password enabled)', () => {
    expect(getChannelAuthCapabilities.decode(Buffer.from([0x01, 0x94, 0x04, 0x03, 0xb1, 0xa2, 0x00, 0x07]))).toEqual({
      channel: 1,
      authTypes: { none: false, md2: false, md5: true, password: true, oem: false },
      extendedCapabilities: true,
      kgSet: false,
      perMessageAuthDisabled: false,
      userLevelAuthDisabled: false,
      nonNullUsers: true,
      nullUsers: false,
      anonymousLogin: false,
      supportsV15: true,
      supportsV20: true,
      oemId: 0x00a2b1,
      oemAux: 0x07,
    });
  });
  it('decodes the status bits of byte 4', () => {
    const d = getChannelAuthCapabilities.decode(Buffer.from([0x01, 0xa3, 0x3b, 0x02, 0, 0, 0, 0]));
    expect(d.authTypes).toEqual({ none: true, md2: true, md5: false, password: false, oem: true });
    expect(d).toMatchObject({ kgSet: true, perMessageAuthDisabled: true, userLevelAuthDisabled: true, nonNullUsers: false, nullUsers: true, anonymousLogin: true });
    expect(d.supportsV15).toBe(false);
    expect(d.supportsV20).toBe(true);
  });
  it('treats a reply without extended capabilities as IPMI 1.5 only, whatever byte 5 holds', () => {
    const d = getChannelAuthCapabilities.decode(Buffer.from([0x01, 0x14, 0x00, 0x02, 0, 0, 0, 0]));
    expect(d.extendedCapabilities).toBe(false);
    expect(d.supportsV15).toBe(true);
    expect(d.supportsV20).toBe(false);
  });
  it('refuses replies shorter than 8 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getChannelAuthCapabilities.decode(b), Buffer.from([0x01, 0x94, 0x04, 0x03, 0, 0, 0, 0]), 8);
  });
});
