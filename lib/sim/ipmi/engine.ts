/**
 * The simulated BMC's protocol engine: one datagram in, zero or more datagrams out. It is the
 * server side of lowpower's own codec (RMCP, IPMI v1.5, RMCP+ and RAKP), so no packet layout is
 * written twice. Sessions have few slots, sequence numbers are checked and replays refused, and a
 * retried request (same rqSeq and data) is answered from cache, never executed twice.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeAsfPing, decodeRmcpHeader, encodeAsfPong, RMCP_CLASS_ASF, RMCP_CLASS_IPMI } from '../../ipmi/codec/rmcp.ts';
import { AuthType, decodeLan15, encodeLan15, verifyLan15 } from '../../ipmi/codec/lan15.ts';
import { decodeLanPlus, encodeLanPlus, peekLanPlus, PayloadType, type SessionCrypto } from '../../ipmi/codec/lanplus.ts';
import { decodeRequest, encodeResponse, type IpmiRequest } from '../../ipmi/codec/ipmi-message.ts';
import {
  decodeOpenSessionRequest,
  decodeRakp1,
  decodeRakp3,
  encodeOpenSessionResponse,
  encodeRakp2,
  encodeRakp4,
} from '../../ipmi/codec/rakp.ts';
import { cipherSuiteByAlgorithms, type CipherSuite } from '../../ipmi/crypto/cipher-suites.ts';
import { deriveKeys, rakp2AuthCode, rakp3AuthCode, rakp4CheckValue, sessionIntegrityKey, type RakpExchange } from '../../ipmi/crypto/rakp-keys.ts';
import { activateSession, getSessionChallenge } from '../../ipmi/commands/session-v15.ts';
import { NetFn } from '../../ipmi/codec/ipmi-message.ts';
import type { BmcState, SimUser } from './bmc-state.ts';
import { dispatch, type SessionView } from './handlers.ts';
import { IpmiError } from '../../ipmi/errors.ts';
import { requestKey, RQSEQ_REUSE_MS } from '../../ipmi/session/session.ts';

const IDLE_TIMEOUT_MS = 60_000;
/** A handshake not finished by then frees its slot (a console that gave up on it). */
const HANDSHAKE_TIMEOUT_MS = 3_000;
/** A request with the number and contents of one seen this recently is its retry (the client's window). */
const DUPLICATE_WINDOW_MS = RQSEQ_REUSE_MS;
const SEQUENCE_WINDOW = 16;

interface BaseSession {
  kind: '1.5' | '2.0';
  bmcId: number;
  from: string;
  user?: SimUser;
  maxPrivilege: number;
  privilege: number;
  lastActivity: number;
  outSeq: number;
  highestIn: number;
  seenIn: Set<number>;
  cache: Map<string, { at: number; response: Buffer }>;
}

interface Session20 extends BaseSession {
  kind: '2.0';
  consoleId: number;
  suite: CipherSuite;
  state: 'opened' | 'rakp2' | 'active';
  requestedPrivilege: number;
  rakp?: RakpExchange;
  crypto?: SessionCrypto;
  /** Replies kept so a retransmitted handshake message gets the same answer, not a new one. */
  openReply?: Buffer;
  rakp2Reply?: { rm: Buffer; packet: Buffer };
  rakp4Reply?: { code: Buffer; packet: Buffer };
}

interface Session15 extends BaseSession {
  kind: '1.5';
  authType: number;
  active: boolean;
}

interface Challenge {
  user: SimUser;
  authType: number;
  challenge: Buffer;
  at: number;
}

export interface EngineCounters {
  packetsIn: number;
  packetsDropped: number;
  replaysRefused: number;
  duplicatesAnswered: number;
  authFailures: number;
  sessionsRefused: number;
}

