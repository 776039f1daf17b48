/**
 * The HTTP API as a Lambda handler for API Gateway (HTTP API, payload 2.0): a middy chain of
 * header normalisation, a JSON body parser that answers in our error shape, a request log line
 * (method, path, status, time; never a body), around the one router the local server also uses.
 * The caller's role comes from the JWT authorizer's claims: `lowpower:role`, or a group named
 * `lowpower-<role>` in `cognito:groups`; anyone else is a viewer.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handleApiRequest, isRole, ROLES, type ApiContext, type Role } from '../api/index.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;


export function roleFromClaims(claims: Record<string, string | number | boolean | string[]> | undefined): Role {
  if (!claims) return 'viewer';
  const direct = claims['lowpower:role'];
  if (isRole(direct)) return direct;
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.replace(/^\[|\]$/g, '').split(/[ ,]+/) : [];
  let best: Role = 'viewer';
  for (const g of groups) {
    const r = g.replace(/^lowpower-/, '') as Role;
    if (g.startsWith('lowpower-') && ROLES.includes(r) && ROLES.indexOf(r) > ROLES.indexOf(best)) best = r;
  }
  return best;
}

const json = (statusCode: number, body: unknown): HttpResult => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Parse the JSON body into `event.parsedBody`; a bad body is a 400 in our shape, not a 415. */
function jsonBody(): middy.MiddlewareObj<HttpEvent & { parsedBody?: unknown }, HttpResult> {
  return {
    before: (request) => {
      const { body, isBase64Encoded } = request.event;
      if (body === undefined || body === '') return;
      try {
        request.event.parsedBody = JSON.parse(isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body) as unknown;
      } catch {
        return json(400, { error: { code: 'bad_json', message: 'the body is not valid JSON' } });
      }
    },
  };
}

/** One log line per request: what, who, answer, time. Bodies and headers stay out (they may hold secrets). */
function requestLog(log: (entry: Record<string, unknown>) => void): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const started = new WeakMap<object, number>();
  return {
    before: (r) => void started.set(r, Date.now()),
    after: (r) => log({ method: r.event.requestContext.http.method, path: r.event.rawPath, status: r.response?.statusCode, ms: Date.now() - (started.get(r) ?? Date.now()) }),
  };
}

export function makeHttpHandler(getContext: () => Promise<ApiContext>, log: (entry: Record<string, unknown>) => void = () => undefined) {
  return middy<HttpEvent & { parsedBody?: unknown }, HttpResult, Error, Context>()
    .use(httpHeaderNormalizer())
    .use(requestLog(log))
    .use(jsonBody())
    .handler(async (event) => {
      const ctx = await getContext();
      const claims = event.requestContext.authorizer?.jwt?.claims;
      const headers: Record<string, string | undefined> = { ...event.headers };
      const out = await handleApiRequest(ctx, {
        method: event.requestContext.http.method,
        path: event.rawPath,
        query: { ...(event.queryStringParameters ?? {}) },
        headers,
        body: event.parsedBody,
        actor: typeof claims?.email === 'string' ? claims.email : typeof claims?.sub === 'string' ? claims.sub : 'anonymous',
        role: roleFromClaims(claims),
        source: claims?.['lowpower:source'] === 'slack' ? 'slack' : 'api',
      });
      return json(out.status, out.body);
    });
}

/** Build a payload-2.0 event the way API Gateway does (the local server uses it: same handler). */
export function httpEvent(o: { method: string; path: string; query: Record<string, string>; headers: Record<string, string | undefined>; body: string; claims?: Record<string, string> }): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers)) if (v !== undefined) headers[k] = v;
  const qs = new URLSearchParams(o.query).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: o.path,
    rawQueryString: qs,
    headers,
    queryStringParameters: Object.keys(o.query).length ? { ...o.query } : undefined,
    body: o.body.length ? o.body : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: o.method, path: o.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: `local-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      authorizer: { principalId: o.claims?.sub ?? '', integrationLatency: 0, jwt: { claims: o.claims ?? {}, scopes: [] } },
    },
  };
}
