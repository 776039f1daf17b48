/**
 * Types for test/vectors/rmcpplus-vectors.json, the known-answer vectors that
 * test/vectors/gen_rmcpplus_vectors.py computes from the IPMI v2.0 specification with Python's
 * hmac/hashlib and `cryptography` (an implementation independent of lib/).
 */
import { readFileSync } from 'node:fs';

export interface SuiteVector {
  id: number;
  hash: 'sha1' | 'sha256';
  auth: number;
  integrity: number;
  confidentiality: number;
  rakpCodeLength: number;
  rakp4CodeLength: number;
  integrityCodeLength: number;
}

export interface LanPlusPacketVector {
  sessionId: number;
  sequence: number;
  payloadType: number;
  payload: string;
  iv: string;
  paddedPayload: string;
  encryptedPayload: string;
  integrityPadLength: number;
  covered: string;
  authCode: string;
  packet: string;
}

export interface RakpCase {
  name: string;
  cipherSuite: number;
  suite: SuiteVector;
  inputs: {
    consoleSessionId: number;
    bmcSessionId: number;
    consoleRandom: string;
    bmcRandom: string;
    bmcGuid: string;
    role: number;
    username: string;
    password: string;
    kg: string;
  };
  kuid: string;
  rakp2Input: string;
  rakp2AuthCode: string;
  rakp2AuthCodeRoleBit4Flipped: string;
  rakp3Input: string;
  rakp3AuthCode: string;
  sikInput: string;
  sik: string;
  sikWithKg: string;
  rakp4Input: string;
  rakp4CheckValue: string;
  const1: string;
  const2: string;
  k1: string;
  k2: string;
  messages: {
    algorithms: { auth: number; integrity: number; confidentiality: number };
    privilege: number;
    tags: { open: number; rakp1: number; rakp3: number };
    openSessionRequest: string;
    openSessionResponse: string;
    rakp1: string;
    rakp2: string;
    rakp3: string;
    rakp4: string;
  };
  requestPacket: LanPlusPacketVector;
  responsePacket: LanPlusPacketVector;
}

export interface IpmiMessageVector {
  bytes: string;
  netFn: number;
  cmd: number;
  rqSeq: number;
  rqAddr: number;
  data: string;
  rsAddr: number;
  rsLun?: number;
  rqLun?: number;
  completionCode?: number;
}

export interface AesVector {
  plainLength: number;
  plain: string;
  padLength: number;
  padded: string;
  encrypted: string;
}

export interface Lan15Vector {
  name: string;
  authType: number;
  password: string;
  sessionId: number;
  sequence: number;
  message: string;
  md5Input?: string;
  authCode?: string;
  packet: string;
}

export interface RmcpPlusVectors {
  description: string;
  rmcpHeader: string;
  ipmiMessages: {
    getChassisStatusRequest: IpmiMessageVector;
    getChassisStatusResponse: IpmiMessageVector;
    getChannelAuthCapabilitiesRequest: IpmiMessageVector;
  };
  rakpCases: RakpCase[];
  aes: { k2: string; iv: string; vectors: AesVector[]; malformed: { why: string; encrypted: string }[] };
  lan15: Lan15Vector[];
}

/** Load the vectors from a URL the caller resolves against its own location. */
export function loadVectors(url: URL): RmcpPlusVectors {
  return JSON.parse(readFileSync(url, 'utf8')) as RmcpPlusVectors;
}

export function h(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}
