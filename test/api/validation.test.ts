/**
 * The schema layer at the door: each route's params, query and body are parsed once before it
 * runs, a bad field is a 400 naming it (with the codes clients already know), and with response
 * checking on an answer off its documented schema becomes a loud 500. The bad requests here never
 * reach a route, so the context has no store: were a request let through, the route would fail
 * on it with a 500, not the 400 asserted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allRoutes, handleApiRequest, matchRoute, type ApiContext, type ApiResponse } from '../../lib/api/router.ts';
import { POOL_ROUTES } from '../../lib/api/pool-routes.ts';
import { ApiError } from '../../lib/api/errors.ts';
import { parseInput } from '../../lib/api/validate.ts';
import { defineRoute } from '../../lib/api/types.ts';
import { MeAnswer } from '../../lib/api/schemas/me.ts';
import { IdParams } from '../../lib/api/schemas/common.ts';
import { lineLog } from '../../lib/util/log.ts';

const bare = { routes: POOL_ROUTES } as unknown as ApiContext;
const routes = allRoutes(bare);

async function call(method: string, path: string, body?: unknown, ctx: ApiContext = bare): Promise<ApiResponse & { error: Record<string, unknown> }> {
  const url = new URL(path, 'http://x');
  const res = await handleApiRequest(ctx, { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: {}, body, actor: 'tester', role: 'admin' });
  return { ...res, error: (res.body as { error?: Record<string, unknown> }).error ?? {} };
}

describe('requests through the route schemas', () => {
  it('host power: the codes the clients know (bad_action, bad_force, reason_required, reason_too_long), each naming its field', async () => {
    const power = (body: unknown) => call('POST', '/v1/hosts/host-1/power', body);
    expect(await power({ action: 'explode', reason: 'x' })).toMatchObject({ status: 400, error: { code: 'bad_action', field: 'action', message: 'action must be "on", "off", "soft" or "cycle"' } });
    expect(await power({ action: 'on', reason: 'x', force: 'yes' })).toMatchObject({ status: 400, error: { code: 'bad_force', field: 'force' } });
    expect(await power({ action: 'on' })).toMatchObject({ status: 400, error: { code: 'reason_required', field: 'reason', message: 'give a reason: who asked, and why' } });
    expect(await power({ action: 'on', reason: '   ' })).toMatchObject({ status: 400, error: { code: 'reason_required' } });
    expect(await power({ action: 'on', reason: 'x'.repeat(501) })).toMatchObject({ status: 400, error: { code: 'reason_too_long', field: 'reason' } });
    expect(await power({ action: 'on', reason: 'x', softTimeoutSeconds: -5 })).toMatchObject({ status: 400, error: { code: 'invalid_request', field: 'softTimeoutSeconds', message: 'softTimeoutSeconds must be more than 0' } });
  });

  it('a body that is not a JSON object is bad_json; no body at all is an empty one', async () => {
    for (const body of ['text', 42, null, ['on']]) expect(await call('POST', '/v1/hosts/host-1/power', body), JSON.stringify(body)).toMatchObject({ status: 400, error: { code: 'bad_json' } });
    expect(await call('POST', '/v1/hosts/host-1/power', undefined)).toMatchObject({ status: 400, error: { code: 'bad_action', message: 'action must be "on", "off", "soft" or "cycle"' } });
  });

  it('sleep and wake: bad_dry_run, bad_hosts, bad_ready_by', async () => {
    expect(await call('POST', '/v1/pools/p1/sleep', { reason: 'x', dryRun: 'yes' })).toMatchObject({ status: 400, error: { code: 'bad_dry_run', field: 'dryRun' } });
    expect(await call('POST', '/v1/pools/p1/sleep', { reason: 'x', hostIds: [] })).toMatchObject({ status: 400, error: { code: 'bad_hosts', field: 'hostIds' } });
    expect(await call('POST', '/v1/pools/p1/wake', { reason: 'x', hostIds: ['h1', 7] })).toMatchObject({ status: 400, error: { code: 'bad_hosts', field: 'hostIds.1' } });
    expect(await call('POST', '/v1/pools/p1/wake', { reason: 'x', readyBy: 'tomorrow' })).toMatchObject({ status: 400, error: { code: 'bad_ready_by', field: 'readyBy', message: 'readyBy must be an ISO 8601 time' } });
    expect(await call('POST', '/v1/pools/p1/wake', { dryRun: true })).toMatchObject({ status: 400, error: { code: 'reason_required' } });
  });

  it('hosts: invalid_host naming the field, with what is wrong', async () => {
    const add = { id: 'host-9', bmcAddress: '10.0.0.9', bmcUser: 'admin', bmcPassword: 'pw' };
    expect(await call('POST', '/v1/hosts', { ...add, id: 'a..b' })).toMatchObject({ status: 400, error: { code: 'invalid_host', field: 'id' } });
    // A pool id ending in "." would make "bmc.lab..h1" of every host's secret.
    expect(await call('POST', '/v1/pools', { id: 'lab.', xapiUrl: 'https://p2', xapiPassword: 'p' })).toMatchObject({ status: 400, error: { field: 'id' } });
    expect(await call('POST', '/v1/hosts', { ...add, id: 'h x' })).toMatchObject({ status: 400, error: { code: 'invalid_host', field: 'id', message: 'id must be letters, digits and ._:@+=- (up to 100, no "..", not ending in ".")' } });
    expect(await call('POST', '/v1/hosts', { ...add, bmcAddress: '  ' })).toMatchObject({ status: 400, error: { code: 'invalid_host', field: 'bmcAddress', message: 'bmcAddress is required' } });
    expect(await call('POST', '/v1/hosts', { ...add, bmcPassword: undefined })).toMatchObject({ status: 400, error: { field: 'bmcPassword', message: expect.stringMatching(/^bmcPassword is required/) } });
    expect(await call('PATCH', '/v1/hosts/host-1', { bmcPort: 70000 })).toMatchObject({ status: 400, error: { code: 'invalid_host', field: 'bmcPort', message: 'bmcPort must be 1-65535' } });
    expect(await call('PATCH', '/v1/hosts/host-1', { bmcPort: 62.5 })).toMatchObject({ status: 400, error: { field: 'bmcPort' } });
    expect(await call('PATCH', '/v1/hosts/host-1', { cipherSuite: 0 })).toMatchObject({ status: 400, error: { field: 'cipherSuite', message: 'cipherSuite must be 3 or 17' } });
    expect(await call('PATCH', '/v1/hosts/host-1', { identity: 'maybe', reason: 'x' })).toMatchObject({ status: 400, error: { field: 'identity', message: 'identity must be "trust" or "verify"' } });
  });

  it('pools: invalid_pool with the policy field path, unknown policy keys named', async () => {
    expect(await call('PATCH', '/v1/pools/p1', { policy: { headroomPercent: 120 } })).toMatchObject({ status: 400, error: { code: 'invalid_pool', field: 'policy.headroomPercent', message: 'policy.headroomPercent must be a number 0..90' } });
    expect(await call('PATCH', '/v1/pools/p1', { policy: { sleepEverything: true } })).toMatchObject({ status: 400, error: { field: 'policy.sleepEverything', message: 'policy.sleepEverything is not a policy setting' } });
    expect(await call('PATCH', '/v1/pools/p1', { policy: { timeZone: 'Mars/Olympus' } })).toMatchObject({ status: 400, error: { field: 'policy.timeZone' } });
    expect(await call('PATCH', '/v1/pools/p1', { policy: 'strict' })).toMatchObject({ status: 400, error: { field: 'policy', message: 'policy must be an object' } });
    expect(await call('POST', '/v1/pools', { id: 'p2', xapiUrl: 'ftp://x', xapiPassword: 'p' })).toMatchObject({ status: 400, error: { field: 'xapiUrl', message: 'xapiUrl must be http(s)' } });
    expect(await call('POST', '/v1/pools', { id: 'p2', xapiUrl: 'pool master', xapiPassword: 'p' })).toMatchObject({ status: 400, error: { field: 'xapiUrl', message: 'xapiUrl is not a URL' } });
    expect(await call('POST', '/v1/pools', { id: 'p2', xapiUrl: 'https://p2' })).toMatchObject({ status: 400, error: { field: 'xapiPassword' } });
    // Credentials in the URL would be stored with it and returned: they go in their own fields.
    for (const xapiUrl of ['https://root:Url-S3cret@p2', 'https://root@p2']) {
      const r = await call('POST', '/v1/pools', { id: 'p2', xapiUrl, xapiPassword: 'p' });
      expect(r).toMatchObject({ status: 400, error: { field: 'xapiUrl', message: 'xapiUrl must not carry a user or password: give them as xapiUser and xapiPassword (the password goes to the secret store)' } });
      expect(JSON.stringify(r.body)).not.toContain('Url-S3cret');
    }
    expect(await call('PATCH', '/v1/pools/p1', { xapiUrl: 'https://admin:Patch-S3cret@p1' })).toMatchObject({ status: 400, error: { field: 'xapiUrl' } });
    expect(await call('POST', '/v1/pools/p1/import', { bmcRange: '10.0.0.1-10.0.0.2', bmcUser: 'admin', bmcPassword: 'pw', xapi: { url: 'https://root:S3cret@p1', password: 'x' } })).toMatchObject({ status: 400, error: { field: 'xapi.url' } });
    // Ids name secrets (bmc.<pool>.<host>), and the secret store refuses "..": refused here, at the door.
    expect(await call('POST', '/v1/pools', { id: 'x..y', xapiUrl: 'https://p2', xapiPassword: 'p' })).toMatchObject({ status: 400, error: { field: 'id', message: 'id must be letters, digits and ._:@+=- (up to 100, no "..", not ending in ".")' } });
  });

  it('schedules, hold and times: invalid_schedule, until_required, invalid_time, nested fields by their whole path', async () => {
    const create = { name: 'nightly', action: 'sleep', expression: 'cron(0 22 * * ? *)' };
    expect(await call('POST', '/v1/schedules', { ...create, name: 'a b' })).toMatchObject({ status: 400, error: { code: 'invalid_schedule', field: 'name' } });
    expect(await call('POST', '/v1/schedules', { ...create, action: 'explode' })).toMatchObject({ status: 400, error: { code: 'invalid_schedule', field: 'action', message: expect.stringContaining('"sleep", "wake"') } });
    expect(await call('POST', '/v1/schedules', { ...create, exceptions: { keepOff: [{ hostId: 5, until: '2026-01-01' }] } })).toMatchObject({ status: 400, error: { field: 'exceptions.keepOff.0.hostId', message: 'exceptions.keepOff.0.hostId must be a string' } });
    expect(await call('PATCH', '/v1/schedules/nightly', { version: 'one' })).toMatchObject({ status: 400, error: { code: 'invalid_schedule', field: 'version' } });
    expect(await call('POST', '/v1/pools/p1/hold', { reason: 'x' })).toMatchObject({ status: 400, error: { code: 'until_required', field: 'until' } });
    expect(await call('GET', '/v1/hosts/host-1/readings?since=yesterday')).toMatchObject({ status: 400, error: { code: 'invalid_time', field: 'since', message: 'since must be an ISO 8601 time' } });
  });

  it('run gets the parsed input: times in UTC, query numbers defaulted and clamped as before, defaults filled in', () => {
    const input = (method: string, path: string, body?: unknown) => {
      const url = new URL(path, 'http://x');
      const { route, params } = matchRoute(routes, method, url.pathname);
      if (!route) throw new Error(`no route ${method} ${path}`);
      return parseInput(route, { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: {}, body, actor: 't', role: 'admin' }, params);
    };
    expect(input('GET', '/v1/hosts/h%201/readings?since=2026-01-02T03:04:05%2B02:00&limit=99999')).toEqual({ params: { id: 'h 1' }, query: { since: '2026-01-02T01:04:05.000Z', limit: 10_000 }, body: undefined });
    expect(input('GET', '/v1/hosts/h1/readings?limit=abc').query).toEqual({ limit: 1000 });
    expect(input('GET', '/v1/operations?limit=0').query).toEqual({ limit: 50 });
    expect(input('GET', '/v1/pools/p1/energy?days=400').query).toEqual({ days: 366 });
    expect(input('GET', '/v1/alerts?all=true').query).toEqual({ all: true });
    expect(input('POST', '/v1/schedules', { name: 'n', action: 'wake', expression: 'cron(0 6 * * ? *)', extra: 1 }).body).toEqual({ name: 'n', action: 'wake', expression: 'cron(0 6 * * ? *)', timezone: 'UTC', enabled: true, exceptions: {} });
    expect(input('POST', '/v1/pools', { id: 'p2', xapiUrl: 'https://Pool-2.example/', xapiPassword: 'pw' }).body).toMatchObject({ xapiUrl: 'https://pool-2.example' });
    expect(input('POST', '/v1/hosts/h1/power', { action: 'off', reason: '  late night  ' }).body).toEqual({ action: 'off', reason: 'late night' });
    expect(() => input('POST', '/v1/hosts/h1/power', { action: 'off' })).toThrow(ApiError);
  });
});

describe('answers against their documented schemas', () => {
  afterEach(() => void vi.unstubAllEnvs());

  // A route that answers what the test tells it to, documented as GET /v1/me is.
  let answer: () => Promise<ApiResponse> = async () => ({ status: 200, body: { actor: 'a', role: 'viewer' } });
  const probe = defineRoute({
    method: 'GET',
    path: '/v1/probe/{id}',
    role: 'viewer',
    summary: 'answers what the test says',
    params: IdParams,
    responses: { 200: MeAnswer },
    errors: { 409: 'conflict' },
    run: async () => (await answer()) as { status: 200; body: { actor: string; role: 'viewer' } },
  });
  const logged: string[] = [];
  const checking = { routes: [probe], checkResponses: true, log: lineLog((l) => void logged.push(l)) } as unknown as ApiContext;

  it('a right answer passes untouched; a wrong one is a 500 that names the route, the status and the field', async () => {
    answer = async () => ({ status: 200, body: { actor: 'a', role: 'admin' } });
    expect(await call('GET', '/v1/probe/1', undefined, checking)).toMatchObject({ status: 200, body: { actor: 'a', role: 'admin' } });
    answer = async () => ({ status: 200, body: { actor: 'a', role: 'root' } });
    const wrong = await call('GET', '/v1/probe/1', undefined, checking);
    expect(wrong).toMatchObject({ status: 500, error: { code: 'response_mismatch', message: 'GET /v1/probe/{id} answered 200 off its documented schema: role: invalid_value' } });
    expect(logged.at(-1)).toContain('off its documented schema: role');
    answer = async () => ({ status: 200, body: { actor: 'a', role: 'viewer', secret: 'x' } });
    expect((await call('GET', '/v1/probe/1', undefined, checking)).error.message).toMatch(/secret: unrecognized_keys/);
    answer = async () => ({ status: 201, body: { actor: 'a', role: 'viewer' } });
    expect((await call('GET', '/v1/probe/1', undefined, checking)).error.message).toMatch(/answered 201 .*status 201 is not documented/);
  });

  it('errors too: a documented status in the error shape passes; an undocumented status or an unknown error field does not', async () => {
    answer = async () => {
      throw new ApiError(409, 'busy', 'busy', { operation: 'op-1' });
    };
    expect(await call('GET', '/v1/probe/1', undefined, checking)).toMatchObject({ status: 409, error: { code: 'busy', operation: 'op-1' } });
    answer = async () => {
      throw new ApiError(418, 'teapot', 'no');
    };
    expect((await call('GET', '/v1/probe/1', undefined, checking)).error.message).toMatch(/answered 418 .*status 418 is not documented/);
    answer = async () => {
      throw new ApiError(409, 'busy', 'busy', { lockedBy: 'op-1' });
    };
    expect((await call('GET', '/v1/probe/1', undefined, checking)).error.message).toMatch(/error body: error.lockedBy: unrecognized_keys/);
  });

  it('off unless asked: the context says so, or LOWPOWER_CHECK_RESPONSES=1 for a context a test does not build', async () => {
    answer = async () => ({ status: 200, body: { actor: 'a', role: 'root' } });
    const plain = { routes: [probe] } as unknown as ApiContext;
    vi.stubEnv('LOWPOWER_CHECK_RESPONSES', '');
    expect((await call('GET', '/v1/probe/1', undefined, plain)).status).toBe(200);
    vi.stubEnv('LOWPOWER_CHECK_RESPONSES', '1');
    expect((await call('GET', '/v1/probe/1', undefined, plain)).status).toBe(500);
    expect((await call('GET', '/v1/probe/1', undefined, { ...plain, checkResponses: false })).status).toBe(200);
  });

  it('the real GET /v1/me answers to its schema', async () => {
    expect(await call('GET', '/v1/me', undefined, { ...bare, checkResponses: true })).toMatchObject({ status: 200, body: { actor: 'tester', role: 'admin' } });
  });
});
