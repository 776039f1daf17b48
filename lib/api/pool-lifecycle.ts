/**
 * A pool's schedules follow the pool: a pool added (POST /v1/pools, or an import that adds it)
 * gets its load poll, unless the request says `loadPoll: false`; DELETE /v1/pools/{id} removes its
 * schedules with their timers, its hosts and the pool. The load poll goes through the schedule
 * service like any schedule; when it cannot be made, the pool just written is removed again, so a
 * retry of the request starts clean and no pool is left without its night watch unnoticed.
 */
import type { Pool } from '../store/index.ts';
import { describeLoadPoll, ensureLoadPoll, removePoolSchedules, ScheduleConflictError, ScheduleValidationError } from '../schedules/index.ts';
import { errorField } from '../util/index.ts';
import { ApiError } from './errors.ts';
import { poolOf } from './helpers.ts';
import { IdParams } from './schemas/common.ts';
import { PoolDeletedAnswer } from './schemas/pool-delete.ts';
import { defineRoute, type ApiContext, type Route } from './types.ts';

/**
 * The new pool's load poll (an existing one is kept); on failure the pool is removed again and
 * the error says so. Returns what it is, e.g. "schedule load (poll-load, rate(1 minute) UTC)".
 */
export async function addLoadPoll(ctx: Pick<ApiContext, 'store' | 'schedules' | 'log'>, pool: Pool): Promise<string> {
  try {
    const { schedule } = await ensureLoadPoll(ctx.schedules, pool.poolId);
    return describeLoadPoll(schedule);
  } catch (e) {
    await ctx.store.deletePool(pool.poolId, pool.version).catch((undo: unknown) => ctx.log?.('pool-create-not-undone', { pool: pool.poolId, error: errorField(undo) }));
    ctx.log?.('pool-create-undone', { pool: pool.poolId, why: 'load poll', error: errorField(e) });
    const why = e instanceof Error ? e.message : String(e);
    const message = `pool ${pool.poolId} was not added: its load poll could not be scheduled (${why}); try again, or add the pool with loadPoll: false`;
    // The scheduler's own refusals keep their status; anything else is the scheduler failing.
    if (e instanceof ScheduleValidationError) throw new ApiError(400, 'invalid_schedule', message, { field: e.field });
    if (e instanceof ScheduleConflictError) throw new ApiError(409, 'schedule_conflict', message);
    throw new ApiError(502, 'scheduler_failed', message);
  }
}

const now = (ctx: ApiContext): number => (ctx.now ?? Date.now)();

export const POOL_LIFECYCLE_ROUTES: Route[] = [
  defineRoute({
    method: 'DELETE',
    path: '/v1/pools/{id}',
    role: 'admin',
    summary: 'remove a pool: its schedules with their timers, its hosts from the inventory, and the pool (refused while a host is busy or asleep)',
    params: IdParams,
    responses: { 200: PoolDeletedAnswer },
    errors: { 409: 'a host of the pool is busy with an operation, or asleep (wake the pool first)' },
    async run(ctx, req, { params }) {
      const pool = await poolOf(ctx, params.id);
      const hosts = await ctx.store.listHosts(pool.poolId);
      const busy = hosts.find((h) => h.lockOperationId && (h.lockExpiresAt ?? 0) > now(ctx));
      if (busy) throw new ApiError(409, 'busy', `host ${busy.hostId} of pool ${pool.poolId} is busy with operation ${busy.lockOperationId}`, { operation: busy.lockOperationId });
      // Hosts lowpower put to sleep would be forgotten off: nothing would wake them again.
      const asleep = hosts.filter((h) => h.sleepState === 'asleep').map((h) => h.hostId);
      if (asleep.length) throw new ApiError(409, 'hosts_asleep', `pool ${pool.poolId} has hosts lowpower put to sleep (${asleep.join(', ')}): wake them first (POST /v1/pools/${pool.poolId}/wake)`, { host: asleep[0] });
      // Timers first: nothing fires for a pool that is half gone.
      const schedules = await removePoolSchedules(ctx.schedules, pool.poolId);
      for (const h of hosts) await ctx.store.deleteHost(h.poolId, h.hostId, h.version);
      await ctx.store.deletePool(pool.poolId, pool.version);
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'remove pool', result: 'ok', message: `schedules: ${schedules.join(', ') || 'none'}; hosts: ${hosts.map((h) => h.hostId).join(', ') || 'none'}` });
      return { status: 200, body: { deleted: pool.poolId, schedules, hosts: hosts.map((h) => h.hostId) } };
    },
  }),
];
