/**
 * Generates docs/openapi.json (OpenAPI 3.1) from the API's route table: paths, parameters, request
 * bodies and answers come from the routes' zod/mini schemas through zod's JSON Schema export, so the
 * document cannot drift from what the router validates. Build-time only: nothing here is bundled.
 *
 *   node bin/run-ts.mjs scripts/build-openapi.ts [--check]
 *
 * --check writes nothing and exits 1 when the committed document differs from the generated one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { allRoutes } from '../lib/api/router.ts';
import { POOL_ROUTES } from '../lib/api/pool-routes.ts';
import { COMMON_ERRORS } from '../lib/api/validate.ts';
import type { Route, Schema } from '../lib/api/types.ts';
import * as s from '../lib/api/schemas/index.ts';

export const OPENAPI_PATH = resolve(fileURLToPath(import.meta.url), '../../docs/openapi.json');

/** Shared shapes, named in components.schemas and referenced wherever a route uses them as they are. */
const COMPONENTS: Record<string, Schema> = {
  Error: s.ErrorAnswer,
  Reason: s.Reason,
  OperationRef: s.OperationRef,
  Host: s.HostView,
  Binding: s.BindingView,
  Reading: s.Reading,
  Sensor: s.Sensor,
  SelEntry: s.SelEntry,
  Pool: s.PoolView,
  PoolSummary: s.PoolSummary,
  PoolHost: s.PoolHost,
  Vm: s.Vm,
  PoolPolicy: s.PoolPolicy,
  PoolPolicyInput: s.PoolPolicyInput,
  PlannerPolicy: s.PlannerPolicy,
  Migration: s.Migration,
  SleepPlan: s.SleepPlan,
  WakePlan: s.WakePlan,
  Operation: s.Operation,
  OperationStep: s.OperationStep,
  OperationWithSteps: s.OperationWithSteps,
  Alert: s.Alert,
  EnergyReport: s.EnergyReport,
  ScheduleAction: s.ScheduleAction,
  ScheduleExceptions: s.ScheduleExceptions,
  Schedule: s.ScheduleView,
  ScheduleInput: s.ScheduleCreateBody,
};

const INFO = {
  title: 'lowpower API',
  version: '1.0.0',
  description:
    'Puts the idle hosts of a Xen pool to sleep at night and wakes them safely. Roles: viewer reads; operator acts (power, sleep, wake, skip, hold, schedules); admin manages inventory and credentials. Every error is {"error": {"code", "message", ...}}; a bad request (400) names the bad field\'s path in "field". Each operation carries x-lowpower-role, the least role it needs. Generated from the route table by scripts/build-openapi.ts: do not edit by hand.',
};
const SERVERS = [{ url: 'http://127.0.0.1:8080', description: 'the local runner (npm start)' }];
const SECURITY_SCHEMES = {
  jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "On AWS: API Gateway's JWT authorizer; the role is the claim lowpower:role or a cognito:groups entry lowpower-<role>." },
  apiKey: { type: 'http', scheme: 'bearer', description: 'Locally: a key from <state dir>/api-keys.json.' },
};

type Json = Record<string, unknown>;
const REF = (id: string): string => `#/components/schemas/${id}`;

const operationId = (r: Route): string =>
  r.method.toLowerCase() +
  r.path
    .split('/')
    .slice(2)
    .map((seg) => seg.replace(/[{}]/g, ''))
    .map((seg) => seg.charAt(0).toUpperCase() + seg.slice(1))
    .join('');

interface Generated {
  /** A schema as a route uses it: a $ref to its component, or its JSON inlined. */
  use(schema: Schema): Json;
  /** components.schemas */
  components: Record<string, Json>;
}

