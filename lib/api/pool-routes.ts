/**
 * /v1/pools: the pools, one pool's hosts and VMs, the night's plan, sleep and wake (dry run: 200
 * with the plan; otherwise 202 with the operation), and the energy saved per night.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import { objectBody, poolOf, publicHost, requireReason, secretsOf } from './helpers.ts';
import type { Pool, PoolPatch, PoolPolicy } from '../store/types.ts';
import type { ApiContext, ApiRequest, ApiResponse, Route } from './types.ts';
import { requestPoolSleep, type PoolOpsDeps } from '../ops/pool-sleep.ts';
import { requestPoolWake } from '../ops/pool-wake.ts';
import { readPoolView } from '../ops/pool-view.ts';
import { energyReport } from '../ops/energy.ts';

function poolDeps(ctx: ApiContext): PoolOpsDeps {
  const d = ctx.ops as Partial<PoolOpsDeps>;
  if (typeof d.hypervisorFor !== 'function') throw new ApiError(501, 'no_hypervisor', 'this deployment has no XAPI access configured');
  return ctx.ops as PoolOpsDeps;
}

function hostList(b: Record<string, unknown>): string[] | undefined {
  if (b.hostIds === undefined) return undefined;
  if (!Array.isArray(b.hostIds) || b.hostIds.length === 0 || b.hostIds.some((h) => typeof h !== 'string')) throw new ApiError(400, 'bad_hosts', 'hostIds must be a non-empty list of host ids');
  return b.hostIds as string[];
}

function dryRunOf(b: Record<string, unknown>): boolean {
  if (b.dryRun !== undefined && typeof b.dryRun !== 'boolean') throw new ApiError(400, 'bad_dry_run', 'dryRun must be true or false');
  return b.dryRun === true;
}

async function sleepOrWake(ctx: ApiContext, req: ApiRequest, poolId: string, what: 'sleep' | 'wake'): Promise<ApiResponse> {
  const pool = await poolOf(ctx, poolId);
  const b = objectBody(req);
  const reason = requireReason(b);
  const dryRun = dryRunOf(b);
  const common = { poolId: pool.poolId, reason, actor: req.actor, source: req.source ?? ('api' as const), idempotencyKey: req.headers['idempotency-key'] ?? randomUUID(), hostIds: hostList(b), dryRun };
  let r: { plan: unknown; operationId?: string; created?: boolean };
  if (what === 'sleep') r = await requestPoolSleep(poolDeps(ctx), common);
  else {
    if (b.readyBy !== undefined && (typeof b.readyBy !== 'string' || Number.isNaN(Date.parse(b.readyBy)))) throw new ApiError(400, 'bad_ready_by', 'readyBy must be an ISO 8601 time', { field: 'readyBy' });
    r = await requestPoolWake(poolDeps(ctx), { ...common, readyBy: typeof b.readyBy === 'string' ? new Date(b.readyBy).toISOString() : undefined });
  }
  if (dryRun) return { status: 200, body: { dryRun: true, plan: r.plan } };
  if (!r.operationId) return { status: 200, body: { plan: r.plan, operation: null } };
  if (r.created) await ctx.launch(r.operationId);
  const op = await ctx.store.getOperation(r.operationId);
  return { status: 202, body: { operation: { id: r.operationId, state: op?.state ?? 'pending' }, plan: r.plan } };
}

const POLICY_NUMBERS: Record<string, [number, number]> = {
  haFailuresToTolerate: [0, 3],
  minHostsOn: [1, 10_000],
  headroomPercent: [0, 90],
  vcpuOvercommit: [1, 16],
  concurrentMigrations: [1, 16],
  wakeGroupSize: [1, 100],
  wakeStaggerMs: [0, 600_000],
};

/** A pool policy from a request: known keys only, numbers in range; a 400 names the field. */
function policyOf(v: unknown): PoolPolicy {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ApiError(400, 'invalid_pool', 'policy must be an object', { field: 'policy' });
  const out: PoolPolicy = {};
  for (const [k, x] of Object.entries(v)) {
    const range = POLICY_NUMBERS[k];
    if (range) {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < range[0] || x > range[1]) throw new ApiError(400, 'invalid_pool', `policy.${k} must be a number ${range[0]}..${range[1]}`, { field: `policy.${k}` });
      (out as Record<string, unknown>)[k] = x;
    } else if (k === 'neverSleep') {
      if (!Array.isArray(x) || x.some((h) => typeof h !== 'string')) throw new ApiError(400, 'invalid_pool', 'policy.neverSleep must be a list of host ids', { field: 'policy.neverSleep' });
      out.neverSleep = x as string[];
    } else if (k === 'hardOffWhenEmpty') {
      if (typeof x !== 'boolean') throw new ApiError(400, 'invalid_pool', 'policy.hardOffWhenEmpty must be true or false', { field: 'policy.hardOffWhenEmpty' });
      out.hardOffWhenEmpty = x;
    } else if (k === 'timeZone') {
      if (typeof x !== 'string') throw new ApiError(400, 'invalid_pool', 'policy.timeZone must be an IANA time zone', { field: 'policy.timeZone' });
      try {
        new Intl.DateTimeFormat('en', { timeZone: x });
      } catch {
        throw new ApiError(400, 'invalid_pool', `policy.timeZone: unknown time zone ${x}`, { field: 'policy.timeZone' });
      }
      out.timeZone = x;
    } else throw new ApiError(400, 'invalid_pool', `policy.${k} is not a policy setting`, { field: `policy.${k}` });
  }
  return out;
}

