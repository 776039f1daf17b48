/**
 * The simulated BMC's protocol engine: one datagram in, zero or more datagrams out. It is the
 * server side of lowpower's own codec (RMCP, IPMI v1.5, RMCP+ and RAKP), so no packet layout is
 * written twice. It tells the packets apart and dispatches them: handshakes to
 * rmcp-plus-handshake.ts and v15-handshake.ts, commands to the handler table of handlers/.
 * Sessions have few slots, sequence numbers are checked and replays refused, and a retried
 * request (same rqSeq and data) is answered from cache, never executed twice.
 */
import { decodeAsfPing, decodeRmcpHeader, encodeAsfPong, RMCP_CLASS_ASF, RMCP_CLASS_IPMI } from '../../ipmi/index.ts';
import { AuthType, decodeLan15, encodeLan15, verifyLan15 } from '../../ipmi/index.ts';
import { decodeLanPlus, encodeLanPlus, peekLanPlus, PayloadType } from '../../ipmi/index.ts';
import { decodeRequest, encodeResponse, NetFn, type IpmiRequest } from '../../ipmi/index.ts';
import { activateSession, getSessionChallenge } from '../../ipmi/index.ts';
import { IpmiError } from '../../ipmi/index.ts';
import { requestKey, RQSEQ_REUSE_MS } from '../../ipmi/index.ts';
import { SEND_MESSAGE_CMD } from '../../ipmi/index.ts';
import { sendMessage } from './intel-me.ts';
import { handlerKey } from './handlers/handler.ts';
import type { BmcState } from './bmc-state.ts';
import { dispatch, SIM_HANDLERS, type HandlerTable, type SessionView } from './handlers/index.ts';
import { openSession, rakp1, rakp3 } from './rmcp-plus-handshake.ts';
import { activate, sessionChallenge } from './v15-handshake.ts';
import { IDLE_TIMEOUT_MS, SessionTable, type BaseSession, type EngineCounters, type HandshakeContext } from './session-table.ts';

export type { EngineCounters } from './session-table.ts';

/** A request with the number and contents of one seen this recently is its retry (the client's window). */
const DUPLICATE_WINDOW_MS = RQSEQ_REUSE_MS;
const SEQUENCE_WINDOW = 16;
/** How long a freezesUnderMs freeze lasts unless the mode says. */
const FREEZE_MS = 2_000;

export class BmcEngine {
  private readonly table: SessionTable;
  private readonly handshake: HandshakeContext;
  readonly counters: EngineCounters = { packetsIn: 0, packetsDropped: 0, replaysRefused: 0, duplicatesAnswered: 0, authFailures: 0, sessionsRefused: 0 };
  /** Supported RMCP+ cipher suites, in the order the BMC lists them. */
  readonly suites = [3, 17];
  /** Fault hook run before each in-session command: 'busy' answers 0xC0 without executing. */
  beforeCommand: () => 'busy' | undefined = () => undefined;
  /** Commands executed (retries answered from cache not counted), by the handler's name. */
  readonly commandCounts = new Map<string, number>();
  /** freezesUnderMs: when the last in-session command was answered, and until when the BMC is frozen. */
  private lastAnswerAt = -Infinity;
  private frozenUntil = -Infinity;

  constructor(
    readonly state: BmcState,
    slots: number,
    /** The commands it answers: every group of handlers/ unless a test composes fewer. */
    private readonly handlers: HandlerTable = SIM_HANDLERS,
  ) {
    this.table = new SessionTable(() => this.now(), slots, state.quirks.idleSessionTimeoutMs ?? IDLE_TIMEOUT_MS);
    this.handshake = { state, table: this.table, counters: this.counters, suites: this.suites, now: () => this.now(), drop: () => this.drop() };
  }

  get activeSessions(): number {
    this.table.expire();
    let n = 0;
    for (const s of this.table.sessions.values()) if (s.kind === '1.5' ? s.active : s.state === 'active') n++;
    return n;
  }

  /** Slots taken: active sessions and handshakes under way. */
  get usedSlots(): number {
    this.table.expire();
    return this.table.sessions.size;
  }

  get sessionSlots(): number {
    return this.table.slots;
  }

