/**
 * /v1/pools/{id}/advice: when the pool could sleep, from its stored load (the week's hours, the
 * proposed window, the savings in kWh, money and CO2); /v1/pools/{id}/load: its recent samples per
 * host, for inspection. Both read only.
 */
import { ApiError } from './errors.ts';
import { findHost, poolOf } from './helpers.ts';
import { defineRoute, type ApiContext, type Route } from './types.ts';
import { poolAdvice } from '../ops/index.ts';
import { poolLoadView } from '../ops/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { IdParams } from './schemas/common.ts';
import { AdviceAnswer, AdviceQuery, LoadAnswer, LoadQuery } from './schemas/advice.ts';

const NO_HYPERVISOR = 'this deployment has no XAPI access configured';
const DAY_MS = 86_400_000;

function hypervisorFor(ctx: ApiContext): PoolOpsDeps['hypervisorFor'] {
  const d = ctx.ops as Partial<PoolOpsDeps>;
  if (typeof d.hypervisorFor !== 'function') throw new ApiError(501, 'no_hypervisor', NO_HYPERVISOR);
  return d.hypervisorFor;
}

export const ADVICE_ROUTES: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/pools/{id}/advice',
    role: 'viewer',
    summary: 'schedule advice from the stored load of the last days (?days, default 14): hosts that can sleep per hour of the week, the proposed sleep window, its savings in kWh, money and CO2',
    params: IdParams,
    query: AdviceQuery,
    responses: { 200: AdviceAnswer },
    errors: { 501: NO_HYPERVISOR },
    async run(ctx, _req, { params, query }) {
      const pool = await poolOf(ctx, params.id);
      const hv = await hypervisorFor(ctx)(pool);
      return { status: 200, body: await poolAdvice(ctx.store, hv, pool, { days: query.days, now: (ctx.now ?? Date.now)() }) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/pools/{id}/load',
    role: 'viewer',
    summary: "stored load samples per host (5-minute buckets: CPU, memory; ?vms=true adds each VM's) from ?since (default a day ago) to ?until (default now), for one ?host or all; bounded, the most recent part first",
    params: IdParams,
    query: LoadQuery,
    responses: { 200: LoadAnswer },
    invalid: { fields: { since: 'invalid_time', until: 'invalid_time', vms: 'bad_vms' } },
    async run(ctx, _req, { params, query }) {
      const pool = await poolOf(ctx, params.id);
      const until = query.until ? Date.parse(query.until) : (ctx.now ?? Date.now)();
      const since = query.since ? Date.parse(query.since) : until - DAY_MS;
      if (since >= until) throw new ApiError(400, 'invalid_time', 'since must be before until');
      const host = query.host ? await findHost(ctx, query.host, pool.poolId) : undefined;
      const hostCount = host ? 1 : (await ctx.store.listHosts(pool.poolId)).length;
      return { status: 200, body: await poolLoadView(ctx.store, pool.poolId, { since, until, hostId: host?.hostId, vms: query.vms === 'true', hostCount }) };
    },
  }),
];
