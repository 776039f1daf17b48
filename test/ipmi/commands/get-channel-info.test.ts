import { describe, expect, it } from 'vitest';
import { ChannelMedium, ChannelProtocol, getChannelInfo, IPMI_FORUM_IANA, type ChannelInfo } from '../../../lib/ipmi/commands/get-channel-info.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectRequestDecodes, expectRequestRoundTrip, expectResponseRoundTrip, expectShortRequestsRefused } from './server-side-helpers.ts';

/** A LAN channel as BMCs report it: 802.3 LAN, IPMB-1.0 protocol, multi-session, the IPMI forum's IANA. */
const LAN: ChannelInfo = { channel: 1, medium: ChannelMedium.lan8023, protocol: ChannelProtocol.ipmb, sessionSupport: 'multi-session', activeSessions: 2, vendorId: IPMI_FORUM_IANA, auxInfo: [0, 0] };
const LAN_BYTES = [0x01, 0x04, 0x01, 0x82, 0xf2, 0x1b, 0x00, 0x00, 0x00];

describe('Get Channel Info (App 0x42)', () => {
  it('is App command 0x42 asking for this channel (0x0E) by default', () => {
    expect([getChannelInfo.netFn, getChannelInfo.cmd]).toEqual([0x06, 0x42]);
    expect(getChannelInfo.encode({})).toEqual(Buffer.from([0x0e]));
    expect(getChannelInfo.encode({ channel: 1 })).toEqual(Buffer.from([0x01]));
    expect(getChannelInfo.encode({ channel: 0x31 })).toEqual(Buffer.from([0x01]));
  });
  it('numbers media (table 6-3) and protocols (table 6-2) as the specification does', () => {
    expect(ChannelMedium.lan8023).toBe(0x04);
    expect(ChannelMedium.systemInterface).toBe(0x0c);
    expect(ChannelProtocol.ipmb).toBe(0x01);
    expect(ChannelProtocol.kcs).toBe(0x05);
    expect(IPMI_FORUM_IANA).toBe(7154);
  });
  it('decodes a LAN channel', () => {
    expect(getChannelInfo.decode(Buffer.from(LAN_BYTES))).toEqual(LAN);
  });
  it('masks the reserved bits and reads each session support value', () => {
    const d = getChannelInfo.decode(Buffer.from([0xf1, 0x84, 0xe1, 0x3f, 0x57, 0x01, 0x00, 0x12, 0x34]));
    expect(d).toEqual({ channel: 1, medium: 0x04, protocol: 0x01, sessionSupport: 'session-less', activeSessions: 0x3f, vendorId: 0x0157, auxInfo: [0x12, 0x34] });
    const support = (b: number) => getChannelInfo.decode(Buffer.from([1, 4, 1, b, 0, 0, 0, 0, 0])).sessionSupport;
    expect([support(0x00), support(0x40), support(0x80), support(0xc0)]).toEqual(['session-less', 'single-session', 'multi-session', 'session-based']);
  });
  it('refuses replies shorter than 9 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getChannelInfo.decode(b), Buffer.from(LAN_BYTES), 9);
  });

  describe('BMC side', () => {
    it('decodes the channel number (bits 3:0)', () => {
      expectRequestRoundTrip(getChannelInfo, { channel: 0x0e }, [0x0e]);
      expectRequestRoundTrip(getChannelInfo, { channel: 1 }, [0x01]);
      expectRequestDecodes(getChannelInfo, [0xf1], { channel: 1 });
      expectShortRequestsRefused(getChannelInfo, Buffer.from([0x0e]));
      expectLongRequestRefused(getChannelInfo, Buffer.from([0x0e]));
    });
    it('lays out the 9 reply bytes: vendor F2 1B 00, session support in bits 7:6 with the active count', () => {
      expectResponseRoundTrip(getChannelInfo, LAN, LAN_BYTES);
      expectResponseRoundTrip(getChannelInfo, { ...LAN, channel: 0x0f, medium: ChannelMedium.systemInterface, protocol: ChannelProtocol.kcs, sessionSupport: 'session-less', activeSessions: 0, auxInfo: [0x0a, 0x0b] }, [0x0f, 0x0c, 0x05, 0x00, 0xf2, 0x1b, 0x00, 0x0a, 0x0b]);
      expectResponseRoundTrip(getChannelInfo, { ...LAN, sessionSupport: 'session-based', activeSessions: 63 }, [0x01, 0x04, 0x01, 0xff, 0xf2, 0x1b, 0x00, 0x00, 0x00]);
    });
    it('refuses a session support value it does not know', () => {
      expectProtocolError(() => getChannelInfo.encodeResponse({ ...LAN, sessionSupport: 'many' as never }), /session support/);
    });
  });
});
