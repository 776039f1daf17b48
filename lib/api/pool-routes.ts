/**
 * /v1/pools: the pools (added with their load poll), one pool's hosts and VMs, the night's plan,
 * sleep and wake (dry run: 200 with the plan; otherwise 202 with the operation), and the energy
 * saved per night.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import { poolOf, publicHost, secretsOf, withNewSecret } from './helpers.ts';
import type { Pool, PoolPatch } from '../store/index.ts';
import type { ApiContext, ApiRequest, Route } from './types.ts';
import { defineRoute } from './types.ts';
import { requestPoolSleep, type PoolOpsDeps } from '../ops/index.ts';
import { requestPoolWake } from '../ops/index.ts';
import { readPoolView } from '../ops/index.ts';
import { energyReport } from '../ops/index.ts';
import { ADVICE_ROUTES } from './advice-routes.ts';
import { addLoadPoll, POOL_LIFECYCLE_ROUTES } from './pool-lifecycle.ts';
import { IdParams } from './schemas/common.ts';
import { EnergyQuery, EnergyReport } from './schemas/energy.ts';
import * as s from './schemas/pools.ts';

function poolDeps(ctx: ApiContext): PoolOpsDeps {
  const d = ctx.ops as Partial<PoolOpsDeps>;
  if (typeof d.hypervisorFor !== 'function') throw new ApiError(501, 'no_hypervisor', 'this deployment has no XAPI access configured');
  return ctx.ops as PoolOpsDeps;
}

/** What sleep and wake share: the request as the pool operations take it. */
async function poolRequest(ctx: ApiContext, req: ApiRequest, poolId: string, body: { reason: string; dryRun?: boolean; hostIds?: string[] }) {
  const pool = await poolOf(ctx, poolId);
  return { poolId: pool.poolId, reason: body.reason, actor: req.actor, source: req.source ?? ('api' as const), idempotencyKey: req.headers['idempotency-key'] ?? randomUUID(), hostIds: body.hostIds, dryRun: body.dryRun === true };
}

/** Launch what was just created, and the operation's id and state as it is now. */
async function started(ctx: ApiContext, operationId: string, created: boolean | undefined) {
  if (created) await ctx.launch(operationId);
  const op = await ctx.store.getOperation(operationId);
  return { id: operationId, state: op?.state ?? ('pending' as const) };
}

const publicPool = (p: Pool) => ({ id: p.poolId, name: p.name ?? p.poolId, xapiUrl: p.xapiUrl, xapiUser: p.xapiUser ?? null, policy: p.policy ?? {}, version: p.version });

const IDEMPOTENCY = 'the Idempotency-Key was already used for another request';
const NO_HYPERVISOR = 'this deployment has no XAPI access configured';
const SLEEP_WAKE_ERRORS = { 409: 'a host the operation needs is busy with another one', 422: IDEMPOTENCY, 501: NO_HYPERVISOR };
const SLEEP_WAKE_CODES = { fields: { dryRun: 'bad_dry_run', hostIds: 'bad_hosts', readyBy: 'bad_ready_by' } };

