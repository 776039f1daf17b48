/**
 * `lowpower doctor` against APIs that misbehave in the ways a deployment can: a Slack endpoint that
 * takes unsigned requests (its signature check is off), one with no signing secret, none at all,
 * an API without /v1/doctor, one that refuses the token, one that is not there. A loopback server
 * on real sockets plays each; what arrives is recorded (the token goes to /v1 only).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatCheck, runDoctorCommand } from '../../lib/cli/doctor-command.ts';
import { freePort } from '../support/peers.ts';
import { capture } from './capture.ts';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2ln';
const CHECKS = [
  { kind: 'xapi', name: 'XAPI p1', status: 'ok', detail: 'https://10.10.0.10 answers', pool: 'p1', ms: 12 },
  { kind: 'bmc', name: 'BMC h1', status: 'ok', detail: 'ipmi at 10.20.0.21:623 answers: power on', pool: 'p1', host: 'h1', ms: 30 },
  { kind: 'binding', name: 'binding h1', status: 'warn', detail: 'unverified: no serial', fix: 'check it by hand, then trust it', pool: 'p1', host: 'h1', ms: 0 },
];

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}
let server: Server;
let base = '';
const seen: Seen[] = [];
/** What the server does, per test. */
let slack: { status: number; body: unknown } = { status: 401, body: { error: 'unauthorized', reason: 'missing_headers' } };
let doctorRoute = true;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const send = (status: number, v: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (req.url === '/slack/commands') return send(slack.status, slack.body);
      if (req.headers.authorization === 'Bearer expired') return send(401, { message: 'Unauthorized' });
      if (req.url === '/v1/me') return send(200, { actor: 'bob@example.com', role: 'operator' });
      if (req.url === '/v1/doctor' && doctorRoute) return send(200, { checkedAt: '2026-01-01T00:00:00.000Z', summary: { ok: 2, warn: 1, fail: 0 }, checks: CHECKS });
      send(404, { error: { code: 'not_found', message: `no route ${req.method} ${req.url}` } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  slack = { status: 401, body: { error: 'unauthorized', reason: 'missing_headers' } };
  doctorRoute = true;
});

const tokenFile = (token: string): string => {
  const f = join(mkdtempSync(join(tmpdir(), 'lowpower-doctor-cli-')), 'token');
  writeFileSync(f, token, { mode: 0o600 });
  return f;
};
const doctor = (...args: string[]) => capture(() => runDoctorCommand(['--url', base, ...args], { env: {} }));

describe('lowpower doctor', () => {
  it('prints one line per check (✓ ! ✗) with what to do; warnings alone exit 0; the token goes to /v1 only', async () => {
    const r = await doctor('--token-file', tokenFile(TOKEN));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      `✓ API: ${base} answers (you are bob@example.com)`,
      '✓ role: operator: reads and acts: power, sleep, wake, schedules (inventory needs admin)',
      '✓ XAPI p1: https://10.10.0.10 answers',
      '✓ BMC h1: ipmi at 10.20.0.21:623 answers: power on',
      '! binding h1: unverified: no serial → check it by hand, then trust it',
      `✓ Slack signature check: ${base}/slack/commands refuses an unsigned request (401)`,
      '5 ok, 1 to look at, 0 failed',
      '',
    ]);
    const slackCall = seen.find((s) => s.url === '/slack/commands')!;
    expect(slackCall.method).toBe('POST');
    expect(slackCall.headers.authorization).toBeUndefined();
    expect(slackCall.headers['x-slack-signature']).toBeUndefined();
    expect(seen.filter((s) => s.url.startsWith('/v1/')).every((s) => s.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('a Slack endpoint that answers an unsigned request with 200 has its signature check off: a failure, exit 1', async () => {
    slack = { status: 200, body: { response_type: 'ephemeral', text: 'help' } };
    const r = await doctor();
    expect(r.code).toBe(1);
    expect(r.out).toContain(`✗ Slack signature check: ${base}/slack/commands accepted an unsigned request (200): the signature check is off → `);
  });

  it('no signing secret is a failure saying where to put it; no Slack endpoint at all is a warning', async () => {
    slack = { status: 500, body: { error: 'not_configured' } };
    let r = await doctor();
    expect(r.code).toBe(1);
    expect(r.out).toContain('has no signing secret → put the Slack app\'s signing secret: lowpower secrets put slack-signing-secret');
    slack = { status: 404, body: { message: 'Not Found' } };
    r = await doctor();
    expect(r.code).toBe(0);
    expect(r.out).toContain(`! Slack signature check: no Slack endpoint at ${base}/slack/commands → `);
  });

  it('an API without /v1/doctor: the service checks fail with what to do', async () => {
    doctorRoute = false;
    const r = await doctor();
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ service checks: this API has no /v1/doctor → deploy this version of lowpower');
  });

  it('a refused token: the API line fails with how to get a new one; the service checks are not run', async () => {
    const r = await doctor('--token-file', tokenFile('expired'));
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^✗ API: GET \/v1\/me: 401 Unauthorized .* → get a fresh token \(README, "A token for the CLI"\) and give it with --token-file$/);
    expect(lines[1]).toBe('! service checks: not run: the API did not answer → fix the API line first');
    expect(seen.some((s) => s.url === '/v1/doctor')).toBe(false);
  });

  it('nobody at --url: the API and Slack lines fail, saying to start the local runner', async () => {
    // freePort's TCP port is p + 1: nothing listens there.
    const closed = (await freePort()) + 1;
    const r = await capture(() => runDoctorCommand(['--url', `http://127.0.0.1:${closed}`, '--json'], { env: {} }));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { ok: boolean; summary: Record<string, number>; checks: Array<{ name: string; status: string; fix?: string }> };
    expect(report).toMatchObject({ ok: false, summary: { ok: 0, warn: 1, fail: 2 } });
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['API', 'fail'],
      ['service checks', 'warn'],
      ['Slack signature check', 'fail'],
    ]);
    expect(report.checks[0].fix).toBe('start the local runner (npm start), or give --url');
  });

  it('bad usage is one line on stderr and exit 1; a plain-http token elsewhere than loopback is refused before anything is sent', async () => {
    let r = await doctor('extra');
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toMatch(/^lowpower doctor: doctor takes no arguments/);
    r = await capture(() => runDoctorCommand(['--url', 'http://lowpower.example.com', '--token-file', tokenFile(TOKEN)], { env: {} }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refusing to send the token .* over plain http/);
    expect(r.err).not.toContain(TOKEN);
  });

  it('formats ok lines without a fix even when one is given', () => {
    expect(formatCheck({ name: 'x', status: 'ok', detail: 'fine', fix: 'never shown' })).toBe('✓ x: fine');
    expect(formatCheck({ name: 'x', status: 'fail', detail: 'broken', fix: 'mend it' })).toBe('✗ x: broken → mend it');
  });
});
