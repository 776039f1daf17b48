/**
 * The Redfish client of one BMC: authenticated JSON requests through a per-BMC queue (one request
 * on the wire at a time), bounded retries of the requests that may be repeated (GET, and DELETE of
 * a session) and of nothing else, If-Match on PATCH where the BMC gave an ETag, and errors turned
 * into typed messages. Resource modules (power, sensors, logs...) are built on it.
 */
import { retry } from '../util/index.ts';
import { RedfishAuthError, RedfishConnectionError, RedfishError, RedfishHttpError, RedfishProtocolError, RedfishTimeoutError, type RedfishMessage } from './errors.ts';
import { at, isObject, link, str, type JsonObject } from './json.ts';
import { RedfishAuth, type AuthMode, type AuthOptions, type AuthTicket } from './session.ts';
import { pathOf, resolveEndpoint, type RedfishEndpoint, type ResolvedEndpoint } from './transport/endpoint.ts';
import { HttpTransport, type HttpMethod, type RawRequest, type RawResponse } from './transport/http-transport.ts';
import { SerialQueue } from './transport/queue.ts';
import { TlsTrust, type TlsOptions } from './transport/tls-trust.ts';

export interface RedfishClientOptions extends RedfishEndpoint, AuthOptions {
  tls?: TlsOptions;
  /** Deadline of one exchange (default 10 s). */
  timeoutMs?: number;
  /** Further tries of a GET (or a session DELETE) that timed out, lost its connection or got 502/503/504 (default 2). */
  retries?: number;
  /** Send If-Match with the ETag the BMC gave when patching (default true; off for BMCs whose ETags are broken). */
  useEtag?: boolean;
  /** Use `$expand` where the service root says it is supported (default true). */
  expand?: boolean;
}

