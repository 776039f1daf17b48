/**
 * The local HTTP server: node:http on 127.0.0.1 in front of the same API router the Lambda uses.
 * A request with `Authorization: Bearer <key>` gets that key's role; one without a key gets the
 * anonymous role (admin by default: the machine's own operator, as in the README's curl lines).
 * Other paths are handed to the extra handlers (the dashboard's files, the Slack endpoints).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Context } from 'aws-lambda';
import type { ApiContext, Role } from '../api/index.ts';
import { httpEvent, makeHttpHandler } from '../aws/index.ts';
import type { ApiKeys } from './api-keys.ts';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
}
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}
/** A handler for paths outside /v1; undefined when the path is not its own. */
export type ExtraHandler = (req: RawRequest) => Promise<RawResponse | undefined>;

export interface HttpServerOptions {
  keys?: ApiKeys;
  /** Role of a request without a key (default admin); undefined refuses such requests. */
  anonymousRole?: Role | null;
  extra?: ExtraHandler[];
}

const MAX_BODY = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<{ raw: string; tooLarge?: boolean }> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return { raw: '', tooLarge: true };
    chunks.push(c as Buffer);
  }
  return { raw: Buffer.concat(chunks).toString('utf8') };
}

const fail = (status: number, code: string, message: string): RawResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code, message } }) });

/** A Lambda context for handlers called in process. */
export const localLambdaContext = (name: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
  memoryLimitInMB: '1024',
  awsRequestId: `local-${Date.now()}`,
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * /v1 goes through the same middy handler as on Lambda: the API key stands in for API Gateway's
 * JWT authorizer and becomes the claims it would have passed.
 */
async function serveApi(api: ReturnType<typeof makeHttpHandler>, o: HttpServerOptions, r: RawRequest, query: Record<string, string>): Promise<RawResponse> {
  let claims: Record<string, string>;
  const auth = r.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/.exec(auth);
    const entry = m && o.keys?.check(m[1]);
    if (!entry) return fail(401, 'unauthorized', 'unknown API key');
    claims = { sub: `key:${entry.name}`, 'lowpower:role': entry.role };
  } else if (o.anonymousRole === null) {
    return fail(401, 'unauthorized', 'an API key is required (Authorization: Bearer <key>)');
  } else claims = { sub: r.headers['x-actor'] ?? 'local-api', 'lowpower:role': o.anonymousRole ?? 'admin' };
  const headers = { ...r.headers };
  delete headers.authorization;
  const out = await api(httpEvent({ method: r.method, path: r.path, query, headers, body: r.rawBody, claims }), localLambdaContext('http'));
  return { status: out.statusCode ?? 200, headers: { 'content-type': 'application/json' }, body: out.body ?? '' };
}

export function startHttpServer(ctx: ApiContext, port: number, o: HttpServerOptions = {}): Promise<Server> {
  const api = makeHttpHandler(async () => ctx);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const read = await readBody(req);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const raw: RawRequest = { method: req.method ?? 'GET', path: url.pathname, headers, rawBody: read.raw };
      let out: RawResponse | undefined;
      if (read.tooLarge) out = fail(413, 'too_large', 'request body over 64 KiB');
      else if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) out = await serveApi(api, o, raw, Object.fromEntries(url.searchParams));
      else for (const h of o.extra ?? []) if ((out = await h(raw))) break;
      out ??= fail(404, 'not_found', `no route ${raw.method} ${url.pathname}`);
      const body = typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
      res.writeHead(out.status, { ...out.headers, 'content-length': body.length });
      res.end(body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
