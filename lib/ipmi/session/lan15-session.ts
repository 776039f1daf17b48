/**
 * An IPMI v1.5 LAN session (IPMI v2.0 section 22.16-22.17): Get Session Challenge, Activate
 * Session, Set Session Privilege Level, then messages signed with MD5 (or, only when the caller
 * allows it, the straight password; auth type none only with the insecure option).
 */
import { AuthType, decodeLan15, encodeLan15, verifyLan15 } from '../codec/lan15.ts';
import { decodeRmcpHeader, RMCP_CLASS_IPMI } from '../codec/rmcp.ts';
import { encodeRequest, NetFn, type IpmiResponse } from '../codec/ipmi-message.ts';
import { activateSession, getSessionChallenge } from '../commands/session-v15.ts';
import { closeSession, setSessionPrivilegeLevel } from '../commands/session-control.ts';
import { completionCodeName } from '../codec/completion-codes.ts';
import { exchange, type Peer } from '../transport/exchange.ts';
import { IpmiAuthError, IpmiInsecureError, IpmiPrivilegeRefusedError, IpmiProtocolError, IpmiSessionsExhaustedError, IpmiTimeoutError } from '../errors.ts';
import { quirkOn } from '../quirks.ts';
import { probeAuthCapabilities } from './auth-capabilities.ts';
import { answerIn, randomNonZero32, requestKey, requestMessage, RqSeq, type Credentials, type HostQuirkView, type IpmiSession, type SendOptions } from './session.ts';

export interface Lan15Options {
  privilege: number;
  timeoutMs: number;
  retries: number;
  allowPlainPassword: boolean;
  insecure: boolean;
  hq: HostQuirkView;
}

const AUTH_NAMES: Record<number, string> = { 0: 'none', 2: 'MD5', 4: 'password' };
/** Activate Session: no session slot (at all, for this user, at this privilege). */
const NO_SLOT = new Set([0x81, 0x82, 0x83]);
/** Activate Session: the maximum privilege asked for exceeds the user's or the channel's. */
const PRIVILEGE_EXCEEDED = 0x86;
/** Set Session Privilege Level: "level not available for this user", "exceeds channel and/or user limit". */
const LEVEL_REFUSED = new Set([0x80, 0x81]);

export class Lan15Session implements IpmiSession {
  readonly version = '1.5';
  private authType: number = AuthType.md5;
  /** The auth type of messages after Activate Session: the login's, or none when the BMC turned per-message authentication off. */
  private messageAuthType: number = AuthType.md5;
  private sessionId = 0;
  private outbound = 0;
  private heard = false;
  private readonly rqSeq = new RqSeq();

  constructor(
    private readonly peer: Peer,
    private readonly creds: Credentials,
    private readonly o: Lan15Options,
  ) {}

  get isOpen(): boolean {
    return this.sessionId !== 0;
  }
  get handshakeAnswered(): boolean {
    return this.heard;
  }
  get security(): string {
    const login = `IPMI 1.5 ${AUTH_NAMES[this.authType] ?? this.authType}`;
    return this.messageAuthType === this.authType ? login : `${login} (messages unsigned: per-message authentication is off on the BMC)`;
  }

  private fail(reason: string): never {
    throw new IpmiAuthError(this.peer.host, this.peer.port, reason);
  }