export const POOL_ROUTES: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/pools',
    role: 'viewer',
    summary: 'every pool with its host counts (on, asleep)',
    responses: { 200: s.PoolsAnswer },
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
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/pools',
    role: 'admin',
    summary: "add a pool: its XAPI address, user and password (the password goes to the secret store), and its load poll schedule `load` (poll-load every minute, which runs the night watch) unless loadPoll is false",
    body: s.PoolCreateBody,
    responses: { 201: s.PoolAnswer },
    errors: { 409: 'the pool exists, or its load poll timer does already (the pool was not added)', 501: 'this deployment cannot store credentials', 502: 'the load poll could not be scheduled: the pool was not added' },
    invalid: { code: 'invalid_pool' },
    async run(ctx, req, { body }) {
      if (await ctx.store.getPool(body.id)) throw new ApiError(409, 'exists', `pool ${body.id} exists`);
      const secretRef = `xapi.${body.id}`;
      await secretsOf(ctx).put(secretRef, body.xapiPassword);
      const pool = await ctx.store.createPool({ poolId: body.id, name: body.name, xapiUrl: body.xapiUrl, xapiUser: body.xapiUser ?? 'root', secretRef, policy: body.policy ?? {} });
      const loadPoll = body.loadPoll === false ? 'no load poll (loadPoll: false)' : `load poll: ${await addLoadPoll(ctx, pool)}`;
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'add pool', result: 'ok', message: loadPoll });
      return { status: 201, body: { pool: publicPool(pool) } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/pools/{id}',
    role: 'admin',
    summary: "change a pool's name, XAPI address, user, password or policy",
    params: IdParams,
    body: s.PoolPatchBody,
    responses: { 200: s.PoolAnswer },
    errors: { 409: 'the pool changed meanwhile', 501: 'this deployment cannot store credentials' },
    invalid: { code: 'invalid_pool' },
    async run(ctx, req, { params, body }) {
      const pool = await poolOf(ctx, params.id);
      const patch: PoolPatch = {};
      if (body.name !== undefined) patch.name = body.name;
      if (body.xapiUrl !== undefined) patch.xapiUrl = body.xapiUrl;
      if (body.xapiUser !== undefined) patch.xapiUser = body.xapiUser;
      if (body.policy !== undefined) patch.policy = { ...(pool.policy ?? {}), ...body.policy };
      const write = async () => (Object.keys(patch).length ? ctx.store.updatePool(pool.poolId, pool.version, patch) : pool);
      const saved = body.xapiPassword ? await withNewSecret(secretsOf(ctx), pool.secretRef, body.xapiPassword, write) : await write();
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'change pool', result: 'ok', message: [...Object.keys(patch), ...(body.xapiPassword ? ['xapiPassword'] : [])].join(', ') });
      return { status: 200, body: { pool: publicPool(saved) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/pools/{id}',
    role: 'viewer',
    summary: "a pool from XAPI and the store: its hosts and each host's VMs",
    params: IdParams,
    responses: { 200: s.PoolDetailAnswer },
    errors: { 501: NO_HYPERVISOR },
    async run(ctx, _req, { params }) {
      const pool = await poolOf(ctx, params.id);
      const now = (ctx.now ?? Date.now)();
      const d = poolDeps(ctx);
      const view = await readPoolView(ctx.store, await d.hypervisorFor(pool), pool);
      const stored = new Map(view.stored.map((h) => [h.hostId, h]));
      const hosts = view.xenHosts.map((x) => {
        const h = stored.get(x.hostId);
        return {
          ...(h ? publicHost(h, now) : { id: x.hostId, pool: pool.poolId, bmc: null }),
          live: x.live,
          enabled: x.enabled,
          isMaster: x.isMaster,
          memoryTotalBytes: x.memoryTotalBytes,
          memoryFreeBytes: x.memoryFreeBytes,
          cpus: x.cpus,
          sleepState: h?.sleepState ?? 'awake',
          vms: view.vms.filter((v) => v.hostId === x.hostId && v.powerState === 'Running').map((v) => ({ id: v.vmId, memoryBytes: v.memoryBytes, vcpus: v.vcpus, pinned: v.pinned ?? null, tags: v.tags })),
        };
      });
      return { status: 200, body: { pool: { id: pool.poolId, name: pool.name ?? pool.poolId, master: view.xen.masterHostId, haEnabled: view.xen.haEnabled, haFailuresToTolerate: view.xen.haFailuresToTolerate, policy: view.policy }, hosts } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/pools/{id}/plan',
    role: 'viewer',
    summary: "the night's plan as of now (a dry run of sleep)",
    params: IdParams,
    responses: { 200: s.PlanAnswer },
    errors: { 501: NO_HYPERVISOR },
    async run(ctx, req, { params }) {
      const pool = await poolOf(ctx, params.id);
      const r = await requestPoolSleep(poolDeps(ctx), { poolId: pool.poolId, dryRun: true, reason: 'plan preview', actor: req.actor, source: req.source ?? 'api', idempotencyKey: randomUUID() });
      return { status: 200, body: { plan: r.plan } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/pools/{id}/sleep',
    role: 'operator',
    summary: 'put the hosts the plan allows to sleep (dryRun: the plan only)',
    params: IdParams,
    body: s.SleepBody,
    responses: { 200: s.SleepAnswers.done, 202: s.SleepAnswers.started },
    errors: SLEEP_WAKE_ERRORS,
    invalid: SLEEP_WAKE_CODES,
    async run(ctx, req, { params, body }) {
      const asked = await poolRequest(ctx, req, params.id, body);
      const r = await requestPoolSleep(poolDeps(ctx), asked);
      if (asked.dryRun) return { status: 200, body: { dryRun: true as const, plan: r.plan } };
      if (!r.operationId) return { status: 200, body: { plan: r.plan, operation: null } };
      return { status: 202, body: { operation: await started(ctx, r.operationId, r.created), plan: r.plan } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/pools/{id}/wake',
    role: 'operator',
    summary: 'wake the sleeping hosts, ready by a time (dryRun: the plan only)',
    params: IdParams,
    body: s.WakeBody,
    responses: { 200: s.WakeAnswers.done, 202: s.WakeAnswers.started },
    errors: SLEEP_WAKE_ERRORS,
    invalid: SLEEP_WAKE_CODES,
    async run(ctx, req, { params, body }) {
      const asked = await poolRequest(ctx, req, params.id, body);
      const r = await requestPoolWake(poolDeps(ctx), { ...asked, readyBy: body.readyBy });
      if (asked.dryRun) return { status: 200, body: { dryRun: true as const, plan: r.plan } };
      if (!r.operationId) return { status: 200, body: { plan: r.plan, operation: null } };
      return { status: 202, body: { operation: await started(ctx, r.operationId, r.created), plan: r.plan } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/pools/{id}/energy',
    role: 'viewer',
    summary: 'kWh saved per night (?days, default 7) and what the hosts asleep now save',
    params: IdParams,
    query: EnergyQuery,
    responses: { 200: EnergyReport },
    async run(ctx, _req, { params, query }) {
      const pool = await poolOf(ctx, params.id);
      return { status: 200, body: await energyReport(ctx.store, pool, query.days, (ctx.now ?? Date.now)()) };
    },
  }),
  ...ADVICE_ROUTES,
  ...POOL_LIFECYCLE_ROUTES,
];
