/**
 * Authentication to one BMC. A Redfish session (POST to the Sessions collection, then the
 * `X-Auth-Token` on every request) is opened once and shared by every caller of the client, so a
 * BMC never sees two logins from us at once; it is deleted after a quiet spell and at close(), which
 * keeps the BMC's few session slots free. Basic auth is the fallback when the BMC has no
 * SessionService or will not open a session, or when the caller asks for it. A token the BMC no
 * longer knows (it rebooted) gets one fresh login; the caller's retry then decides.
 */
import { RedfishAuthError, redfishMessages, withoutSecrets, type RedfishMessage } from './errors.ts';
import { link } from './json.ts';
import { pathOf, type ResolvedEndpoint } from './transport/endpoint.ts';
import type { RawRequest, RawResponse } from './transport/http-transport.ts';

export type AuthMode = 'session' | 'basic';

export interface AuthOptions {
  username: string;
  password: string;
  /** 'session' (default: a session, basic when the BMC has none) or 'basic' only. */
  auth?: AuthMode;
  /** Delete the session after this long without a request (default 60 s; Infinity keeps it). */
  sessionIdleMs?: number;
  /**
   * After a BMC with a SessionService refused a session (it may be at its session limit), Basic
   * auth is used for this long, then a session is asked for again (default 60 s).
   */
  sessionRetryMs?: number;
}

export interface AuthTicket {
  headers: Record<string, string>;
  /** The session token the headers carry, when they carry one. */
  token?: string;
}

export interface AuthIo {
  /** One queued exchange, without authentication of its own; `idempotent` allows retries. */
  send(r: RawRequest, idempotent: boolean): Promise<RawResponse>;
  /** The Sessions collection's path, or undefined when the BMC has no SessionService. */
  sessionsPath(): Promise<string | undefined>;
}

const header = (r: RawResponse, name: string): string | undefined => {
  const v = r.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

export class RedfishAuth {
  private mode?: AuthMode;
  private session?: { token: string; path: string };
  private loggingIn?: Promise<void>;
  private loggingOut?: Promise<void>;
  private idle?: NodeJS.Timeout;
  private inflight = 0;
  /** Why basic auth is used, when it is. */
  basicReason?: string;
  /** Sessions opened so far (for figures and tests). */
  logins = 0;
  /** When a refused session is asked for again (epoch ms); undefined while Basic is for good. */
  private sessionAgainAt?: number;

  constructor(
    private readonly ep: ResolvedEndpoint,
    private readonly o: AuthOptions,
    private readonly io: AuthIo,
  ) {}

  /** The mode in use, once the first request decided it. */
  get current(): AuthMode | undefined {
    return this.mode;
  }

  get hasSession(): boolean {
    return this.session !== undefined;
  }

  /** Headers for one request, logging in first when needed. Pair every call with end(). */
  async begin(): Promise<AuthTicket> {
    this.inflight++;
    clearTimeout(this.idle);
    try {
      if (this.loggingOut) await this.loggingOut;
      const retry = this.mode === 'basic' && this.sessionAgainAt !== undefined && Date.now() >= this.sessionAgainAt;
      if (this.mode === undefined || (this.mode === 'session' && !this.session) || retry) await this.login();
      return this.ticket();
    } catch (e) {
      this.end();
      throw e;
    }
  }

  end(): void {
    this.inflight = Math.max(0, this.inflight - 1);
    const idleMs = this.o.sessionIdleMs ?? 60_000;
    if (this.inflight === 0 && this.session && Number.isFinite(idleMs)) {
      clearTimeout(this.idle);
      this.idle = setTimeout(() => {
        if (this.inflight === 0 && this.session && !this.loggingOut) this.loggingOut = this.logout().finally(() => (this.loggingOut = undefined));
      }, idleMs);
      this.idle.unref();
    }
  }

  /**
   * After a 401 to `used`: a fresh login, once for that token (callers that saw the same token
   * share it). Undefined when there is nothing to renew (basic auth: the credentials are wrong).
   */
  async renew(used: AuthTicket): Promise<AuthTicket | undefined> {
    if (used.token === undefined) return undefined;
    if (this.session?.token === used.token) this.session = undefined; // forgotten by the BMC: no DELETE
    if (!this.session) await this.login();
    return this.ticket();
  }

  async close(): Promise<void> {
    clearTimeout(this.idle);
    await this.loggingIn?.catch(() => undefined);
    await this.loggingOut;
    if (this.session) await this.logout();
    this.mode = undefined;
  }

  /** What the BMC said in a body, with the password, the Basic credentials and the session token scrubbed out. */
  messagesOf(body: unknown): RedfishMessage[] {
    const basic = Buffer.from(`${this.o.username}:${this.o.password}`, 'utf8').toString('base64');
    return withoutSecrets(redfishMessages(body), [this.o.password, basic, this.session?.token ?? '']);
  }

  /** The Basic authorization header of the credentials. */
  basicHeaders(): Record<string, string> {
    return { Authorization: `Basic ${Buffer.from(`${this.o.username}:${this.o.password}`, 'utf8').toString('base64')}` };
  }

  private ticket(): AuthTicket {
    if (this.mode === 'session' && this.session) return { headers: { 'X-Auth-Token': this.session.token }, token: this.session.token };
    return { headers: this.basicHeaders() };
  }

  private login(): Promise<void> {
    this.loggingIn ??= this.openSession().finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  private async openSession(): Promise<void> {
    if (this.o.auth === 'basic') return this.useBasic('asked for');
    const path = await this.io.sessionsPath();
    if (!path) return this.useBasic('the BMC has no SessionService');
    const res = await this.io.send({ method: 'POST', path, body: { UserName: this.o.username, Password: this.o.password } }, false);
    if (res.status === 401 || res.status === 403) {
      throw new RedfishAuthError(this.ep.label, `login as '${this.o.username}' refused (HTTP ${res.status}; check the user and password)`, { status: res.status, messages: this.messagesOf(res.body) });
    }
    const token = header(res, 'x-auth-token');
    const where = header(res, 'location') ?? link(res.body);
    if (res.status >= 300 || !token || !where) {
      // Refused (a full session table, a BMC busy starting): Basic for a while, then a session
      // again. An answer without a token is a BMC that does not do sessions: Basic for good.
      const again = res.status >= 400 ? Date.now() + (this.o.sessionRetryMs ?? 60_000) : undefined;
      return this.useBasic(`the BMC did not open a session (HTTP ${res.status}${token ? '' : ', no X-Auth-Token'})${again ? '; asked again later' : ''}`, again);
    }
    this.session = { token, path: pathOf(where, this.ep) };
    this.mode = 'session';
    this.basicReason = undefined;
    this.sessionAgainAt = undefined;
    this.logins++;
  }

  private useBasic(reason: string, againAt?: number): void {
    this.mode = 'basic';
    this.basicReason = reason;
    this.sessionAgainAt = againAt;
  }

  private async logout(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    // A session we could not delete times out on the BMC: nothing to report to a caller.
    await this.io.send({ method: 'DELETE', path: s.path, headers: { 'X-Auth-Token': s.token } }, true).catch(() => undefined);
  }
}