/** The JSON Schema of every schema the routes use: components by name, the rest inlined where used. */
function generate(routes: Route[]): Generated {
  const registry = z.registry<{ id: string }>();
  const named = new Map<Schema, string>();
  for (const [id, schema] of Object.entries(COMPONENTS)) {
    registry.add(schema, { id });
    named.set(schema, id);
  }
  const inline = new Map<Schema, string>();
  const want = (schema: Schema | undefined): void => {
    if (!schema || named.has(schema) || inline.has(schema)) return;
    const id = `_inline${inline.size}`;
    registry.add(schema, { id });
    inline.set(schema, id);
  };
  for (const r of routes) [r.params, r.query, r.body, ...Object.values(r.responses ?? {})].forEach(want);
  // Input side: what a client sends for requests; answers have no transforms, so both sides agree.
  const out = z.toJSONSchema(registry, { io: 'input', uri: REF }) as { schemas: Record<string, Json> };
  const all = Object.fromEntries(Object.entries(out.schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest as Json]));
  const dangling = JSON.stringify(all).match(/#\/components\/schemas\/_inline\d+/);
  if (dangling) throw new Error(`a route-level schema is nested in another (${dangling[0]}): name it in COMPONENTS`);
  return {
    use(schema) {
      const id = named.get(schema);
      if (id) return { $ref: REF(id) };
      const inlined = inline.get(schema);
      if (!inlined) throw new Error('a schema the routes do not use');
      return all[inlined];
    },
    components: Object.fromEntries(Object.keys(COMPONENTS).map((id) => [id, all[id]])),
  };
}

/** Path or query parameters from an object schema's properties (a description moves to the parameter). */
function parametersOf(json: Json | undefined, where: 'path' | 'query'): Json[] {
  if (!json) return [];
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, { description, ...schema }]) => ({ name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema }));
}

function operationOf(r: Route, json: Generated['use']): Json {
  const responses: Json = {};
  for (const [status, schema] of Object.entries(r.responses ?? {})) {
    // A lazily built schema carries its description on what it builds.
    const described: z.core.$ZodType = schema instanceof z.ZodMiniLazy ? schema._zod.innerType : schema;
    responses[status] = { description: z.globalRegistry.get(described)?.description ?? 'ok', content: { 'application/json': { schema: json(schema) } } };
  }
  for (const status of Object.keys(COMMON_ERRORS)) responses[status] = { $ref: '#/components/responses/Error' };
  for (const [status, description] of Object.entries(r.errors ?? {})) responses[status] = { $ref: '#/components/responses/Error', description };
  return {
    summary: r.summary,
    operationId: operationId(r),
    'x-lowpower-role': r.role,
    security: [{ jwt: [] }, { apiKey: [] }],
    ...(r.params || r.query ? { parameters: [...parametersOf(r.params && json(r.params), 'path'), ...parametersOf(r.query && json(r.query), 'query')] } : {}),
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(r.body) } } } } : {}),
    responses,
  };
}

/** The whole document, as the committed docs/openapi.json should be. */
export function buildOpenApi(): Json {
  const routes = allRoutes({ routes: POOL_ROUTES });
  const g = generate(routes);
  const paths: Record<string, Json> = {};
  for (const r of routes) paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: operationOf(r, g.use) };
  return {
    openapi: '3.1.0',
    info: INFO,
    servers: SERVERS,
    paths,
    components: { securitySchemes: SECURITY_SCHEMES, responses: { Error: { description: 'an error', content: { 'application/json': { schema: { $ref: REF('Error') } } } } }, schemas: g.components },
  };
}

export const renderOpenApi = (): string => `${JSON.stringify(buildOpenApi(), null, 2)}\n`;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const doc = renderOpenApi();
  if (process.argv.includes('--check')) {
    if (readFileSync(OPENAPI_PATH, 'utf8') !== doc) {
      console.error('docs/openapi.json is not what the route table generates: run node bin/run-ts.mjs scripts/build-openapi.ts');
      process.exit(1);
    }
  } else {
    writeFileSync(OPENAPI_PATH, doc);
    console.log(`docs/openapi.json: ${Object.keys((JSON.parse(doc) as { paths: Json }).paths).length} paths, ${doc.length} bytes`);
  }
}
