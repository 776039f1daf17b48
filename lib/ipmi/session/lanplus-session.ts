/**
 * An IPMI v2.0 RMCP+ session: Get Channel Authentication Capabilities, Open Session, RAKP 1-4,
 * Set Session Privilege Level, then integrity-protected and encrypted IPMI messages.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeLan15, decodeLan15, AuthType } from '../codec/lan15.ts';
import { decodeLanPlus, encodeLanPlus, PayloadType, type SessionCrypto } from '../codec/lanplus.ts';
import { decodeRmcpHeader, RMCP_CLASS_IPMI } from '../codec/rmcp.ts';
import { decodeResponse, encodeRequest, NetFn, type IpmiResponse } from '../codec/ipmi-message.ts';
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
import { CIPHER_SUITES, type CipherSuite } from '../crypto/cipher-suites.ts';
import { deriveKeys, passwordKey, rakp2AuthCode, rakp3AuthCode, rakp4CheckValue, sessionIntegrityKey, type RakpExchange } from '../crypto/rakp-keys.ts';
import { getChannelAuthCapabilities, type ChannelAuthCapabilities } from '../commands/get-channel-auth-capabilities.ts';
import { closeSession, setSessionPrivilegeLevel } from '../commands/session-control.ts';
import { exchange, type Peer } from '../transport/exchange.ts';
import { IpmiAuthError, IpmiCompletionCodeError, IpmiInsecureError, IpmiProtocolError, IpmiTimeoutError } from '../errors.ts';
import { completionCodeName } from '../codec/completion-codes.ts';
import type { BmcQuirks } from '../quirks.ts';
import { randomNonZero32, requestKey, RqSeq, type Credentials, type IpmiSession, type SendOptions } from './session.ts';

/** RAKP status 0x0F, "invalid integrity check value": our refusal of a RAKP 2 we cannot verify. */
const RAKP_INVALID_INTEGRITY_CHECK = 0x0f;

export interface LanPlusOptions {
  /** Suites to try in order; the first the BMC accepts is used. */
  cipherSuites: number[];
  privilege: number;
  timeoutMs: number;
  retries: number;
  /** Per-suite deadline when another suite remains to fall back to. */
  fallbackMs: number;
  insecure: boolean;
  quirks: BmcQuirks;
}

/** Decode an out-of-session IPMI v1.5 reply (used for Get Channel Authentication Capabilities). */
export function acceptPlainResponse(packet: Buffer, netFn: number, cmd: number, rqSeq: number): IpmiResponse | undefined {
  const h = decodeRmcpHeader(packet);
  if (h.messageClass !== RMCP_CLASS_IPMI || packet[4] === AuthType.rmcpPlus) return undefined;
  const p = decodeLan15(packet);
  if (p.sessionId !== 0) return undefined;
  const rsp = decodeResponse(p.message);
  return rsp.netFn === (netFn | 1) && rsp.cmd === cmd && rsp.rqSeq === rqSeq ? rsp : undefined;
}

/** Get Channel Authentication Capabilities, before any session, as IPMI v1.5 with auth type none. */
export async function probeAuthCapabilities(peer: Peer, privilege: number, v2: boolean, timeoutMs: number, retries: number): Promise<ChannelAuthCapabilities> {
  // A handshake-time request, sent once: any number will do, a random one avoids old answers.
  const rqSeq = Math.floor(Math.random() * 64);
  const data = getChannelAuthCapabilities.encode({ privilege, v2 });
  const rsp = await exchange(peer, {
    what: 'Get Channel Authentication Capabilities',
    timeoutMs,
    retries,
    build: () =>
      encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: encodeRequest({ netFn: NetFn.app, cmd: getChannelAuthCapabilities.cmd, data, rqSeq }) }),
    accept: (packet) => acceptPlainResponse(packet, NetFn.app, getChannelAuthCapabilities.cmd, rqSeq),
  });
  if (rsp.completionCode !== 0) {
    throw new IpmiCompletionCodeError(getChannelAuthCapabilities.name, rsp.completionCode, completionCodeName(rsp.completionCode), peer.host);
  }
  return getChannelAuthCapabilities.decode(rsp.data);
}

