/**
 * `lowpower dashboard --url API`: the page from a local folder, its /v1 calls forwarded to the API
 * with the browser's bearer token and nothing else (no cookies), answers passed back as they are;
 * other host names refused. Real sockets: an upstream API on loopback that records what arrives.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDashboardCommand, startDashboardProxy } from '../../lib/cli/dashboard-command.ts';
import { capture } from './capture.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
let upstream: Server;
let proxy: Server;
let page = '';
let apiBase = '';

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.headers.authorization !== 'Bearer id-token') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ message: 'Unauthorized' }));
      }
      res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json', etag: '"v1"', 'set-cookie': 'tracking=1' });
      res.end(JSON.stringify({ pools: [{ id: 'pool-1' }] }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  // The API as a deployed stack's would be: a base with a path (a custom domain's mapping).
  apiBase = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/base`;
  const web = mkdtempSync(join(tmpdir(), 'lowpower-dash-'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>lowpower</title><script type="module" src="app.js"></script>');
  writeFileSync(join(web, 'app.js'), 'export {};');
  const started = await startDashboardProxy({ api: apiBase, webDir: web, port: 0 });
  proxy = started.server;
  page = started.url;
});
afterAll(async () => {
  await new Promise<void>((r) => proxy.close(() => r()));
  await new Promise<void>((r) => upstream.close(() => r()));
});
beforeEach(() => {
  seen.length = 0;
});

/** A raw request, so the Host header can be what a browser on another name would send. */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const u = new URL(page);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('lowpower dashboard', () => {
  it('serves the page with its own-origin CSP', async () => {
    const r = await fetch(page);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>lowpower</title>');
    expect(r.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect((await fetch(`${page}app.js`)).status).toBe(200);
    expect(seen).toHaveLength(0);
  });

  it('forwards /v1 with the bearer token, the query and the body; drops cookies both ways', async () => {
    const get = await fetch(`${page}v1/pools?limit=5`, { headers: { authorization: 'Bearer id-token', cookie: 'session=abc', accept: 'application/json' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ pools: [{ id: 'pool-1' }] });
    expect(get.headers.get('etag')).toBe('"v1"');
    expect(get.headers.get('set-cookie')).toBeNull();
    const post = await fetch(`${page}v1/pools/pool-1/sleep`, { method: 'POST', headers: { authorization: 'Bearer id-token', 'content-type': 'application/json' }, body: '{"reason":"night"}' });
    expect(post.status).toBe(202);
    expect(seen.map((s) => [s.method, s.url, s.headers.authorization, s.body])).toEqual([
      ['GET', '/base/v1/pools?limit=5', 'Bearer id-token', ''],
      ['POST', '/base/v1/pools/pool-1/sleep', 'Bearer id-token', '{"reason":"night"}'],
    ]);
    expect(seen[0].headers.cookie).toBeUndefined();
  });

  it('passes the API\'s refusal back as it is (the page then asks for a token)', async () => {
    const r = await fetch(`${page}v1/me`, { headers: { authorization: 'Bearer stale' } });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ message: 'Unauthorized' });
  });

  it('answers only to 127.0.0.1 and localhost (no DNS rebinding), forwarding nothing otherwise', async () => {
    const port = new URL(page).port;
    expect((await raw('/v1/pools', { host: `localhost:${port}`, authorization: 'Bearer id-token' })).status).toBe(200);
    const evil = await raw('/v1/pools', { host: `evil.example:${port}`, authorization: 'Bearer id-token' });
    expect(evil.status).toBe(421);
    expect((await raw('/', { host: 'localhost:1' })).status).toBe(421);
    expect(seen).toHaveLength(1);
  });

  it('an API that does not answer is a 502 naming it', async () => {
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    const p = await startDashboardProxy({ api: `http://127.0.0.1:${port}`, webDir: tmpdir(), port: 0 });
    try {
      const r = await fetch(`${p.url}v1/pools`);
      expect(r.status).toBe(502);
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain(`http://127.0.0.1:${port} did not answer`);
    } finally {
      await new Promise<void>((r) => p.server.close(() => r()));
    }
  });

  it('refuses an API over plain http off this machine, and no URL at all', async () => {
    const r = await capture(() => runDashboardCommand(['--url', 'http://api.example.com']));
    expect(r.code).toBe(2);
    expect(r.err).toContain('use https');
    const none = await capture(() => runDashboardCommand(['--url', '']));
    expect(none.code).toBe(2);
  });
});
