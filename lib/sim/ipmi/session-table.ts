/**
 * The simulated BMC's sessions: what it remembers of each (RMCP+ and v1.5), the v1.5 challenges
 * handed out, the few slots a BMC has, and when an idle session or a stalled handshake frees its
 * slot. The engine and both handshakes share this table.
 */
import { randomBytes } from 'node:crypto';
import type { SessionCrypto } from '../../ipmi/index.ts';
import type { CipherSuite } from '../../ipmi/index.ts';
import type { RakpExchange } from '../../ipmi/index.ts';
import type { BmcState, SimUser } from './bmc-state.ts';

/** Session inactivity timeout: the specification's 60 s unless a quirk mode says otherwise. */
export const IDLE_TIMEOUT_MS = 60_000;
/** A handshake not finished by then frees its slot (a console that gave up on it). */
const HANDSHAKE_TIMEOUT_MS = 3_000;

export interface BaseSession {
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
  cache: Map<string, { at: number; response: Buffer[] }>;
}

export interface Session20 extends BaseSession {
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

export interface Session15 extends BaseSession {
  kind: '1.5';
  authType: number;
  active: boolean;
  /** False when per-message authentication is off: messages after Activate Session go unsigned. */
  perMessageAuth: boolean;
}

export type SimSession = Session20 | Session15;

/** A v1.5 Get Session Challenge answered, waiting for its Activate Session. */
export interface Challenge {
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

export class SessionTable {
  readonly sessions = new Map<number, SimSession>();
  readonly challenges = new Map<number, Challenge>();

  constructor(
    private readonly now: () => number,
    readonly slots: number,
    readonly idleTimeoutMs: number = IDLE_TIMEOUT_MS,
  ) {}

  /** True when the session has been idle past the timeout (it is then forgotten). */
  idle(s: BaseSession): boolean {
    if (s.lastActivity >= this.now() - this.idleTimeoutMs) return false;
    this.sessions.delete(s.bmcId);
    return true;
  }

  /** Every slot taken, by active sessions and handshakes under way. */
  get full(): boolean {
    return this.sessions.size >= this.slots;
  }

  /** Forget idle sessions, stalled RMCP+ handshakes and old challenges. */
  expire(): void {
    const now = this.now();
    const cutoff = now - this.idleTimeoutMs;
    for (const [id, s] of this.sessions) {
      const halfOpen = s.kind === '2.0' && s.state !== 'active';
      if (s.lastActivity < cutoff || (halfOpen && s.lastActivity < now - HANDSHAKE_TIMEOUT_MS)) this.sessions.delete(id);
    }
    for (const [id, c] of this.challenges) if (c.at < cutoff) this.challenges.delete(id);
  }

  /** A fresh non-zero id no session or challenge holds. */
  newId(): number {
    let id = 0;
    while (id === 0 || this.sessions.has(id) || this.challenges.has(id)) id = randomBytes(4).readUInt32LE(0);
    return id;
  }
}

/** What a handshake needs from the engine it runs in. */
export interface HandshakeContext {
  readonly state: BmcState;
  readonly table: SessionTable;
  readonly counters: EngineCounters;
  /** Supported RMCP+ cipher suites. */
  readonly suites: readonly number[];
  now(): number;
  /** Counts a packet dropped without an answer; returns nothing to send. */
  drop(): Buffer[];
}
