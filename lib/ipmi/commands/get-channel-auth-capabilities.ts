/** Get Channel Authentication Capabilities, IPMI v2.0 section 22.13 (App 0x38). Sent before a session. */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface ChannelAuthCapabilitiesRequest {
  /** 0x0E: the channel this request arrives on. */
  channel?: number;
  privilege: number;
  /** Ask for IPMI v2.0 extended data (bit 7 of the channel byte). */
  v2?: boolean;
}

export interface ChannelAuthCapabilities {
  channel: number;
  /** IPMI v1.5 auth types enabled for the requested privilege. */
  authTypes: { none: boolean; md2: boolean; md5: boolean; password: boolean; oem: boolean };
  extendedCapabilities: boolean;
  kgSet: boolean;
  perMessageAuthDisabled: boolean;
  userLevelAuthDisabled: boolean;
  nonNullUsers: boolean;
  nullUsers: boolean;
  anonymousLogin: boolean;
  supportsV15: boolean;
  supportsV20: boolean;
  oemId: number;
  oemAux: number;
}

/** Request: channel (bit 7: IPMI v2.0 data asked for) and privilege; reply: 8 bytes. */
export const getChannelAuthCapabilities = defineCommand<ChannelAuthCapabilitiesRequest, ChannelAuthCapabilities>({
  name: 'Get Channel Authentication Capabilities',
  netFn: NetFn.app,
  cmd: 0x38,
  encode: (req) => Buffer.from([((req.v2 ?? true) ? 0x80 : 0) | ((req.channel ?? 0x0e) & 0x0f), req.privilege & 0x0f]),
  decode(data) {
    const r = new ByteReader(data, 'Get Channel Authentication Capabilities');
    const channel = r.u8();
    const auth = r.u8();
    const status = r.u8();
    const ext = r.u8();
    const oemId = r.u8() | (r.u8() << 8) | (r.u8() << 16);
    const oemAux = r.u8();
    const extendedCapabilities = (auth & 0x80) !== 0;
    return {
      channel,
      authTypes: {
        none: (auth & 0x01) !== 0,
        md2: (auth & 0x02) !== 0,
        md5: (auth & 0x04) !== 0,
        password: (auth & 0x10) !== 0,
        oem: (auth & 0x20) !== 0,
      },
      extendedCapabilities,
      kgSet: (status & 0x20) !== 0,
      perMessageAuthDisabled: (status & 0x10) !== 0,
      userLevelAuthDisabled: (status & 0x08) !== 0,
      nonNullUsers: (status & 0x04) !== 0,
      nullUsers: (status & 0x02) !== 0,
      anonymousLogin: (status & 0x01) !== 0,
      supportsV15: !extendedCapabilities || (ext & 0x01) !== 0,
      supportsV20: extendedCapabilities && (ext & 0x02) !== 0,
      oemId,
      oemAux,
    };
  },
  decodeRequest(data) {
    requestLength(data, 'Get Channel Authentication Capabilities', 2);
    return { channel: data[0] & 0x0f, privilege: data[1] & 0x0f, v2: (data[0] & 0x80) !== 0 };
  },
  encodeResponse(c) {
    const a = c.authTypes;
    // Without extended capabilities (bit 7 of the auth type byte) the BMC is IPMI v1.5 only, and the
    // extended capabilities byte is reserved (0).
    const ext = c.extendedCapabilities ? (c.supportsV20 ? 0x02 : 0) | (c.supportsV15 ? 0x01 : 0) : 0;
    return Buffer.from([
      c.channel & 0xff,
      (c.extendedCapabilities ? 0x80 : 0) | (a.oem ? 0x20 : 0) | (a.password ? 0x10 : 0) | (a.md5 ? 0x04 : 0) | (a.md2 ? 0x02 : 0) | (a.none ? 0x01 : 0),
      (c.kgSet ? 0x20 : 0) | (c.perMessageAuthDisabled ? 0x10 : 0) | (c.userLevelAuthDisabled ? 0x08 : 0) | (c.nonNullUsers ? 0x04 : 0) | (c.nullUsers ? 0x02 : 0) | (c.anonymousLogin ? 0x01 : 0),
      ext,
      c.oemId & 0xff,
      (c.oemId >> 8) & 0xff,
      (c.oemId >> 16) & 0xff,
      c.oemAux & 0xff,
    ]);
  },
});
