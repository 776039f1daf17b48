/**
 * `lowpower dashboard --url https://API [--port 8081]`: the dashboard for a deployed stack, served
 * from this machine. The page only ever calls the API on its own origin (its CSP allows nothing
 * else, and the deployed HTTP API has no CORS), so this serves the built page (dist/web) on
 * 127.0.0.1 and forwards its /v1 requests to the deployed API as they are: the browser's bearer
 * token (pasted into the page's key form) passes through, and nothing is added to it. The deployed
 * stack itself serves no page (its http function answers /v1 only).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dashboardDir, dashboardHandler } from '../local/index.ts';
import { apiBaseUrl, isLoopbackHost } from './api-client.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';

export const DASHBOARD_USAGE = `usage: lowpower dashboard --url URL [--port 8081] [--web-dir DIR]

Serves the dashboard on http://127.0.0.1:PORT/ for the lowpower API at URL (default
$LOWPOWER_URL): the page from dist/web (build it with "npm run build"), its API calls forwarded to
URL. Give the page your token in its key form (a deployed stack: the Cognito ID token; see the
README, "Deploy on AWS"). Ctrl-C stops it.
`;

const FLAGS: FlagSpec[] = [
  { names: ['--url'], value: true, key: 'url' },
  { names: ['--port', '-p'], value: true, key: 'port' },
  { names: ['--web-dir'], value: true, key: 'webDir' },
  { names: ['-h', '--help'], key: 'help' },
];

const MAX_BODY = 64 * 1024;
/** What the page sends and the API reads; nothing else (cookies, the browser's own headers) goes on. */
const FORWARD_REQUEST = ['authorization', 'content-type', 'accept', 'if-none-match'];
const FORWARD_RESPONSE = ['content-type', 'etag', 'cache-control'];

export interface DashboardProxyOptions {
  /** The API's base URL (apiBaseUrl form). */
  api: string;
  webDir: string;
  port: number;
  fetch?: typeof fetch;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

const json = (status: number, code: string, message: string): { status: number; headers: Record<string, string>; body: Buffer } => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ error: { code, message } })),
});

/** Only this machine's names: a page on another name that resolves here (DNS rebinding) gets nothing. */
function hostIsThisServer(host: string | undefined, port: number): boolean {
  try {
    const u = new URL(`http://${host ?? ''}`);
    return isLoopbackHost(u.hostname) && Number(u.port || 80) === port;
  } catch {
    return false;
  }
}

/** Starts the page-and-forwarder on 127.0.0.1; port 0 picks a free one. */
export function startDashboardProxy(o: DashboardProxyOptions): Promise<{ server: Server; url: string }> {
  const doFetch = o.fetch ?? fetch;
  const page = dashboardHandler(o.webDir);
  let port = o.port;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let out: { status: number; headers: Record<string, string>; body: Buffer };
      if (!hostIsThisServer(req.headers.host, port)) {
        out = json(421, 'wrong_host', 'this dashboard answers on 127.0.0.1 and localhost only');
      } else if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
        const body = await readBody(req);
        if (body === undefined) out = json(413, 'too_large', 'request body over 64 KiB');
        else {
          const headers: Record<string, string> = {};
          for (const h of FORWARD_REQUEST) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
          try {
            const r = await doFetch(`${o.api}${url.pathname}${url.search}`, { method: req.method, headers, body: body.length && req.method !== 'GET' && req.method !== 'HEAD' ? new Uint8Array(body) : undefined, redirect: 'manual' });
            const rh: Record<string, string> = {};
            for (const h of FORWARD_RESPONSE) {
              const v = r.headers.get(h);
              if (v) rh[h] = v;
            }
            out = { status: r.status, headers: rh, body: Buffer.from(await r.arrayBuffer()) };
          } catch {
            out = json(502, 'api_unreachable', `the lowpower API at ${o.api} did not answer`);
          }
        }
      } else {
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
        out = (await page({ method: req.method ?? 'GET', path: url.pathname, headers })) ?? json(404, 'not_found', `no file ${url.pathname}`);
      }
      res.writeHead(out.status, { ...out.headers, 'content-length': out.body.length });
      res.end(out.body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

export async function runDashboardCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(DASHBOARD_USAGE);
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const raw = typeof flags.url === 'string' ? flags.url : process.env.LOWPOWER_URL;
    if (!raw) throw new UsageError('give --url URL (the deployed API), or set $LOWPOWER_URL');
    const api = apiBaseUrl(raw);
    const u = new URL(api);
    // The page's token passes through here: it goes on over https, or to a local runner only.
    if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) throw new UsageError(`--url: tokens would cross plain http to ${u.host}; use https`);
    const port = intFlag(flags.port, '--port', 1, 65535) ?? 8081;
    const webDir = typeof flags.webDir === 'string' ? flags.webDir : dashboardDir();
    const { server, url } = await startDashboardProxy({ api, webDir, port });
    process.stdout.write(`lowpower dashboard: ${url} for the API at ${api}\n(the page asks for a token once and keeps it in this browser; Ctrl-C stops)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await new Promise<void>((r) => server.close(() => r()));
    return 0;
  } catch (e) {
    process.stderr.write(`lowpower dashboard: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
