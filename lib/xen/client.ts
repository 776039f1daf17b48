/**
 * XAPI client over JSON-RPC 2.0 (`POST <url>/jsonrpc`, positional params, XAPI errors as
 * `{"code":1,"message":"<CODE>","data":[params…]}`, the format of xapi's api_server.ml; the JSON-RPC
 * 1.0 form, where `error` is the ErrorDescription array itself, is read too).
 *
 * Sessions are transparent: the first call logs in; SESSION_INVALID logs in again and retries once;
 * HOST_IS_SLAVE (the configured host is a supporter) switches to the master it names and retries
 * once. Both errors are raised by XAPI before a method runs, so the retry never repeats an action.
 * The master's address replaces the host name of the configured URL; scheme and port stay, as
 * xen-api does (a real pool answers with a bare IP). An address with an explicit port
 * ("127.0.0.1:4711") is honoured too, which is how two simulated pools on one loopback address
 * point at each other.
 *
 * Every request has a deadline (requestTimeoutMs); an endpoint that refuses, resets, stays silent
 * or answers 5xx without JSON-RPC raises XapiUnreachableError, never a guess.
 */
import { XapiError, XapiTaskTimeoutError, XapiUnreachableError } from './errors.ts';
import { JsonRpcTransport, type TlsOptions } from './transport.ts';
import type { TaskStatus } from './records.ts';

export interface XapiClientOptions {
  /** The pool master (or any pool member: the client follows HOST_IS_SLAVE). https://host or http://127.0.0.1:port */
  url: string;
  user: string;
  password: string;
  tls?: TlsOptions;
  /**
   * Deadline of one HTTP request (connect, send, answer). Default 10 s: long work runs as Async
   * tasks polled with short calls, so only a silent XAPI reaches it; it must stay above xapi's 5 s
   * delay before answering a failed login. Passing it gives an XapiUnreachableError (timeout).
   */
  requestTimeoutMs?: number;
  /** Deadline of an asynchronous call's task. Default 1 h (a large VM migrates for minutes). */
  taskTimeoutMs?: number;
  /** Interval between task status reads. Default 1 s. */
  taskPollMs?: number;
  /** Reported to XAPI at login (shows in its logs and session records). */
  originator?: string;
}