export class LanPlusSession implements IpmiSession {
  readonly version = '2.0';
  private crypto?: SessionCrypto;
  private suite?: CipherSuite;
  private consoleSessionId = 0;
  private bmcSessionId = 0;
  private sequence = 0;
  private readonly rqSeq = new RqSeq();

  constructor(
    private readonly peer: Peer,
    private readonly creds: Credentials,
    private readonly o: LanPlusOptions,
  ) {}

  get isOpen(): boolean {
    return this.bmcSessionId !== 0;
  }

  get security(): string {
    return this.suite ? `cipher suite ${this.suite.id}` : 'none';
  }

  private fail(reason: string): never {
    throw new IpmiAuthError(this.peer.host, this.peer.port, reason);
  }

  async open(): Promise<void> {
    this.bmcSessionId = 0;
    this.crypto = undefined;
    const caps = await probeAuthCapabilities(this.peer, this.o.privilege, true, this.o.timeoutMs, this.o.retries);
    if (!caps.supportsV20) {
      throw new IpmiProtocolError(`${this.peer.host}:${this.peer.port}: BMC does not offer IPMI v2.0 (RMCP+); try IPMI v1.5 (--lan15)`);
    }
    const suites = this.o.cipherSuites;
    let lastRefusal = '';
    for (let i = 0; i < suites.length; i++) {
      const suite = CIPHER_SUITES[suites[i]];
      if (!suite) throw new IpmiProtocolError(`cipher suite ${suites[i]} is not supported (use 3 or 17)`);
      if (suite.insecure && !this.o.insecure) {
        throw new IpmiInsecureError(`cipher suite ${suite.id} sends commands without authentication; pass the insecure option to allow it`);
      }
      const last = i === suites.length - 1;
      const timeoutMs = last ? this.o.timeoutMs : Math.min(this.o.timeoutMs, this.o.fallbackMs);
      // A handshake cut short by a lost packet (RAKP 2 or 4) cannot be resumed: BMCs do not
      // answer a repeated RAKP 3. Start again from Open Session, with a new session ID.
      for (let handshake = 0; ; handshake++) {
        const opened = await this.openSession(suite, timeoutMs, last);
        if (typeof opened !== 'number') {
          lastRefusal = opened;
          break;
        }
        try {
          await this.authenticate(suite, opened);
          return;
        } catch (e) {
          if (!(e instanceof IpmiTimeoutError) || handshake >= this.o.retries) throw e;
        }
      }
    }
    this.fail(`no cipher suite accepted (${lastRefusal})`);
  }

  /** Open Session: the BMC's session ID when it accepted the suite, otherwise why it did not. */
  private async openSession(suite: CipherSuite, timeoutMs: number, last: boolean): Promise<number | string> {
    this.consoleSessionId = randomNonZero32();
    const tag = randomBytes(1)[0];
    const payload = encodeOpenSessionRequest({
      tag,
      privilege: this.o.privilege,
      consoleSessionId: this.consoleSessionId,
      algorithms: { auth: suite.auth, integrity: suite.integrity, confidentiality: suite.confidentiality },
    });
    let rsp: OpenSessionResponse;
    try {
      rsp = await exchange(this.peer, {
        what: `RMCP+ Open Session (cipher suite ${suite.id})`,
        timeoutMs,
        retries: this.o.retries,
        build: () => encodeLanPlus({ payloadType: PayloadType.openSessionRequest, sessionId: 0, sequence: 0, payload }),
        accept: (packet) => {
          const p = this.rmcpPlusPayload(packet, PayloadType.openSessionResponse);
          if (!p) return undefined;
          const r = decodeOpenSessionResponse(p);
          return r.tag === tag && (r.consoleSessionId === this.consoleSessionId || (r.status !== 0 && r.consoleSessionId === 0)) ? r : undefined;
        },
      });
    } catch (e) {
      if (!last && e instanceof Error && e.name === 'IpmiTimeoutError') return `suite ${suite.id}: no answer`;
      throw e;
    }
    if (rsp.status !== 0) {
      const why = `suite ${suite.id}: ${rmcpPlusStatusName(rsp.status)}`;
      if (last) this.fail(`BMC refused the session: ${why}`);
      return why;
    }
    const a = rsp.algorithms;
    if (a.auth !== suite.auth || a.integrity !== suite.integrity || a.confidentiality !== suite.confidentiality) {
      // Some BMCs answer any request with the algorithms they support; that is a refusal of ours.
      const why = `suite ${suite.id}: BMC offered algorithms ${a.auth}/${a.integrity}/${a.confidentiality} instead`;
      if (last) this.fail(why);
      return why;
    }
    const zeroEcho = rsp.privilege === 0 && this.o.quirks.zeroPrivilegeEchoInOpenSession;
    if (rsp.privilege < this.o.privilege && !zeroEcho) {
      this.fail(`BMC allows privilege ${rsp.privilege} at most, below the requested ${this.o.privilege}`);
    }
    return rsp.bmcSessionId;
  }

