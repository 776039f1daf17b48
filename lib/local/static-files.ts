/**
 * The dashboard's built files (dist/web) served by the local runner: `/` is index.html, other
 * paths map to files inside the folder and nothing outside it (no `..`, no dotfiles, no symlink
 * out). Each answer has its content type, a strong ETag (SHA-256 of the bytes) and
 * `Cache-Control: no-cache`, so a browser revalidates and gets a 304 when nothing changed; the HTML
 * carries a Content-Security-Policy that allows only the page's own origin.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Only the page's own origin: scripts, styles, API calls. Inline SVG built by script is fine. */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Cached {
  mtimeMs: number;
  size: number;
  body: Buffer;
  etag: string;
}
const cache = new Map<string, Cached>();

/** The file a URL path names inside `root`, or undefined when it names none (or tries to leave). */
async function fileFor(root: string, urlPath: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  if (path === '' || path.endsWith('/')) path += 'index.html';
  const segments = path.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
  const candidate = resolve(root, ...segments);
  if (!candidate.startsWith(root + sep)) return undefined;
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return undefined;
  }
  // A symlink inside the folder may not lead out of it.
  return real.startsWith(root + sep) ? real : undefined;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

/**
 * Serve `urlPath` from `dir`. Undefined when the path names no file there, so the caller answers
 * with its own 404. Pass the request headers to get 304 answers for a matching If-None-Match.
 */
export async function serveStatic(dir: string, urlPath: string, requestHeaders: Record<string, string | undefined> = {}): Promise<StaticResponse | undefined> {
  let root: string;
  try {
    root = await realpath(resolve(dir));
  } catch {
    root = resolve(dir);
  }
  const file = await fileFor(root, urlPath);
  if (!file) {
    // The page itself missing means the dashboard was not built: say how, rather than a bare 404.
    if (urlPath === '/' || urlPath === '/index.html') {
      return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: Buffer.from(`The dashboard is not built yet: run  node scripts/build-web.mjs  (it writes ${join(dir, 'index.html')}).\n`) };
    }
    return undefined;
  }
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  let entry = cache.get(file);
  if (!entry || entry.mtimeMs !== st.mtimeMs || entry.size !== st.size) {
    const body = await readFile(file);
    entry = { mtimeMs: st.mtimeMs, size: st.size, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    cache.set(file, entry);
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'content-type': type,
    etag: entry.etag,
    // Names carry no hash, so revalidate every time; a match costs a 304 with no body.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'last-modified': new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString(),
  };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = DASHBOARD_CSP;
    headers['referrer-policy'] = 'no-referrer';
    headers['x-frame-options'] = 'DENY';
  }
  if (etagMatches(requestHeaders['if-none-match'], entry.etag)) return { status: 304, headers, body: Buffer.alloc(0) };
  return { status: 200, headers, body: entry.body };
}

/**
 * Where `node scripts/build-web.mjs` puts the dashboard, seen from this module both as a source
 * file (lib/local/ -> ../../dist/web) and inside the CLI bundle (dist/lowpower.mjs -> ./web).
 * LOWPOWER_WEB_DIR overrides both.
 */
export function dashboardDir(): string {
  if (process.env.LOWPOWER_WEB_DIR) return resolve(process.env.LOWPOWER_WEB_DIR);
  const candidates = [new URL('../../dist/web/', import.meta.url), new URL('./web/', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0];
}

/**
 * The same as an extra handler for the local HTTP server: GET and HEAD of anything outside /v1 and
 * /slack. Usage: `extra: [dashboardHandler(join(REPO, 'dist/web'))]`.
 */
export function dashboardHandler(dir: string): (req: { method: string; path: string; headers: Record<string, string | undefined> }) => Promise<StaticResponse | undefined> {
  return async (req) => {
    if (req.path === '/v1' || req.path.startsWith('/v1/') || req.path === '/slack' || req.path.startsWith('/slack/')) return undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const res = await serveStatic(dir, req.path, req.headers);
    if (res && req.method === 'HEAD') return { ...res, body: Buffer.alloc(0) };
    return res;
  };
}
