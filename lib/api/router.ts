/**
 * The /v1 HTTP API as one function from a parsed request to a response, so the local server and
 * the Lambda handler serve exactly the same API. Roles: viewer reads, operator acts (power, sleep,
 * wake, skip, hold), admin changes schedules. Long work answers 202 with the operation at once.
 * Each route's params, query and body are parsed by its schemas here, once, before it runs.
 */
import { ApiError, apiErrorOf } from './errors.ts';
import { requireRole } from './helpers.ts';
import { CORE_ROUTES } from './core-routes.ts';
import { answerMismatch, parseInput } from './validate.ts';
import type { ApiContext, ApiRequest, ApiResponse, Route } from './types.ts';
import { errorField } from '../util/index.ts';

export { ROLES, isRole, type Role } from './roles.ts';
export type { ApiContext, ApiRequest, ApiResponse, Route } from './types.ts';

/** Match a path against the table: the route, its parameters, or the methods the path allows. */
export function matchRoute(routes: readonly Route[], method: string, path: string): { route?: Route; params: Record<string, string>; allowed: string[] } {
  const parts = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const route of routes) {
    const tpl = route.path.split('/').filter(Boolean);
    if (tpl.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < tpl.length && ok; i++) {
      if (tpl[i].startsWith('{')) {
        try {
          params[tpl[i].slice(1, -1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
      } else ok = tpl[i] === parts[i];
    }
    if (!ok) continue;
    if (route.method === method) return { route, params, allowed };
    allowed.push(route.method);
  }
  return { params: {}, allowed };
}

/** Every route this API serves (the core ones and those of the context). */
export function allRoutes(ctx: Pick<ApiContext, 'routes'>): Route[] {
  return [...(ctx.routes ?? []), ...CORE_ROUTES];
}

/** Serve one request; every error becomes a JSON error body, unexpected ones a logged 500. */
export async function handleApiRequest(ctx: ApiContext, req: ApiRequest): Promise<ApiResponse> {
  let matched: Route | undefined;
  let res: ApiResponse;
  try {
    const { route, params, allowed } = matchRoute(allRoutes(ctx), req.method, req.path);
    if (!route) {
      if (allowed.length) throw new ApiError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.path} (allowed: ${allowed.join(', ')})`);
      throw new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`);
    }
    matched = route;
    requireRole(req, route.role);
    res = await route.run(ctx, req, parseInput(route, req, params));
  } catch (e) {
    const known = apiErrorOf(e);
    if (known) res = { status: known.status, body: { error: { code: known.code, message: known.message, ...known.extra } } };
    else {
      ctx.log?.('api-error', { method: req.method, path: req.path, error: errorField(e) });
      return { status: 500, body: { error: { code: 'internal', message: 'internal error (see the log)' } } };
    }
  }
  return matched && checking(ctx) ? checked(ctx, matched, res) : res;
}

// Read per request: a test switches it on for a runner or a Lambda handler it does not wire itself.
const checking = (ctx: ApiContext): boolean => ctx.checkResponses ?? process.env.LOWPOWER_CHECK_RESPONSES === '1';

/** The answer, or a loud 500 naming how it strays from what its route documents. */
function checked(ctx: ApiContext, route: Route, res: ApiResponse): ApiResponse {
  const off = answerMismatch(route, res);
  if (!off) return res;
  const message = `${route.method} ${route.path} answered ${res.status} off its documented schema: ${off}`;
  ctx.log?.('api-answer-off-schema', { method: route.method, route: route.path, status: res.status, message });
  // Also on stderr: a test that never looks at this answer's status still shows it in its output.
  process.stderr.write(`lowpower api: ${message}\n`);
  return { status: 500, body: { error: { code: 'response_mismatch', message } } };
}