  private rmcpPlusPayload(packet: Buffer, payloadType: number): Buffer | undefined {
    const h = decodeRmcpHeader(packet);
    if (h.messageClass !== RMCP_CLASS_IPMI || packet[4] !== AuthType.rmcpPlus) return undefined;
    const p = decodeLanPlus(packet);
    return p.payloadType === payloadType ? p.payload : undefined;
  }

  /** RAKP 1-4: prove we know the password, check the BMC knows it, and derive the session keys. */
  private async authenticate(suite: CipherSuite, bmcSessionId: number): Promise<void> {
    const kuid = passwordKey(this.creds.password);
    const username = Buffer.from(this.creds.username, 'utf8');
    if (username.length > 16) this.fail('user name longer than 16 bytes');
    const consoleRandom = randomBytes(16);
    const role = 0x10 | (this.o.privilege & 0x0f); // name-only lookup
    const tag1 = randomBytes(1)[0];
    const rakp1 = encodeRakp1({ tag: tag1, bmcSessionId, consoleRandom, role, username });
    const rakp2: Rakp2 = await exchange(this.peer, {
      what: 'RAKP message 1',
      timeoutMs: this.o.timeoutMs,
      retries: this.o.retries,
      build: () => encodeLanPlus({ payloadType: PayloadType.rakp1, sessionId: 0, sequence: 0, payload: rakp1 }),
      accept: (packet) => {
        const p = this.rmcpPlusPayload(packet, PayloadType.rakp2);
        if (!p) return undefined;
        const r = decodeRakp2(p);
        // The tag is one byte: handshakes of other handles on this socket share it by chance.
        // The console session ID (present on success) says whose answer this is.
        return r.tag === tag1 && (r.consoleSessionId === this.consoleSessionId || (r.status !== 0 && r.consoleSessionId === 0)) ? r : undefined;
      },
    });
    if (rakp2.status !== 0) this.fail(`RAKP 2: ${rmcpPlusStatusName(rakp2.status)} (check the user name and its privilege)`);
    const x: RakpExchange = {
      consoleSessionId: this.consoleSessionId,
      bmcSessionId,
      consoleRandom,
      bmcRandom: rakp2.bmcRandom,
      bmcGuid: rakp2.bmcGuid,
      role,
      username,
    };
    const expected2 = rakp2AuthCode(suite, kuid, x);
    if (rakp2.authCode.length !== expected2.length || !timingSafeEqual(rakp2.authCode, expected2)) {
      // Tell the BMC (RAKP 3 with an error status) so it frees the half-open session slot now.
      const refusal = encodeRakp3({ tag: randomBytes(1)[0], status: RAKP_INVALID_INTEGRITY_CHECK, bmcSessionId, authCode: Buffer.alloc(0) });
      await this.peer.transport.send(this.peer.address, this.peer.family, this.peer.port, encodeLanPlus({ payloadType: PayloadType.rakp3, sessionId: 0, sequence: 0, payload: refusal }));
      this.fail('wrong password (the BMC\'s RAKP 2 code does not match)');
    }
    const sik = sessionIntegrityKey(suite, this.creds.kg ?? kuid, x);
    const keys = deriveKeys(suite, sik);
    const tag3 = randomBytes(1)[0];
    const rakp3 = encodeRakp3({ tag: tag3, status: 0, bmcSessionId, authCode: rakp3AuthCode(suite, kuid, x) });
    const rakp4: Rakp4 = await exchange(this.peer, {
      what: 'RAKP message 3',
      timeoutMs: this.o.timeoutMs,
      retries: this.o.retries,
      build: () => encodeLanPlus({ payloadType: PayloadType.rakp3, sessionId: 0, sequence: 0, payload: rakp3 }),
      accept: (packet) => {
        const p = this.rmcpPlusPayload(packet, PayloadType.rakp4);
        if (!p) return undefined;
        const r = decodeRakp4(p);
        return r.tag === tag3 && (r.consoleSessionId === this.consoleSessionId || (r.status !== 0 && r.consoleSessionId === 0)) ? r : undefined;
      },
    });
    if (rakp4.status !== 0) this.fail(`RAKP 4: ${rmcpPlusStatusName(rakp4.status)}`);
    const icv = rakp4CheckValue(suite, sik, x);
    if (rakp4.integrityCheck.length < icv.length || !timingSafeEqual(rakp4.integrityCheck.subarray(0, icv.length), icv)) {
      this.fail('RAKP 4 integrity check value does not match (wrong BMC key?)');
    }
    this.suite = suite;
    this.crypto = { suite, k1: keys.k1, k2: keys.k2 };
    this.bmcSessionId = bmcSessionId;
    this.sequence = 0;
    // A session starts at User level (section 13.16); only a higher level must be asked for.
    if (this.o.privilege <= 2) return;
    const rsp = await this.send(NetFn.app, setSessionPrivilegeLevel.cmd, setSessionPrivilegeLevel.encode({ privilege: this.o.privilege }), {
      what: setSessionPrivilegeLevel.name,
      timeoutMs: this.o.timeoutMs,
      retries: this.o.retries,
    });
    if (rsp.completionCode !== 0) {
      this.bmcSessionId = 0;
      this.fail(`privilege ${this.o.privilege} not granted: ${completionCodeName(rsp.completionCode, setSessionPrivilegeLevel.completionCodes)}`);
    }
  }

