/** /v1/operations and /v1/alerts: a pool's operations (list, one with its steps, cancel) and its alerts. */
import { requestCancel, OperationFinishedError } from '../ops/index.ts';
import { ApiError } from './errors.ts';
import { poolOf } from './helpers.ts';
import { IdParams } from './schemas/common.ts';
import * as s from './schemas/operations.ts';
import { AlertsAnswer, AlertsQuery } from './schemas/alerts.ts';
import { defineRoute, type Route } from './types.ts';

export const OPERATION_ROUTES: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/operations',
    role: 'viewer',
    summary: "a pool's operations, newest first (?pool, ?limit)",
    query: s.OperationsQuery,
    responses: { 200: s.OperationsAnswer },
    async run(ctx, _req, { query }) {
      const pool = await poolOf(ctx, query.pool);
      return { status: 200, body: { operations: await ctx.store.listOperations(pool.poolId, { limit: query.limit }) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/operations/{id}',
    role: 'viewer',
    summary: 'an operation with its steps and result',
    params: IdParams,
    responses: { 200: s.OperationAnswer },
    async run(ctx, _req, { params }) {
      const op = await ctx.store.getOperation(params.id).catch(() => undefined);
      if (!op) throw new ApiError(404, 'unknown_operation', `no operation ${params.id}`);
      return { status: 200, body: { operation: op } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/operations/{id}/cancel',
    role: 'operator',
    summary: 'cancel an unfinished operation: what is left is skipped, the safety steps still run',
    params: IdParams,
    body: s.CancelBody,
    responses: { 202: s.CancelAnswer },
    errors: { 409: 'the operation has already finished' },
    async run(ctx, req, { params, body }) {
      try {
        const op = await requestCancel({ store: ctx.store, now: ctx.now }, params.id, req.actor, body.reason);
        return { status: 202, body: { operation: { id: op.operationId, state: op.state, cancelRequested: op.cancelRequested } } };
      } catch (e) {
        if (e instanceof OperationFinishedError) throw new ApiError(409, 'finished', e.message, { state: e.state });
        if (e instanceof Error && /not found/.test(e.message)) throw new ApiError(404, 'unknown_operation', `no operation ${params.id}`);
        throw e;
      }
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/alerts',
    role: 'viewer',
    summary: "a pool's open alerts (?all=true for closed ones too)",
    query: AlertsQuery,
    responses: { 200: AlertsAnswer },
    async run(ctx, _req, { query }) {
      const pool = await poolOf(ctx, query.pool);
      return { status: 200, body: { alerts: await ctx.store.listAlerts(pool.poolId, query.all ? {} : { open: true }) } };
    },
  }),
];
