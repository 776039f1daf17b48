/**
 * RMCP+ session wrapper (IPMI v2.0 table 13-8, section 13.28): payload type with encrypted and
 * authenticated bits, session ID, session sequence, payload length, payload, then for
 * authenticated packets the integrity pad, pad length, next header 0x07 and the AuthCode.
 */
import { timingSafeEqual } from 'node:crypto';
import { ByteReader } from './bytes.ts';
import { RMCP_CLASS_IPMI, rmcpHeader } from './rmcp.ts';
import { AuthType } from './lan15.ts';
import { aesDecrypt, aesEncrypt } from '../crypto/aes-cbc-128.ts';
import { integrityCode } from '../crypto/rakp-keys.ts';
import type { CipherSuite } from '../crypto/cipher-suites.ts';
import { IpmiProtocolError } from '../errors.ts';

export const PayloadType = {
  ipmi: 0x00,
  sol: 0x01,
  oemExplicit: 0x02,
  openSessionRequest: 0x10,
  openSessionResponse: 0x11,
  rakp1: 0x12,
  rakp2: 0x13,
  rakp3: 0x14,
  rakp4: 0x15,
} as const;

const ENCRYPTED = 0x80;
const AUTHENTICATED = 0x40;
const NEXT_HEADER = 0x07;
const RMCP_HEADER_LENGTH = 4;
/** AuthType, payload type, session ID, session sequence, payload length. */
const SESSION_HEADER_LENGTH = 12;

/** What protects a session's packets once it is active. */
export interface SessionCrypto {
  suite: CipherSuite;
  k1: Buffer;
  k2: Buffer;
}

export interface LanPlusPacket {
  payloadType: number;
  encrypted: boolean;
  authenticated: boolean;
  sessionId: number;
  sequence: number;
  payload: Buffer;
}

export function encodeLanPlus(
  p: { payloadType: number; sessionId: number; sequence: number; payload: Uint8Array; /** Fixed IV, for known-answer tests only. */ iv?: Uint8Array },
  crypto?: SessionCrypto,
): Buffer {
  const encrypt = !!crypto && crypto.suite.confidentiality !== 0;
  const authenticate = !!crypto && crypto.suite.integrity !== 0;
  const body = encrypt ? (p.iv ? aesEncrypt(crypto.k2, p.payload, p.iv) : aesEncrypt(crypto.k2, p.payload)) : p.payload;
  if (body.length > 0xffff) throw new IpmiProtocolError('RMCP+: payload longer than 65535 bytes');
  // One buffer for the whole packet: RMCP header, session header, body, then the integrity trailer.
  const sessionStart = RMCP_HEADER_LENGTH;
  const bodyStart = sessionStart + SESSION_HEADER_LENGTH;
  const bodyEnd = bodyStart + body.length;
  // Integrity pad makes AuthType..NextHeader a multiple of 4 bytes.
  const padLength = authenticate ? (4 - ((SESSION_HEADER_LENGTH + body.length + 2) % 4)) % 4 : 0;
  const coveredEnd = authenticate ? bodyEnd + padLength + 2 : bodyEnd;
  const out = Buffer.alloc(coveredEnd + (authenticate ? crypto.suite.integrityCodeLength : 0));
  rmcpHeader(RMCP_CLASS_IPMI).copy(out, 0);
  out[sessionStart] = AuthType.rmcpPlus;
  out[sessionStart + 1] = (encrypt ? ENCRYPTED : 0) | (authenticate ? AUTHENTICATED : 0) | (p.payloadType & 0x3f);
  out.writeUInt32LE(p.sessionId >>> 0, sessionStart + 2);
  out.writeUInt32LE(p.sequence >>> 0, sessionStart + 6);
  out.writeUInt16LE(body.length, sessionStart + 10);
  out.set(body, bodyStart);
  if (!authenticate) return out;
  out.fill(0xff, bodyEnd, bodyEnd + padLength);
  out[bodyEnd + padLength] = padLength;
  out[bodyEnd + padLength + 1] = NEXT_HEADER;
  out.set(integrityCode(crypto.suite, crypto.k1, out.subarray(sessionStart, coveredEnd)), coveredEnd);
  return out;
}

