/**
 * The /v1 HTTP API as one function from a parsed request to a response, so the local server and
 * the Lambda handler serve exactly the same API. Roles: viewer reads, operator acts (power, sleep,
 * wake, skip, hold), admin changes schedules. Long work answers 202 with the operation at once.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { Host, Pool } from '../store/types.ts';
import { isHostPowerAction, requestHostPower, type OpsDeps } from '../ops/host-power.ts';
import type { ScheduleService } from '../schedules/service.ts';
import type { Schedule } from '../schedules/model.ts';
import { ApiError, apiErrorOf } from './errors.ts';
import type { BmcReads } from '../ops/bmc-reads.ts';

export type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface ApiRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  /** The parsed JSON body (undefined when there was none). */
  body: unknown;
  actor: string;
  role: Role;
  /** Where the request came from, for the audit (default api; the Slack handler says slack). */
  source?: 'api' | 'slack' | 'cli';
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** Extra routes (pools: plan, sleep, wake, energy) plug in here. */
export type RouteHandler = (ctx: ApiContext, req: ApiRequest, parts: string[]) => Promise<ApiResponse | undefined>;

export interface ApiContext {
  store: Store;
  ops: OpsDeps;
  schedules: ScheduleService;
  /** Run an operation that was just created (in process locally; a worker invoke in AWS). */
  launch(operationId: string): Promise<void>;
  routes?: RouteHandler[];
  /** Live BMC reads (sensors, event log); absent where the API cannot reach BMCs. */
  bmc?: BmcReads;
  log?: (line: string) => void;
  now?: () => number;
}

export function requireRole(req: ApiRequest, role: Role): void {
  if (RANK[req.role] < RANK[role]) throw new ApiError(403, 'forbidden', `${req.method} ${req.path} needs the ${role} role; you have ${req.role}`);
}

export function objectBody(req: ApiRequest): Record<string, unknown> {
  if (req.body === undefined) return {};
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new ApiError(400, 'bad_json', 'the body must be a JSON object');
  return req.body as Record<string, unknown>;
}

export function requireReason(b: Record<string, unknown>): string {
  if (typeof b.reason !== 'string' || !b.reason.trim()) throw new ApiError(400, 'reason_required', 'give a reason: who asked, and why');
  if (b.reason.length > 500) throw new ApiError(400, 'reason_too_long', 'the reason is over 500 characters');
  return b.reason.trim();
}

/** The pool a request names, or the only pool there is. */
export async function poolOf(ctx: ApiContext, named: string | undefined): Promise<Pool> {
  if (named) {
    const pool = await ctx.store.getPool(named);
    if (!pool) throw new ApiError(404, 'unknown_pool', `no pool ${named}`);
    return pool;
  }
  const pools = await ctx.store.listPools();
  if (pools.length === 1) return pools[0];
  throw new ApiError(400, 'pool_required', pools.length === 0 ? 'there are no pools yet' : `name the pool (?pool=...): one of ${pools.map((p) => p.poolId).join(', ')}`);
}

async function findHost(ctx: ApiContext, hostId: string, pool?: string): Promise<Host> {
  const pools = pool ? [pool] : (await ctx.store.listPools()).map((p) => p.poolId);
  for (const p of pools) {
    const h = await ctx.store.getHost(p, hostId).catch(() => undefined);
    if (h) return h;
  }
  throw new ApiError(404, 'unknown_host', `no host ${hostId}${pool ? ` in pool ${pool}` : ''}`);
}

export function publicHost(h: Host, now = Date.now()) {
  // The secret reference stays inside; a lock shows as the operation holding it.
  return {
    id: h.hostId,
    pool: h.poolId,
    bmc: `${h.bmcAddress}:${h.bmcPort}`,
    power: h.power,
    powerObservedAt: h.powerObservedAt ?? null,
    powerSource: h.powerSource ?? null,
    xenState: h.xenState ?? null,
    isMaster: h.isMaster === true,
    operation: h.lockOperationId && (h.lockExpiresAt ?? 0) > now ? h.lockOperationId : null,
  };
}

