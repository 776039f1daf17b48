/**
 * `GET /rrd_updates` on a simulated host, and the HTTP endpoint every non-master host gets of its
 * own (a port of 127.0.0.1 that its host.address names), since each xapi host serves the RRDs of
 * itself and its resident VMs only. As xapi: the session comes as the `session_id` query
 * parameter (or HTTP Basic credentials); without a valid one the answer is 401; a query the
 * handler cannot read is a 500; JSON with `json` in the query, else XML (text/xml). A host whose
 * OS is down, or whose agent is not up (not live), does not answer at all: the connection drops.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Ref } from '../../xen/index.ts';
import type { LoadModel } from './load-model.ts';
import type { PoolCore } from './pool-core.ts';
import { hostRrdExport, parseRrdQuery, RrdQueryError } from './rrd-export.ts';
import { rrdJson, rrdXml } from './rrd-format.ts';

export interface RrdHttpContext {
  pool: PoolCore;
  load: LoadModel;
  now: () => number;
  /** When the simulation began (hosts up since then have their history). */
  startedAt: number;
  /** Guests without an agent: no memory_internal_free. */
  noAgent: ReadonlySet<Ref>;
  /** A session xapi knows. */
  sessionValid(sessionId: string): boolean;
  /** The pool's credentials, for HTTP Basic. */
  credentials: { user: string; password: string };
  /** Follow the power links before answering. */
  refresh(): void;
}

/** Whether the host's xapi would answer now. */
export function hostAnswers(c: RrdHttpContext, hostRef: Ref): boolean {
  c.refresh();
  return c.pool.hostRuntime(hostRef).link.osRunning && c.pool.isLive(hostRef);
}

/** Answer one GET /rrd_updates as the host `hostRef`. */
export function serveRrdUpdates(c: RrdHttpContext, hostRef: Ref, req: IncomingMessage, res: ServerResponse): void {
  if (!hostAnswers(c, hostRef)) {
    req.socket.destroy();
    return;
  }
  const query = new URL(req.url ?? '/', 'http://sim').searchParams;
  if (!authorised(c, req, query)) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="xapi"', 'content-type': 'text/html' }).end('<html><body><h1>HTTP 401 unauthorised</h1></body></html>');
    return;
  }
  let body: string;
  let json: boolean;
  try {
    const request = parseRrdQuery(query);
    json = request.json;
    const doc = hostRrdExport(c.pool, c.load, hostRef, request, { nowMs: c.now(), startedAt: c.startedAt, noAgent: c.noAgent });
    body = json ? rrdJson(doc) : rrdXml(doc);
  } catch (e) {
    // xapi answers an exception in a handler with a 500; the query's fault is named, anything else is not.
    const why = e instanceof RrdQueryError ? e.message : 'internal error';
    res.writeHead(500, { 'content-type': 'text/html' }).end(`<html><body><h1>HTTP 500 internal server error</h1>${why}</body></html>`);
    return;
  }
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body), 'access-control-allow-origin': '*', 'access-control-allow-headers': 'X-Requested-With' };
  // xapi names no type for its JSON answer.
  if (!json) headers['content-type'] = 'text/xml';
  res.writeHead(200, headers).end(body);
}

function authorised(c: RrdHttpContext, req: IncomingMessage, query: URLSearchParams): boolean {
  const session = query.get('session_id');
  if (session !== null) return c.sessionValid(session);
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!basic) return false;
  const text = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon > 0 && text.slice(0, colon) === c.credentials.user && text.slice(colon + 1) === c.credentials.password;
}

export interface HostEndpoint {
  hostRef: Ref;
  port: number;
  /** "127.0.0.1:<port>", what the host's record gives as its address. */
  address: string;
  close(): Promise<void>;
}

/** A host's own HTTP endpoint on a free 127.0.0.1 port: /rrd_updates, and 404 for anything else. */
export async function startHostEndpoint(c: RrdHttpContext, hostRef: Ref): Promise<HostEndpoint> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/rrd_updates') {
      serveRrdUpdates(c, hostRef, req, res);
      return;
    }
    if (!hostAnswers(c, hostRef)) {
      req.socket.destroy();
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: this simulated pool member serves GET /rrd_updates only\n');
  });
  // A machine that is off takes no connection: drop it at once (the client sees a reset).
  server.on('connection', (socket) => {
    if (!hostAnswers(c, hostRef)) socket.destroy();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    hostRef,
    port,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
