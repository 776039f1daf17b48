/** POST /v1/pools/{id}/rebalance: restore or balance the pool's VMs now (dry run: 200 with the plan; otherwise 202 with the operation). */
import { randomUUID } from 'node:crypto';
import { requestRebalance } from '../ops/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { ApiError } from './errors.ts';
import { poolOf } from './helpers.ts';
import { IdParams } from './schemas/common.ts';
import { RebalanceBody, RebalanceDone, RebalanceStarted } from './schemas/rebalance.ts';
import { defineRoute, type Route } from './types.ts';

export const REBALANCE_ROUTES: Route[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/pools/{id}/rebalance',
    role: 'operator',
    summary: "spread the VMs: back to their hosts before the last sleep (restore), or evening out the measured load (balance); dryRun: the plan only",
    params: IdParams,
    body: RebalanceBody,
    responses: { 200: RebalanceDone, 202: RebalanceStarted },
    errors: { 409: 'a host the operation needs is busy with another one', 422: 'the Idempotency-Key was already used for another request', 501: 'this deployment has no XAPI access configured' },
    invalid: { fields: { dryRun: 'bad_dry_run', mode: 'bad_mode' } },
    async run(ctx, req, { params, body }) {
      const deps = ctx.ops as Partial<PoolOpsDeps>;
      if (typeof deps.hypervisorFor !== 'function') throw new ApiError(501, 'no_hypervisor', 'this deployment has no XAPI access configured');
      const pool = await poolOf(ctx, params.id);
      const r = await requestRebalance(deps as PoolOpsDeps, {
        poolId: pool.poolId,
        mode: body.mode,
        reason: body.reason,
        actor: req.actor,
        source: req.source ?? 'api',
        idempotencyKey: req.headers['idempotency-key'] ?? randomUUID(),
        dryRun: body.dryRun === true,
      });
      const from = r.sleepOperationId ? { sleepOperationId: r.sleepOperationId } : {};
      if (body.dryRun) return { status: 200, body: { dryRun: true as const, plan: r.plan, ...from } };
      if (!r.operationId) return { status: 200, body: { plan: r.plan, operation: null, ...from } };
      if (r.created) await ctx.launch(r.operationId);
      const op = await ctx.store.getOperation(r.operationId);
      return { status: 202, body: { operation: { id: r.operationId, state: op?.state ?? ('pending' as const) }, plan: r.plan, ...from } };
    },
  }),
];