  private nextSequence(): number {
    this.sequence = (this.sequence + 1) >>> 0 || 1;
    return this.sequence;
  }

  async send(netFn: number, cmd: number, data: Uint8Array, o: SendOptions): Promise<IpmiResponse> {
    const crypto = this.crypto;
    if (!crypto || !this.bmcSessionId) return Promise.reject(new IpmiProtocolError('session is not open'));
    const rqSeq = await this.rqSeq.take(requestKey(netFn, cmd, data));
    const message = encodeRequest({ netFn, cmd, data, rqSeq });
    const bmcSessionId = this.bmcSessionId;
    return exchange(this.peer, {
      what: o.what,
      timeoutMs: o.timeoutMs,
      retries: o.retries,
      // Every transmission gets a new session sequence number: BMCs drop repeats as replays.
      build: () => encodeLanPlus({ payloadType: PayloadType.ipmi, sessionId: bmcSessionId, sequence: this.nextSequence(), payload: message }, crypto),
      accept: (packet) => {
        const h = decodeRmcpHeader(packet);
        if (h.messageClass !== RMCP_CLASS_IPMI || packet[4] !== AuthType.rmcpPlus) return undefined;
        const p = decodeLanPlus(packet, crypto);
        if (p.payloadType !== PayloadType.ipmi || p.sessionId !== this.consoleSessionId) return undefined;
        const rsp = decodeResponse(p.payload);
        return rsp.netFn === (netFn | 1) && rsp.cmd === cmd && rsp.rqSeq === rqSeq ? rsp : undefined;
      },
    });
  }

  async close(timeoutMs: number): Promise<void> {
    if (!this.isOpen) return;
    try {
      await this.send(NetFn.app, closeSession.cmd, closeSession.encode({ sessionId: this.bmcSessionId }), { what: closeSession.name, timeoutMs, retries: 1 });
    } catch {
      // The BMC may already have dropped the session; it times out on its own then.
    } finally {
      this.bmcSessionId = 0;
      this.crypto = undefined;
    }
  }
}
