/**
 * serveStatic: the dashboard's files with their content types and ETags, 304 on a match, and
 * nothing outside the folder whatever the path says.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDir, dashboardHandler, serveStatic } from '../../lib/local/static-files.ts';
import { REPO } from '../support/peers.ts';

let base: string;
let dir: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'lowpower-static-'));
  dir = join(base, 'web');
  mkdirSync(join(dir, 'img'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'app.css'), 'body{}');
  writeFileSync(join(dir, 'img', 'moon.svg'), '<svg/>');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  writeFileSync(join(base, 'secret.txt'), 'outside');
  symlinkSync(join(base, 'secret.txt'), join(dir, 'link.txt'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('serveStatic', () => {
  it('serves / as index.html and each file with its content type, an ETag and no-cache', async () => {
    const root = await serveStatic(dir, '/');
    expect(root?.status).toBe(200);
    expect(root?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(root?.headers['content-security-policy']).toContain("default-src 'self'");
    expect(root?.body.toString()).toContain('<title>x</title>');
    const js = await serveStatic(dir, '/app.js');
    expect(js?.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    expect(js?.headers.etag).toMatch(/^"[\w-]{27}"$/);
    expect((await serveStatic(dir, '/app.css'))?.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await serveStatic(dir, '/img/moon.svg'))?.headers['content-type']).toBe('image/svg+xml');
  });

  it('answers 304 with no body when If-None-Match matches, and a new ETag when the file changes', async () => {
    const first = await serveStatic(dir, '/app.js');
    const etag = first?.headers.etag as string;
    const again = await serveStatic(dir, '/app.js', { 'if-none-match': etag });
    expect(again?.status).toBe(304);
    expect(again?.body.length).toBe(0);
    expect((await serveStatic(dir, '/app.js', { 'if-none-match': `"other", W/${etag}` }))?.status).toBe(304);
    writeFileSync(join(dir, 'app.js'), 'console.log(2) // changed');
    const changed = await serveStatic(dir, '/app.js', { 'if-none-match': etag });
    expect(changed?.status).toBe(200);
    expect(changed?.headers.etag).not.toBe(etag);
  });

  it('never leaves the folder: .., encoded .., backslashes, NUL, dotfiles, symlinks out', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/img/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/app.js%00.css', '/.env', '/link.txt', '/%E0%A4%A', '/nope.js', '/img/']) {
      expect(await serveStatic(dir, p), p).toBeUndefined();
    }
  });

  it('says how to build the page when it is missing', async () => {
    const r = await serveStatic(join(base, 'not-built'), '/');
    expect(r?.status).toBe(503);
    expect(r?.body.toString()).toContain('node scripts/build-web.mjs');
    expect(await serveStatic(join(base, 'not-built'), '/app.js')).toBeUndefined();
  });

  it('finds dist/web from the source tree, or where LOWPOWER_WEB_DIR says', () => {
    const saved = process.env.LOWPOWER_WEB_DIR;
    delete process.env.LOWPOWER_WEB_DIR;
    expect(dashboardDir()).toBe(join(REPO, 'dist/web/'));
    process.env.LOWPOWER_WEB_DIR = dir;
    expect(dashboardDir()).toBe(dir);
    if (saved === undefined) delete process.env.LOWPOWER_WEB_DIR;
    else process.env.LOWPOWER_WEB_DIR = saved;
  });

  it('as a server handler: GET and HEAD only, never /v1 or /slack', async () => {
    const handle = dashboardHandler(dir);
    expect((await handle({ method: 'GET', path: '/', headers: {} }))?.status).toBe(200);
    const head = await handle({ method: 'HEAD', path: '/app.css', headers: {} });
    expect(head?.status).toBe(200);
    expect(head?.body.length).toBe(0);
    expect(await handle({ method: 'POST', path: '/', headers: {} })).toBeUndefined();
    expect(await handle({ method: 'GET', path: '/v1/pools', headers: {} })).toBeUndefined();
    expect(await handle({ method: 'GET', path: '/slack/commands', headers: {} })).toBeUndefined();
  });
});
