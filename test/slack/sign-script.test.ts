/**
 * scripts/slack-sign.mjs against the Slack endpoint as the local runner would serve it
 * (slackNodeHandler on node:http), and its printed curl command checked by the verifier.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackNodeHandler, verifySlackRequest } from '../../lib/slack/index.ts';
import { fakeApi } from './fake-api.ts';
import { SECRET, recordingApi, slackDeps, type RecordingApi } from './support.ts';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/slack-sign.mjs', import.meta.url).pathname;

let server: Server;
let base: string;
let rec: RecordingApi;

beforeAll(async () => {
  rec = recordingApi(fakeApi);
  // The real clock here: the script signs with the time now.
  const handle = slackNodeHandler(slackDeps(rec.api, { now: () => Date.now() }));
  server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
});

const sign = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 });

describe('scripts/slack-sign.mjs', () => {
  it('--send posts a signed command that the endpoint accepts', async () => {
    const { stdout } = await sign(['--url', `${base}/slack/commands`, '--text', 'sensors h1', '--user', 'U_ALICE', '--send'], { SLACK_SIGNING_SECRET: SECRET });
    expect(stdout).toMatch(/^HTTP 200\n/);
    expect(stdout).toMatch(/CPU\s+61/);
    expect(rec.calls.at(-1)).toMatchObject({ path: '/v1/hosts/h1', actor: 'slack:local', role: 'operator' });
  });

  it('with the wrong secret the endpoint says 401 and the API is not asked', async () => {
    const before = rec.calls.length;
    await expect(sign(['--url', `${base}/slack/commands`, '--secret', 'wrong', '--text', 'status', '--send'])).rejects.toMatchObject({ stdout: expect.stringMatching(/HTTP 401[\s\S]*signature_mismatch/) });
    expect(rec.calls.length).toBe(before);
  });

  it('prints a curl command whose signature verifies over its exact body', async () => {
    const { stdout } = await sign(['--url', `${base}/slack/commands`, '--secret', SECRET, '--text', "hold pool-1 until 08:00 it's late", '--timestamp', '1736942400']);
    expect(stdout.startsWith(`curl -sS -X POST '${base}/slack/commands'`)).toBe(true);
    const header = (name: string): string => new RegExp(`-H '${name}: ([^']+)'`).exec(stdout)?.[1] ?? '';
    const body = (/--data-raw '((?:[^']|'\\'')*)'\n?$/.exec(stdout)?.[1] ?? '').replace(/'\\''/g, "'");
    expect(new URLSearchParams(body).get('text')).toBe("hold pool-1 until 08:00 it's late");
    const v = verifySlackRequest({ signingSecret: SECRET, headers: { 'x-slack-signature': header('X-Slack-Signature'), 'x-slack-request-timestamp': header('X-Slack-Request-Timestamp') }, rawBody: body, nowSeconds: 1736942400 });
    expect(v.timestamp).toBe(1736942400);
  });

  it('without a secret it explains itself and exits 2', async () => {
    await expect(sign(['--url', `${base}/slack/commands`, '--text', 'status'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('SLACK_SIGNING_SECRET') });
  });

  it('the node handler answers only its two paths and only POST', async () => {
    expect((await fetch(`${base}/slack/commands`)).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/slack/commands`, { method: 'POST', body: 'x'.repeat(70 * 1024) })).status).toBe(413);
  });
});
