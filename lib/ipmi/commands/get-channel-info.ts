/** Get Channel Info, IPMI v2.0 section 22.24 (App 0x42). */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

/** Channel medium types, table 6-3. */
export const ChannelMedium = {
  ipmb: 0x01,
  icmb10: 0x02,
  icmb09: 0x03,
  lan8023: 0x04,
  serial: 0x05,
  otherLan: 0x06,
  pciSmbus: 0x07,
  smbus1: 0x08,
  smbus2: 0x09,
  usb1: 0x0a,
  usb2: 0x0b,
  systemInterface: 0x0c,
} as const;

/** Channel protocol types, table 6-2. LAN channels report IPMB-1.0 (0x01). */
export const ChannelProtocol = { ipmb: 0x01, icmb: 0x02, smbus: 0x04, kcs: 0x05, smic: 0x06, bt10: 0x07, bt15: 0x08, tmode: 0x09 } as const;

/** IANA enterprise number of the IPMI forum (7154, F2 1B 00 on the wire): the vendor of standard channels. */
export const IPMI_FORUM_IANA = 7154;

export type SessionSupport = 'session-less' | 'single-session' | 'multi-session' | 'session-based';
const SESSION_SUPPORT: readonly SessionSupport[] = ['session-less', 'single-session', 'multi-session', 'session-based'];

export interface ChannelInfo {
  /** The actual channel number (bits 3:0), also when asked for 0x0E ("this channel"). */
  channel: number;
  /** Bits 6:0, table 6-3 (0x04: 802.3 LAN). */
  medium: number;
  /** Bits 4:0, table 6-2 (0x01: IPMB-1.0, which LAN channels use). */
  protocol: number;
  /** Bits 7:6 of byte 5. */
  sessionSupport: SessionSupport;
  /** Bits 5:0 of byte 5: sessions active on the channel now. */
  activeSessions: number;
  /** Vendor IANA enterprise number, 3 bytes LS first (7154 for channels of the IPMI specification). */
  vendorId: number;
  /** Auxiliary channel info (bytes 9-10); interrupt assignments for the system interface, else reserved. */
  auxInfo: [number, number];
}

/** Request and reply layout of section 22.24. */
export const getChannelInfo = defineCommand<{ channel?: number }, ChannelInfo>({
  name: 'Get Channel Info',
  netFn: NetFn.app,
  cmd: 0x42,
  encode: (req) => Buffer.from([(req.channel ?? 0x0e) & 0x0f]),
  decode(data) {
    const r = new ByteReader(data, 'Get Channel Info');
    const channel = r.u8() & 0x0f;
    const medium = r.u8() & 0x7f;
    const protocol = r.u8() & 0x1f;
    const sessions = r.u8();
    const vendorId = r.u8() | (r.u8() << 8) | (r.u8() << 16);
    return {
      channel,
      medium,
      protocol,
      sessionSupport: SESSION_SUPPORT[sessions >> 6],
      activeSessions: sessions & 0x3f,
      vendorId,
      auxInfo: [r.u8(), r.u8()],
    };
  },
  decodeRequest(data) {
    requestLength(data, 'Get Channel Info', 1);
    return { channel: data[0] & 0x0f };
  },
  encodeResponse(c) {
    const support = SESSION_SUPPORT.indexOf(c.sessionSupport);
    if (support < 0) throw new IpmiProtocolError(`Get Channel Info: session support "${c.sessionSupport}" is unknown`);
    return Buffer.from([
      c.channel & 0x0f,
      c.medium & 0x7f,
      c.protocol & 0x1f,
      (support << 6) | (c.activeSessions & 0x3f),
      c.vendorId & 0xff,
      (c.vendorId >> 8) & 0xff,
      (c.vendorId >> 16) & 0xff,
      c.auxInfo[0] & 0xff,
      c.auxInfo[1] & 0xff,
    ]);
  },
});
