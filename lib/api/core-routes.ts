/**
 * The core /v1 routes as a table: who am I, hosts (inventory, readings, live sensors and event
 * log, power), operations (list, get, cancel), alerts, schedules (with skip) and hold awake.
 * docs/openapi.json is generated from these and the pool routes (scripts/build-openapi.ts).
 */
import { DOCTOR_ROUTES } from './doctor-routes.ts';
import { HOST_ROUTES } from './host-routes.ts';
import { OPERATION_ROUTES } from './operation-routes.ts';
import { SCHEDULE_ROUTES } from './schedule-routes.ts';
import { MeAnswer } from './schemas/me.ts';
import { defineRoute, type Route } from './types.ts';

const ME = defineRoute({
  method: 'GET',
  path: '/v1/me',
  role: 'viewer',
  summary: 'who is asking, with which role',
  responses: { 200: MeAnswer },
  run: async (_ctx, req) => ({ status: 200, body: { actor: req.actor, role: req.role } }),
});

export const CORE_ROUTES: Route[] = [ME, ...HOST_ROUTES, ...OPERATION_ROUTES, ...SCHEDULE_ROUTES, ...DOCTOR_ROUTES];
