/**
 * Creating an operation once per idempotency key. The idempotency item (`IDEMPOTENCY#k / META`)
 * and the operation (`OP#o / META`) are written together in one TransactWriteItems, each on
 * condition that it does not exist yet, and both carry the request's hash. When the key is taken,
 * the first record answers: another request hash is refused (IdempotencyKeyReusedError, a 422 at
 * the API), the same one gets the first operation back with `created: false`.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retry } from '../util/index.ts';
import { AlreadyExistsError, IdempotencyKeyReusedError, StoreError, keyText } from './errors.ts';
import { createItem, getItem, strip, tableValue, type Ctx, type Item } from './items.ts';
import { idempotencyKey as idempotencyItemKey, operationKey } from './keys.ts';
import type { Operation } from './types.ts';

export interface CreatedOperation {
  operation: Operation;
  created: boolean;
}

/** Transactions that lost to another one on the same items: tries in all, the first included. */
const CONFLICT_ATTEMPTS = 5;

/** The transaction lost to a concurrent one on the same items (neither condition failed): try again. */
class TransactionConflict extends Error {}

/** The reason codes of a cancelled transaction, in the order of its items; undefined for any other error. */
function cancellationCodes(err: unknown): (string | undefined)[] | undefined {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return undefined;
  const reasons: unknown = (err as Error & { CancellationReasons?: unknown }).CancellationReasons;
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r: unknown) => (r && typeof r === 'object' && 'Code' in r && typeof r.Code === 'string' ? r.Code : undefined));
}

/** dynalite's answer to TransactWriteItems, an operation it does not implement. */
const isUnsupported = (err: unknown): boolean => err instanceof Error && err.name === 'UnknownOperationException';

/** `createOnce(op)` writes `op` (already validated, with its idempotencyKey and requestHash) once per key. */
export function idempotentCreate(ctx: Ctx): (op: Operation) => Promise<CreatedOperation> {
  // Set when the server has answered that it has no TransactWriteItems; it is not asked again.
  let withoutTransactions = false;

  const items = (op: Operation): { idempotency: Item & { PK: string; SK: string }; operation: Item & { PK: string; SK: string } } => ({
    // `updatedAt` of a new operation is the time of this write (its `createdAt` may be the caller's).
    idempotency: {
      ...idempotencyItemKey(op.idempotencyKey),
      type: 'idempotency',
      operationId: op.operationId,
      operation: op,
      requestHash: op.requestHash,
      createdAt: op.updatedAt,
    },
    operation: { ...operationKey(op.operationId), type: 'operation', GSI1PK: `POOL#${op.poolId}`, GSI1SK: op.createdAt, ...op },
  });

  /** The operation as stored, if it is there; AlreadyExistsError when another key's operation has the id. */
  async function storedOperation(op: Operation): Promise<Operation | undefined> {
    const key = operationKey(op.operationId);
    const existing = await getItem(ctx, key);
    if (!existing) return undefined;
    if (existing.idempotencyKey !== op.idempotencyKey) throw new AlreadyExistsError(key);
    return strip<Operation>(existing);
  }

  /** Puts the operation's item unless it is there already (the first caller may have stopped before it). */
  async function ensureOperation(op: Operation, readFirst: boolean): Promise<Operation> {
    if (readFirst) {
      const stored = await storedOperation(op);
      if (stored) return stored;
    }
    try {
      await createItem(ctx, items(op).operation);
      return op;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const stored = await storedOperation(op);
      if (!stored) throw err;
      return stored;
    }
  }

  /** The key is taken: the first record decides. */
  async function repeat(op: Operation): Promise<CreatedOperation> {
    const key = idempotencyItemKey(op.idempotencyKey);
    const first = await getItem(ctx, key);
    if (!first || typeof first.operation !== 'object' || first.operation === null) {
      throw new StoreError(`${keyText(key)}: idempotency record unreadable`);
    }
    const earlier = first.operation as Operation;
    const firstHash = typeof first.requestHash === 'string' ? first.requestHash : earlier.requestHash;
    // The same key with another request is a client bug, not a retry: say so, change nothing.
    if (op.requestHash !== undefined && firstHash !== undefined && firstHash !== op.requestHash) {
      throw new IdempotencyKeyReusedError(op.idempotencyKey, earlier.operationId);
    }
    return { operation: await ensureOperation(earlier, true), created: false };
  }

  async function transactional(op: Operation): Promise<CreatedOperation> {
    const { idempotency, operation } = items(op);
    const put = (item: Item): { Put: { TableName: string; Item: Item; ConditionExpression: string } } => ({
      Put: { TableName: ctx.tableName, Item: tableValue(item) as Item, ConditionExpression: 'attribute_not_exists(PK)' },
    });
    return retry(
      async () => {
        try {
          // The token makes the SDK's own resend of a transaction that did go through a success, not a cancellation.
          await ctx.client.send(new TransactWriteCommand({ TransactItems: [put(idempotency), put(operation)], ClientRequestToken: randomUUID() }));
        } catch (err) {
          const codes = cancellationCodes(err);
          if (codes === undefined) throw err;
          if (codes[0] === 'ConditionalCheckFailed') {
            ctx.log({ event: 'already-exists', key: keyText(idempotency) });
            return repeat(op);
          }
          // A new key but a taken operation id: nothing was written.
          if (codes[1] === 'ConditionalCheckFailed') {
            ctx.log({ event: 'already-exists', key: keyText(operation) });
            throw new AlreadyExistsError(operationKey(op.operationId));
          }
          if (codes.includes('TransactionConflict')) throw new TransactionConflict();
          throw err;
        }
        ctx.log({ event: 'created', key: keyText(idempotency) });
        ctx.log({ event: 'created', key: keyText(operation) });
        return { operation: op, created: true };
      },
      {
        attempts: CONFLICT_ATTEMPTS,
        retryOn: (e) => e instanceof TransactionConflict,
        exhausted: () => new StoreError(`${keyText(idempotency)}: transaction contended, gave up after ${CONFLICT_ATTEMPTS} attempts`),
      },
    );
  }

  /**
   * Two conditional writes, the idempotency item first, for a server without transactions (dynalite,
   * which the tests and the local runner use). Not atomic: a caller that stops between the two
   * leaves the key without its operation, and the next create with that key finishes the job.
   */
  async function twoWrites(op: Operation): Promise<CreatedOperation> {
    try {
      await createItem(ctx, items(op).idempotency);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      return repeat(op);
    }
    return { operation: await ensureOperation(op, false), created: true };
  }

  return async (op) => {
    if (!withoutTransactions) {
      try {
        return await transactional(op);
      } catch (err) {
        if (!isUnsupported(err)) throw err;
        withoutTransactions = true;
      }
    }
    return twoWrites(op);
  };
}