export class BmcEngine {
  private readonly sessions = new Map<number, Session20 | Session15>();
  private readonly challenges = new Map<number, Challenge>();
  readonly counters: EngineCounters = { packetsIn: 0, packetsDropped: 0, replaysRefused: 0, duplicatesAnswered: 0, authFailures: 0, sessionsRefused: 0 };
  /** Supported RMCP+ cipher suites, in the order the BMC lists them. */
  readonly suites = [3, 17];
  /** Fault hook run before each in-session command: 'busy' answers 0xC0 without executing. */
  beforeCommand: () => 'busy' | undefined = () => undefined;

  constructor(
    readonly state: BmcState,
    private readonly slots: number,
  ) {}

  get activeSessions(): number {
    this.expire();
    let n = 0;
    for (const s of this.sessions.values()) if (s.kind === '1.5' ? s.active : s.state === 'active') n++;
    return n;
  }

  /** Slots taken: active sessions and handshakes under way. */
  get usedSlots(): number {
    this.expire();
    return this.sessions.size;
  }

  get sessionSlots(): number {
    return this.slots;
  }

  private now(): number {
    return this.state.clock.now();
  }

  private expire(): void {
    const now = this.now();
    const cutoff = now - IDLE_TIMEOUT_MS;
    for (const [id, s] of this.sessions) {
      const halfOpen = s.kind === '2.0' && s.state !== 'active';
      if (s.lastActivity < cutoff || (halfOpen && s.lastActivity < now - HANDSHAKE_TIMEOUT_MS)) this.sessions.delete(id);
    }
    for (const [id, c] of this.challenges) if (c.at < cutoff) this.challenges.delete(id);
  }

  private newId(): number {
    let id = 0;
    while (id === 0 || this.sessions.has(id) || this.challenges.has(id)) id = randomBytes(4).readUInt32LE(0);
    return id;
  }

  /** Handle one datagram from `from` ("address:port"); returns the datagrams to send back. */
  handle(packet: Buffer, from: string): Buffer[] {
    this.counters.packetsIn++;
    try {
      const h = decodeRmcpHeader(packet);
      if (h.messageClass === RMCP_CLASS_ASF) return [encodeAsfPong(decodeAsfPing(packet).tag)];
      if (h.messageClass !== RMCP_CLASS_IPMI || packet.length < 5) return this.drop();
      return (packet[4] & 0x0f) === AuthType.rmcpPlus ? this.handleLanPlus(packet, from) : this.handleLan15(packet, from);
    } catch (e) {
      // Malformed, forged or foreign packets are dropped, as a BMC does; nothing changes.
      if (e instanceof IpmiError) return this.drop();
      throw e;
    }
  }

  private drop(): Buffer[] {
    this.counters.packetsDropped++;
    return [];
  }

  /** Sequence window (section 6.12.13): refuse replays and numbers far behind. */
  private acceptSequence(s: BaseSession, seq: number): boolean {
    if (seq === 0 || s.seenIn.has(seq) || seq + SEQUENCE_WINDOW <= s.highestIn) {
      this.counters.replaysRefused++;
      return false;
    }
    s.seenIn.add(seq);
    if (s.seenIn.size > 2 * SEQUENCE_WINDOW) {
      for (const v of s.seenIn) if (v + SEQUENCE_WINDOW <= seq) s.seenIn.delete(v);
    }
    s.highestIn = Math.max(s.highestIn, seq);
    return true;
  }

  /** Run a request, or answer a retried one from cache so it never executes twice. */
  private execute(s: BaseSession | undefined, req: IpmiRequest): Buffer {
    const key = `${req.rqSeq}:${requestKey(req.netFn, req.cmd, req.data)}`;
    const now = this.now();
    if (s) {
      const hit = s.cache.get(key);
      if (hit && now - hit.at < DUPLICATE_WINDOW_MS) {
        this.counters.duplicatesAnswered++;
        return hit.response;
      }
    }
    if (s && this.beforeCommand() === 'busy') return encodeResponse(req, 0xc0);
    const view: SessionView | undefined = s
      ? {
          userId: s.user?.id ?? 0,
          privilege: s.privilege,
          maxPrivilege: s.maxPrivilege,
          setPrivilege: (p: number) => {
            s.privilege = p;
          },
          close: (id: number) => this.closeSession(id, s),
          kind: s.kind,
        }
      : undefined;
    const { cc, data } = dispatch({ state: this.state, engine: this, session: view }, req.netFn, req.cmd, Buffer.from(req.data));
    const response = encodeResponse(req, cc, data);
    if (s) {
      s.cache.set(key, { at: now, response });
      for (const [k, v] of s.cache) if (now - v.at >= DUPLICATE_WINDOW_MS) s.cache.delete(k);
    }
    return response;
  }

