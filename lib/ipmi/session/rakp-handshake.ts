/**
 * The RMCP+ login exchanges (IPMI v2.0 sections 13.17-13.20): Open Session proposes a cipher
 * suite, RAKP 1-4 prove both ends know the password and yield the session keys. Each step is one
 * exchange with its own deadline; a step that times out ends the handshake (the caller starts a
 * new one: a half-done handshake cannot be resumed).
 */
import { timingSafeEqual } from 'node:crypto';
import { AuthType } from '../codec/lan15.ts';
import { decodeLanPlus, encodeLanPlus, PayloadType, type SessionCrypto } from '../codec/lanplus.ts';
import { decodeRmcpHeader, RMCP_CLASS_IPMI } from '../codec/rmcp.ts';
import {
  decodeOpenSessionResponse,
  decodeRakp2,
  decodeRakp4,
  encodeOpenSessionRequest,
  encodeRakp1,
  encodeRakp3,
  rmcpPlusStatusName,
  type OpenSessionResponse,
  type Rakp2,
  type Rakp4,
} from '../codec/rakp.ts';
import type { CipherSuite } from '../crypto/cipher-suites.ts';
import { deriveKeys, passwordKey, rakp2AuthCode, rakp3AuthCode, rakp4CheckValue, sessionIntegrityKey, type RakpExchange } from '../crypto/rakp-keys.ts';
import { exchange, type Peer } from '../transport/exchange.ts';
import { randomByte, randomPooled } from '../crypto/random-pool.ts';
import { IpmiAuthError, IpmiPrivilegeRefusedError, IpmiSessionsExhaustedError, IpmiUserNameRefusedError } from '../errors.ts';
import { quirkOn } from '../quirks.ts';
import type { Credentials, HostQuirkView } from './session.ts';

/** RAKP status 0x0F, "invalid integrity check value": our refusal of a RAKP 2 we cannot verify. */
const RAKP_INVALID_INTEGRITY_CHECK = 0x0f;
/** RMCP+ statuses (table 13-15) that say every session slot is taken. */
const NO_SLOT = new Set([0x01, 0x0b]);
/** "Invalid role", "unauthorized role or privilege level requested". */
const ROLE_REFUSED = new Set([0x09, 0x0a]);
const UNAUTHORIZED_NAME = 0x0d;
/** The user name field of RAKP 1 is 16 bytes at most; the padded-user-name quirk fills it. */
const USER_NAME_FIELD = 16;

export interface Handshake {
  peer: Peer;
  creds: Credentials;
  /** Requested maximum privilege. */
  privilege: number;
  timeoutMs: number;
  retries: number;
  hq: HostQuirkView;
  /** Send the user name padded with NULs to 16 bytes (the padded-user-name quirk). */
  paddedUserName: boolean;
  /** Our (console's) session ID for this handshake: every answer must carry it. */
  consoleSessionId: number;
}

function fail(h: Handshake, reason: string): never {
  throw new IpmiAuthError(h.peer.host, h.peer.port, reason);
}

/** A RAKP or Open Session refusal as the error that says what can be done about it. */
function refusal(h: Handshake, status: number, reason: string): never {
  if (NO_SLOT.has(status)) throw new IpmiSessionsExhaustedError(h.peer.host, h.peer.port, reason);
  if (ROLE_REFUSED.has(status)) throw new IpmiPrivilegeRefusedError(h.peer.host, h.peer.port, reason, h.privilege);
  if (status === UNAUTHORIZED_NAME) throw new IpmiUserNameRefusedError(h.peer.host, h.peer.port, reason);
  fail(h, reason);
}

/** The user name as RAKP 1 sends it (and as the HMACs cover it). */
export function rakpUserName(username: string, padded: boolean): Buffer {
  const name = Buffer.from(username, 'utf8');
  if (!padded || name.length >= USER_NAME_FIELD) return name;
  const field = Buffer.alloc(USER_NAME_FIELD);
  name.copy(field);
  return field;
}