export interface RedfishResponse {
  status: number;
  /** The parsed JSON answer, or undefined. */
  body: unknown;
  /** The ETag header, else the body's `@odata.etag`. */
  etag?: string;
  /** The Location header as a path on this BMC. */
  location?: string;
  /** Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

/** 502, 503, 504: the BMC (or a proxy in it) is busy or restarting; a read may be tried again. */
const TRANSIENT = new Set([502, 503, 504]);

class TransientStatus extends Error {
  constructor(readonly response: RawResponse) {
    super(`HTTP ${response.status}`);
  }
}

const headerValue = (r: RawResponse, name: string): string | undefined => {
  const v = r.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

function retryAfterMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/**
 * What a reading asks of the client: reads only. The read modules take this, so a reading can be
 * given `client.reads(signal)`, whose requests stop once the reading's deadline has passed.
 */
export type RedfishReads = Pick<RedfishClient, 'label' | 'expandAllowed' | 'path' | 'serviceRoot' | 'get' | 'getObject'>;

export class RedfishClient {
  readonly endpoint: ResolvedEndpoint;
  private readonly trust: TlsTrust;
  private readonly transport: HttpTransport;
  private readonly queue = new SerialQueue();
  private readonly auth: RedfishAuth;
  private root?: Promise<JsonObject>;
  private closed = false;
  /** Exchanges sent so far, retries included (for figures and tests). */
  requests = 0;

  constructor(private readonly o: RedfishClientOptions) {
    this.endpoint = resolveEndpoint(o);
    if (!o.username) throw new RedfishError(`${this.endpoint.label}: a Redfish client needs a user name`);
    this.trust = new TlsTrust(o.tls, this.endpoint.label);
    this.transport = new HttpTransport(this.endpoint, this.trust, { timeoutMs: o.timeoutMs });
    this.auth = new RedfishAuth(this.endpoint, o, {
      send: (r, idempotent) => this.exchange(r, idempotent),
      sessionsPath: async () => {
        const root = await this.serviceRoot();
        const sessions = link(at(root, 'Links', 'Sessions'));
        if (sessions) return pathOf(sessions, this.endpoint);
        const service = link(root.SessionService);
        return service ? `${pathOf(service, this.endpoint).replace(/\/$/, '')}/Sessions` : undefined;
      },
    });
  }

  /** "host:port", for messages. */
  get label(): string {
    return this.endpoint.label;
  }

  /** The SHA-256 fingerprint of the BMC's certificate as last seen (https), for the caller to store. */
  get certificateFingerprint(): string | undefined {
    return this.trust.fingerprint;
  }

  /** The fingerprint pinned for this BMC (given, or taken on first use). */
  get pinnedFingerprint(): string | undefined {
    return this.trust.pinnedFingerprint;
  }

  /** The authentication in use once decided, and why basic when it is basic. */
  get authentication(): { mode?: AuthMode; basicReason?: string; logins: number; hasSession: boolean } {
    return { mode: this.auth.current, basicReason: this.auth.basicReason, logins: this.auth.logins, hasSession: this.auth.hasSession };
  }

  get useEtag(): boolean {
    return this.o.useEtag !== false;
  }

  get expandAllowed(): boolean {
    return this.o.expand !== false;
  }

  /** What the BMC said in an answer's body (`@Message.ExtendedInfo`), with any secret it repeated scrubbed out. */
  messagesOf(body: unknown): RedfishMessage[] {
    return this.auth.messagesOf(body);
  }

  /** A link the BMC gave, as a path on this BMC (an absolute URL counts by its path). */
  path(ref: string): string {
    return pathOf(ref, this.endpoint);
  }

  /** The service root, read once (without credentials, as DSP0266 allows; with them if the BMC insists). */
  serviceRoot(): Promise<JsonObject> {
    this.root ??= (async () => {
      let res = await this.exchange({ method: 'GET', path: '/redfish/v1/' }, true);
      // Basic, not a session: finding the SessionService is what the root is read for.
      if (res.status === 401) res = await this.exchange({ method: 'GET', path: '/redfish/v1/', headers: this.auth.basicHeaders() }, true);
      if (res.status === 401) throw new RedfishAuthError(this.label, 'the service root refused the credentials (HTTP 401)', { status: 401, messages: this.messagesOf(res.body) });
      if (res.status >= 300) throw new RedfishHttpError(this.label, 'GET', '/redfish/v1/', res.status, this.messagesOf(res.body), 'the service root (GET /redfish/v1/)');
      if (!isObject(res.body)) throw new RedfishProtocolError(`${this.label}: the service root is not a JSON object: is this a Redfish service?`);
      return res.body;
    })();
    this.root.catch(() => (this.root = undefined));
    return this.root;
  }

  get(path: string): Promise<RedfishResponse> {
    return this.request('GET', path, {});
  }

  /** A GET whose answer must be a JSON object (a resource or a collection). */
  getObject(path: string): Promise<JsonObject> {
    return this.objectAt(path);
  }

  /**
   * This client's reads for one reading: once `signal` aborts (the reading's deadline), none of its
   * requests is sent any more, and its retries stop; the one on the wire ends at its own timeout.
   * They fail with the signal's reason.
   */
  reads(signal: AbortSignal): RedfishReads {
    return {
      label: this.label,
      expandAllowed: this.expandAllowed,
      path: (ref) => this.path(ref),
      serviceRoot: () => this.serviceRoot(),
      get: (path) => this.request('GET', path, {}, signal),
      getObject: (path) => this.objectAt(path, signal),
    };
  }

  private async objectAt(path: string, signal?: AbortSignal): Promise<JsonObject> {
    const r = await this.request('GET', path, {}, signal);
    if (!isObject(r.body)) throw new RedfishProtocolError(`${this.label}: GET ${path}: the answer is not a JSON object`);
    return r.body;
  }

  /** Sent exactly once, whatever happens to its answer. */
  post(path: string, body: unknown): Promise<RedfishResponse> {
    return this.request('POST', path, { body });
  }

  /** Sent once; with If-Match when an ETag is given and ETags are in use for this BMC. */
  patch(path: string, body: unknown, etag?: string): Promise<RedfishResponse> {
    return this.request('PATCH', path, { body, headers: etag && this.useEtag ? { 'If-Match': etag } : {} });
  }

  delete(path: string): Promise<RedfishResponse> {
    return this.request('DELETE', path, {});
  }

  /** Delete the session (if any) and close the connections. The client cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.auth.close();
    } finally {
      this.transport.close();
    }
  }

  private async request(method: HttpMethod, path: string, o: { body?: unknown; headers?: Record<string, string> }, signal?: AbortSignal): Promise<RedfishResponse> {
    if (this.closed) throw new RedfishError(`${this.label}: the Redfish client is closed`);
    signal?.throwIfAborted();
    const idempotent = method === 'GET';
    const send = (t: AuthTicket): Promise<RawResponse> => this.exchange({ method, path, body: o.body, headers: { ...o.headers, ...t.headers } }, idempotent, signal);
    let ticket = await this.auth.begin();
    try {
      let res = await send(ticket);
      if (res.status === 401) {
        // A 401 means the BMC did not act on the request, so sending it again is safe, even a reset.
        const fresh = await this.auth.renew(ticket);
        if (fresh) res = await send((ticket = fresh));
        if (res.status === 401) {
          const reason = fresh ? `${method} ${path}: the session was refused again after a fresh login` : `${method} ${path}: credentials refused (HTTP 401; check the user and password)`;
          throw new RedfishAuthError(this.label, reason, { status: 401, messages: this.messagesOf(res.body) });
        }
      }
      if (res.status >= 400) throw new RedfishHttpError(this.label, method, path, res.status, this.messagesOf(res.body));
      const location = headerValue(res, 'location');
      return {
        status: res.status,
        body: res.body,
        etag: headerValue(res, 'etag') ?? str(at(res.body, '@odata.etag')),
        location: location ? this.path(location) : undefined,
        retryAfterMs: retryAfterMs(headerValue(res, 'retry-after')),
      };
    } finally {
      this.auth.end();
    }
  }

  /** One exchange through the queue; an idempotent one is tried again on a transient failure. */
  private async exchange(r: RawRequest, idempotent: boolean, signal?: AbortSignal): Promise<RawResponse> {
    const once = (): Promise<RawResponse> =>
      this.queue.run(() => {
        // Checked when its turn comes: a reading past its deadline sends nothing more.
        signal?.throwIfAborted();
        this.requests++;
        return this.transport.send(r);
      });
    if (!idempotent) return once();
    try {
      return await retry(
        async () => {
          const res = await once();
          if (TRANSIENT.has(res.status)) throw new TransientStatus(res);
          return res;
        },
        {
          attempts: 1 + Math.max(0, this.o.retries ?? 2),
          retryOn: (e) => e instanceof TransientStatus || e instanceof RedfishTimeoutError || e instanceof RedfishConnectionError,
          baseMs: 200,
          maxMs: 2000,
          signal,
        },
      );
    } catch (e) {
      if (e instanceof TransientStatus) return e.response;
      throw e;
    }
  }
}
