/**
 * The core /v1 routes as a table: who am I, hosts (inventory, readings, live sensors and event
 * log, power), operations (list, get, cancel), alerts, schedules (with skip) and hold awake.
 * The OpenAPI document in docs/openapi.yaml lists exactly these and the pool routes (a test holds
 * the two together).
 */
import { randomUUID } from 'node:crypto';
import type { HostInput } from '../store/types.ts';
import type { Schedule } from '../schedules/model.ts';
import { isHostPowerAction, requestHostPower } from '../ops/host-power.ts';
import { requestCancel, OperationFinishedError } from '../ops/step-machine.ts';
import { ApiError } from './errors.ts';
import { findHost, isoQuery, objectBody, poolOf, publicBinding, publicHost, requireReason, secretsOf } from './helpers.ts';
import { assertBmcFree, readBinding, rebindHost, type BindDeps } from '../ops/bind-host.ts';
import type { PoolOpsDeps } from '../ops/pool-sleep.ts';
import type { ApiContext } from './types.ts';

/** What binding a BMC needs: its driver (identity) and the pool's XAPI (serials). */
const bindDeps = (ctx: ApiContext): BindDeps => ({ store: ctx.store, driver: ctx.ops.driver, hypervisorFor: (ctx.ops as Partial<PoolOpsDeps>).hypervisorFor, now: ctx.now, log: ctx.log });
import type { Route } from './types.ts';

/** Host fields from a request body, checked: a 400 names the first wrong field. */
function hostInput(b: Record<string, unknown>, create: boolean): Partial<HostInput> {
  const out: Partial<HostInput> = {};
  const bad = (field: string, message: string): never => {
    throw new ApiError(400, 'invalid_host', message, { field });
  };
  if (create || b.id !== undefined) {
    if (typeof b.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,99}$/.test(b.id)) bad('id', 'id must be letters, digits and ._:@+=- (up to 100)');
    out.hostId = b.id as string;
  }
  if (create || b.bmcAddress !== undefined) {
    if (typeof b.bmcAddress !== 'string' || !b.bmcAddress.trim()) bad('bmcAddress', 'bmcAddress is required');
    out.bmcAddress = (b.bmcAddress as string).trim();
  }
  if (b.bmcPort !== undefined) {
    if (!Number.isInteger(b.bmcPort) || (b.bmcPort as number) < 1 || (b.bmcPort as number) > 65535) bad('bmcPort', 'bmcPort must be 1-65535');
    out.bmcPort = b.bmcPort as number;
  }
  if (create || b.bmcUser !== undefined) {
    if (typeof b.bmcUser !== 'string' || !b.bmcUser) bad('bmcUser', 'bmcUser is required');
    out.bmcUser = b.bmcUser as string;
  }
  if (b.cipherSuite !== undefined) {
    if (b.cipherSuite !== 3 && b.cipherSuite !== 17) bad('cipherSuite', 'cipherSuite must be 3 or 17');
    out.cipherSuite = b.cipherSuite as number;
  }
  if (b.neverSleep !== undefined) {
    if (typeof b.neverSleep !== 'boolean') bad('neverSleep', 'neverSleep must be true or false');
    out.neverSleep = b.neverSleep as boolean;
  }
  return out;
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

const now = (ctx: { now?: () => number }): number => (ctx.now ?? Date.now)();

