/**
 * API errors: every failure is `{ error: { code, message, ...extra } }` with an HTTP status. Domain
 * errors are mapped here, once, for the local server and the Lambda handler alike.
 */
import { AlreadyExistsError, HostBusyError, IdempotencyKeyReusedError, StoreValidationError, VersionConflictError } from '../store/index.ts';
import { PowerRefusedError } from '../ops/index.ts';
import { BmcTakenError } from '../ops/index.ts';
import { ScheduleConflictError, ScheduleNotFoundError, ScheduleValidationError } from '../schedules/index.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The API error for a domain error; undefined for the unexpected (a 500, logged). */
export function apiErrorOf(e: unknown): ApiError | undefined {
  if (e instanceof ApiError) return e;
  if (e instanceof HostBusyError) return new ApiError(409, 'busy', `host ${e.hostId} is busy with operation ${e.operationId}`, { operation: e.operationId });
  if (e instanceof PowerRefusedError) return new ApiError(409, 'refused', e.message, { host: e.hostId, why: e.why, forceable: e.forceable });
  if (e instanceof BmcTakenError) return new ApiError(409, 'bmc_taken', e.message, { host: e.otherHostId, pool: e.otherPoolId, by: e.by });
  if (e instanceof ScheduleValidationError) return new ApiError(400, 'invalid_schedule', e.message, { field: e.field });
  if (e instanceof ScheduleNotFoundError) return new ApiError(404, 'unknown_schedule', e.message);
  if (e instanceof ScheduleConflictError) return new ApiError(409, 'schedule_conflict', e.message);
  if (e instanceof IdempotencyKeyReusedError) return new ApiError(422, 'idempotency_key_reused', e.message, { operation: e.operationId });
  if (e instanceof StoreValidationError) return new ApiError(400, 'invalid_request', e.message);
  // Another request wrote the same record first: nothing of this one was kept; read it again.
  if (e instanceof VersionConflictError) return new ApiError(409, 'conflict', 'it changed meanwhile (another request wrote it first): read it again and retry');
  if (e instanceof AlreadyExistsError) return new ApiError(409, 'exists', 'it exists already (another request made it first)');
  return undefined;
}
