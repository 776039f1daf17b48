/**
 * The simulated service's route table: a path pattern (":name" takes one segment) and a handler
 * per method, with the few public ones marked. Handlers are plain functions of the BMC's state
 * and the request; the server does the HTTP, the authentication and the faults around them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from './errors.ts';
import type { RedfishSession } from './sessions.ts';
import type { RedfishBmcState } from './state.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RedfishRequest {
  method: Method;
  /** Without query string and trailing slash. */
  path: string;
  params: Record<string, string>;
  /** The parsed JSON body, undefined when there was none. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** The session the request came with (none with Basic authentication or on public resources). */
  session?: RedfishSession;
}

export interface Reply {
  status: number;
  /** JSON body. */
  body?: unknown;
  /** A body that is not JSON ($metadata), with its type. */
  text?: { type: string; content: string };
  headers?: Record<string, string>;
}

export type Handler = (state: RedfishBmcState, req: RedfishRequest) => Reply;

export interface Route {
  path: string;
  handlers: Partial<Record<Method, Handler>>;
  /** Methods that need no authentication (the service root, $metadata, a login). */
  public?: Method[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({ status: 200, body, headers });
export const noContent = (): Reply => ({ status: 204 });

/** The path as routes spell it: no query, no trailing slash (but "/redfish/v1/" is the root), decoded. */
export function normalizePath(url: string): string {
  const path = url.split('?')[0].split('#')[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  return decoded.length > 1 ? decoded.replace(/\/+$/, '') : decoded;
}

/** The parameters when the path's segments fit the pattern's, else undefined. */
function matchParts(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of pattern.entries()) {
    if (!seg.startsWith(':')) {
      if (seg !== parts[i]) return undefined;
    } else if (parts[i] === '') {
      return undefined;
    } else {
      params[seg.slice(1)] = parts[i];
    }
  }
  return params;
}

export class Router {
  private readonly exact = new Map<string, Route>();
  private readonly patterns: Array<{ parts: string[]; route: Route }> = [];

  constructor(routes: Route[]) {
    for (const r of routes) {
      if (r.path.includes('/:')) this.patterns.push({ parts: r.path.split('/'), route: r });
      else this.exact.set(r.path, r);
    }
  }

  match(path: string): RouteMatch | undefined {
    const exact = this.exact.get(path);
    if (exact) return { route: exact, params: {} };
    const parts = path.split('/');
    for (const p of this.patterns) {
      const params = matchParts(p.parts, parts);
      if (params) return { route: p.route, params };
    }
    return undefined;
  }

  /** The handler for the method, or the 404 / 405 a client gets. */
  handler(m: RouteMatch | undefined, method: Method, path: string): Handler {
    if (!m) throw errors.notFound(path);
    const h = m.route.handlers[method];
    if (!h) throw errors.methodNotAllowed(method, path, Object.keys(m.route.handlers));
    return h;
  }
}