  private closeSession(id: number, caller: BaseSession): boolean {
    const target = id === 0 ? caller : this.sessions.get(id);
    if (!target) return false;
    if (target !== caller && caller.privilege < 4) return false;
    // The answer to Close Session still goes out under the caller's keys: delete after replying.
    queueMicrotask(() => this.sessions.delete(target.bmcId));
    return true;
  }

  // ---- RMCP+ ----

  private handleLanPlus(packet: Buffer, from: string): Buffer[] {
    const { payloadType, sessionId } = peekLanPlus(packet);
    if (sessionId === 0) {
      const p = decodeLanPlus(packet);
      switch (p.payloadType) {
        case PayloadType.openSessionRequest:
          return [this.openSession(p.payload, from)];
        case PayloadType.rakp1:
          return this.rakp1(p.payload);
        case PayloadType.rakp3:
          return this.rakp3(p.payload);
        case PayloadType.ipmi: {
          // Out of session, only the discovery commands are answered (handlers enforce it).
          const req = decodeRequest(p.payload);
          const rsp = this.execute(undefined, req);
          return [encodeLanPlus({ payloadType: PayloadType.ipmi, sessionId: 0, sequence: 0, payload: rsp })];
        }
        default:
          return this.drop();
      }
    }
    const s = this.sessions.get(sessionId);
    if (!s || s.kind !== '2.0' || s.state !== 'active' || !s.crypto || payloadType !== PayloadType.ipmi) return this.drop();
    const p = decodeLanPlus(packet, s.crypto);
    if (!this.acceptSequence(s, p.sequence)) return [];
    s.lastActivity = this.now();
    const rsp = this.execute(s, decodeRequest(p.payload));
    s.outSeq = (s.outSeq + 1) >>> 0 || 1;
    return [encodeLanPlus({ payloadType: PayloadType.ipmi, sessionId: s.consoleId, sequence: s.outSeq, payload: rsp }, s.crypto)];
  }

  private openSession(payload: Buffer, from: string): Buffer {
    this.expire();
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
    for (const s of this.sessions.values()) {
      if (s.kind === '2.0' && s.from === from && s.consoleId === req.consoleSessionId && s.state === 'opened' && s.openReply) return s.openReply;
    }
    const a = req.algorithms;
    if (![1, 3].includes(a.auth)) return reply(0x04);
    if (![1, 4].includes(a.integrity)) return reply(0x05);
    if (a.confidentiality !== 1) return reply(0x10);
    const suite = cipherSuiteByAlgorithms(a.auth, a.integrity, a.confidentiality);
    if (!suite || !this.suites.includes(suite.id)) return reply(0x11);
    if (req.privilege > 5) return reply(0x09);
    if (this.sessions.size >= this.slots) {
      this.counters.sessionsRefused++;
      return reply(0x01);
    }
    const bmcId = this.newId();
    const max = req.privilege === 0 ? this.state.channelAccess.privilegeLimit : Math.min(req.privilege, this.state.channelAccess.privilegeLimit);
    const answer = reply(0, { privilege: max, bmcSessionId: bmcId, algorithms: { auth: suite.auth, integrity: suite.integrity, confidentiality: suite.confidentiality } });
    this.sessions.set(bmcId, {
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
      lastActivity: this.now(),
      outSeq: 0,
      highestIn: 0,
      seenIn: new Set(),
      cache: new Map(),
    });
    return answer;
  }