/**
 * Decode after the RMCP header. With `crypto`, an authenticated packet's AuthCode is checked and
 * an encrypted payload is decrypted; a packet that claims protection without keys is refused.
 */
export function decodeLanPlus(packet: Uint8Array, crypto?: SessionCrypto): LanPlusPacket {
  const start = 4;
  const r = new ByteReader(packet.subarray(start), 'RMCP+ session');
  const authType = r.u8() & 0x0f;
  if (authType !== AuthType.rmcpPlus) throw new IpmiProtocolError('RMCP+: authentication type is not 0x06');
  const typeByte = r.u8();
  const payloadType = typeByte & 0x3f;
  if (payloadType === PayloadType.oemExplicit) r.skip(6);
  const sessionId = r.u32();
  const sequence = r.u32();
  const length = r.u16();
  let payload = r.bytes(length);
  const encrypted = (typeByte & ENCRYPTED) !== 0;
  const authenticated = (typeByte & AUTHENTICATED) !== 0;
  if (authenticated) {
    if (!crypto || crypto.suite.integrity === 0) throw new IpmiProtocolError('RMCP+: authenticated packet outside an integrity-protected session');
    const codeLen = crypto.suite.integrityCodeLength;
    const trailerStart = start + r.offset;
    const total = packet.length - trailerStart;
    if (total < 2 + codeLen) throw new IpmiProtocolError('RMCP+: integrity trailer truncated');
    const padLength = packet[packet.length - codeLen - 2];
    const nextHeader = packet[packet.length - codeLen - 1];
    if (nextHeader !== NEXT_HEADER) throw new IpmiProtocolError('RMCP+: next header is not 0x07');
    if (padLength > 3 || total !== padLength + 2 + codeLen) throw new IpmiProtocolError('RMCP+: integrity pad length is wrong');
    const covered = packet.subarray(start, packet.length - codeLen);
    if (covered.length % 4 !== 0) throw new IpmiProtocolError('RMCP+: integrity-covered length is not a multiple of 4');
    const expected = integrityCode(crypto.suite, crypto.k1, covered);
    const got = packet.subarray(packet.length - codeLen);
    if (!timingSafeEqual(expected, got)) throw new IpmiProtocolError('RMCP+: integrity check failed (AuthCode mismatch)');
  } else if (crypto && crypto.suite.integrity !== 0 && sessionId !== 0) {
    throw new IpmiProtocolError('RMCP+: unauthenticated packet inside an integrity-protected session');
  } else if (r.remaining !== 0) {
    throw new IpmiProtocolError(`RMCP+: ${r.remaining} bytes after the payload`);
  }
  if (encrypted) {
    if (!crypto || crypto.suite.confidentiality === 0) throw new IpmiProtocolError('RMCP+: encrypted packet outside an encrypted session');
    payload = aesDecrypt(crypto.k2, payload);
  } else if (crypto && crypto.suite.confidentiality !== 0 && sessionId !== 0 && payloadType === PayloadType.ipmi) {
    throw new IpmiProtocolError('RMCP+: clear-text payload inside an encrypted session');
  }
  return { payloadType, encrypted, authenticated, sessionId, sequence, payload };
}

/** Read only the session ID and payload type, to route a packet before its keys are known. */
export function peekLanPlus(packet: Uint8Array): { payloadType: number; sessionId: number } {
  const r = new ByteReader(packet.subarray(4), 'RMCP+ session');
  r.skip(1);
  const payloadType = r.u8() & 0x3f;
  if (payloadType === PayloadType.oemExplicit) r.skip(6);
  return { payloadType, sessionId: r.u32() };
}
