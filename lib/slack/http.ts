/**
 * The two transports in front of the Slack core: node:http (the local runner) and API Gateway
 * (the Lambda). Both pass the body through untouched, as base64 when it arrived as bytes, so the
 * signature is checked over exactly what Slack signed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleSlackCommand, handleSlackInteraction, type SlackDeps, type SlackHttpRequest, type SlackHttpResponse } from './handler.ts';
import { errorField } from '../util/index.ts';

export const SLACK_COMMANDS_PATH = '/slack/commands';
export const SLACK_INTERACTIONS_PATH = '/slack/interactions';
/** Slack's payloads are a few KiB; anything far larger is not from Slack. */
export const SLACK_MAX_BODY = 64 * 1024;

export interface SlackNodeOptions {
  commandsPath?: string;
  interactionsPath?: string;
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body, or undefined past `limit` bytes (the rest is drained, so the answer still arrives). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/**
 * A node:http request handler for the two Slack paths; resolves false for any other path (so it
 * can sit in front of the API server). `after` runs once the answer is sent.
 */
export function slackNodeHandler(deps: SlackDeps, o: SlackNodeOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const commands = o.commandsPath ?? SLACK_COMMANDS_PATH;
  const interactions = o.interactionsPath ?? SLACK_INTERACTIONS_PATH;
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== commands && path !== interactions) return false;
    if (req.method !== 'POST') {
      send(res, 405, { error: 'method_not_allowed' });
      return true;
    }
    const raw = await readLimited(req, SLACK_MAX_BODY).catch(() => null);
    if (raw === null) {
      // The client went away mid-body: nobody to answer.
      res.destroy();
      return true;
    }
    if (!raw) {
      send(res, 413, { error: 'too_large' });
      return true;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const request: SlackHttpRequest = { headers, rawBody: raw.toString('base64'), isBase64Encoded: true };
    let out: SlackHttpResponse;
    try {
      out = path === commands ? await handleSlackCommand(deps, request) : await handleSlackInteraction(deps, request);
    } catch (e) {
      deps.log?.('slack-request-failed', { path, error: errorField(e) });
      send(res, 500, { error: 'internal' });
      return true;
    }
    send(res, out.status, out.body);
    if (out.after) void out.after().catch(() => undefined);
    return true;
  };
}

/** The parts of an API Gateway (REST or HTTP API) event the Slack core reads. */
export interface ApiGatewaySlackEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export function slackRequestFromApiGateway(event: ApiGatewaySlackEvent): SlackHttpRequest {
  return { headers: { ...(event.headers ?? {}) }, rawBody: event.body ?? '', isBase64Encoded: event.isBase64Encoded === true };
}

export function apiGatewayResultOf(out: SlackHttpResponse): { statusCode: number; headers: Record<string, string>; body: string } {
  return { statusCode: out.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(out.body) };
}
