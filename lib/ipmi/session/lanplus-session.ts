/**
 * An IPMI v2.0 RMCP+ session: Get Channel Authentication Capabilities, Open Session, RAKP 1-4
 * (rakp-handshake.ts), Set Session Privilege Level, then integrity-protected and encrypted IPMI
 * messages.
 */
import { AuthType } from '../codec/lan15.ts';
import { decodeLanPlus, encodeLanPlus, PayloadType, type SessionCrypto } from '../codec/lanplus.ts';
import { decodeRmcpHeader, RMCP_CLASS_IPMI } from '../codec/rmcp.ts';
import { NetFn, type IpmiResponse } from '../codec/ipmi-message.ts';
import { CIPHER_SUITES, type CipherSuite } from '../crypto/cipher-suites.ts';
import { closeSession, setSessionPrivilegeLevel } from '../commands/session-control.ts';
import { exchange, type Peer } from '../transport/exchange.ts';
import { IpmiAuthError, IpmiInsecureError, IpmiPrivilegeRefusedError, IpmiProtocolError } from '../errors.ts';
import { completionCodeName } from '../codec/completion-codes.ts';
import { probeAuthCapabilities } from './auth-capabilities.ts';
import { authenticate, openSession, type Handshake } from './rakp-handshake.ts';
import { answerIn, randomNonZero32, requestKey, requestMessage, RqSeq, type Credentials, type HostQuirkView, type IpmiSession, type SendOptions } from './session.ts';

export interface LanPlusOptions {
  /** Suites to try in order; the first the BMC accepts is used. */
  cipherSuites: number[];
  privilege: number;
  timeoutMs: number;
  retries: number;
  /** Per-suite deadline when another suite remains to fall back to. */
  fallbackMs: number;
  insecure: boolean;
  hq: HostQuirkView;
  /** RAKP 1 carries the user name padded to 16 bytes (padded-user-name quirk). */
  paddedUserName: boolean;
}

/** Set Session Privilege Level: "level not available for this user", "exceeds channel and/or user limit". */
const LEVEL_REFUSED = new Set([0x80, 0x81]);

export class LanPlusSession implements IpmiSession {
  readonly version = '2.0';
  private crypto?: SessionCrypto;
  private suite?: CipherSuite;
  private consoleSessionId = 0;
  private bmcSessionId = 0;
  private sequence = 0;
  private heard = false;
  private guid?: string;
  private readonly rqSeq = new RqSeq();

  constructor(
    private readonly peer: Peer,
    private readonly creds: Credentials,
    private readonly o: LanPlusOptions,
  ) {}

  get isOpen(): boolean {
    return this.bmcSessionId !== 0;
  }

  get handshakeAnswered(): boolean {
    return this.heard;
  }

  get security(): string {
    return this.suite ? `cipher suite ${this.suite.id}` : 'none';
  }

  get bmcGuid(): string | undefined {
    return this.guid;
  }

  /**
   * Log in, trying the suites in order. One handshake: a timeout in any step ends it (the runner
   * decides whether to start another).
   */
  async open(): Promise<void> {
    this.bmcSessionId = 0;
    this.crypto = undefined;
    const caps = await probeAuthCapabilities(this.peer, this.o.privilege, true, this.o.timeoutMs, this.o.retries, this.o.hq);
    this.heard = true;
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
      this.consoleSessionId = randomNonZero32();
      const h: Handshake = {
        peer: this.peer,
        creds: this.creds,
        privilege: this.o.privilege,
        timeoutMs: this.o.timeoutMs,
        retries: this.o.retries,
        hq: this.o.hq,
        paddedUserName: this.o.paddedUserName,
        consoleSessionId: this.consoleSessionId,
      };
      const opened = await openSession(h, suite, timeoutMs, last);
      if (typeof opened !== 'number') {
        lastRefusal = opened;
        continue;
      }
      const keys = await authenticate(h, suite, opened);
      this.crypto = keys.crypto;
      this.guid = keys.bmcGuid.toString('hex');
      this.suite = suite;
      this.bmcSessionId = opened;
      this.sequence = 0;
      try {
        await this.raisePrivilege();
      } catch (e) {
        // The BMC holds a logged-in session for us: free its slot rather than leave it to time out.
        void this.close(Math.min(500, this.o.timeoutMs));
        throw e;
      }
      return;
    }
    throw new IpmiAuthError(this.peer.host, this.peer.port, `no cipher suite accepted (${lastRefusal})`);
  }

  /** A session starts at User level (section 13.16); only a higher level must be asked for. */
  private async raisePrivilege(): Promise<void> {
    if (this.o.privilege <= 2) return;
    const rsp = await this.send(NetFn.app, setSessionPrivilegeLevel.cmd, setSessionPrivilegeLevel.encode({ privilege: this.o.privilege }), {
      what: setSessionPrivilegeLevel.name,
      timeoutMs: this.o.timeoutMs,
      retries: this.o.retries,
    });
    if (rsp.completionCode !== 0) {
      this.bmcSessionId = 0;
      const why = `privilege ${this.o.privilege} not granted: ${completionCodeName(rsp.completionCode, setSessionPrivilegeLevel.completionCodes)}`;
      if (LEVEL_REFUSED.has(rsp.completionCode)) throw new IpmiPrivilegeRefusedError(this.peer.host, this.peer.port, why, this.o.privilege);
      throw new IpmiAuthError(this.peer.host, this.peer.port, why);
    }
  }

  private nextSequence(): number {
    this.sequence = (this.sequence + 1) >>> 0 || 1;
    return this.sequence;
  }

  async send(netFn: number, cmd: number, data: Uint8Array, o: SendOptions): Promise<IpmiResponse> {
    const crypto = this.crypto;
    if (!crypto || !this.bmcSessionId) return Promise.reject(new IpmiProtocolError('session is not open'));
    const rqSeq = await this.rqSeq.take(requestKey(netFn, cmd, data, o.lun, o.bridge));
    const message = requestMessage(netFn, cmd, data, rqSeq, o);
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
        return answerIn(p.payload, this.o.hq, netFn, cmd, rqSeq, o);
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
