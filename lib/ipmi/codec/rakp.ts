/**
 * RMCP+ Open Session and RAKP messages 1-4 (IPMI v2.0 sections 13.17-13.23), both directions.
 */
import { ByteReader, u32le } from './bytes.ts';
import { IpmiProtocolError } from '../errors.ts';

/** RMCP+ and RAKP message status codes, table 13-15. */
export const RMCP_PLUS_STATUS: Readonly<Record<number, string>> = {
  0x00: 'no errors',
  0x01: 'insufficient resources to create a session',
  0x02: 'invalid session ID',
  0x03: 'invalid payload type',
  0x04: 'invalid authentication algorithm',
  0x05: 'invalid integrity algorithm',
  0x06: 'no matching authentication payload',
  0x07: 'no matching integrity payload',
  0x08: 'inactive session ID',
  0x09: 'invalid role',
  0x0a: 'unauthorized role or privilege level requested',
  0x0b: 'insufficient resources to create a session at the requested role',
  0x0c: 'invalid name length',
  0x0d: 'unauthorized name',
  0x0e: 'unauthorized GUID',
  0x0f: 'invalid integrity check value',
  0x10: 'invalid confidentiality algorithm',
  0x11: 'no cipher suite match with proposed security algorithms',
  0x12: 'illegal or unrecognized parameter',
};

export function rmcpPlusStatusName(code: number): string {
  return RMCP_PLUS_STATUS[code] ?? `status 0x${code.toString(16)}`;
}

export interface Algorithms {
  auth: number;
  integrity: number;
  confidentiality: number;
}

export interface OpenSessionRequest {
  tag: number;
  /** Requested maximum privilege (bits 3:0); 0 asks for the highest the suite allows. */
  privilege: number;
  consoleSessionId: number;
  algorithms: Algorithms;
}

export interface OpenSessionResponse {
  tag: number;
  status: number;
  privilege: number;
  consoleSessionId: number;
  bmcSessionId: number;
  algorithms: Algorithms;
}

function algorithmPayload(type: 0 | 1 | 2, algorithm: number): number[] {
  return [type, 0, 0, 0x08, algorithm & 0x3f, 0, 0, 0];
}

function readAlgorithmPayload(r: ByteReader, type: number): number {
  const t = r.u8();
  if (t !== type) throw new IpmiProtocolError(`open session: payload type ${t} where ${type} was expected`);
  r.skip(2);
  const len = r.u8();
  if (len === 0) {
    // A zero-length payload means "any": only legal in a request.
    return -1;
  }
  if (len !== 8) throw new IpmiProtocolError(`open session: algorithm payload length ${len} is not 8`);
  const alg = r.u8() & 0x3f;
  r.skip(3);
  return alg;
}

export function encodeOpenSessionRequest(m: OpenSessionRequest): Buffer {
  return Buffer.from([
    m.tag & 0xff,
    m.privilege & 0x0f,
    0,
    0,
    ...u32le(m.consoleSessionId),
    ...algorithmPayload(0, m.algorithms.auth),
    ...algorithmPayload(1, m.algorithms.integrity),
    ...algorithmPayload(2, m.algorithms.confidentiality),
  ]);
}

export function decodeOpenSessionRequest(b: Uint8Array): OpenSessionRequest {
  const r = new ByteReader(b, 'open session request');
  const tag = r.u8();
  const privilege = r.u8() & 0x0f;
  r.skip(2);
  const consoleSessionId = r.u32();
  return {
    tag,
    privilege,
    consoleSessionId,
    algorithms: { auth: readAlgorithmPayload(r, 0), integrity: readAlgorithmPayload(r, 1), confidentiality: readAlgorithmPayload(r, 2) },
  };
}

export function encodeOpenSessionResponse(m: OpenSessionResponse): Buffer {
  const head = [m.tag & 0xff, m.status & 0xff, m.privilege & 0x0f, 0, ...u32le(m.consoleSessionId)];
  if (m.status !== 0) return Buffer.from(head);
  return Buffer.from([
    ...head,
    ...u32le(m.bmcSessionId),
    ...algorithmPayload(0, m.algorithms.auth),
    ...algorithmPayload(1, m.algorithms.integrity),
    ...algorithmPayload(2, m.algorithms.confidentiality),
  ]);
}

