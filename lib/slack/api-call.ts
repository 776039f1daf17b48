/**
 * How the Slack side calls the HTTP API: as the Slack user (`actor` slack:<name>, their role),
 * with the reason the audit will show, each answer parsed by the schema of what the caller reads
 * (lib/slack/api-answers.ts, picked from the API's own schemas).
 */
import type * as z from 'zod/mini';
import { mapBounded } from '../util/index.ts';
import type { ApiRequest, ApiResponse, Role } from '../api/index.ts';
import { errorMessage, escapeMrkdwn, truncate, type SlackMessage } from './blocks/kit.ts';
import { errorField, type Log } from '../util/index.ts';

export type SlackApi = (req: ApiRequest) => Promise<ApiResponse>;

export interface SlackUser {
  id: string;
  name: string;
}

export interface IntentContext {
  api: SlackApi;
  user: SlackUser;
  role: Role;
  /** The command as the user typed it (it goes into the reason). */
  text: string;
  nowMs: number;
  /** Ties a confirmed start to its click: the same click again finds the same operation. */
  idempotencyKey?: string;
  log?: Log;
}

export const actorOf = (user: SlackUser): string => `slack:${user.name}`;
export const reasonOf = (user: SlackUser, text: string): string => truncate(`slack: ${user.name}: ${text.trim()}`, 500);

// ---- reading JSON without `any` (Slack's own payloads, and error bodies from any layer) ----

export type Json = Record<string, unknown>;
export const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export type Failed = { ok: false; status: number; code: string; message: string };
export type Got<T> = { ok: true; status: number; body: T } | Failed;

export interface CallOptions {
  query?: Record<string, string | undefined>;
  body?: Json;
  headers?: Record<string, string | undefined>;
}

/** Call the API as the Slack user; a success is read through `answer` (what this caller uses of it). */
export async function call<S extends z.ZodMiniType>(ctx: IntentContext, answer: S, method: string, path: string, o: CallOptions = {}): Promise<Got<z.output<S>>> {
  let res: ApiResponse;
  try {
    res = await ctx.api({ method, path, query: o.query ?? {}, headers: o.headers ?? {}, body: o.body, actor: actorOf(ctx.user), role: ctx.role });
  } catch (e) {
    ctx.log?.('slack-api-call-failed', { method, path, error: errorField(e) });
    return { ok: false, status: 500, code: 'internal', message: 'lowpower could not answer (see its log)' };
  }
  if (res.status >= 400) {
    const err = rec(rec(res.body).error);
    return { ok: false, status: res.status, code: str(err.code) ?? 'error', message: str(err.message) ?? `the API answered ${res.status}` };
  }
  const read = answer.safeParse(res.body);
  if (!read.success) {
    const issue = read.error.issues[0];
    ctx.log?.('slack-api-answer-unreadable', { method, path, status: res.status, field: issue.path.join('.') || '(body)', issue: issue.code });
    return { ok: false, status: 502, code: 'bad_answer', message: 'lowpower answered in a shape this command cannot read (see its log)' };
  }
  return { ok: true, status: res.status, body: read.data };
}

export const seg = encodeURIComponent;
export const fail = (g: { message: string }): SlackMessage => errorMessage(escapeMrkdwn(g.message));

/** Bounded fan-out: at most `limit` calls at once (the one helper, lib/util/bounded.ts). */
export const mapLimit = <T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> => mapBounded(items, limit, (t) => f(t));