  async open(): Promise<void> {
    this.sessionId = 0;
    const caps = await probeAuthCapabilities(this.peer, this.o.privilege, false, this.o.timeoutMs, this.o.retries, this.o.hq);
    this.heard = true;
    if (caps.authTypes.md5) this.authType = AuthType.md5;
    else if (caps.authTypes.password && this.o.allowPlainPassword) this.authType = AuthType.password;
    else if (caps.authTypes.none && this.o.insecure) this.authType = AuthType.none;
    else if (caps.authTypes.password) throw new IpmiInsecureError(`${this.peer.host}: the BMC offers only a clear-text password for IPMI 1.5; allow it explicitly`);
    else if (caps.authTypes.none) throw new IpmiInsecureError(`${this.peer.host}: the BMC offers only IPMI 1.5 without authentication; pass the insecure option to allow it`);
    else this.fail('the BMC offers no IPMI 1.5 authentication type lowpower speaks (MD5, password)');

    const username = Buffer.from(this.creds.username, 'utf8');
    if (username.length > 16) this.fail('user name longer than 16 bytes');
    const challenge = await this.call(
      getSessionChallenge.cmd,
      getSessionChallenge.encode({ authType: this.authType, username }),
      getSessionChallenge.name,
      { authType: AuthType.none, sessionId: 0, sequence: () => 0 },
    );
    if (challenge.completionCode !== 0) {
      this.fail(`Get Session Challenge: ${completionCodeName(challenge.completionCode, getSessionChallenge.completionCodes)}`);
    }
    const ch = getSessionChallenge.decode(challenge.data);
    const initialOutbound = randomNonZero32();
    // A BMC drops an Activate Session whose AuthCode is wrong without a word. It just answered
    // the challenge, so silence now almost always means a wrong password: say that, and soon.
    const act = await this.call(
      activateSession.cmd,
      activateSession.encode({ authType: this.authType, privilege: this.o.privilege, challenge: ch.challenge, initialOutboundSequence: initialOutbound }),
      activateSession.name,
      { authType: this.authType, sessionId: ch.temporarySessionId, sequence: () => 0 },
      { timeoutMs: Math.min(this.o.timeoutMs, 1000), retries: Math.min(this.o.retries, 2) },
    ).catch((e: unknown) => {
      if (e instanceof IpmiTimeoutError) this.fail('no answer to Activate Session after the challenge (wrong password, or the user may not log in over IPMI 1.5)');
      throw e;
    });
    if (act.completionCode !== 0) {
      const why = `Activate Session: ${completionCodeName(act.completionCode, activateSession.completionCodes)}`;
      if (NO_SLOT.has(act.completionCode)) throw new IpmiSessionsExhaustedError(this.peer.host, this.peer.port, why);
      if (act.completionCode === PRIVILEGE_EXCEEDED) throw new IpmiPrivilegeRefusedError(this.peer.host, this.peer.port, why, this.o.privilege);
      this.fail(why);
    }
    const session = activateSession.decode(act.data);
    this.messageAuthType = this.authType;
    if (session.authType === AuthType.none && this.authType !== AuthType.none) {
      // The BMC goes on unsigned: only as it declared beforehand (per-message authentication off),
      // never on the word of this one reply.
      if (!caps.perMessageAuthDisabled || !quirkOn(this.o.hq.quirks, 'v15-per-message-auth-off')) {
        this.fail('the BMC would carry the session without authentication though it did not declare per-message authentication off');
      }
      this.messageAuthType = AuthType.none;
    }
    this.sessionId = session.sessionId;
    this.outbound = session.initialInboundSequence || 1;
    const priv = await this.send(NetFn.app, setSessionPrivilegeLevel.cmd, setSessionPrivilegeLevel.encode({ privilege: this.o.privilege }), {
      what: setSessionPrivilegeLevel.name,
      timeoutMs: this.o.timeoutMs,
      retries: this.o.retries,
    });
    if (priv.completionCode !== 0) {
      this.sessionId = 0;
      const why = `privilege ${this.o.privilege} not granted: ${completionCodeName(priv.completionCode, setSessionPrivilegeLevel.completionCodes)}`;
      if (LEVEL_REFUSED.has(priv.completionCode)) throw new IpmiPrivilegeRefusedError(this.peer.host, this.peer.port, why, this.o.privilege);
      this.fail(why);
    }
  }

  private call(
    cmd: number,
    data: Uint8Array,
    what: string,
    w: { authType: number; sessionId: number; sequence: () => number },
    o: { timeoutMs: number; retries: number } = this.o,
  ): Promise<IpmiResponse> {
    const rqSeq = this.rqSeq.next();
    const message = encodeRequest({ netFn: NetFn.app, cmd, data, rqSeq });
    return exchange(this.peer, {
      what,
      timeoutMs: o.timeoutMs,
      retries: o.retries,
      build: () => encodeLan15({ authType: w.authType, sequence: w.sequence(), sessionId: w.sessionId, message, password: this.creds.password }),
      accept: (packet) => this.accept(packet, NetFn.app, cmd, rqSeq, {}),
    });
  }

  private accept(packet: Buffer, netFn: number, cmd: number, rqSeq: number, o: Pick<SendOptions, 'bridge'>): IpmiResponse | undefined {
    const h = decodeRmcpHeader(packet);
    if (h.messageClass !== RMCP_CLASS_IPMI || packet[4] === AuthType.rmcpPlus) return undefined;
    const p = decodeLan15(packet);
    if (p.authType !== AuthType.none && !verifyLan15(p, this.creds.password)) {
      throw new IpmiAuthError(this.peer.host, this.peer.port, 'wrong password (the BMC\'s MD5 AuthCode does not match)');
    }
    if (this.sessionId !== 0 && p.sessionId !== this.sessionId) return undefined;
    if (this.sessionId !== 0 && this.messageAuthType !== AuthType.none && p.authType === AuthType.none) {
      throw new IpmiProtocolError('unsigned packet inside a signed IPMI 1.5 session');
    }
    return answerIn(p.message, this.o.hq, netFn, cmd, rqSeq, o);
  }

  async send(netFn: number, cmd: number, data: Uint8Array, o: SendOptions): Promise<IpmiResponse> {
    if (!this.sessionId) return Promise.reject(new IpmiProtocolError('session is not open'));
    const rqSeq = await this.rqSeq.take(requestKey(netFn, cmd, data, o.lun, o.bridge));
    const message = requestMessage(netFn, cmd, data, rqSeq, o);
    const sessionId = this.sessionId;
    const authType = this.messageAuthType;
    return exchange(this.peer, {
      what: o.what,
      timeoutMs: o.timeoutMs,
      retries: o.retries,
      build: () => {
        const sequence = this.outbound;
        this.outbound = (this.outbound + 1) >>> 0 || 1;
        return encodeLan15({ authType, sequence, sessionId, message, password: this.creds.password });
      },
      accept: (packet) => this.accept(packet, netFn, cmd, rqSeq, o),
    });
  }

  async close(timeoutMs: number): Promise<void> {
    if (!this.isOpen) return;
    try {
      await this.send(NetFn.app, closeSession.cmd, closeSession.encode({ sessionId: this.sessionId }), { what: closeSession.name, timeoutMs, retries: 1 });
    } catch {
      // already gone on the BMC side
    } finally {
      this.sessionId = 0;
    }
  }
}
