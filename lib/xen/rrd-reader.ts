/**
 * Reads XAPI's RRD export from pool members over HTTP(S), as real tools do: every host serves the
 * RRDs of itself and its resident VMs only, so each live member is asked at its own address
 * (host.address, with the scheme and port of the URL lowpower reaches XAPI at):
 *   GET /rrd_updates?session_id=…&start=…&cf=AVERAGE&host=true&interval=…&json=true
 * Sessions are pool-wide, so the master's session serves every member. A member that refuses,
 * stays silent past the deadline, answers an HTTP error or something that is not an export is a
 * failed member, named with the reason, never an empty load. Requests fan out with a bound.
 *
 * The session id travels in the query: https is required except to a loopback address, and no
 * error or URL this module reports carries the query.
 */
import http from 'node:http';
import https from 'node:https';
import { isLoopback, mapBounded } from '../util/index.ts';
import { unreachableCause } from './errors.ts';
import { parseRrdUpdates, RrdFormatError, type RrdUpdates } from './rrd-updates.ts';
import type { TlsOptions } from './transport.ts';

export interface RrdMember {
  hostId: string;
  /** host.address: a bare IP or name (a port may follow, as in the simulator: 127.0.0.1:4711). */
  address: string;
}

export interface RrdQuery {
  /** Epoch seconds; negative counts back from the member's latest update, as xapi reads it. */
  start: number;
  /** Seconds per row wanted; xapi picks the first archive at least this coarse that reaches back to start. Default 60. */
  interval?: number;
  /** Consolidation function. Default AVERAGE. */
  cf?: 'AVERAGE' | 'MIN' | 'MAX' | 'LAST';
  /** Include the host's own RRD (host=true). Default true. */
  host?: boolean;
  /** Ask for JSON (json=true) or XML. Default json. */
  format?: 'json' | 'xml';
}

export interface RrdReadOptions extends RrdQuery {
  /** The URL lowpower reaches XAPI at: its scheme and port are used for every member. */
  baseUrl: string;
  sessionId: string;
  /** Deadline of one member's request. Default 10 s. */
  timeoutMs?: number;
  /** Members asked at once. Default 16. */
  concurrency?: number;
}

export type RrdFailure = 'unreachable' | 'timeout' | 'unauthorised' | 'http' | 'format' | 'tls' | 'insecure' | 'no-address' | 'bad-address' | 'too-large';

/** Why one member gave no export. Never carries the session id. */
export class RrdReadError extends Error {
  constructor(
    readonly kind: RrdFailure,
    readonly hostId: string,
    /** The member's endpoint without query. */
    readonly url: string,
    detail: string,
    readonly status?: number,
  ) {
    super(`rrd_updates from ${hostId} (${url}): ${kind}: ${detail}`);
    this.name = 'RrdReadError';
  }
}

export type RrdMemberResult =
  | { hostId: string; address: string; ok: true; updates: RrdUpdates; ms: number }
  | { hostId: string; address: string; ok: false; error: RrdReadError; ms: number };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONCURRENCY = 16;
/** Far above a real answer (a host of a few hundred VMs, minutes of rows); a bound on what one member can make us hold. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** One reader per pool: keep-alive connections and the pool's TLS options (the XAPI client's). */
export class RrdReader {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly httpsAgent: https.Agent;

