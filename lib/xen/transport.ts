/**
 * One JSON-RPC exchange with XAPI over HTTP(S): POST <base>/jsonrpc, a deadline per request, keep-alive
 * connections, and TLS options for the pool's certificate (XAPI ships self-signed ones; pin a CA
 * rather than turning verification off). Everything that is not a well-formed JSON-RPC reply
 * becomes an XapiTransportError; a JSON-RPC error object is returned to the caller untouched.
 */
import http from 'node:http';
import https from 'node:https';
import { XapiTransportError } from './errors.ts';

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
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', method, params, id });
    const text = await this.post(endpoint, method, body, timeoutMs);
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      throw new XapiTransportError('protocol', displayUrl(endpoint), method, 'the reply is not JSON');
    }
    if (typeof reply !== 'object' || reply === null) throw new XapiTransportError('protocol', displayUrl(endpoint), method, 'the reply is not a JSON-RPC object');
    const r = reply as { id?: unknown; result?: unknown; error?: unknown };
    if (r.id !== id) throw new XapiTransportError('protocol', displayUrl(endpoint), method, `the reply answers id ${JSON.stringify(r.id)}, not ${id}`);
    if (r.error !== undefined && r.error !== null) return { ok: false, error: r.error };
    if (!('result' in r)) throw new XapiTransportError('protocol', displayUrl(endpoint), method, 'the reply has neither result nor error');
    return { ok: true, result: r.result };
  }

  private post(endpoint: URL, method: string, body: string, timeoutMs: number): Promise<string> {
    const secure = endpoint.protocol === 'https:';
    const request = secure ? https.request : http.request;
    const where = displayUrl(endpoint);
    return new Promise<string>((resolve, reject) => {
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
          res.on('error', (e) => reject(this.failure(e, where, method, timeoutMs)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(new XapiTransportError('http', where, method, `HTTP ${status}`, status));
              return;
            }
            resolve(text);
          });
        },
      );
      req.on('error', (e) => reject(this.failure(e, where, method, timeoutMs)));
      req.end(body);
    });
  }

  private failure(e: Error, where: string, method: string, timeoutMs: number): XapiTransportError {
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return new XapiTransportError('timeout', where, method, `no answer within ${timeoutMs} ms`);
    const code = (e as NodeJS.ErrnoException).code;
    return new XapiTransportError('network', where, method, code ? `${code}: ${e.message}` : e.message);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