function rmcpPlusPayload(packet: Buffer, payloadType: number): Buffer | undefined {
  const head = decodeRmcpHeader(packet);
  if (head.messageClass !== RMCP_CLASS_IPMI || packet[4] !== AuthType.rmcpPlus) return undefined;
  const p = decodeLanPlus(packet);
  return p.payloadType === payloadType ? p.payload : undefined;
}

/** An answer of this handshake: our tag and session ID, or an error status without an ID. */
const ours = (h: Handshake, tag: number, r: { tag: number; status: number; consoleSessionId: number }): boolean =>
  r.tag === tag && (r.consoleSessionId === h.consoleSessionId || (r.status !== 0 && r.consoleSessionId === 0));

/**
 * Open Session: the BMC's session ID when it accepted the suite, otherwise why it did not. When
 * the suite is the last to try, a refusal is thrown; otherwise it is returned, and so is silence.
 */
export async function openSession(h: Handshake, suite: CipherSuite, timeoutMs: number, last: boolean): Promise<number | string> {
  const tag = randomByte();
  const payload = encodeOpenSessionRequest({
    tag,
    privilege: h.privilege,
    consoleSessionId: h.consoleSessionId,
    algorithms: { auth: suite.auth, integrity: suite.integrity, confidentiality: suite.confidentiality },
  });
  let rsp: OpenSessionResponse;
  try {
    rsp = await exchange(h.peer, {
      what: `RMCP+ Open Session (cipher suite ${suite.id})`,
      timeoutMs,
      retries: h.retries,
      build: () => encodeLanPlus({ payloadType: PayloadType.openSessionRequest, sessionId: 0, sequence: 0, payload }),
      accept: (packet) => {
        const p = rmcpPlusPayload(packet, PayloadType.openSessionResponse);
        if (!p) return undefined;
        const r = decodeOpenSessionResponse(p);
        return ours(h, tag, r) ? r : undefined;
      },
    });
  } catch (e) {
    if (!last && e instanceof Error && e.name === 'IpmiTimeoutError') return `suite ${suite.id}: no answer`;
    throw e;
  }
  if (rsp.status !== 0) {
    const why = `suite ${suite.id}: ${rmcpPlusStatusName(rsp.status)}`;
    // No slot is no slot whatever the suite: trying the next one would only take another refusal.
    if (last || NO_SLOT.has(rsp.status)) refusal(h, rsp.status, `BMC refused the session: ${why}`);
    return why;
  }
  const a = rsp.algorithms;
  if (a.auth !== suite.auth || a.integrity !== suite.integrity || a.confidentiality !== suite.confidentiality) {
    // Some BMCs answer any request with the algorithms they support; that is a refusal of ours.
    const why = `suite ${suite.id}: BMC offered algorithms ${a.auth}/${a.integrity}/${a.confidentiality} instead`;
    if (last) fail(h, why);
    return why;
  }
  const zeroEcho = rsp.privilege === 0 && quirkOn(h.hq.quirks, 'zero-privilege-echo');
  if (rsp.privilege < h.privilege && !zeroEcho) {
    throw new IpmiPrivilegeRefusedError(h.peer.host, h.peer.port, `BMC allows privilege ${rsp.privilege} at most, below the requested ${h.privilege}`, h.privilege);
  }
  return rsp.bmcSessionId;
}

/**
 * RAKP 2's code against ours. A code longer than the suite's is compared on its first bytes when
 * the rakp2-long-auth-code quirk is on (an HMAC prefix proves as much as the HMAC), and the host
 * is remembered as doing so.
 */
function rakp2CodeMatches(h: Handshake, got: Buffer, expected: Buffer): boolean {
  if (got.length === expected.length) return timingSafeEqual(got, expected);
  if (got.length < expected.length || expected.length === 0 || !quirkOn(h.hq.quirks, 'rakp2-long-auth-code')) return false;
  const ok = timingSafeEqual(got.subarray(0, expected.length), expected);
  if (ok && !h.hq.learned.rakp2LongAuthCode) h.hq.learn({ rakp2LongAuthCode: true });
  return ok;
}

