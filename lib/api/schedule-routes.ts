/** /v1/schedules (with skip tonight) and holding a pool awake: the schedule service behind the API. */
import type { Schedule } from '../schedules/index.ts';
import { poolOf } from './helpers.ts';
import { IdParams, NameParams } from './schemas/common.ts';
import * as s from './schemas/schedules.ts';
import { HoldAnswer, HoldBody } from './schemas/pools.ts';
import { defineRoute, type Route } from './types.ts';

export const SCHEDULE_ROUTES: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/schedules',
    role: 'viewer',
    summary: "a pool's schedules with their next run",
    query: s.ScheduleQuery,
    responses: { 200: s.SchedulesAnswer },
    run: async (ctx, _req, { query }) => ({ status: 200, body: { schedules: await ctx.schedules.list((await poolOf(ctx, query.pool)).poolId) } }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/schedules',
    role: 'operator',
    summary: 'create a schedule (EventBridge Scheduler syntax, IANA time zone)',
    query: s.ScheduleQuery,
    body: s.ScheduleCreateBody,
    responses: { 201: s.ScheduleAnswer },
    errors: { 409: 'a schedule of that name exists' },
    invalid: { code: 'invalid_schedule' },
    async run(ctx, _req, { query, body }) {
      const poolId = (await poolOf(ctx, query.pool)).poolId;
      const schedule: Schedule = { ...body, poolId };
      return { status: 201, body: { schedule: await ctx.schedules.create(schedule) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/schedules/{name}',
    role: 'viewer',
    summary: 'one schedule',
    params: NameParams,
    query: s.ScheduleQuery,
    responses: { 200: s.ScheduleAnswer },
    run: async (ctx, _req, { params, query }) => ({ status: 200, body: { schedule: await ctx.schedules.get((await poolOf(ctx, query.pool)).poolId, params.name) } }),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/schedules/{name}',
    role: 'operator',
    summary: 'change a schedule (optionally conditional on its version)',
    params: NameParams,
    query: s.ScheduleQuery,
    body: s.SchedulePatchBody,
    responses: { 200: s.ScheduleAnswer },
    errors: { 409: 'the schedule is not at the version given' },
    invalid: { code: 'invalid_schedule' },
    async run(ctx, _req, { params, query, body }) {
      const pool = await poolOf(ctx, query.pool);
      const { version, ...fields } = body;
      const patch: Partial<Schedule> = {};
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(patch, { [k]: v });
      return { status: 200, body: { schedule: await ctx.schedules.update(pool.poolId, params.name, patch, version) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/schedules/{name}',
    role: 'operator',
    summary: 'delete a schedule and its timer',
    params: NameParams,
    query: s.ScheduleQuery,
    responses: { 200: s.ScheduleDeletedAnswer },
    async run(ctx, _req, { params, query }) {
      await ctx.schedules.remove((await poolOf(ctx, query.pool)).poolId, params.name);
      return { status: 200, body: { deleted: params.name } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/schedules/{name}/skip',
    role: 'operator',
    summary: 'skip the next run of a schedule ("skip tonight")',
    params: NameParams,
    query: s.ScheduleQuery,
    body: s.SkipBody,
    responses: { 200: s.ScheduleAnswer },
    async run(ctx, req, { params, query, body }) {
      const pool = await poolOf(ctx, query.pool);
      const schedule = await ctx.schedules.skipNext(pool.poolId, params.name, `${body.reason} (${req.actor})`);
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason: body.reason, action: `skip next run of ${params.name}`, result: 'ok', message: schedule.exceptions.skipOnce?.date });
      return { status: 200, body: { schedule } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/pools/{id}/hold',
    role: 'operator',
    summary: 'hold a pool awake until a time: its sleep schedules do not run before then',
    params: IdParams,
    body: HoldBody,
    responses: { 200: HoldAnswer },
    invalid: { fields: { until: 'until_required' } },
    async run(ctx, req, { params, body }) {
      const pool = await poolOf(ctx, params.id);
      const { reason, until } = body;
      const schedules = await ctx.schedules.holdAwake(pool.poolId, until, `${reason} (${req.actor})`);
      await ctx.store.appendAudit({ poolId: pool.poolId, actor: req.actor, source: req.source ?? 'api', reason, action: 'hold pool awake', result: 'ok', message: `until ${until}` });
      return { status: 200, body: { held: schedules.map((x) => x.name), until: new Date(until).toISOString() } };
    },
  }),
];
