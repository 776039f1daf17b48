/**
 * The CLI's requests to the API carry the caller's token the way both ends read it
 * (`Authorization: Bearer <token>`: a deployed stack's JWT authorizer, the local runner's API
 * keys), from --token-file or $LOWPOWER_TOKEN, through one helper used by every API-speaking
 * command. Checked on real sockets: a loopback server that records what arrives, and the local
 * runner's own HTTP server with its real API keys.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiBaseUrl, apiTarget, checkToken } from '../../lib/cli/api-client.ts';
import { runPoolCommand } from '../../lib/cli/pool-command.ts';
import { runSimFaultCommand } from '../../lib/cli/sim-fault-command.ts';
import { loadOrCreateApiKeys, type ApiKeys } from '../../lib/local/api-keys.ts';
import { startHttpServer } from '../../lib/local/http-server.ts';
import type { ApiContext, Route } from '../../lib/api/types.ts';
import { capture } from './capture.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const PLAN = { sleep: ['host-3'], migrations: [], keep: [{ hostId: 'host-1', reason: 'pool master' }], hostsOn: 2, lowerBound: 2 };

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const dir = mkdtempSync(join(tmpdir(), 'lowpower-cli-token-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};

// ---- a loopback API that records every request ----

let recorder: Server;
let base = '';
const seen: Seen[] = [];

beforeAll(async () => {
  recorder = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = (status: number, v: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      // API Gateway's JWT authorizer answers a bad token in its own shape, not ours.
      if (req.headers.authorization === 'Bearer expired-token') return send(401, { message: 'Unauthorized' });
      if (req.url === '/v1/pools/pool-1/plan') return send(200, { plan: PLAN });
      if (req.url === '/v1/sim/faults') return send(200, { faults: [] });
      send(404, { error: { code: 'not_found', message: `no route ${req.method} ${req.url}` } });
    });
  });
  await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => recorder.close(() => r())));
afterEach(() => {
  seen.length = 0;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the token on every API request', () => {
  it('--token-file: Authorization: Bearer <the file\'s line>, the trailing newline dropped', async () => {
    vi.stubEnv('LOWPOWER_TOKEN', '');
    const r = await capture(() => runPoolCommand(['plan', 'pool-1', '--url', base, '--token-file', file('t1', `${TOKEN}\n`)]));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('sleep: host-3');
    expect(seen).toHaveLength(1);
    expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0].url).toBe('/v1/pools/pool-1/plan');
  });

  it('$LOWPOWER_TOKEN when no file is given; --token-file wins over it; $LOWPOWER_URL is the default API', async () => {
    vi.stubEnv('LOWPOWER_TOKEN', 'from-env');
    vi.stubEnv('LOWPOWER_URL', `${base}/`);
    expect((await capture(() => runPoolCommand(['plan', 'pool-1']))).code).toBe(0);
    expect((await capture(() => runPoolCommand(['plan', 'pool-1', '--token-file', file('t2', 'from-file')]))).code).toBe(0);
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer from-env', 'Bearer from-file']);
  });

  it('no token: no Authorization header at all (the local runner\'s anonymous role)', async () => {
    vi.stubEnv('LOWPOWER_TOKEN', '');
    expect((await capture(() => runPoolCommand(['plan', 'pool-1', '--url', base]))).code).toBe(0);
    expect(seen[0].headers).not.toHaveProperty('authorization');
    expect(seen[0].headers['x-actor']).toMatch(/^cli:/);
  });

  it('sim fault goes through the same helper (same header, same flags)', async () => {
    vi.stubEnv('LOWPOWER_TOKEN', '');
    const r = await capture(() => runSimFaultCommand(['list', '--url', base, '--token-file', file('t3', TOKEN)]));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('no fault is on');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/sim/faults' });
    expect(seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('a refused token is named by where it came from, never printed', async () => {
    vi.stubEnv('LOWPOWER_TOKEN', 'expired-token');
    const r = await capture(() => runPoolCommand(['plan', 'pool-1', '--url', base]));
    expect(r.code).toBe(1);
    expect(r.err).toContain('401 Unauthorized');
    expect(r.err).toContain('$LOWPOWER_TOKEN was refused');
    expect(r.err + r.out).not.toContain('expired-token');
  });

  it('a token file of two lines, an empty one, or a missing one is refused before any request', async () => {
    vi.stubEnv('LOWPOWER_TOKEN', '');
    for (const [path, why] of [
      [file('two', 'line-one\nline-two\n'), 'more than one line'],
      [file('empty', '\n'), 'is empty'],
      [join(dir, 'missing'), 'cannot read the token file'],
      [file('space', 'Bearer abc'), 'spaces'],
    ]) {
      const r = await capture(() => runPoolCommand(['plan', 'pool-1', '--url', base, '--token-file', path]));
      expect(r.code).toBe(1);
      expect(r.err).toContain(why);
      expect(r.err).not.toContain('line-two');
    }
    expect(seen).toHaveLength(0);
  });

  it('a token is never sent over plain http off this machine: refused before anything is sent', async () => {
    const spy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('no request may leave in this test'));
    vi.stubEnv('LOWPOWER_TOKEN', TOKEN);
    const r = await capture(() => runPoolCommand(['plan', 'pool-1', '--url', 'http://10.9.8.7:8080']));
    expect(r.code).toBe(1);
    expect(r.err).toContain('refusing to send the token from $LOWPOWER_TOKEN over plain http to 10.9.8.7:8080');
    const f = await capture(() => runSimFaultCommand(['list', '--url', 'http://lowpower.example.com']));
    expect(f.code).toBe(2);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('apiTarget / apiBaseUrl (no request)', () => {
  it('https anywhere and http on loopback carry a token; the base loses its trailing slash and keeps a base path', () => {
    expect(apiTarget({ url: 'https://abc123.execute-api.eu-central-1.amazonaws.com/' }, { LOWPOWER_TOKEN: 't' })).toEqual({ base: 'https://abc123.execute-api.eu-central-1.amazonaws.com', token: 't', tokenFrom: '$LOWPOWER_TOKEN' });
    expect(apiTarget({ url: 'http://localhost:8080' }, { LOWPOWER_TOKEN: 't' }).token).toBe('t');
    expect(apiTarget({ url: 'http://[::1]:8080' }, { LOWPOWER_TOKEN: 't' }).token).toBe('t');
    expect(apiBaseUrl('https://api.example.com/lowpower/')).toBe('https://api.example.com/lowpower');
    expect(apiTarget({}, {}).base).toBe('http://127.0.0.1:8080');
  });

  it('refuses URLs that are not an API base', () => {
    expect(() => apiBaseUrl('not a url')).toThrow(/not a URL/);
    expect(() => apiBaseUrl('ftp://x.example')).toThrow(/not http or https/);
    expect(() => apiBaseUrl('https://user:pw@x.example')).toThrow(/no user or password/);
    expect(() => apiBaseUrl('https://x.example/?a=1')).toThrow(/without \? or #/);
    expect(() => checkToken('a\u00e9b', 'x')).toThrow(/characters/);
  });
});

describe('against the local runner\'s HTTP server and its API keys', () => {
  let server: Server;
  let url = '';
  let keys: ApiKeys;
  // The pool route is a fixture here; what is real is the server, the key check and the role check.
  const route: Route = { method: 'GET', path: '/v1/pools/{id}/plan', role: 'operator', summary: 'plan (fixture)', run: async () => ({ status: 200, body: { plan: PLAN } }) };

  beforeAll(async () => {
    keys = await loadOrCreateApiKeys(join(dir, 'api-keys.json'));
    server = await startHttpServer({ routes: [route] } as unknown as ApiContext, 0, { keys, anonymousRole: null });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('the operator key from a file is accepted; the viewer key gets 403 for an operator route; no key gets 401 with a hint', async () => {
    vi.stubEnv('LOWPOWER_TOKEN', '');
    const ok = await capture(() => runPoolCommand(['plan', 'pool-1', '--url', url, '--token-file', file('op', `${keys.byRole.operator}\n`)]));
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('sleep: host-3');

    const low = await capture(() => runPoolCommand(['plan', 'pool-1', '--url', url, '--token-file', file('viewer', keys.byRole.viewer)]));
    expect(low.code).toBe(1);
    expect(low.err).toMatch(/403 .*has a role too low/);
    expect(low.err).not.toContain(keys.byRole.viewer);

    const none = await capture(() => runPoolCommand(['plan', 'pool-1', '--url', url]));
    expect(none.code).toBe(1);
    expect(none.err).toContain('401 an API key is required');
    expect(none.err).toContain('--token-file FILE or $LOWPOWER_TOKEN');
  });
});