  constructor(tls: TlsOptions = {}) {
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized ?? true });
  }

  /** Every member's export (or its failure), in the members' order. */
  read(members: readonly RrdMember[], o: RrdReadOptions): Promise<RrdMemberResult[]> {
    return mapBounded(members, o.concurrency ?? DEFAULT_CONCURRENCY, async (m) => {
      const started = Date.now();
      try {
        const updates = await this.readOne(m, o);
        return { hostId: m.hostId, address: m.address, ok: true as const, updates, ms: Date.now() - started };
      } catch (e) {
        const error = e instanceof RrdReadError ? e : new RrdReadError('http', m.hostId, '', e instanceof Error ? e.message : String(e));
        return { hostId: m.hostId, address: m.address, ok: false as const, error, ms: Date.now() - started };
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async readOne(m: RrdMember, o: RrdReadOptions): Promise<RrdUpdates> {
    if (!m.address.trim()) throw new RrdReadError('no-address', m.hostId, '', 'XAPI gives the host no address');
    let endpoint: URL;
    try {
      endpoint = memberEndpoint(o.baseUrl, m.address);
    } catch {
      throw new RrdReadError('bad-address', m.hostId, '', `"${m.address.slice(0, 100)}" is not an address to reach`);
    }
    const where = `${endpoint.protocol}//${endpoint.host}${endpoint.pathname}`;
    if (endpoint.protocol !== 'https:' && !isLoopback(endpoint.hostname)) {
      throw new RrdReadError('insecure', m.hostId, where, 'refusing to send the session id over plain http to a non-loopback address: use https');
    }
    const url = new URL(endpoint.href);
    url.search = rrdQueryString(o, o.sessionId);
    const { status, body } = await this.get(url, m.hostId, where, o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (status === 401 || status === 403) throw new RrdReadError('unauthorised', m.hostId, where, `HTTP ${status}: the session was refused`, status);
    if (status !== 200) throw new RrdReadError('http', m.hostId, where, `HTTP ${status}`, status);
    try {
      return parseRrdUpdates(body);
    } catch (e) {
      if (e instanceof RrdFormatError) throw new RrdReadError('format', m.hostId, where, e.message, status);
      throw e;
    }
  }

  private get(url: URL, hostId: string, where: string, timeoutMs: number): Promise<{ status: number; body: string }> {
    const secure = url.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const fail = (e: Error): void => reject(failure(e, hostId, where, timeoutMs));
      const req = request(url, { method: 'GET', agent: secure ? this.httpsAgent : this.httpAgent, headers: { accept: 'application/json, text/xml' }, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy();
            reject(new RrdReadError('too-large', hostId, where, `the answer passed ${MAX_BODY_BYTES} bytes`));
          } else chunks.push(c);
        });
        res.on('error', fail);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', fail);
      req.end();
    });
  }
}

/**
 * The member's /rrd_updates URL: its address in place of the host of the base URL (scheme and port
 * kept; a port in the address wins). "a.b.c.d", "name", "fe80::1", "[fe80::1]:443" and
 * "127.0.0.1:4711" are read; anything else throws rather than fall back to the base URL's host
 * (URL's hostname setter ignores a value it cannot use, which would ask the master instead).
 */
export function memberEndpoint(baseUrl: string, address: string): URL {
  const base = new URL(baseUrl);
  const a = address.trim();
  let host = a;
  let port = base.port;
  const bracketed = /^\[([0-9A-Fa-f:.%]+)\](?::(\d+))?$/.exec(a);
  const colons = a.split(':').length - 1;
  if (bracketed) {
    host = `[${bracketed[1]}]`;
    if (bracketed[2]) port = bracketed[2];
  } else if (colons > 1) {
    host = `[${a}]`;
  } else if (colons === 1) {
    [host, port] = a.split(':');
    if (!/^\d+$/.test(port)) throw new Error(`bad port in ${a}`);
  }
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.%]+\])$/.test(host)) throw new Error(`not a host: ${host}`);
  return new URL(`${base.protocol}//${host}${port ? `:${port}` : ''}/rrd_updates`);
}

/** The query xapi's handler reads (start, cf, host, interval, json), the session first. */
export function rrdQueryString(q: RrdQuery, sessionId: string): string {
  const p = new URLSearchParams();
  p.set('session_id', sessionId);
  p.set('start', String(Math.trunc(q.start)));
  p.set('cf', q.cf ?? 'AVERAGE');
  if (q.host ?? true) p.set('host', 'true');
  p.set('interval', String(Math.trunc(q.interval ?? 60)));
  if ((q.format ?? 'json') === 'json') p.set('json', 'true');
  return p.toString();
}

function failure(e: Error, hostId: string, where: string, timeoutMs: number): RrdReadError {
  if (e instanceof RrdReadError) return e;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new RrdReadError('timeout', hostId, where, `no answer within ${timeoutMs} ms`);
  const code = (e as NodeJS.ErrnoException).code;
  const detail = code ? `${code}: ${e.message}` : e.message;
  return new RrdReadError(unreachableCause(code) === undefined ? 'tls' : 'unreachable', hostId, where, detail);
}
