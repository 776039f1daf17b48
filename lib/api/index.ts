/** lib/api: the HTTP API (routes, schemas, validation, the router) as other folders use it. */
export { isRole, type Role } from './roles.ts';
export { ROLES, handleApiRequest, type ApiContext, type ApiRequest, type ApiResponse } from './router.ts';
export { POOL_ROUTES } from './pool-routes.ts';
export { type AdviceAnswer, type EnergyReport } from './schemas/index.ts';
export { type DoctorAnswer } from './schemas/doctor.ts';
export { type ImportAnswer } from './schemas/import.ts';
export { type Route } from './types.ts';
export { ApiError } from './errors.ts';
export { objectBody } from './helpers.ts';
export { inner, lazy } from './schemas/lazy.ts';
export * as schemas from './schemas/index.ts';
