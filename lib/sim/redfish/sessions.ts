/**
 * The simulated BMC's Redfish sessions: few at once (real BMCs allow a handful), each with an
 * unguessable token, ended by DELETE or by idling past the timeout, and all forgotten at once when
 * the BMC "reboots". Time comes from the Clock, so expiry needs no timers.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../ipmi/clock.ts';

export interface RedfishSession {
  id: string;
  token: string;
  userName: string;
  createdAt: number;
  lastUsedAt: number;
}

export interface SessionLimits {
  /** How many sessions may exist at once; the next login gets 503 SessionLimitExceeded. */
  limit: number;
  /** A session unused this long is gone (SessionService.SessionTimeout). */
  idleTimeoutMs: number;
}

export class SessionStore {
  private readonly byId = new Map<string, RedfishSession>();
  /** Sessions made since start (logins that succeeded). */
  created = 0;

  constructor(
    private readonly clock: Clock,
    readonly limits: SessionLimits,
  ) {
    if (!Number.isInteger(limits.limit) || limits.limit < 1) throw new Error(`session limit ${limits.limit}: give 1 or more`);
    if (!(limits.idleTimeoutMs > 0)) throw new Error(`session idle timeout ${limits.idleTimeoutMs} ms: give more than 0`);
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [id, s] of this.byId) if (now - s.lastUsedAt >= this.limits.idleTimeoutMs) this.byId.delete(id);
  }

  /** A new session for the user, or undefined when every slot is taken. */
  create(userName: string): RedfishSession | undefined {
    this.expire();
    if (this.byId.size >= this.limits.limit) return undefined;
    const now = this.clock.now();
    let id: string;
    do id = randomBytes(5).toString('hex');
    while (this.byId.has(id));
    const s: RedfishSession = { id, token: randomBytes(24).toString('base64url'), userName, createdAt: now, lastUsedAt: now };
    this.byId.set(id, s);
    this.created++;
    return s;
  }

  /** The live session with this token, its idle time restarted; undefined when none. */
  useToken(token: string): RedfishSession | undefined {
    this.expire();
    for (const s of this.byId.values()) {
      if (s.token === token) {
        s.lastUsedAt = this.clock.now();
        return s;
      }
    }
    return undefined;
  }

  get(id: string): RedfishSession | undefined {
    this.expire();
    return this.byId.get(id);
  }

  delete(id: string): boolean {
    return this.byId.delete(id);
  }

  list(): RedfishSession[] {
    this.expire();
    return [...this.byId.values()];
  }

  /** Every session ends, as when the BMC restarts: their tokens answer 401 from now on. */
  clear(): void {
    this.byId.clear();
  }
}