function scheduleInput(b: Record<string, unknown>, poolId: string): Schedule {
  return {
    name: String(b.name ?? ''),
    poolId,
    hostIds: Array.isArray(b.hostIds) ? b.hostIds.map(String) : undefined,
    action: b.action as Schedule['action'],
    expression: String(b.expression ?? ''),
    timezone: String(b.timezone ?? 'UTC'),
    enabled: b.enabled !== false,
    exceptions: (typeof b.exceptions === 'object' && b.exceptions !== null ? b.exceptions : {}) as Schedule['exceptions'],
  };
}

async function coreRoutes(ctx: ApiContext, req: ApiRequest, parts: string[]): Promise<ApiResponse | undefined> {
  const { method } = req;
  const now = (ctx.now ?? Date.now)();
  if (parts[1] === 'me' && parts.length === 2 && method === 'GET') return { status: 200, body: { actor: req.actor, role: req.role } };
  if (parts[1] === 'hosts' && parts.length === 2 && method === 'GET') {
    requireRole(req, 'viewer');
    const pools = req.query.pool ? [(await poolOf(ctx, req.query.pool)).poolId] : (await ctx.store.listPools()).map((p) => p.poolId);
    const hosts = (await Promise.all(pools.map((p) => ctx.store.listHosts(p)))).flat();
    return { status: 200, body: { hosts: hosts.map((h) => publicHost(h, now)) } };
  }
  if (parts[1] === 'hosts' && parts.length >= 3) {
    const host = await findHost(ctx, parts[2], req.query.pool);
    if (parts.length === 3 && method === 'GET') {
      requireRole(req, 'viewer');
      const readings = await ctx.store.listReadings(host.hostId, { since: new Date(now - 3600_000).toISOString() });
      return { status: 200, body: { host: publicHost(host, now), readings: readings.slice(-10).reverse() } };
    }
    if (parts.length === 4 && (parts[3] === 'sensors' || parts[3] === 'sel') && method === 'GET') {
      requireRole(req, 'viewer');
      if (!ctx.bmc) throw new ApiError(501, 'no_bmc_access', 'this deployment cannot read BMCs from the API');
      try {
        if (parts[3] === 'sensors') return { status: 200, body: { host: host.hostId, sensors: await ctx.bmc.sensors(host) } };
        return { status: 200, body: { host: host.hostId, entries: await ctx.bmc.sel(host) } };
      } catch (e) {
        throw new ApiError(502, 'bmc_unreachable', `${host.hostId}'s BMC: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (parts.length === 4 && parts[3] === 'power' && method === 'POST') {
      requireRole(req, 'operator');
      const b = objectBody(req);
      if (!isHostPowerAction(b.action)) throw new ApiError(400, 'bad_action', 'action must be "on", "off", "soft" or "cycle"');
      if (b.force !== undefined && typeof b.force !== 'boolean') throw new ApiError(400, 'bad_force', 'force must be true or false');
      const reason = requireReason(b);
      const { operationId, created } = await requestHostPower(ctx.ops, {
        poolId: host.poolId,
        hostIds: [host.hostId],
        action: b.action,
        escalate: b.escalate === true,
        softTimeoutMs: typeof b.softTimeoutSeconds === 'number' && b.softTimeoutSeconds > 0 ? b.softTimeoutSeconds * 1000 : undefined,
        force: b.force === true,
        reason,
        actor: req.actor,
        source: req.source ?? 'api',
        idempotencyKey: req.headers['idempotency-key'] ?? randomUUID(),
      });
      if (created) await ctx.launch(operationId);
      const op = await ctx.store.getOperation(operationId);
      return { status: 202, body: { operation: { id: operationId, state: op?.state ?? 'pending' } } };
    }
  }
  if (parts[1] === 'operations' && parts.length === 3 && method === 'GET') {
    requireRole(req, 'viewer');
    const op = await ctx.store.getOperation(parts[2]).catch(() => undefined);
    if (!op) throw new ApiError(404, 'unknown_operation', `no operation ${parts[2]}`);
    return { status: 200, body: { operation: op } };
  }
  if (parts[1] === 'operations' && parts.length === 2 && method === 'GET') {
    requireRole(req, 'viewer');
    const pool = await poolOf(ctx, req.query.pool);
    const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
    return { status: 200, body: { operations: await ctx.store.listOperations(pool.poolId, { limit }) } };
  }
  if (parts[1] === 'alerts' && parts.length === 2 && method === 'GET') {
    requireRole(req, 'viewer');
    const pool = await poolOf(ctx, req.query.pool);
    return { status: 200, body: { alerts: await ctx.store.listAlerts(pool.poolId, req.query.all === 'true' ? {} : { open: true }) } };
  }
  if (parts[1] === 'schedules') {
    const pool = await poolOf(ctx, req.query.pool);
    if (parts.length === 2 && method === 'GET') {
      requireRole(req, 'viewer');
      return { status: 200, body: { schedules: await ctx.schedules.list(pool.poolId) } };
    }
    if (parts.length === 2 && method === 'POST') {
      requireRole(req, 'admin');
      return { status: 201, body: { schedule: await ctx.schedules.create(scheduleInput(objectBody(req), pool.poolId)) } };
    }
    if (parts.length === 3 && method === 'GET') {
      requireRole(req, 'viewer');
      return { status: 200, body: { schedule: await ctx.schedules.get(pool.poolId, parts[2]) } };
    }
    if (parts.length === 3 && method === 'PATCH') {
      requireRole(req, 'admin');
      const b = objectBody(req);
      const patch: Partial<Schedule> = {};
      for (const k of ['hostIds', 'action', 'expression', 'timezone', 'enabled', 'exceptions'] as const) if (b[k] !== undefined) (patch as Record<string, unknown>)[k] = b[k];
      const expected = typeof b.version === 'number' ? b.version : undefined;
      return { status: 200, body: { schedule: await ctx.schedules.update(pool.poolId, parts[2], patch, expected) } };
    }
    if (parts.length === 3 && method === 'DELETE') {
      requireRole(req, 'admin');
      await ctx.schedules.remove(pool.poolId, parts[2]);
      return { status: 200, body: { deleted: parts[2] } };
    }
    if (parts.length === 4 && parts[3] === 'skip' && method === 'POST') {
      requireRole(req, 'operator');
      const reason = requireReason(objectBody(req));
      const schedule = await ctx.schedules.skipNext(pool.poolId, parts[2], `${reason} (${req.actor})`);
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason, action: `skip next run of ${parts[2]}`, result: 'ok', message: schedule.exceptions.skipOnce?.date });
      return { status: 200, body: { schedule } };
    }
  }
  if (parts[1] === 'pools' && parts.length === 4 && parts[3] === 'hold' && method === 'POST') {
    requireRole(req, 'operator');
    const pool = await poolOf(ctx, parts[2]);
    const b = objectBody(req);
    const reason = requireReason(b);
    if (typeof b.until !== 'string') throw new ApiError(400, 'until_required', 'give until: an ISO 8601 time, e.g. 2026-11-27T08:00:00Z');
    const schedules = await ctx.schedules.holdAwake(pool.poolId, b.until, `${reason} (${req.actor})`);
    await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason, action: 'hold pool awake', result: 'ok', message: `until ${b.until}` });
    return { status: 200, body: { held: schedules.map((s) => s.name), until: new Date(b.until).toISOString() } };
  }
  return undefined;
}

/** Serve one request; every error becomes a JSON error body, unexpected ones a logged 500. */
export async function handleApiRequest(ctx: ApiContext, req: ApiRequest): Promise<ApiResponse> {
  try {
    const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'v1') throw new ApiError(404, 'not_found', `no route ${req.path}`);
    for (const route of [...(ctx.routes ?? []), coreRoutes]) {
      const res = await route(ctx, req, parts);
      if (res) return res;
    }
    throw new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`);
  } catch (e) {
    const known = apiErrorOf(e);
    if (known) return { status: known.status, body: { error: { code: known.code, message: known.message, ...known.extra } } };
    ctx.log?.(`api: ${req.method} ${req.path}: ${e instanceof Error ? e.message : String(e)}`);
    return { status: 500, body: { error: { code: 'internal', message: 'internal error (see the log)' } } };
  }
}
