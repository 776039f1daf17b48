/**
 * One HTTP exchange with a BMC: a JSON request, a deadline over the whole of it (connect, TLS,
 * answer), a bounded answer size, and errors that say whether the request may have reached the BMC.
 * Reads reuse one kept-alive connection; a request that changes something goes on a fresh one, so
 * a connection the BMC closed while idle can never make a reset's fate unclear.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { RedfishConnectionError, RedfishError, RedfishProtocolError, RedfishTimeoutError } from '../errors.ts';
import { BmcAgent } from './connect.ts';
import type { ResolvedEndpoint } from './endpoint.ts';
import type { TlsTrust } from './tls-trust.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RawRequest {
  method: HttpMethod;
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON answer, or undefined when there was none. */
  body: unknown;
}

export interface TransportOptions {
  /** Deadline of one exchange (default 10 s). */
  timeoutMs?: number;
  /** Largest answer accepted (default 32 MiB). */
  maxBodyBytes?: number;
}

export class HttpTransport {
  private readonly pooled: BmcAgent;
  private readonly single: BmcAgent;
  readonly timeoutMs: number;
  private readonly maxBodyBytes: number;

  constructor(
    readonly ep: ResolvedEndpoint,
    readonly trust: TlsTrust,
    o: TransportOptions = {},
  ) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxBodyBytes = o.maxBodyBytes ?? 32 * 1024 * 1024;
    this.pooled = new BmcAgent(ep, trust, this.timeoutMs, true);
    this.single = new BmcAgent(ep, trust, this.timeoutMs, false);
  }

  send(r: RawRequest, timeoutMs = this.timeoutMs): Promise<RawResponse> {
    const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body), 'utf8');
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'OData-Version': '4.0',
      'User-Agent': 'lowpower-redfish',
      ...(payload ? { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(payload.length) } : {}),
      ...r.headers,
    };
    const label = this.ep.label;
    return new Promise<RawResponse>((resolve, reject) => {
      let sent = false;
      let done = false;
      const fail = (e: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(e);
      };
      const req = request({
        host: this.ep.host,
        port: this.ep.port,
        method: r.method,
        path: r.path,
        headers,
        agent: r.method === 'GET' ? this.pooled : this.single,
      });
      const timer = setTimeout(() => {
        fail(new RedfishTimeoutError(label, r.method, r.path, timeoutMs, sent));
        req.destroy();
      }, timeoutMs);
      // A socket is handed over only connected (and verified): from here on the BMC may see the request.
      req.once('socket', () => (sent = true));
      req.on('error', (e: Error & { code?: string }) => {
        if (e instanceof RedfishError) fail(e);
        else fail(new RedfishConnectionError(label, r.method, r.path, e.code ?? e.message, sent));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxBodyBytes) {
            fail(new RedfishProtocolError(`${label}: ${r.method} ${r.path}: answer larger than ${this.maxBodyBytes} bytes`));
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e: Error & { code?: string }) => fail(new RedfishConnectionError(label, r.method, r.path, e.code ?? e.message, true)));
        res.on('end', () => {
          if (done) return;
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          if (text.trim()) {
            try {
              body = JSON.parse(text);
            } catch {
              // An error page in HTML says nothing we can use; a success must be JSON.
              if (status < 300 && String(res.headers['content-type'] ?? '').includes('json')) {
                fail(new RedfishProtocolError(`${label}: ${r.method} ${r.path}: the answer is not JSON`));
                return;
              }
            }
          }
          done = true;
          clearTimeout(timer);
          resolve({ status, headers: res.headers, body });
        });
      });
      req.end(payload);
    });
  }

  close(): void {
    this.pooled.destroy();
    this.single.destroy();
  }
}
