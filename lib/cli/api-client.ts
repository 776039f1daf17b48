/**
 * How every `lowpower` command that speaks to the HTTP API finds it and proves who it is: the API
 * at `--url` (or $LOWPOWER_URL, or the local runner), and a bearer token from `--token-file FILE`
 * (or $LOWPOWER_TOKEN). The same header serves both ends: a deployed stack's JWT authorizer takes
 * `Authorization: Bearer <JWT>`, the local runner takes `Authorization: Bearer <API key>`. There
 * is deliberately no flag that takes the token itself: it would show in the process list.
 */
import { readFileSync } from 'node:fs';
import { UsageError, type FlagSpec } from './args.ts';
import { isLoopback } from '../util/index.ts';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** The flags every API-speaking command accepts (add them to the command's own). */
export const API_FLAGS: FlagSpec[] = [
  { names: ['--url'], value: true, key: 'url' },
  { names: ['--token-file'], value: true, key: 'tokenFile' },
];

export const API_OPTIONS_USAGE = `  --url URL          the lowpower API (default $LOWPOWER_URL or ${DEFAULT_API_URL})
  --token-file FILE  a bearer token (a deployed stack's JWT, or a local runner's API key);
                     default $LOWPOWER_TOKEN; none: the local runner's anonymous role`;

export interface ApiTarget {
  /** Base URL without a trailing slash; paths such as /v1/pools are appended. */
  base: string;
  token?: string;
  /** Where the token came from, for messages (never the token itself). */
  tokenFrom?: string;
}

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** True for a loopback host (`localhost`, 127.0.0.0/8, `[::1]`): plain http with a token is allowed only there. */
export const isLoopbackHost = isLoopback;

/** A token is one line of visible ASCII: anything else could not be a JWT or a key, or would split the header. */
export function checkToken(token: string, from: string): string {
  const t = token.replace(/\r?\n$/, '');
  if (!t) throw new UsageError(`the token from ${from} is empty`);
  if (/[\r\n]/.test(t)) throw new UsageError(`the token from ${from} has more than one line`);
  if (!/^[\x21-\x7e]+$/.test(t)) throw new UsageError(`the token from ${from} has spaces or characters a bearer token cannot have`);
  return t;
}

function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the token file ${path} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return checkToken(text, `the file ${path}`);
}

/** The API base URL: http(s) only, no user, query or fragment; a trailing slash dropped. */
export function apiBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url: "${raw}" is not a URL (e.g. https://abc123.execute-api.eu-central-1.amazonaws.com)`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError(`--url: ${u.protocol} is not http or https`);
  if (u.username || u.password) throw new UsageError('--url: no user or password in the URL (use --token-file)');
  if (u.search || u.hash) throw new UsageError('--url: give the API base only, without ? or #');
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/**
 * The API and the token from the command's flags and the environment. A token is sent over https,
 * or over http to loopback (the local runner) only: over plain http elsewhere anyone on the path
 * could take it.
 */
export function apiTarget(flags: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  if (flags.url === true || flags.tokenFile === true) throw new UsageError('--url and --token-file need a value');
  const base = apiBaseUrl(typeof flags.url === 'string' ? flags.url : env.LOWPOWER_URL || DEFAULT_API_URL);
  let token: string | undefined;
  let tokenFrom: string | undefined;
  if (typeof flags.tokenFile === 'string') {
    token = readTokenFile(flags.tokenFile);
    tokenFrom = `--token-file ${flags.tokenFile}`;
  } else if (env.LOWPOWER_TOKEN) {
    token = checkToken(env.LOWPOWER_TOKEN, '$LOWPOWER_TOKEN');
    tokenFrom = '$LOWPOWER_TOKEN';
  }
  const u = new URL(base);
  if (token && u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    throw new UsageError(`refusing to send the token from ${tokenFrom} over plain http to ${u.host}: use https`);
  }
  return { base, token, tokenFrom };
}

export interface ApiClientOptions {
  /** Who acts, for the local runner's audit when no key is given (x-actor). */
  actor?: string;
  fetch?: typeof fetch;
}

export type Json = Record<string, unknown>;

/** One JSON call; an answer of 400 or more is an ApiCallError with the API's own code and message. */
export function apiClient(target: ApiTarget, o: ApiClientOptions = {}): { base: string; call(method: string, path: string, body?: unknown): Promise<Json> } {
  const doFetch = o.fetch ?? fetch;
  const actor = o.actor ?? `cli:${process.env.USER ?? 'unknown'}`;
  return {
    base: target.base,
    async call(method, path, body) {
      const headers: Record<string, string> = { accept: 'application/json', 'x-actor': actor };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (target.token) headers.authorization = `Bearer ${target.token}`;
      let res: Response;
      try {
        res = await doFetch(`${target.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch {
        const local = isLoopbackHost(new URL(target.base).hostname);
        throw new Error(`cannot reach the lowpower API at ${target.base}${local ? ' (is "npm start" running? --url sets another)' : ' (check --url and your network)'}`);
      }
      const json = (await res.json().catch(() => ({}))) as Json;
      if (!res.ok) {
        const e = (json.error ?? {}) as { code?: unknown; message?: unknown };
        // API Gateway's own refusals are {"message":"Unauthorized"}, not our error shape.
        const message = typeof e.message === 'string' ? e.message : typeof json.message === 'string' ? json.message : res.statusText;
        throw new ApiCallError(res.status, typeof e.code === 'string' ? e.code : `http_${res.status}`, `${method} ${path}: ${res.status} ${message}${hint(res.status, target)}`);
      }
      return json;
    },
  };
}

function hint(status: number, target: ApiTarget): string {
  if (status === 401) return target.token ? ` (the token from ${target.tokenFrom} was refused: expired, or not for this API?)` : ' (give a token: --token-file FILE or $LOWPOWER_TOKEN)';
  if (status === 403 && target.token) return ` (the token from ${target.tokenFrom} has a role too low for this)`;
  return '';
}
