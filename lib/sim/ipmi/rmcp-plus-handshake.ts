/**
 * The simulated BMC's side of the RMCP+ session handshake (IPMI v2.0 section 13.17-13.23): Open
 * Session, then RAKP 1 to 4 with the user's password. A retransmitted handshake message gets the
 * answer already sent, never a second session; a failed one frees its slot.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeLanPlus, PayloadType } from '../../ipmi/index.ts';
import { decodeOpenSessionRequest, decodeRakp1, decodeRakp3, encodeOpenSessionResponse, encodeRakp2, encodeRakp4 } from '../../ipmi/index.ts';
import { cipherSuiteByAlgorithms } from '../../ipmi/index.ts';
import { deriveKeys, rakp2AuthCode, rakp3AuthCode, rakp4CheckValue, sessionIntegrityKey, type RakpExchange } from '../../ipmi/index.ts';
import type { HandshakeContext } from './session-table.ts';

/** Open Session Request: the suite and privilege are checked and a slot taken; the answer names the BMC's session id. */
export function openSession(hs: HandshakeContext, payload: Buffer, from: string): Buffer {
  const { table } = hs;
  table.expire();
  const req = decodeOpenSessionRequest(payload);
  const reply = (status: number, extra: Partial<Parameters<typeof encodeOpenSessionResponse>[0]> = {}): Buffer =>
    encodeLanPlus({
      payloadType: PayloadType.openSessionResponse,
      sessionId: 0,
      sequence: 0,
      payload: encodeOpenSessionResponse({
        tag: req.tag,
        status,
        privilege: 0,
        consoleSessionId: req.consoleSessionId,
        bmcSessionId: 0,
        algorithms: req.algorithms,
        ...extra,
      }),
    });
  for (const s of table.sessions.values()) {
    if (s.kind === '2.0' && s.from === from && s.consoleId === req.consoleSessionId && s.state === 'opened' && s.openReply) return s.openReply;
  }
  const a = req.algorithms;
  if (![1, 3].includes(a.auth)) return reply(0x04);
  if (![1, 4].includes(a.integrity)) return reply(0x05);
  if (a.confidentiality !== 1) return reply(0x10);
  const suite = cipherSuiteByAlgorithms(a.auth, a.integrity, a.confidentiality);
  if (!suite || !hs.suites.includes(suite.id)) return reply(0x11);
  if (req.privilege > 5) return reply(0x09);
  if (table.full || hs.state.sessionRefusalsLeft > 0) {
    // sessionsExhaustedFor: as if stale sessions held every slot for the next few requests.
    if (!table.full) hs.state.sessionRefusalsLeft--;
    hs.counters.sessionsRefused++;
    return reply(0x01);
  }
  const bmcId = table.newId();
  const limit = hs.state.channelAccess.privilegeLimit;
  const max = req.privilege === 0 ? limit : Math.min(req.privilege, limit);
  const answer = reply(0, { privilege: max, bmcSessionId: bmcId, algorithms: { auth: suite.auth, integrity: suite.integrity, confidentiality: suite.confidentiality } });
  table.sessions.set(bmcId, {
    openReply: answer,
    kind: '2.0',
    bmcId,
    consoleId: req.consoleSessionId,
    from,
    suite,
    state: 'opened',
    requestedPrivilege: req.privilege,
    maxPrivilege: max,
    privilege: 2,
    lastActivity: hs.now(),
    outSeq: 0,
    highestIn: 0,
    seenIn: new Set(),
    cache: new Map(),
  });
  return answer;
}