export function decodeOpenSessionResponse(b: Uint8Array): OpenSessionResponse {
  const r = new ByteReader(b, 'open session response');
  const tag = r.u8();
  const status = r.u8();
  // An error answer may stop right after the status (OpenIPMI sends only tag and status).
  const privilege = r.remaining > 0 ? r.u8() & 0x0f : 0;
  if (r.remaining > 0) r.skip(1);
  const consoleSessionId = r.remaining >= 4 ? r.u32() : 0;
  if (status !== 0) {
    return { tag, status, privilege, consoleSessionId, bmcSessionId: 0, algorithms: { auth: -1, integrity: -1, confidentiality: -1 } };
  }
  const bmcSessionId = r.u32();
  return {
    tag,
    status,
    privilege,
    consoleSessionId,
    bmcSessionId,
    algorithms: { auth: readAlgorithmPayload(r, 0), integrity: readAlgorithmPayload(r, 1), confidentiality: readAlgorithmPayload(r, 2) },
  };
}

export interface Rakp1 {
  tag: number;
  bmcSessionId: number;
  consoleRandom: Buffer;
  /** ROLEm: privilege in bits 3:0, bit 4 set for name-only lookup. */
  role: number;
  username: Buffer;
}

export function encodeRakp1(m: Rakp1): Buffer {
  if (m.consoleRandom.length !== 16) throw new IpmiProtocolError('RAKP 1: random number must be 16 bytes');
  if (m.username.length > 16) throw new IpmiProtocolError('RAKP 1: user name longer than 16 bytes');
  return Buffer.concat([
    Buffer.from([m.tag & 0xff, 0, 0, 0, ...u32le(m.bmcSessionId)]),
    m.consoleRandom,
    Buffer.from([m.role & 0x1f, 0, 0, m.username.length]),
    m.username,
  ]);
}

export function decodeRakp1(b: Uint8Array): Rakp1 {
  const r = new ByteReader(b, 'RAKP 1');
  const tag = r.u8();
  r.skip(3);
  const bmcSessionId = r.u32();
  const consoleRandom = r.bytes(16);
  const role = r.u8();
  r.skip(2);
  const len = r.u8();
  if (len > 16) throw new IpmiProtocolError(`RAKP 1: user name length ${len} exceeds 16`);
  return { tag, bmcSessionId, consoleRandom, role, username: r.bytes(len) };
}

export interface Rakp2 {
  tag: number;
  status: number;
  consoleSessionId: number;
  bmcRandom: Buffer;
  bmcGuid: Buffer;
  authCode: Buffer;
}

export function encodeRakp2(m: Rakp2): Buffer {
  const head = Buffer.from([m.tag & 0xff, m.status & 0xff, 0, 0, ...u32le(m.consoleSessionId)]);
  if (m.status !== 0) return head;
  return Buffer.concat([head, m.bmcRandom, m.bmcGuid, m.authCode]);
}

export function decodeRakp2(b: Uint8Array): Rakp2 {
  const r = new ByteReader(b, 'RAKP 2');
  const tag = r.u8();
  const status = r.u8();
  r.skip(2);
  const consoleSessionId = r.remaining >= 4 ? r.u32() : 0;
  if (status !== 0) return { tag, status, consoleSessionId, bmcRandom: Buffer.alloc(0), bmcGuid: Buffer.alloc(0), authCode: Buffer.alloc(0) };
  return { tag, status, consoleSessionId, bmcRandom: r.bytes(16), bmcGuid: r.bytes(16), authCode: r.rest() };
}

export interface Rakp3 {
  tag: number;
  status: number;
  bmcSessionId: number;
  authCode: Buffer;
}

export function encodeRakp3(m: Rakp3): Buffer {
  return Buffer.concat([Buffer.from([m.tag & 0xff, m.status & 0xff, 0, 0, ...u32le(m.bmcSessionId)]), m.authCode]);
}

export function decodeRakp3(b: Uint8Array): Rakp3 {
  const r = new ByteReader(b, 'RAKP 3');
  const tag = r.u8();
  const status = r.u8();
  r.skip(2);
  return { tag, status, bmcSessionId: r.u32(), authCode: r.rest() };
}

export interface Rakp4 {
  tag: number;
  status: number;
  consoleSessionId: number;
  integrityCheck: Buffer;
}

export function encodeRakp4(m: Rakp4): Buffer {
  return Buffer.concat([Buffer.from([m.tag & 0xff, m.status & 0xff, 0, 0, ...u32le(m.consoleSessionId)]), m.integrityCheck]);
}

export function decodeRakp4(b: Uint8Array): Rakp4 {
  const r = new ByteReader(b, 'RAKP 4');
  const tag = r.u8();
  const status = r.u8();
  r.skip(2);
  const consoleSessionId = r.remaining >= 4 ? r.u32() : 0;
  return { tag, status, consoleSessionId, integrityCheck: r.rest() };
}
