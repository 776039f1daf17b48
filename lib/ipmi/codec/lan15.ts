/**
 * IPMI v1.5 LAN session wrapper (IPMI v2.0 table 13-8): auth type, session sequence, session ID,
 * optional 16-byte AuthCode, message length, IPMI message.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ByteReader, fixedField, u32le } from './bytes.ts';
import { RMCP_CLASS_IPMI, rmcpHeader } from './rmcp.ts';
import { IpmiProtocolError } from '../errors.ts';

export const AuthType = { none: 0x00, md2: 0x01, md5: 0x02, password: 0x04, oem: 0x05, rmcpPlus: 0x06 } as const;

export interface Lan15Packet {
  authType: number;
  sequence: number;
  sessionId: number;
  authCode?: Buffer;
  message: Buffer;
}

/** MD5 AuthCode (section 22.17.1): MD5(password, session ID, message, session sequence, password). */
export function md5AuthCode(password: Buffer, sessionId: number, sequence: number, message: Uint8Array): Buffer {
  const pw = fixedField(password, 16, 'IPMI 1.5 password');
  return createHash('md5')
    .update(pw)
    .update(Buffer.from(u32le(sessionId)))
    .update(message)
    .update(Buffer.from(u32le(sequence)))
    .update(pw)
    .digest();
}

function authCodeFor(authType: number, password: Buffer, sessionId: number, sequence: number, message: Uint8Array): Buffer | undefined {
  switch (authType) {
    case AuthType.none:
      return undefined;
    case AuthType.md5:
      return md5AuthCode(password, sessionId, sequence, message);
    case AuthType.password:
      return fixedField(password, 16, 'IPMI 1.5 password');
    default:
      throw new IpmiProtocolError(`IPMI 1.5: authentication type ${authType} is not supported`);
  }
}

export function encodeLan15(p: { authType: number; sequence: number; sessionId: number; message: Uint8Array; password?: Buffer }): Buffer {
  const code = authCodeFor(p.authType, p.password ?? Buffer.alloc(0), p.sessionId, p.sequence, p.message);
  if (p.message.length > 255) throw new IpmiProtocolError('IPMI 1.5: message longer than 255 bytes');
  return Buffer.concat([
    rmcpHeader(RMCP_CLASS_IPMI),
    Buffer.from([p.authType, ...u32le(p.sequence), ...u32le(p.sessionId)]),
    code ?? Buffer.alloc(0),
    Buffer.from([p.message.length]),
    p.message,
  ]);
}

/** Decode the wrapper after the 4-byte RMCP header. The AuthCode is returned, not checked. */
export function decodeLan15(packet: Uint8Array): Lan15Packet {
  const r = new ByteReader(packet.subarray(4), 'IPMI 1.5 session');
  const authType = r.u8() & 0x0f;
  if (authType === AuthType.rmcpPlus) throw new IpmiProtocolError('IPMI 1.5: packet is RMCP+');
  const sequence = r.u32();
  const sessionId = r.u32();
  const authCode = authType === AuthType.none ? undefined : r.bytes(16);
  const len = r.u8();
  const message = r.bytes(len);
  return { authType, sequence, sessionId, authCode, message };
}

/** True when the packet's AuthCode is the one this password gives. */
export function verifyLan15(p: Lan15Packet, password: Buffer): boolean {
  if (p.authType === AuthType.none) return p.authCode === undefined;
  const expected = authCodeFor(p.authType, password, p.sessionId, p.sequence, p.message);
  return !!expected && !!p.authCode && p.authCode.length === expected.length && timingSafeEqual(p.authCode, expected);
}
