/**
 * /v1/pools: the pools, one pool's hosts and VMs, the night's plan, sleep and wake (dry run: 200
 * with the plan; otherwise 202 with the operation), and the energy saved per night.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import { objectBody, poolOf, publicHost, requireReason } from './helpers.ts';
import type { ApiContext, ApiRequest, ApiResponse, Route } from './router.ts';
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

export const POOL_ROUTES: Route[] = [
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
