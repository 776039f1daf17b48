/**
 * The /v1 API's shapes, declared once with zod/mini: the routes validate requests with them, the
 * build generates docs/openapi.json from them, and the dashboard and the Slack readers take their
 * types from them (type-only in the browser, so the page carries no zod). Each schema has a type
 * of the same name: what a client reads.
 */
export * from './common.ts';
export * from './hosts.ts';
export * from './pools.ts';
export * from './rebalance.ts';
export * from './operations.ts';
export * from './schedules.ts';
export * from './alerts.ts';
export * from './energy.ts';
export * from './advice.ts';
export * from './me.ts';