const API_VERSION = '1.0';
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export class XapiClient {
  private base: URL;
  private readonly transport: JsonRpcTransport;
  private session?: string;
  private login?: Promise<string>;
  private closed = false;

  constructor(private readonly o: XapiClientOptions) {
    this.base = new URL(o.url);
    if (this.base.username || this.base.password) throw new Error('put XAPI credentials in the user / password options, not in the URL');
    this.transport = new JsonRpcTransport(o.tls);
  }

  /** The endpoint in use now (it moves when a supporter names another master). */
  get url(): string {
    return this.base.href;
  }

  /** Call `method` with the session ref prepended to `args`. */
  async call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) throw new Error('the XAPI client is closed');
    const session = await this.ensureSession();
    try {
      return (await this.rpc(method, [session, ...args])) as T;
    } catch (e) {
      if (!(e instanceof XapiError)) throw e;
      if (e.code === 'SESSION_INVALID') {
        this.dropSession(session);
      } else if (e.code === 'HOST_IS_SLAVE' && e.params[0]) {
        this.followMaster(e.params[0]);
        this.dropSession(session);
      } else {
        throw e;
      }
      const fresh = await this.ensureSession();
      return (await this.rpc(method, [fresh, ...args])) as T;
    }
  }

  /**
   * Call `Async.<method>` and wait for its task: polled with task.get_status until it leaves
   * `pending`, then the result (success) or the ErrorDescription (failure) is read and the task
   * destroyed. The result is the decoded XML-RPC value XAPI stores ("" for void, a ref string…).
   */
  async callAsync<T = string>(method: string, ...args: unknown[]): Promise<T> {
    const task = await this.call<string>(`Async.${method}`, ...args);
    const started = Date.now();
    const deadline = started + (this.o.taskTimeoutMs ?? 3_600_000);
    const pollMs = this.o.taskPollMs ?? 1000;
    let unreachable = false;
    /** The task's own outcome, as against an error met while asking about it. */
    let outcome: XapiError | undefined;
    try {
      for (;;) {
        const status = await this.call<TaskStatus>('task.get_status', task);
        if (status === 'success') return decodeTaskResult(await this.call<string>('task.get_result', task)) as T;
        if (status === 'failure') {
          const info = await this.call<string[]>('task.get_error_info', task);
          throw (outcome = new XapiError(info[0] ?? 'INTERNAL_ERROR', info.slice(1).map(String), method));
        }
        if (status === 'cancelled') throw (outcome = new XapiError('TASK_CANCELLED', [task], method));
        if (Date.now() >= deadline) throw new XapiTaskTimeoutError(method, task, Date.now() - started);
        await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
      }
    } catch (e) {
      unreachable = e instanceof XapiUnreachableError;
      if (e instanceof XapiError && e !== outcome) e.whileFollowingTask = true;
      throw e;
    } finally {
      // A pending task is left alone (it is still working and XAPI garbage-collects it later); an
      // XAPI that stopped answering is not asked again, so the caller hears of it within one deadline.
      if (!unreachable) await this.call('task.destroy', task).catch(() => undefined);
    }
  }

  /**
   * The session ref, logging in first if need be: for XAPI's HTTP handlers (`/rrd_updates`), which
   * take it as the `session_id` query parameter. Sessions are pool-wide, so every member accepts it.
   */
  async sessionId(): Promise<string> {
    if (this.closed) throw new Error('the XAPI client is closed');
    return this.ensureSession();
  }

  /** Log out and close connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (session) await this.rpc('session.logout', [session]).catch(() => undefined);
    this.transport.close();
  }

  private ensureSession(): Promise<string> {
    if (this.session) return Promise.resolve(this.session);
    if (!this.login) {
      this.login = this.logIn().finally(() => {
        this.login = undefined;
      });
    }
    return this.login;
  }

  private dropSession(stale: string): void {
    // Another caller may already have replaced it; only forget the one that failed.
    if (this.session === stale) this.session = undefined;
  }

  private async logIn(): Promise<string> {
    const params = [this.o.user, this.o.password, API_VERSION, this.o.originator ?? 'lowpower'];
    let session: string;
    try {
      session = String(await this.rpc('session.login_with_password', params));
    } catch (e) {
      if (!(e instanceof XapiError) || e.code !== 'HOST_IS_SLAVE' || !e.params[0]) throw e;
      this.followMaster(e.params[0]);
      session = String(await this.rpc('session.login_with_password', params));
    }
    this.session = session;
    return session;
  }

  private followMaster(address: string): void {
    this.base = masterUrl(this.base, address);
  }

  /** One request; a JSON-RPC error becomes an XapiError with the password scrubbed from it. */
  private async rpc(method: string, params: unknown[]): Promise<unknown> {
    const reply = await this.transport.exchange(this.base, method, params, this.o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    if (reply.ok) return reply.result;
    const [code, ...rest] = errorDescription(reply.error);
    const scrub = (s: string): string => (this.o.password ? s.split(this.o.password).join('***') : s);
    throw new XapiError(scrub(code), rest.map(scrub), method);
  }
}

/** [code, ...params] from a JSON-RPC 2.0 error object or a JSON-RPC 1.0 error array. */
export function errorDescription(error: unknown): [string, ...string[]] {
  if (Array.isArray(error) && error.length > 0) return [String(error[0]), ...error.slice(1).map(String)];
  if (typeof error === 'object' && error !== null) {
    const { message, data } = error as { message?: unknown; data?: unknown };
    const params = Array.isArray(data) ? data.map(String) : data === undefined || data === null ? [] : [String(data)];
    return [typeof message === 'string' && message ? message : 'INTERNAL_ERROR', ...params];
  }
  return ['INTERNAL_ERROR', String(error)];
}

/**
 * The URL of the master a supporter named: its address replaces the host; scheme, port and path
 * stay. "a.b.c.d", "name", "fe80::1" (bare IPv6), "[fe80::1]:443" and "127.0.0.1:4711" are read.
 */
export function masterUrl(current: URL, address: string): URL {
  const next = new URL(current.href);
  const a = address.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(a);
  const colons = (a.match(/:/g) ?? []).length;
  if (bracketed) {
    next.hostname = `[${bracketed[1]}]`;
    if (bracketed[2]) next.port = bracketed[2];
  } else if (colons > 1) {
    next.hostname = `[${a}]`;
  } else if (colons === 1) {
    const [host, port] = a.split(':');
    next.hostname = host;
    if (/^\d+$/.test(port)) next.port = port;
  } else {
    next.hostname = a;
  }
  return next;
}

/**
 * XAPI stores a task's result as an XML-RPC value ("<value>OpaqueRef:…</value>", "<value/>", or ""
 * on old releases). Strings and refs are what asynchronous calls return; they are decoded here.
 */
export function decodeTaskResult(result: string): string {
  const s = result.trim();
  if (s === '' || s === '<value/>' || s === '<value></value>' || /^<value>\s*<nil\s*\/>\s*<\/value>$/.test(s)) return '';
  const m = /^<value>(?:<string>)?([\s\S]*?)(?:<\/string>)?<\/value>$/.exec(s);
  const text = m ? m[1] : s;
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