function xapiUrlOf(v: unknown): string {
  if (typeof v !== 'string') throw new ApiError(400, 'invalid_pool', 'xapiUrl is required (https://pool-master)', { field: 'xapiUrl' });
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ApiError(400, 'invalid_pool', 'xapiUrl is not a URL', { field: 'xapiUrl' });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ApiError(400, 'invalid_pool', 'xapiUrl must be http(s)', { field: 'xapiUrl' });
  return u.toString().replace(/\/$/, '');
}

const publicPool = (p: Pool) => ({ id: p.poolId, name: p.name ?? p.poolId, xapiUrl: p.xapiUrl, xapiUser: p.xapiUser ?? null, policy: p.policy ?? {}, version: p.version });

export const POOL_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/pools',
    role: 'admin',
    summary: "add a pool: its XAPI address, user and password (the password goes to the secret store)",
    async run(ctx, req) {
      const b = objectBody(req);
      if (typeof b.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,99}$/.test(b.id)) throw new ApiError(400, 'invalid_pool', 'id must be letters, digits and ._:@+=-', { field: 'id' });
      const xapiUrl = xapiUrlOf(b.xapiUrl);
      if (typeof b.xapiPassword !== 'string' || !b.xapiPassword) throw new ApiError(400, 'invalid_pool', 'xapiPassword is required (it goes to the secret store)', { field: 'xapiPassword' });
      const policy = b.policy === undefined ? {} : policyOf(b.policy);
      if (await ctx.store.getPool(b.id)) throw new ApiError(409, 'exists', `pool ${b.id} exists`);
      const secretRef = `xapi.${b.id}`;
      await secretsOf(ctx).put(secretRef, b.xapiPassword);
      const pool = await ctx.store.createPool({ poolId: b.id, name: typeof b.name === 'string' ? b.name : undefined, xapiUrl, xapiUser: typeof b.xapiUser === 'string' ? b.xapiUser : 'root', secretRef, policy });
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'add pool', result: 'ok' });
      return { status: 201, body: { pool: publicPool(pool) } };
    },
  },
  {
    method: 'PATCH',
    path: '/v1/pools/{id}',
    role: 'admin',
    summary: "change a pool's name, XAPI address, user, password or policy",
    async run(ctx, req, p) {
      const pool = await poolOf(ctx, p.id);
      const b = objectBody(req);
      const patch: PoolPatch = {};
      if (b.name !== undefined) patch.name = String(b.name);
      if (b.xapiUrl !== undefined) patch.xapiUrl = xapiUrlOf(b.xapiUrl);
      if (b.xapiUser !== undefined) patch.xapiUser = String(b.xapiUser);
      if (b.policy !== undefined) patch.policy = { ...(pool.policy ?? {}), ...policyOf(b.policy) };
      if (typeof b.xapiPassword === 'string' && b.xapiPassword) await secretsOf(ctx).put(pool.secretRef, b.xapiPassword);
      const saved = Object.keys(patch).length ? await ctx.store.updatePool(pool.poolId, pool.version, patch) : pool;
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'change pool', result: 'ok', message: [...Object.keys(patch), ...(b.xapiPassword ? ['xapiPassword'] : [])].join(', ') });
      return { status: 200, body: { pool: publicPool(saved) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/pools',
    role: 'viewer',
    summary: 'every pool with its host counts (on, asleep)',
    async run(ctx) {
      const pools = await ctx.store.listPools();
      const out = await Promise.all(
        pools.map(async (p) => {
          const hosts = await ctx.store.listHosts(p.poolId);
          return { id: p.poolId, name: p.name ?? p.poolId, hosts: hosts.length, asleep: hosts.filter((h) => h.sleepState === 'asleep').length, on: hosts.filter((h) => h.power === 'on').length };
        }),
      );
      return { status: 200, body: { pools: out } };
    },
  },
  {
    method: 'GET',
    path: '/v1/pools/{id}',
    role: 'viewer',
    summary: "a pool from XAPI and the store: its hosts and each host's VMs",
    async run(ctx, _req, p) {
      const pool = await poolOf(ctx, p.id);
      const now = (ctx.now ?? Date.now)();
      const d = poolDeps(ctx);
      const view = await readPoolView(ctx.store, await d.hypervisorFor(pool), pool);
      const stored = new Map(view.stored.map((h) => [h.hostId, h]));
      const hosts = view.xenHosts.map((x) => {
        const s = stored.get(x.hostId);
        return {
          ...(s ? publicHost(s, now) : { id: x.hostId, pool: pool.poolId, bmc: null }),
          live: x.live,
          enabled: x.enabled,
          isMaster: x.isMaster,
          memoryTotalBytes: x.memoryTotalBytes,
          memoryFreeBytes: x.memoryFreeBytes,
          cpus: x.cpus,
          sleepState: s?.sleepState ?? 'awake',
          vms: view.vms.filter((v) => v.hostId === x.hostId && v.powerState === 'Running').map((v) => ({ id: v.vmId, memoryBytes: v.memoryBytes, vcpus: v.vcpus, pinned: v.pinned ?? null, tags: v.tags })),
        };
      });
      return { status: 200, body: { pool: { id: pool.poolId, name: pool.name ?? pool.poolId, master: view.xen.masterHostId, haEnabled: view.xen.haEnabled, haFailuresToTolerate: view.xen.haFailuresToTolerate, policy: view.policy }, hosts } };
    },
  },
  {
    method: 'GET',
    path: '/v1/pools/{id}/plan',
    role: 'viewer',
    summary: "the night's plan as of now (a dry run of sleep)",
    async run(ctx, req, p) {
      const pool = await poolOf(ctx, p.id);
      const r = await requestPoolSleep(poolDeps(ctx), { poolId: pool.poolId, dryRun: true, reason: 'plan preview', actor: req.actor, source: req.source ?? 'api', idempotencyKey: randomUUID() });
      return { status: 200, body: { plan: r.plan } };
    },
  },
  {
    method: 'POST',
    path: '/v1/pools/{id}/sleep',
    role: 'operator',
    summary: 'put the hosts the plan allows to sleep (dryRun: the plan only)',
    run: (ctx, req, p) => sleepOrWake(ctx, req, p.id, 'sleep'),
  },
  {
    method: 'POST',
    path: '/v1/pools/{id}/wake',
    role: 'operator',
    summary: 'wake the sleeping hosts, ready by a time (dryRun: the plan only)',
    run: (ctx, req, p) => sleepOrWake(ctx, req, p.id, 'wake'),
  },
  {
    method: 'GET',
    path: '/v1/pools/{id}/energy',
    role: 'viewer',
    summary: 'kWh saved per night (?days, default 7) and what the hosts asleep now save',
    async run(ctx, req, p) {
      const pool = await poolOf(ctx, p.id);
      const days = Math.min(366, Math.max(1, Number(req.query.days ?? 7) || 7));
      return { status: 200, body: await energyReport(ctx.store, pool, days, (ctx.now ?? Date.now)()) };
    },
  },
];
