/**
 * /v1/pools: the pools, one pool's hosts and VMs, the night's plan, sleep and wake (dry run: 200
 * with the plan; otherwise 202 with the operation), and the energy saved per night.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import { objectBody, poolOf, publicHost, requireReason, requireRole, type ApiContext, type ApiRequest, type ApiResponse } from './router.ts';
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

export async function poolRoutes(ctx: ApiContext, req: ApiRequest, parts: string[]): Promise<ApiResponse | undefined> {
  if (parts[1] !== 'pools') return undefined;
  const { method } = req;
  if (parts.length === 2 && method === 'GET') {
    requireRole(req, 'viewer');
    const pools = await ctx.store.listPools();
    const out = await Promise.all(
      pools.map(async (p) => {
        const hosts = await ctx.store.listHosts(p.poolId);
        return { id: p.poolId, name: p.name ?? p.poolId, hosts: hosts.length, asleep: hosts.filter((h) => h.sleepState === 'asleep').length, on: hosts.filter((h) => h.power === 'on').length };
      }),
    );
    return { status: 200, body: { pools: out } };
  }
  if (parts.length < 3) return undefined;
  const pool = await poolOf(ctx, parts[2]);
  const now = (ctx.now ?? Date.now)();

  if (parts.length === 3 && method === 'GET') {
    requireRole(req, 'viewer');
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
  }
  if (parts.length === 4 && parts[3] === 'plan' && method === 'GET') {
    requireRole(req, 'viewer');
    const r = await requestPoolSleep(poolDeps(ctx), { poolId: pool.poolId, dryRun: true, reason: 'plan preview', actor: req.actor, source: 'api', idempotencyKey: randomUUID() });
    return { status: 200, body: { plan: r.plan } };
  }
  if (parts.length === 4 && (parts[3] === 'sleep' || parts[3] === 'wake') && method === 'POST') {
    requireRole(req, 'operator');
    const b = objectBody(req);
    const reason = requireReason(b);
    const dryRun = dryRunOf(b);
    const common = { poolId: pool.poolId, reason, actor: req.actor, source: req.source ?? ('api' as const), idempotencyKey: req.headers['idempotency-key'] ?? randomUUID(), hostIds: hostList(b), dryRun };
    let r: { plan: unknown; operationId?: string; created?: boolean };
    if (parts[3] === 'sleep') r = await requestPoolSleep(poolDeps(ctx), common);
    else {
      if (b.readyBy !== undefined && (typeof b.readyBy !== 'string' || Number.isNaN(Date.parse(b.readyBy)))) throw new ApiError(400, 'bad_ready_by', 'readyBy must be an ISO 8601 time');
      r = await requestPoolWake(poolDeps(ctx), { ...common, readyBy: typeof b.readyBy === 'string' ? new Date(b.readyBy).toISOString() : undefined });
    }
    if (dryRun) return { status: 200, body: { dryRun: true, plan: r.plan } };
    if (!r.operationId) return { status: 200, body: { plan: r.plan, operation: null } };
    if (r.created) await ctx.launch(r.operationId);
    const op = await ctx.store.getOperation(r.operationId);
    return { status: 202, body: { operation: { id: r.operationId, state: op?.state ?? 'pending' }, plan: r.plan } };
  }
  if (parts.length === 4 && parts[3] === 'energy' && method === 'GET') {
    requireRole(req, 'viewer');
    const days = Math.min(366, Math.max(1, Number(req.query.days ?? 7) || 7));
    return { status: 200, body: await energyReport(ctx.store, pool, days, now) };
  }
  return undefined;
}
