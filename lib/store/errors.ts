/**
 * Typed errors of the store. Messages name the item (its key) and what went wrong; they never carry
 * an attribute value, so no secret can leak through them.
 */

/** The primary key of one item of the table. */
export interface ItemKey {
  PK: string;
  SK: string;
}

export function keyText(key: ItemKey): string {
  return `${key.PK} / ${key.SK}`;
}

export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  constructor(message: string) {
    super(message);
  }
}

/** A conditional write on `version` failed: someone else wrote the item since it was read. */
export class VersionConflictError extends StoreError {
  override readonly name: string = 'VersionConflictError';
  constructor(
    readonly key: ItemKey,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
  ) {
    super(
      `${keyText(key)}: version conflict (expected version ${expectedVersion}` +
        `${actualVersion === undefined ? '' : `, found ${actualVersion}`}); read the item again and retry`,
    );
  }
}

/** An idempotency key came back with another request than the one it first carried: 422 at the API. */
export class IdempotencyKeyReusedError extends StoreError {
  override readonly name: string = 'IdempotencyKeyReusedError';
  constructor(
    readonly idempotencyKey: string,
    readonly operationId: string,
  ) {
    super(`idempotency key already used for another request (operation ${operationId}); use a new key for a new request`);
  }
}

/** A create found an item with the same key already there. */
export class AlreadyExistsError extends StoreError {
  override readonly name: string = 'AlreadyExistsError';
  constructor(readonly key: ItemKey) {
    super(`${keyText(key)}: already exists`);
  }
}

/** An update or lock named an item that does not exist. */
export class NotFoundError extends StoreError {
  override readonly name: string = 'NotFoundError';
  constructor(readonly key: ItemKey) {
    super(`${keyText(key)}: not found`);
  }
}

/** The host is locked by another operation whose lease has not expired. */
export class HostBusyError extends StoreError {
  override readonly name: string = 'HostBusyError';
  constructor(
    readonly poolId: string,
    readonly hostId: string,
    readonly operationId: string,
    readonly lockExpiresAt: number | undefined,
  ) {
    super(`host ${hostId} in pool ${poolId} is busy with operation ${operationId}`);
  }
}

/** Renewing a lock that this operation no longer holds (released, or expired and never taken). */
export class LockNotHeldError extends StoreError {
  override readonly name: string = 'LockNotHeldError';
  constructor(
    readonly poolId: string,
    readonly hostId: string,
    readonly operationId: string,
  ) {
    super(`host ${hostId} in pool ${poolId} is not locked by operation ${operationId}`);
  }
}

/** Input the store refuses before it reaches DynamoDB (bad id, unknown field, bad time). */
export class StoreValidationError extends StoreError {
  override readonly name: string = 'StoreValidationError';
}

/** DynamoDB's "the condition was false" answer, from the low-level or the document client. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}
