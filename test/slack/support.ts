/**
 * Slack test helpers: requests signed as Slack signs them, an API stand-in that records every
 * call, and a loopback HTTP server that plays Slack's response_url / incoming webhook.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiRequest, ApiResponse, Role } from '../../lib/api/router.ts';
import { memoryReplayGuard, responseUrlPoster, signSlackRequest, type SlackDeps, type SlackHttpRequest } from '../../lib/slack/index.ts';
import { lineLog } from '../../lib/util/log.ts';

export const SECRET = 'test-signing-secret-0123456789abcdef';
export const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
export const NOW_S = Math.floor(NOW_MS / 1000);

export interface SignOptions {
  secret?: string;
  timestamp?: number;
  base64?: boolean;
}

export function signed(body: string, o: SignOptions = {}): SlackHttpRequest {
  const ts = o.timestamp ?? NOW_S;
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signSlackRequest(o.secret ?? SECRET, body, ts),
  };
  return o.base64 ? { headers, rawBody: Buffer.from(body, 'utf8').toString('base64'), isBase64Encoded: true } : { headers, rawBody: body };
}

export function commandBody(text: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T1',
    channel_id: 'C1',
    user_id: 'U_ALICE',
    user_name: 'alice',
    command: '/lowpower',
    text,
    trigger_id: '1.2.3',
    ...extra,
  }).toString();
}

export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function blockActions(o: { actionId: string; value?: string; responseUrl: string; userId?: string; userName?: string; messageTs?: string; actionTs?: string }): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'T1' },
    user: { id: o.userId ?? 'U_ALICE', username: o.userName ?? 'alice', name: o.userName ?? 'alice' },
    container: { type: 'message', message_ts: o.messageTs ?? '1736942400.000100', channel_id: 'C1', is_ephemeral: true },
    channel: { id: 'C1' },
    response_url: o.responseUrl,
    actions: [{ type: 'button', action_id: o.actionId, block_id: 'lowpower_confirm', value: o.value, action_ts: o.actionTs ?? '1736942401.000200' }],
  };
}

export type Responder = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

export interface RecordingApi {
  api: (req: ApiRequest) => Promise<ApiResponse>;
  calls: ApiRequest[];
}

export function recordingApi(responder: Responder): RecordingApi {
  const calls: ApiRequest[] = [];
  return {
    calls,
    api: async (req) => {
      calls.push(structuredClone(req));
      return responder(req);
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface CapturedPost {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export interface CaptureServer {
  url: (path?: string) => string;
  posts: CapturedPost[];
  /** Resolves once `n` posts have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<CapturedPost[]>;
  /** The status to answer with (200 "ok" by default). */
  answer: { status: number; text: string };
  stop(): Promise<void>;
}

export async function startCapture(): Promise<CaptureServer> {
  const posts: CapturedPost[] = [];
  const waiters: Array<() => void> = [];
  const answer = { status: 200, text: 'ok' };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        body = { unparsable: true };
      }
      posts.push({ path: req.url ?? '/', body, at: Date.now() });
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.text);
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/response') => `http://127.0.0.1:${port}${path}`,
    posts,
    answer,
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (posts.length < n) {
        if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${n} posts, got ${posts.length}`);
        await new Promise<void>((ok) => {
          waiters.push(ok);
          setTimeout(ok, 50);
        });
      }
      return posts;
    },
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Deps with an in-memory replay guard, the fixed clock, and a real poster allowed on loopback. */
export function slackDeps(api: RecordingApi['api'], over: Partial<SlackDeps> = {}): SlackDeps & { lines: string[] } {
  const lines: string[] = [];
  const roles: Record<string, Role> = { U_ALICE: 'operator', U_ADMIN: 'admin' };
  return {
    signingSecret: SECRET,
    replay: memoryReplayGuard(),
    roleOf: (id) => roles[id] ?? 'viewer',
    api,
    postToResponseUrl: responseUrlPoster({ allowLoopback: true, timeoutMs: 5000 }),
    now: () => NOW_MS,
    log: lineLog((l) => lines.push(l)),
    lines,
    ...over,
  };
}

/** Every text anywhere in a message, joined (for "does it mention X" checks). */
export function allText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(allText).join('\n');
  if (typeof v === 'object' && v !== null) return Object.values(v).map(allText).join('\n');
  return '';
}