export const CORE_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/v1/me',
    role: 'viewer',
    summary: 'who is asking, with which role',
    run: async (_ctx, req) => ({ status: 200, body: { actor: req.actor, role: req.role } }),
  },
  {
    method: 'GET',
    path: '/v1/hosts',
    role: 'viewer',
    summary: 'every host (of one pool with ?pool=)',
    async run(ctx, req) {
      const pools = req.query.pool ? [(await poolOf(ctx, req.query.pool)).poolId] : (await ctx.store.listPools()).map((p) => p.poolId);
      const hosts = (await Promise.all(pools.map((p) => ctx.store.listHosts(p)))).flat();
      return { status: 200, body: { hosts: hosts.map((h) => publicHost(h, now(ctx))) } };
    },
  },
  {
    method: 'POST',
    path: '/v1/hosts',
    role: 'admin',
    summary: 'add a host; its BMC password goes to the secret store',
    async run(ctx, req) {
      const b = objectBody(req);
      const pool = await poolOf(ctx, typeof b.pool === 'string' ? b.pool : req.query.pool);
      const input = hostInput(b, true);
      if (typeof b.bmcPassword !== 'string' || !b.bmcPassword) throw new ApiError(400, 'invalid_host', 'bmcPassword is required (it goes to the secret store, never the table)', { field: 'bmcPassword' });
      const hostId = input.hostId as string;
      if (await ctx.store.getHost(pool.poolId, hostId)) throw new ApiError(409, 'exists', `host ${hostId} exists in pool ${pool.poolId}`);
      const secretRef = `bmc.${pool.poolId}.${hostId}`;
      const candidate = { poolId: pool.poolId, hostId, bmcAddress: input.bmcAddress as string, bmcPort: input.bmcPort ?? 623, bmcUser: input.bmcUser as string, secretRef, cipherSuite: input.cipherSuite ?? 17 };
      // One BMC serves one host: the same address refused before a packet is sent, the same
      // identity (GUID, serial) under another address once the BMC has answered.
      await assertBmcFree(ctx.store, candidate);
      const previous = await secretsOf(ctx).get(secretRef).catch(() => undefined);
      await secretsOf(ctx).put(secretRef, b.bmcPassword);
      let binding;
      try {
        binding = await readBinding(bindDeps(ctx), candidate);
        await assertBmcFree(ctx.store, { ...candidate, binding });
      } catch (e) {
        if (previous !== undefined) await secretsOf(ctx).put(secretRef, previous).catch(() => undefined);
        throw e;
      }
      const created = await ctx.store.createHost({ ...candidate, power: 'unknown', neverSleep: input.neverSleep, sleepState: 'awake', binding });
      await ctx.store.appendAudit({ poolId: pool.poolId, hostId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'add host', result: 'ok', message: `BMC ${binding.state}: ${binding.why}` });
      return { status: 201, body: { host: publicHost(created, now(ctx)) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/hosts/{id}',
    role: 'viewer',
    summary: "a host: power, sleep state, XAPI's enabled and live, the BMC binding, and the last hour's readings (latest first)",
    async run(ctx, req, p) {
      const host = await findHost(ctx, p.id, req.query.pool);
      const readings = await ctx.store.listReadings(host.hostId, { since: new Date(now(ctx) - 3600_000).toISOString() });
      // XAPI's own view (enabled, live) when the pool can be asked; null when it cannot.
      let xapi: { enabled: boolean; live: boolean } | null = null;
      const hypervisorFor = (ctx.ops as Partial<PoolOpsDeps>).hypervisorFor;
      const pool = await ctx.store.getPool(host.poolId);
      if (hypervisorFor && pool) {
        const xen = await hypervisorFor(pool).then((hv) => hv.hosts()).catch(() => undefined);
        const mine = xen?.find((h) => h.hostId === host.hostId);
        if (mine) xapi = { enabled: mine.enabled, live: mine.live };
      }
      return { status: 200, body: { host: { ...publicHost(host, now(ctx)), enabled: xapi?.enabled ?? null, live: xapi?.live ?? null }, readings: readings.slice(-10).reverse() } };
    },
  },
  {
    method: 'PATCH',
    path: '/v1/hosts/{id}',
    role: 'admin',
    summary: "change a host's BMC address, port, user, password, cipher suite, never-sleep flag or identity trust (a changed BMC address is bound again)",
    async run(ctx, req, p) {
      const host = await findHost(ctx, p.id, req.query.pool);
      const b = objectBody(req);
      const patch = hostInput(b, false);
      delete patch.hostId;
      if (b.identity !== undefined) {
        // Trusting a BMC that gives no usable serial is an admin's decision, with a reason, audited.
        if (b.identity !== 'trust' && b.identity !== 'verify') throw new ApiError(400, 'invalid_host', 'identity must be "trust" or "verify"', { field: 'identity' });
        requireReason(b);
        patch.identity = b.identity;
      }
      const moved = ['bmcAddress', 'bmcPort', 'bmcUser', 'cipherSuite'].some((k) => k in patch && (patch as Record<string, unknown>)[k] !== (host as unknown as Record<string, unknown>)[k]);
      if (moved) await assertBmcFree(ctx.store, { ...host, ...patch, binding: undefined });
      if (typeof b.bmcPassword === 'string' && b.bmcPassword) await secretsOf(ctx).put(host.secretRef, b.bmcPassword);
      let saved = Object.keys(patch).length ? await ctx.store.updateHost(host.poolId, host.hostId, host.version, patch) : host;
      const who = { actor: req.actor, source: req.source ?? ('api' as const), reason: typeof b.reason === 'string' && b.reason.trim() ? b.reason.trim() : 'inventory' };
      // A changed BMC address (or user) is another BMC until it is read again.
      if (moved) saved = await rebindHost(bindDeps(ctx), host.poolId, host.hostId, who);
      await ctx.store.appendAudit({ poolId: host.poolId, hostId: host.hostId, actor: req.actor, source: req.source ?? 'api', reason: who.reason, action: b.identity === 'trust' ? 'trust BMC identity' : 'change host', result: 'ok', message: [...Object.keys(patch), ...(b.bmcPassword ? ['bmcPassword'] : [])].join(', ') });
      return { status: 200, body: { host: publicHost(saved, now(ctx)) } };
    },
  },
  {
    method: 'POST',
    path: '/v1/hosts/{id}/rebind',
    role: 'admin',
    summary: "read the BMC's identity again and bind it to the host (a replaced board or BMC); a reason is required",
    async run(ctx, req, p) {
      const host = await findHost(ctx, p.id, req.query.pool);
      const reason = requireReason(objectBody(req));
      const saved = await rebindHost(bindDeps(ctx), host.poolId, host.hostId, { actor: req.actor, source: req.source ?? 'api', reason });
      await ctx.store.closeAlert(host.poolId, 'bmc-identity', host.hostId).catch(() => false);
      return { status: 200, body: { host: publicHost(saved, now(ctx)), binding: publicBinding(saved) } };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/hosts/{id}',
    role: 'admin',
    summary: 'remove a host from the inventory (refused while an operation holds it)',
    async run(ctx, req, p) {
      const host = await findHost(ctx, p.id, req.query.pool);
      if (host.lockOperationId && (host.lockExpiresAt ?? 0) > now(ctx)) throw new ApiError(409, 'busy', `host ${host.hostId} is busy with operation ${host.lockOperationId}`, { operation: host.lockOperationId });
      await ctx.store.deleteHost(host.poolId, host.hostId, host.version);
      await ctx.store.appendAudit({ poolId: host.poolId, hostId: host.hostId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'remove host', result: 'ok' });
      return { status: 200, body: { deleted: host.hostId } };
    },
  },
  {
    method: 'GET',
    path: '/v1/hosts/{id}/readings',
    role: 'viewer',
    summary: 'stored readings in a time range (?since, ?until, ?limit)',
    async run(ctx, req, p) {
      const host = await findHost(ctx, p.id, req.query.pool);
      const since = isoQuery(req.query.since, 'since') ?? new Date(now(ctx) - 86_400_000).toISOString();
      const until = isoQuery(req.query.until, 'until');
      const limit = Math.min(10_000, Math.max(1, Number(req.query.limit ?? 1000) || 1000));
      return { status: 200, body: { host: host.hostId, readings: await ctx.store.listReadings(host.hostId, { since, until, limit }) } };
    },
  },
  ...(['sensors', 'sel'] as const).map(
    (what): Route => ({
      method: 'GET',
      path: `/v1/hosts/{id}/${what}`,
      role: 'viewer',
      summary: what === 'sensors' ? 'live sensor readings with their thresholds, from the BMC' : "the BMC's event log, live",
      async run(ctx, req, p) {
        const host = await findHost(ctx, p.id, req.query.pool);
        if (!ctx.bmc) throw new ApiError(501, 'no_bmc_access', 'this deployment cannot read BMCs from the API');
        try {
          if (what === 'sensors') return { status: 200, body: { host: host.hostId, sensors: await ctx.bmc.sensors(host) } };
          return { status: 200, body: { host: host.hostId, entries: await ctx.bmc.sel(host) } };
        } catch (e) {
          throw new ApiError(502, 'bmc_unreachable', `${host.hostId}'s BMC: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
    }),
  ),
  {
    method: 'POST',
    path: '/v1/hosts/{id}/power',
    role: 'operator',
    summary: 'power on, off, soft off or cycle one host (202 with the operation; 409 busy or refused)',
    async run(ctx, req, p) {
      const host = await findHost(ctx, p.id, req.query.pool);
      const b = objectBody(req);
      if (!isHostPowerAction(b.action)) throw new ApiError(400, 'bad_action', 'action must be "on", "off", "soft" or "cycle"', { field: 'action' });
      if (b.force !== undefined && typeof b.force !== 'boolean') throw new ApiError(400, 'bad_force', 'force must be true or false', { field: 'force' });
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
    },
  },
  {
    method: 'GET',
    path: '/v1/operations',
    role: 'viewer',
    summary: "a pool's operations, newest first (?pool, ?limit)",
    async run(ctx, req) {
      const pool = await poolOf(ctx, req.query.pool);
      const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
      return { status: 200, body: { operations: await ctx.store.listOperations(pool.poolId, { limit }) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/operations/{id}',
    role: 'viewer',
    summary: 'an operation with its steps and result',
    async run(ctx, _req, p) {
      const op = await ctx.store.getOperation(p.id).catch(() => undefined);
      if (!op) throw new ApiError(404, 'unknown_operation', `no operation ${p.id}`);
      return { status: 200, body: { operation: op } };
    },
  },
  {
    method: 'POST',
    path: '/v1/operations/{id}/cancel',
    role: 'operator',
    summary: 'cancel an unfinished operation: what is left is skipped, the safety steps still run',
    async run(ctx, req, p) {
      const reason = requireReason(objectBody(req));
      try {
        const op = await requestCancel({ store: ctx.store, now: ctx.now }, p.id, req.actor, reason);
        return { status: 202, body: { operation: { id: op.operationId, state: op.state, cancelRequested: op.cancelRequested } } };
      } catch (e) {
        if (e instanceof OperationFinishedError) throw new ApiError(409, 'finished', e.message, { state: e.state });
        if (e instanceof Error && /not found/.test(e.message)) throw new ApiError(404, 'unknown_operation', `no operation ${p.id}`);
        throw e;
      }
    },
  },
  {
    method: 'GET',
    path: '/v1/alerts',
    role: 'viewer',
    summary: "a pool's open alerts (?all=true for closed ones too)",
    async run(ctx, req) {
      const pool = await poolOf(ctx, req.query.pool);
      return { status: 200, body: { alerts: await ctx.store.listAlerts(pool.poolId, req.query.all === 'true' ? {} : { open: true }) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/schedules',
    role: 'viewer',
    summary: "a pool's schedules with their next run",
    run: async (ctx, req) => ({ status: 200, body: { schedules: await ctx.schedules.list((await poolOf(ctx, req.query.pool)).poolId) } }),
  },
  {
    method: 'POST',
    path: '/v1/schedules',
    role: 'operator',
    summary: 'create a schedule (EventBridge Scheduler syntax, IANA time zone)',
    run: async (ctx, req) => ({ status: 201, body: { schedule: await ctx.schedules.create(scheduleInput(objectBody(req), (await poolOf(ctx, req.query.pool)).poolId)) } }),
  },
  {
    method: 'GET',
    path: '/v1/schedules/{name}',
    role: 'viewer',
    summary: 'one schedule',
    run: async (ctx, req, p) => ({ status: 200, body: { schedule: await ctx.schedules.get((await poolOf(ctx, req.query.pool)).poolId, p.name) } }),
  },
  {
    method: 'PATCH',
    path: '/v1/schedules/{name}',
    role: 'operator',
    summary: 'change a schedule (optionally conditional on its version)',
    async run(ctx, req, p) {
      const pool = await poolOf(ctx, req.query.pool);
      const b = objectBody(req);
      const patch: Partial<Schedule> = {};
      for (const k of ['hostIds', 'action', 'expression', 'timezone', 'enabled', 'exceptions'] as const) if (b[k] !== undefined) (patch as Record<string, unknown>)[k] = b[k];
      const expected = typeof b.version === 'number' ? b.version : undefined;
      return { status: 200, body: { schedule: await ctx.schedules.update(pool.poolId, p.name, patch, expected) } };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/schedules/{name}',
    role: 'operator',
    summary: 'delete a schedule and its timer',
    async run(ctx, req, p) {
      await ctx.schedules.remove((await poolOf(ctx, req.query.pool)).poolId, p.name);
      return { status: 200, body: { deleted: p.name } };
    },
  },
  {
    method: 'POST',
    path: '/v1/schedules/{name}/skip',
    role: 'operator',
    summary: 'skip the next run of a schedule ("skip tonight")',
    async run(ctx, req, p) {
      const pool = await poolOf(ctx, req.query.pool);
      const reason = requireReason(objectBody(req));
      const schedule = await ctx.schedules.skipNext(pool.poolId, p.name, `${reason} (${req.actor})`);
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason, action: `skip next run of ${p.name}`, result: 'ok', message: schedule.exceptions.skipOnce?.date });
      return { status: 200, body: { schedule } };
    },
  },
  {
    method: 'POST',
    path: '/v1/pools/{id}/hold',
    role: 'operator',
    summary: "hold a pool awake until a time: its sleep schedules do not run before then",
    async run(ctx, req, p) {
      const pool = await poolOf(ctx, p.id);
      const b = objectBody(req);
      const reason = requireReason(b);
      if (typeof b.until !== 'string') throw new ApiError(400, 'until_required', 'give until: an ISO 8601 time, e.g. 2026-11-27T08:00:00Z', { field: 'until' });
      const schedules = await ctx.schedules.holdAwake(pool.poolId, b.until, `${reason} (${req.actor})`);
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason, action: 'hold pool awake', result: 'ok', message: `until ${b.until}` });
      return { status: 200, body: { held: schedules.map((s) => s.name), until: new Date(b.until).toISOString() } };
    },
  },
];
