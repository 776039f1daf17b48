/**
 * Typed errors for schedules. Each carries an HTTP status so the API layer can answer without
 * guessing: validation 400, not found 404, conflict 409.
 */

/** Which part of a schedule request was wrong. */
export type ScheduleField =
  | 'expression'
  | 'timezone'
  | 'name'
  | 'poolId'
  | 'hostIds'
  | 'action'
  | 'exceptions'
  | 'schedule';

export class ScheduleValidationError extends Error {
  override readonly name = 'ScheduleValidationError';
  readonly statusCode = 400;
  constructor(
    readonly field: ScheduleField,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ScheduleNotFoundError extends Error {
  override readonly name = 'ScheduleNotFoundError';
  readonly statusCode = 404;
  constructor(
    readonly scheduleName: string,
    message = `schedule '${scheduleName}' does not exist`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ScheduleConflictError extends Error {
  override readonly name = 'ScheduleConflictError';
  readonly statusCode = 409;
  constructor(
    readonly scheduleName: string,
    message = `schedule '${scheduleName}' conflicts with an existing schedule or a change in progress`,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