  private rakp1(payload: Buffer): Buffer[] {
    const m = decodeRakp1(payload);
    const s = this.sessions.get(m.bmcSessionId);
    if (!s || s.kind !== '2.0' || s.state === 'active') return this.drop();
    if (s.rakp2Reply?.rm.equals(m.consoleRandom)) return [s.rakp2Reply.packet];
    const send = (status: number, body: Partial<Parameters<typeof encodeRakp2>[0]> = {}): Buffer[] => [
      encodeLanPlus({
        payloadType: PayloadType.rakp2,
        sessionId: 0,
        sequence: 0,
        payload: encodeRakp2({ tag: m.tag, status, consoleSessionId: s.consoleId, bmcRandom: Buffer.alloc(0), bmcGuid: Buffer.alloc(0), authCode: Buffer.alloc(0), ...body }),
      }),
    ];
    const user = this.state.userByName(m.username.toString('utf8'));
    const role = m.role & 0x0f;
    if (!user || !user.enabled || !user.ipmiMessaging) {
      this.sessions.delete(s.bmcId);
      this.counters.authFailures++;
      return send(0x0d);
    }
    if (role < 1 || role > 5) return send(0x09);
    if (role > user.privilege || role > s.maxPrivilege) {
      this.sessions.delete(s.bmcId);
      return send(0x0a);
    }
    const bmcRandom = randomBytes(16);
    const x: RakpExchange = {
      consoleSessionId: s.consoleId,
      bmcSessionId: s.bmcId,
      consoleRandom: m.consoleRandom,
      bmcRandom,
      bmcGuid: this.state.guid,
      role: m.role,
      username: m.username,
    };
    s.rakp = x;
    s.user = user;
    s.maxPrivilege = Math.min(s.maxPrivilege, user.privilege, role);
    s.state = 'rakp2';
    s.lastActivity = this.now();
    const packets = send(0, { bmcRandom, bmcGuid: this.state.guid, authCode: rakp2AuthCode(s.suite, user.password, x) });
    s.rakp2Reply = { rm: Buffer.from(m.consoleRandom), packet: packets[0] };
    return packets;
  }

  private rakp3(payload: Buffer): Buffer[] {
    const m = decodeRakp3(payload);
    const s = this.sessions.get(m.bmcSessionId);
    if (s?.kind === '2.0' && s.state === 'active' && s.rakp4Reply?.code.equals(m.authCode)) return [s.rakp4Reply.packet];
    if (!s || s.kind !== '2.0' || s.state !== 'rakp2' || !s.rakp || !s.user) return this.drop();
    const reply = (status: number, icv: Buffer = Buffer.alloc(0)): Buffer[] => [
      encodeLanPlus({ payloadType: PayloadType.rakp4, sessionId: 0, sequence: 0, payload: encodeRakp4({ tag: m.tag, status, consoleSessionId: s.consoleId, integrityCheck: icv }) }),
    ];
    if (m.status !== 0) {
      // The console refused our RAKP 2 (wrong password on its side): free the slot.
      this.sessions.delete(s.bmcId);
      this.counters.authFailures++;
      return [];
    }
    const expected = rakp3AuthCode(s.suite, s.user.password, s.rakp);
    if (m.authCode.length !== expected.length || !timingSafeEqual(m.authCode, expected)) {
      this.sessions.delete(s.bmcId);
      this.counters.authFailures++;
      return reply(0x0f);
    }
    const sik = sessionIntegrityKey(s.suite, s.user.password, s.rakp);
    const keys = deriveKeys(s.suite, sik);
    s.crypto = { suite: s.suite, k1: keys.k1, k2: keys.k2 };
    s.state = 'active';
    s.privilege = Math.min(s.maxPrivilege, 2);
    s.lastActivity = this.now();
    const packets = reply(0, rakp4CheckValue(s.suite, sik, s.rakp));
    s.rakp4Reply = { code: Buffer.from(m.authCode), packet: packets[0] };
    return packets;
  }

  // ---- IPMI v1.5 ----

