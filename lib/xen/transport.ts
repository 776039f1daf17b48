/**
 * One JSON-RPC exchange with XAPI over HTTP(S): POST <base>/jsonrpc, a deadline per request, keep-alive
 * connections, and TLS options for the pool's certificate (XAPI ships self-signed ones; pin a CA
 * rather than turning verification off). A JSON-RPC error object is returned to the caller
 * untouched. Nobody answering (refused, reset, deadline passed, name not resolved, HTTP 5xx with no
 * JSON-RPC reply in it) becomes an XapiUnreachableError; anything else that is not a well-formed
 * JSON-RPC reply (4xx, TLS refusal, garbage) an XapiTransportError.
 */
import http from 'node:http';
import https from 'node:https';
import { unreachableCause, XapiTransportError, XapiUnreachableError } from './errors.ts';

export interface TlsOptions {
  /** PEM of the CA (or the pool's own certificate) to trust. */
  ca?: string | string[];
  /** false accepts any certificate: for labs only. */
  rejectUnauthorized?: boolean;
}

export type JsonRpcReply = { ok: true; result: unknown } | { ok: false; error: unknown };

/** The endpoint without user info, for messages. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export class JsonRpcTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly httpsAgent: https.Agent;
  private nextId = 1;

  constructor(tls: TlsOptions = {}) {
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized ?? true });
  }

  /** POST one request to `<base>/jsonrpc` and return the reply's result or error object. */
  async exchange(base: URL, method: string, params: unknown[], timeoutMs: number): Promise<JsonRpcReply> {
    const endpoint = new URL('jsonrpc', base.href.endsWith('/') ? base : new URL(`${base.href}/`));
    const where = displayUrl(endpoint);
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', method, params, id });
    const { status, text } = await this.post(endpoint, method, body, timeoutMs);
    const ok = status >= 200 && status < 300;
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      reply = undefined;
    }
    const r = typeof reply === 'object' && reply !== null ? (reply as { id?: unknown; result?: unknown; error?: unknown }) : undefined;
    if (!ok) {
      // A 5xx that still carries the JSON-RPC answer to this request is an answer; one without is an outage.
      const answered = r !== undefined && r.id === id && ((r.error !== undefined && r.error !== null) || 'result' in r);
      if (!answered) {
        if (status >= 500) throw new XapiUnreachableError(endpoint.host, 'http-5xx', where, method, `HTTP ${status}`, status);
        throw new XapiTransportError('http', where, method, `HTTP ${status}`, status);
      }
    }
    if (reply === undefined) throw new XapiTransportError('protocol', where, method, 'the reply is not JSON');
    if (!r) throw new XapiTransportError('protocol', where, method, 'the reply is not a JSON-RPC object');
    if (r.id !== id) throw new XapiTransportError('protocol', where, method, `the reply answers id ${JSON.stringify(r.id)}, not ${id}`);
    if (r.error !== undefined && r.error !== null) return { ok: false, error: r.error };
    if (!('result' in r)) throw new XapiTransportError('protocol', where, method, 'the reply has neither result nor error');
    return { ok: true, result: r.result };
  }

  private post(endpoint: URL, method: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
    const secure = endpoint.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        endpoint,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(transportFailure(e, endpoint, method, timeoutMs)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', (e) => reject(transportFailure(e, endpoint, method, timeoutMs)));
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** A socket, lookup, TLS or deadline failure as a typed error (the endpoint without user info). */
export function transportFailure(e: Error, endpoint: URL, method: string, timeoutMs: number): XapiTransportError {
  const where = displayUrl(endpoint);
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new XapiUnreachableError(endpoint.host, 'timeout', where, method, `no answer within ${timeoutMs} ms`);
  const code = (e as NodeJS.ErrnoException).code;
  const detail = code ? `${code}: ${e.message}` : e.message;
  const cause = unreachableCause(code);
  if (cause === undefined) return new XapiTransportError('tls', where, method, detail);
  return new XapiUnreachableError(endpoint.host, cause, where, method, detail);
}