  private now(): number {
    return this.state.clock.now();
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

  /** How many times a command ran, by its name ("Get SDR", "Get Sensor Reading"...). */
  commandCount(name: string): number {
    return this.commandCounts.get(name) ?? 0;
  }

  /**
   * badChecksums: the data checksum of an answer inside a session spoilt, the message otherwise as
   * it was (answers before a session are right, or FreeIPMI's nochecksumcheck could not log in).
   */
  private outgoing(message: Buffer): Buffer {
    if (!this.state.quirks.badChecksums) return message;
    const out = Buffer.from(message);
    out[out.length - 1] ^= 0x5a;
    return out;
  }

  /**
   * freezesUnderMs: a command sooner than that after the last answer freezes the BMC, which then
   * answers nothing for a while (as BMCs that Ironic paces do). True when the packet is lost to it.
   */
  private frozen(): boolean {
    const under = this.state.quirks.freezesUnderMs;
    if (!under) return false;
    const now = this.now();
    if (now < this.frozenUntil) return true;
    if (now - this.lastAnswerAt < under) {
      this.frozenUntil = now + (this.state.quirks.freezeForMs ?? FREEZE_MS);
      return true;
    }
    return false;
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

  /** Run a request, or answer a retried one from cache so it never executes twice. Bridged requests answer twice. */
  private execute(s: BaseSession | undefined, req: IpmiRequest): Buffer[] {
    const out = this.run(s, req);
    return s ? out.map((m) => this.outgoing(m)) : out;
  }

  private run(s: BaseSession | undefined, req: IpmiRequest): Buffer[] {
    const key = `${req.rqSeq}:${requestKey(req.netFn, req.cmd, req.data, req.rsLun ?? 0)}`;
    const now = this.now();
    if (s) {
      const hit = s.cache.get(key);
      if (hit && now - hit.at < DUPLICATE_WINDOW_MS) {
        this.counters.duplicatesAnswered++;
        return hit.response;
      }
    }
    if (s && this.beforeCommand() === 'busy') return [encodeResponse(req, 0xc0)];
    const name = req.netFn === NetFn.app && req.cmd === SEND_MESSAGE_CMD ? 'Send Message' : (this.handlers.get(handlerKey(req.netFn, req.cmd))?.name ?? `netFn 0x${req.netFn.toString(16)} cmd 0x${req.cmd.toString(16)}`);
    this.commandCounts.set(name, (this.commandCounts.get(name) ?? 0) + 1);
    if (s && name === 'Send Message') return this.remember(s, key, now, sendMessage(this.state, req));
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
    const { cc, data } = dispatch(this.handlers, { state: this.state, engine: this, session: view, lun: req.rsLun ?? 0 }, req.netFn, req.cmd, Buffer.from(req.data));
    return this.remember(s, key, now, [encodeResponse(req, cc, data)]);
  }

  private remember(s: BaseSession | undefined, key: string, now: number, response: Buffer[]): Buffer[] {
    if (s) {
      s.cache.set(key, { at: now, response });
      for (const [k, v] of s.cache) if (now - v.at >= DUPLICATE_WINDOW_MS) s.cache.delete(k);
    }
    return response;
  }

  private closeSession(id: number, caller: BaseSession): boolean {
    const target = id === 0 ? caller : this.table.sessions.get(id);
    if (!target) return false;
    if (target !== caller && caller.privilege < 4) return false;
    // The answer to Close Session still goes out under the caller's keys: delete after replying.
    queueMicrotask(() => this.table.sessions.delete(target.bmcId));
    return true;
  }

  /** RMCP+: the handshake's messages and discovery outside a session, IPMI requests inside one. */
  private handleLanPlus(packet: Buffer, from: string): Buffer[] {
    const { payloadType, sessionId } = peekLanPlus(packet);
    if (sessionId === 0) {
      const p = decodeLanPlus(packet);
      switch (p.payloadType) {
        case PayloadType.openSessionRequest:
          return [openSession(this.handshake, p.payload, from)];
        case PayloadType.rakp1:
          return rakp1(this.handshake, p.payload);
        case PayloadType.rakp3:
          return rakp3(this.handshake, p.payload);
        case PayloadType.ipmi: {
          // Out of session, only the discovery commands are answered (handlers enforce it).
          const req = decodeRequest(p.payload);
          return this.execute(undefined, req).map((rsp) => encodeLanPlus({ payloadType: PayloadType.ipmi, sessionId: 0, sequence: 0, payload: rsp }));
        }
        default:
          return this.drop();
      }
    }
    const s = this.table.sessions.get(sessionId);
    if (!s || s.kind !== '2.0' || s.state !== 'active' || !s.crypto || payloadType !== PayloadType.ipmi || this.table.idle(s)) return this.drop();
    const p = decodeLanPlus(packet, s.crypto);
    if (!this.acceptSequence(s, p.sequence)) return [];
    if (this.frozen()) return this.drop();
    s.lastActivity = this.now();
    const crypto = s.crypto;
    const out = this.execute(s, decodeRequest(p.payload)).map((rsp) => {
      s.outSeq = (s.outSeq + 1) >>> 0 || 1;
      return encodeLanPlus({ payloadType: PayloadType.ipmi, sessionId: s.consoleId, sequence: s.outSeq, payload: rsp }, crypto);
    });
    this.lastAnswerAt = this.now();
    return out;
  }

  /** IPMI v1.5: the challenge and discovery outside a session, Activate Session under a challenge, requests inside one. */
  private handleLan15(packet: Buffer, from: string): Buffer[] {
    const p = decodeLan15(packet);
    const req = decodeRequest(p.message);
    if (p.sessionId === 0) {
      if (p.authType !== AuthType.none) return this.drop();
      if (req.netFn === NetFn.app && req.cmd === getSessionChallenge.cmd) return [sessionChallenge(this.handshake, req)];
      return this.execute(undefined, req).map((rsp) => encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: rsp }));
    }
    const pending = this.table.challenges.get(p.sessionId);
    if (pending && req.netFn === NetFn.app && req.cmd === activateSession.cmd) return activate(this.handshake, p, req, pending, from);
    const s = this.table.sessions.get(p.sessionId);
    if (!s || s.kind !== '1.5' || !s.active || !s.user || this.table.idle(s)) return this.drop();
    // Per-message authentication off: an unsigned request is taken as readily as a signed one.
    const unsignedOk = !s.perMessageAuth && p.authType === AuthType.none;
    if (!unsignedOk && (p.authType !== s.authType || !verifyLan15(p, s.user.password))) {
      this.counters.authFailures++;
      return this.drop();
    }
    if (!this.acceptSequence(s, p.sequence)) return [];
    if (this.frozen()) return this.drop();
    s.lastActivity = this.now();
    const user = s.user;
    const authType = s.perMessageAuth ? s.authType : AuthType.none;
    const out = this.execute(s, req).map((rsp) => {
      s.outSeq = (s.outSeq + 1) >>> 0 || 1;
      return encodeLan15({ authType, sequence: s.outSeq, sessionId: s.bmcId, message: rsp, password: user.password });
    });
    this.lastAnswerAt = this.now();
    return out;
  }
}