  private handleLan15(packet: Buffer, from: string): Buffer[] {
    const p = decodeLan15(packet);
    const req = decodeRequest(p.message);
    if (p.sessionId === 0) {
      if (p.authType !== AuthType.none) return this.drop();
      if (req.netFn === NetFn.app && req.cmd === getSessionChallenge.cmd) return [this.challenge(req)];
      const rsp = this.execute(undefined, req);
      return [encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: rsp })];
    }
    const pending = this.challenges.get(p.sessionId);
    if (pending && req.netFn === NetFn.app && req.cmd === activateSession.cmd) return this.activate(p, req, pending, from);
    const s = this.sessions.get(p.sessionId);
    if (!s || s.kind !== '1.5' || !s.active || !s.user) return this.drop();
    if (p.authType !== s.authType || !verifyLan15(p, s.user.password)) {
      this.counters.authFailures++;
      return this.drop();
    }
    if (!this.acceptSequence(s, p.sequence)) return [];
    s.lastActivity = this.now();
    const rsp = this.execute(s, req);
    s.outSeq = (s.outSeq + 1) >>> 0 || 1;
    return [encodeLan15({ authType: s.authType, sequence: s.outSeq, sessionId: s.bmcId, message: rsp, password: s.user.password })];
  }

  private challenge(req: IpmiRequest): Buffer {
    this.expire();
    let cc = 0;
    let data: Buffer = Buffer.alloc(0);
    try {
      const q = getSessionChallenge.decodeRequest?.(Buffer.from(req.data));
      const user = q ? this.state.userByName(q.username.toString('latin1').replace(/\0+$/, '')) : undefined;
      if (!q) cc = 0xc1;
      else if (q.authType !== AuthType.md5) cc = 0xcc;
      else if (!user || !user.enabled) cc = 0x81;
      else {
        const id = this.newId();
        const challenge = randomBytes(16);
        this.challenges.set(id, { user, authType: q.authType, challenge, at: this.now() });
        data = getSessionChallenge.encodeResponse?.({ temporarySessionId: id, challenge }) ?? data;
      }
    } catch (e) {
      if (!(e instanceof IpmiError)) throw e;
      cc = 0xc7;
    }
    return encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: encodeResponse(req, cc, data) });
  }

  private activate(p: ReturnType<typeof decodeLan15>, req: IpmiRequest, c: Challenge, from: string): Buffer[] {
    if (p.authType !== c.authType || !verifyLan15(p, c.user.password)) {
      // Wrong password: the BMC stays silent, as real ones do.
      this.counters.authFailures++;
      return this.drop();
    }
    const q = activateSession.decodeRequest?.(Buffer.from(req.data));
    if (!q || !q.challenge.equals(c.challenge)) return this.drop();
    this.challenges.delete(p.sessionId);
    const answer = (cc: number, data: Buffer = Buffer.alloc(0)): Buffer[] => [
      encodeLan15({ authType: c.authType, sequence: 0, sessionId: p.sessionId, message: encodeResponse(req, cc, data), password: c.user.password }),
    ];
    if (this.sessions.size >= this.slots) {
      this.counters.sessionsRefused++;
      return answer(0x81);
    }
    const max = Math.min(q.privilege, c.user.privilege, this.state.channelAccess.privilegeLimit);
    if (q.privilege > c.user.privilege) return answer(0x86);
    const bmcId = this.newId();
    const inbound = randomBytes(4).readUInt32LE(0) || 1;
    this.sessions.set(bmcId, {
      kind: '1.5',
      bmcId,
      from,
      user: c.user,
      authType: c.authType,
      active: true,
      maxPrivilege: max,
      privilege: Math.min(max, 2),
      lastActivity: this.now(),
      outSeq: q.initialOutboundSequence,
      highestIn: inbound - 1,
      seenIn: new Set(),
      cache: new Map(),
    });
    const data = activateSession.encodeResponse?.({ authType: c.authType, sessionId: bmcId, initialInboundSequence: inbound, maxPrivilege: max }) ?? Buffer.alloc(0);
    return answer(0, data);
  }
}
