import { describe, expect, it } from 'vitest';
import { getSessionInfo, type SessionInfo } from '../../../lib/ipmi/commands/get-session-info.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectRequestRefused, expectRequestRoundTrip, expectResponseRoundTrip } from './server-side-helpers.ts';

/** An RMCP+ session of user 2 at administrator level on LAN channel 1, from 192.168.0.10:623. */
const LAN_SESSION: SessionInfo = {
  handle: 1,
  slots: 4,
  activeSessions: 1,
  session: { userId: 2, privilege: 4, channel: 1, protocolAux: 1, lan: { ip: '192.168.0.10', mac: '00:1b:21:0a:ff:01', port: 623 } },
};
const LAN_BYTES = [0x01, 0x04, 0x01, 0x02, 0x04, 0x11, 192, 168, 0, 10, 0x00, 0x1b, 0x21, 0x0a, 0xff, 0x01, 0x6f, 0x02];

describe('Get Session Info (App 0x3D)', () => {
  it('is App command 0x3D; index 0 is the current session', () => {
    expect([getSessionInfo.netFn, getSessionInfo.cmd]).toEqual([0x06, 0x3d]);
    expect(getSessionInfo.encode({})).toEqual(Buffer.from([0x00]));
    expect(getSessionInfo.encode({ index: 3 })).toEqual(Buffer.from([0x03]));
  });
  it('looks a session up by handle (0xFE) or by session ID (0xFF)', () => {
    expect(getSessionInfo.encode({ handle: 7 })).toEqual(Buffer.from([0xfe, 0x07]));
    expect(getSessionInfo.encode({ sessionId: 0x01020304 })).toEqual(Buffer.from([0xff, 0x04, 0x03, 0x02, 0x01]));
  });
  it('refuses an index that is a lookup code', () => {
    expectProtocolError(() => getSessionInfo.encode({ index: 0xfe }), /0-253/);
    expectProtocolError(() => getSessionInfo.encode({ index: -1 }), /0-253/);
  });
  it('decodes a LAN session: IP and MAC MS byte first, port LS byte first', () => {
    expect(getSessionInfo.decode(Buffer.from(LAN_BYTES))).toEqual(LAN_SESSION);
  });
  it('decodes a reply that names no active session (3 bytes)', () => {
    expect(getSessionInfo.decode(Buffer.from([0x00, 0x04, 0x00]))).toEqual({ handle: 0, slots: 4, activeSessions: 0 });
  });
  it('masks the reserved bits', () => {
    const d = getSessionInfo.decode(Buffer.from([0x01, 0xc4, 0xc1, 0xc2, 0xf4, 0x01]));
    expect(d).toEqual({ handle: 1, slots: 4, activeSessions: 1, session: { userId: 2, privilege: 4, channel: 1, protocolAux: 0 } });
  });
  it('keeps the channel data of another medium (serial/modem) as bytes', () => {
    const d = getSessionInfo.decode(Buffer.from([0x01, 0x04, 0x01, 0x02, 0x04, 0x02, 0x01, 0x03, 10, 0, 0, 1]));
    expect(d.session?.otherChannelData).toEqual(Buffer.from([0x01, 0x03, 10, 0, 0, 1]));
    expect(d.session?.lan).toBeUndefined();
  });
  it('refuses replies cut inside the fixed fields with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSessionInfo.decode(b), Buffer.from([0x00, 0x04, 0x00]), 3);
    expectProtocolError(() => getSessionInfo.decode(Buffer.from(LAN_BYTES.slice(0, 4))));
    expectProtocolError(() => getSessionInfo.decode(Buffer.from(LAN_BYTES.slice(0, 5))));
  });

  describe('BMC side', () => {
    it('decodes an index, a handle or a session ID', () => {
      expectRequestRoundTrip(getSessionInfo, { index: 0 }, [0x00]);
      expectRequestRoundTrip(getSessionInfo, { index: 0xfd }, [0xfd]);
      expectRequestRoundTrip(getSessionInfo, { handle: 7 }, [0xfe, 0x07]);
      expectRequestRoundTrip(getSessionInfo, { sessionId: 0x01020304 }, [0xff, 0x04, 0x03, 0x02, 0x01]);
    });
    it('refuses a request whose length does not match its index byte', () => {
      expectRequestRefused(() => getSessionInfo.decodeRequest(Buffer.alloc(0)), 0xc7);
      expectRequestRefused(() => getSessionInfo.decodeRequest(Buffer.from([0xfe])), 0xc7);
      expectRequestRefused(() => getSessionInfo.decodeRequest(Buffer.from([0xff, 1, 2, 3])), 0xc7);
      expectRequestRefused(() => getSessionInfo.decodeRequest(Buffer.from([0x00, 0x01])), 0xc7);
      expectLongRequestRefused(getSessionInfo, Buffer.from([0xfe, 0x07]));
      expectLongRequestRefused(getSessionInfo, Buffer.from([0xff, 0x04, 0x03, 0x02, 0x01]));
    });
    it('lays out a LAN session in 18 bytes (the length ipmitool reads as 802.3 LAN data)', () => {
      expect(expectResponseRoundTrip(getSessionInfo, LAN_SESSION, LAN_BYTES).length).toBe(18);
    });
    it('stops after byte 3 when there is no session, and sends other channel data as given', () => {
      expectResponseRoundTrip(getSessionInfo, { handle: 0, slots: 4, activeSessions: 0 }, [0x00, 0x04, 0x00]);
      expectResponseRoundTrip(getSessionInfo, { handle: 1, slots: 4, activeSessions: 1, session: { userId: 2, privilege: 4, channel: 2, protocolAux: 0, otherChannelData: Buffer.from([1, 3, 10, 0, 0, 1]) } }, [1, 4, 1, 2, 4, 2, 1, 3, 10, 0, 0, 1]);
      expectResponseRoundTrip(getSessionInfo, { handle: 1, slots: 4, activeSessions: 1, session: { userId: 2, privilege: 4, channel: 1, protocolAux: 0 } }, [1, 4, 1, 2, 4, 1]);
    });
    it('refuses what has no wire form', () => {
      const s = LAN_SESSION.session!;
      expectProtocolError(() => getSessionInfo.encodeResponse({ ...LAN_SESSION, session: { ...s, otherChannelData: Buffer.alloc(2) } }), /not both/);
      expectProtocolError(() => getSessionInfo.encodeResponse({ ...LAN_SESSION, session: { ...s, lan: undefined, otherChannelData: Buffer.alloc(12) } }), /would read as LAN data/);
      expectProtocolError(() => getSessionInfo.encodeResponse({ ...LAN_SESSION, session: { ...s, lan: { ...s.lan!, ip: '300.1.1.1' } } }), /IP address/);
      expectProtocolError(() => getSessionInfo.encodeResponse({ ...LAN_SESSION, session: { ...s, lan: { ...s.lan!, mac: 'nope' } } }), /MAC address/);
    });
  });
});