/** RAKP 1-4: prove we know the password, check the BMC knows it, and derive the session keys. */
export async function authenticate(h: Handshake, suite: CipherSuite, bmcSessionId: number): Promise<{ crypto: SessionCrypto; bmcGuid: Buffer }> {
  const kuid = passwordKey(h.creds.password);
  const username = rakpUserName(h.creds.username, h.paddedUserName);
  if (username.length > USER_NAME_FIELD) fail(h, 'user name longer than 16 bytes');
  const consoleRandom = randomPooled(16);
  const role = 0x10 | (h.privilege & 0x0f); // name-only lookup
  const tag1 = randomByte();
  const rakp1 = encodeRakp1({ tag: tag1, bmcSessionId, consoleRandom, role, username });
  const rakp2: Rakp2 = await exchange(h.peer, {
    what: 'RAKP message 1',
    timeoutMs: h.timeoutMs,
    retries: h.retries,
    build: () => encodeLanPlus({ payloadType: PayloadType.rakp1, sessionId: 0, sequence: 0, payload: rakp1 }),
    accept: (packet) => {
      const p = rmcpPlusPayload(packet, PayloadType.rakp2);
      if (!p) return undefined;
      const r = decodeRakp2(p);
      // The tag is one byte: handshakes of other handles on this socket share it by chance.
      // The console session ID (present on success) says whose answer this is.
      return ours(h, tag1, r) ? r : undefined;
    },
  });
  if (rakp2.status !== 0) refusal(h, rakp2.status, `RAKP 2: ${rmcpPlusStatusName(rakp2.status)} (check the user name and its privilege)`);
  const x: RakpExchange = {
    consoleSessionId: h.consoleSessionId,
    bmcSessionId,
    consoleRandom,
    bmcRandom: rakp2.bmcRandom,
    bmcGuid: rakp2.bmcGuid,
    role,
    username,
  };
  const expected2 = rakp2AuthCode(suite, kuid, x);
  if (!rakp2CodeMatches(h, rakp2.authCode, expected2)) {
    // Tell the BMC (RAKP 3 with an error status) so it frees the half-open session slot now.
    const refusal = encodeRakp3({ tag: randomByte(), status: RAKP_INVALID_INTEGRITY_CHECK, bmcSessionId, authCode: Buffer.alloc(0) });
    await h.peer.transport.send(h.peer.address, h.peer.family, h.peer.port, encodeLanPlus({ payloadType: PayloadType.rakp3, sessionId: 0, sequence: 0, payload: refusal }));
    fail(h, 'wrong password (the BMC\'s RAKP 2 code does not match)');
  }
  const sik = sessionIntegrityKey(suite, h.creds.kg ?? kuid, x);
  const keys = deriveKeys(suite, sik);
  const tag3 = randomByte();
  const rakp3 = encodeRakp3({ tag: tag3, status: 0, bmcSessionId, authCode: rakp3AuthCode(suite, kuid, x) });
  const rakp4: Rakp4 = await exchange(h.peer, {
    what: 'RAKP message 3',
    timeoutMs: h.timeoutMs,
    retries: h.retries,
    build: () => encodeLanPlus({ payloadType: PayloadType.rakp3, sessionId: 0, sequence: 0, payload: rakp3 }),
    accept: (packet) => {
      const p = rmcpPlusPayload(packet, PayloadType.rakp4);
      if (!p) return undefined;
      const r = decodeRakp4(p);
      return ours(h, tag3, r) ? r : undefined;
    },
  });
  if (rakp4.status !== 0) fail(h, `RAKP 4: ${rmcpPlusStatusName(rakp4.status)}`);
  const icv = rakp4CheckValue(suite, sik, x);
  if (rakp4.integrityCheck.length < icv.length || !timingSafeEqual(rakp4.integrityCheck.subarray(0, icv.length), icv)) {
    fail(h, 'RAKP 4 integrity check value does not match (wrong BMC key?)');
  }
  return { crypto: { suite, k1: keys.k1, k2: keys.k2 }, bmcGuid: rakp2.bmcGuid };
}
