/**
 * docs/openapi.json against the router's table: it is exactly what the build generates from the
 * routes' schemas, every route is documented, every documented route is served, with the same
 * least role, every path parameter declared, and every $ref resolves.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRoutes, handleApiRequest, matchRoute, type ApiContext } from '../../lib/api/router.ts';
import { POOL_ROUTES } from '../../lib/api/pool-routes.ts';
import { OPENAPI_PATH, renderOpenApi } from '../../scripts/build-openapi.ts';

interface Op {
  'x-lowpower-role': string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
const committed = readFileSync(OPENAPI_PATH, 'utf8');
const doc = JSON.parse(committed) as { openapi: string; paths: Record<string, Record<string, Op>>; components: Record<string, Record<string, unknown>> };
const routes = allRoutes({ routes: POOL_ROUTES });
const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method: method.toUpperCase(), op })));

describe('OpenAPI document', () => {
  it('is what scripts/build-openapi.ts generates from the route table (run it after changing a route)', () => {
    expect(renderOpenApi()).toBe(committed);
  });

  it('is OpenAPI 3.1 and documents exactly the routes the router serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(new Set(served).size).toBe(served.length);
    expect(documented.map((d) => d.key).sort()).toEqual(served);
  });

  it('gives each operation the least role the router enforces, declares every path parameter, a body where the route reads one, and a schema for each answer', () => {
    for (const d of documented) {
      const route = routes.find((r) => r.method === d.method && r.path === d.path);
      expect(d.op['x-lowpower-role'], d.key).toBe(route?.role);
      const names = [...d.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (d.op.parameters ?? []).filter((p) => p.in === 'path' && p.required).map((p) => p.name);
      expect(declared.sort(), d.key).toEqual(names.sort());
      expect(d.op.requestBody !== undefined, d.key).toBe(route?.body !== undefined);
      const ok = Object.entries(d.op.responses).filter(([c]) => /^2/.test(c));
      expect(ok.length, d.key).toBeGreaterThan(0);
      for (const [, r] of ok) expect(JSON.stringify(r), d.key).toMatch(/"schema":\{"(\$ref|type|anyOf)"/);
    }
  });

  it('every $ref points at a component that exists', () => {
    const refs = [...committed.matchAll(/"\$ref": "#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(50);
    for (const [, kind, name] of refs) expect(doc.components[kind]?.[name], `${kind}/${name}`).toBeDefined();
  });

  it('each documented path, filled in, reaches its route (not a 404 "no route"); a role below it gets 403', async () => {
    const ctx = { routes: POOL_ROUTES } as unknown as ApiContext;
    for (const d of documented) {
      const path = d.path.replace(/\{(\w+)\}/g, 'x1');
      expect(matchRoute(routes, d.method, path).route?.path, d.key).toBe(d.path);
      if (d.op['x-lowpower-role'] === 'viewer') continue;
      // The role check comes before the route touches anything, so an empty context suffices.
      const res = await handleApiRequest(ctx, { method: d.method, path, query: {}, headers: {}, body: {}, actor: 't', role: 'viewer' });
      expect(res.status, d.key).toBe(403);
    }
  });
});