/** RAKP 1: the user and role are checked and RAKP 2 carries the BMC's random number and its proof of the password. */
export function rakp1(hs: HandshakeContext, payload: Buffer): Buffer[] {
  const { table } = hs;
  const m = decodeRakp1(payload);
  const s = table.sessions.get(m.bmcSessionId);
  if (!s || s.kind !== '2.0' || s.state === 'active') return hs.drop();
  if (s.rakp2Reply?.rm.equals(m.consoleRandom)) return [s.rakp2Reply.packet];
  const q = hs.state.quirks;
  const send = (status: number, body: Partial<Parameters<typeof encodeRakp2>[0]> = {}): Buffer[] => {
    const payload = encodeRakp2({ tag: m.tag, status, consoleSessionId: s.consoleId, bmcRandom: Buffer.alloc(0), bmcGuid: Buffer.alloc(0), authCode: Buffer.alloc(0), ...body });
    // rakp2ExtraByte: the payload (and its length) one byte longer than the message, as Supermicro's Peppercon firmware sent it.
    return [encodeLanPlus({ payloadType: PayloadType.rakp2, sessionId: 0, sequence: 0, payload: status === 0 && q.rakp2ExtraByte ? Buffer.concat([payload, Buffer.from([0])]) : payload })];
  };
  // paddedUserName: only a name padded with NULs to the whole 16-byte field is looked up (Intel SE7520AF2).
  const name = q.paddedUserName ? (m.username.length === 16 ? m.username.toString('utf8').replace(/\0+$/, '') : '') : m.username.toString('utf8');
  const user = hs.state.userByName(name);
  const role = m.role & 0x0f;
  if (!user || !user.enabled || !user.ipmiMessaging) {
    table.sessions.delete(s.bmcId);
    hs.counters.authFailures++;
    return send(0x0d);
  }
  if (role < 1 || role > 5) return send(0x09);
  const adminRefused = q.adminPrivilegeRefused === 'rakp2' && role > 3;
  if (role > user.privilege || role > s.maxPrivilege || adminRefused) {
    table.sessions.delete(s.bmcId);
    return send(0x0a);
  }
  const bmcRandom = randomBytes(16);
  const x: RakpExchange = {
    consoleSessionId: s.consoleId,
    bmcSessionId: s.bmcId,
    consoleRandom: m.consoleRandom,
    bmcRandom,
    bmcGuid: hs.state.guid,
    role: m.role,
    username: m.username,
  };
  s.rakp = x;
  s.user = user;
  s.maxPrivilege = Math.min(s.maxPrivilege, user.privilege, role);
  s.state = 'rakp2';
  s.lastActivity = hs.now();
  const packets = send(0, { bmcRandom, bmcGuid: hs.state.guid, authCode: rakp2AuthCode(s.suite, user.password, x) });
  s.rakp2Reply = { rm: Buffer.from(m.consoleRandom), packet: packets[0] };
  return packets;
}

/** RAKP 3: the console's proof of the password is checked; RAKP 4 answers and the session's keys are set. */
export function rakp3(hs: HandshakeContext, payload: Buffer): Buffer[] {
  const { table } = hs;
  const m = decodeRakp3(payload);
  const s = table.sessions.get(m.bmcSessionId);
  if (s?.kind === '2.0' && s.state === 'active' && s.rakp4Reply?.code.equals(m.authCode)) return [s.rakp4Reply.packet];
  if (!s || s.kind !== '2.0' || s.state !== 'rakp2' || !s.rakp || !s.user) return hs.drop();
  const reply = (status: number, icv: Buffer = Buffer.alloc(0)): Buffer[] => [
    encodeLanPlus({ payloadType: PayloadType.rakp4, sessionId: 0, sequence: 0, payload: encodeRakp4({ tag: m.tag, status, consoleSessionId: s.consoleId, integrityCheck: icv }) }),
  ];
  if (m.status !== 0) {
    // The console refused our RAKP 2 (wrong password on its side): free the slot.
    table.sessions.delete(s.bmcId);
    hs.counters.authFailures++;
    return [];
  }
  const expected = rakp3AuthCode(s.suite, s.user.password, s.rakp);
  if (m.authCode.length !== expected.length || !timingSafeEqual(m.authCode, expected)) {
    table.sessions.delete(s.bmcId);
    hs.counters.authFailures++;
    return reply(0x0f);
  }
  const sik = sessionIntegrityKey(s.suite, s.user.password, s.rakp);
  const keys = deriveKeys(s.suite, sik);
  s.crypto = { suite: s.suite, k1: keys.k1, k2: keys.k2 };
  s.state = 'active';
  s.privilege = Math.min(s.maxPrivilege, 2);
  s.lastActivity = hs.now();
  const packets = reply(0, rakp4CheckValue(s.suite, sik, s.rakp));
  s.rakp4Reply = { code: Buffer.from(m.authCode), packet: packets[0] };
  return packets;
}
