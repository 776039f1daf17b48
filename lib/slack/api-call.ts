/**
 * How the Slack side calls the HTTP API: as the Slack user (`actor` slack:<name>, their role),
 * with the reason the audit will show, reading the JSON answers without `any`.
 */
import { mapBounded } from '../util/bounded.ts';
import type { ApiRequest, ApiResponse, Role } from '../api/router.ts';
import { errorMessage, escapeMrkdwn, truncate, type SlackMessage } from './blocks/kit.ts';

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
  log?: (line: string) => void;
}

export const actorOf = (user: SlackUser): string => `slack:${user.name}`;
export const reasonOf = (user: SlackUser, text: string): string => truncate(`slack: ${user.name}: ${text.trim()}`, 500);

// ---- reading the API's JSON without `any` ----

export type Json = Record<string, unknown>;
export const rec = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export type Got = { ok: true; status: number; body: Json } | { ok: false; status: number; code: string; message: string };

export interface CallOptions {
  query?: Record<string, string | undefined>;
  body?: Json;
  headers?: Record<string, string | undefined>;
}

export async function call(ctx: IntentContext, method: string, path: string, o: CallOptions = {}): Promise<Got> {
  let res: ApiResponse;
  try {
    res = await ctx.api({ method, path, query: o.query ?? {}, headers: o.headers ?? {}, body: o.body, actor: actorOf(ctx.user), role: ctx.role });
  } catch (e) {
    ctx.log?.(`slack: api ${method} ${path} threw: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, status: 500, code: 'internal', message: 'lowpower could not answer (see its log)' };
  }
  const body = rec(res.body);
  if (res.status >= 400) {
    const err = rec(body.error);
    return { ok: false, status: res.status, code: str(err.code) ?? 'error', message: str(err.message) ?? `the API answered ${res.status}` };
  }
  return { ok: true, status: res.status, body };
}

export const seg = encodeURIComponent;
export const fail = (g: { message: string }): SlackMessage => errorMessage(escapeMrkdwn(g.message));

/** Bounded fan-out: at most `limit` calls at once (the one helper, lib/util/bounded.ts). */
export const mapLimit = <T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> => mapBounded(items, limit, (t) => f(t));

