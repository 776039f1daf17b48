/** Get Session Info, IPMI v2.0 section 22.20 (App 0x3D). */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader, readU32le, u16le, u32le } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';
import { decodeIPv4, decodeMac, encodeIPv4, encodeMac } from './lan-config.ts';

/**
 * Which session: `index` 0 is the session the request arrives in, N the Nth active session
 * (byte 1 = N, up to 0xFD); or by session handle (byte 1 = 0xFE); or by session ID (byte 1 = 0xFF).
 */
export type SessionInfoRequest = { index?: number } | { handle: number } | { sessionId: number };

export interface SessionInfo {
  /** Session handle (0 when the index names no active session). */
  handle: number;
  /** Number of possible active sessions, bits 5:0. */
  slots: number;
  /** Number of currently active sessions, bits 5:0. */
  activeSessions: number;
  /** Absent when the index names no active session: the reply then stops after byte 4. */
  session?: ActiveSessionInfo;
}

export interface ActiveSessionInfo {
  userId: number;
  /** Operating privilege level, bits 3:0. */
  privilege: number;
  /** Bits 3:0 of byte 7. */
  channel: number;
  /** Bits 7:4 of byte 7; for LAN channels 0 = IPMI v1.5, 1 = IPMI v2.0 / RMCP+. */
  protocolAux: number;
  /** 802.3 LAN channels: the remote console's address (IP and MAC MS byte first, port LS byte first). */
  lan?: { ip: string; mac: string; port: number };
  /** Channel data of another medium (serial/modem: 6 or 8 bytes), as sent. */
  otherChannelData?: Buffer;
}

const LAN_DATA_LENGTH = 12;

/** Request and reply layout of section 22.20. */
export const getSessionInfo = defineCommand<SessionInfoRequest, SessionInfo>({
  name: 'Get Session Info',
  netFn: NetFn.app,
  cmd: 0x3d,
  encode(req) {
    if ('handle' in req) return Buffer.from([0xfe, req.handle & 0xff]);
    if ('sessionId' in req) return Buffer.from([0xff, ...u32le(req.sessionId)]);
    const index = req.index ?? 0;
    if (!Number.isInteger(index) || index < 0 || index > 0xfd) throw new IpmiProtocolError(`Get Session Info: session index ${index} is not 0-253`);
    return Buffer.from([index]);
  },
  decode(data) {
    const r = new ByteReader(data, 'Get Session Info');
    const info: SessionInfo = { handle: r.u8(), slots: r.u8() & 0x3f, activeSessions: r.u8() & 0x3f };
    if (r.remaining === 0) return info;
    const userId = r.u8() & 0x3f;
    const privilege = r.u8() & 0x0f;
    const ch = r.u8();
    const session: ActiveSessionInfo = { userId, privilege, channel: ch & 0x0f, protocolAux: ch >> 4 };
    if (r.remaining >= LAN_DATA_LENGTH) {
      session.lan = { ip: decodeIPv4(r.bytes(4)), mac: decodeMac(r.bytes(6)), port: r.u16() };
    } else if (r.remaining > 0) {
      session.otherChannelData = r.rest();
    }
    info.session = session;
    return info;
  },
  decodeRequest(data) {
    requestLength(data, 'Get Session Info', 1, 5);
    const index = data[0];
    if (index === 0xfe) {
      requestLength(data, 'Get Session Info', 2);
      return { handle: data[1] };
    }
    if (index === 0xff) {
      requestLength(data, 'Get Session Info', 5);
      return { sessionId: readU32le(data, 1) };
    }
    requestLength(data, 'Get Session Info', 1);
    return { index };
  },
  encodeResponse(info) {
    const head = Buffer.from([info.handle & 0xff, info.slots & 0x3f, info.activeSessions & 0x3f]);
    const s = info.session;
    if (!s) return head;
    if (s.lan && s.otherChannelData) throw new IpmiProtocolError('Get Session Info: a session has LAN data or other channel data, not both');
    const parts: Buffer[] = [head, Buffer.from([s.userId & 0x3f, s.privilege & 0x0f, ((s.protocolAux & 0x0f) << 4) | (s.channel & 0x0f)])];
    if (s.lan) parts.push(encodeIPv4(s.lan.ip, 'remote console IP address'), encodeMac(s.lan.mac, 'remote console MAC address'), Buffer.from(u16le(s.lan.port)));
    else if (s.otherChannelData) {
      if (s.otherChannelData.length >= LAN_DATA_LENGTH) throw new IpmiProtocolError(`Get Session Info: ${s.otherChannelData.length} bytes of other channel data would read as LAN data`);
      parts.push(s.otherChannelData);
    }
    return Buffer.concat(parts);
  },
});
