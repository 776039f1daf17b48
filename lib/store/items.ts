/**
 * Item primitives shared by the repositories: conditional create, versioned update and delete,
 * paginated query, and the field filters that keep unknown attributes (a stray `password`, say)
 * out of the table.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  AlreadyExistsError,
  NotFoundError,
  StoreValidationError,
  VersionConflictError,
  isConditionalCheckFailed,
  keyText,
  type ItemKey,
} from './errors.ts';

export type Item = Record<string, unknown>;

/** One line for the optional store log: ids and keys only, never attribute values. */
export interface StoreLogLine {
  event: 'created' | 'updated' | 'deleted' | 'version-conflict' | 'already-exists' | 'lock-acquired' | 'lock-released' | 'host-busy';
  key: string;
  operationId?: string;
}
export type StoreLog = (line: StoreLogLine) => void;

export interface Ctx {
  client: DynamoDBDocumentClient;
  tableName: string;
  pageSize: number | undefined;
  log: StoreLog;
  /** Wall clock: lock leases and reading expiry compare against it. */
  clock: () => Date;
  nowIso: () => string;
}

/** A context for the repositories from the store's options. */
export function storeContext(o: { client: DynamoDBDocumentClient; tableName: string; clock?: () => Date; pageSize?: number; log?: StoreLog }): Ctx {
  const clock = o.clock ?? (() => new Date());
  return { client: o.client, tableName: o.tableName, pageSize: o.pageSize, log: o.log ?? (() => {}), clock, nowIso: () => clock().toISOString() };
}

/** The version fields of a record written for the first time. */
export function firstVersion(ctx: Ctx): { version: number; createdAt: string; updatedAt: string } {
  const now = ctx.nowIso();
  return { version: 1, createdAt: now, updatedAt: now };
}

const STRUCTURAL = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'type']);

/**
 * Copies the allowed fields of `input` (skipping `undefined` unless `keepUndefined`); `ids` are
 * fields that are part of the key and silently skipped; anything else is refused by name.
 */
export function pick(what: string, input: object, allowed: readonly string[], ids: readonly string[], keepUndefined = false): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(input)) {
    if (allowed.includes(k)) {
      if (v !== undefined || keepUndefined) out[k] = v;
    } else if (!ids.includes(k)) {
      throw new StoreValidationError(`${what}: unknown field "${k}"`);
    }
  }
  return out;
}

/** The record without the table's structural attributes. */
export function strip<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STRUCTURAL.has(k)) out[k] = v;
  return out as T;
}

export async function getItem(ctx: Ctx, key: ItemKey): Promise<Item | undefined> {
  const res = await ctx.client.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }));
  return res.Item;
}

/**
 * A value as the table keeps it: undefined fields inside nested objects and lists are dropped
 * (DynamoDB has no undefined; at the top level an undefined field means "remove", see
 * updateVersioned). Done here once, whatever client options the caller chose.
 */
export function tableValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(tableValue);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || v instanceof Set) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = tableValue(x);
  return out;
}

/** Puts an item that must not exist yet. */
export async function createItem(ctx: Ctx, item: Item & ItemKey): Promise<void> {
  try {
    await ctx.client.send(
      new PutCommand({ TableName: ctx.tableName, Item: tableValue(item) as Item, ConditionExpression: 'attribute_not_exists(PK)' }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const key = { PK: item.PK, SK: item.SK };
    ctx.log({ event: 'already-exists', key: keyText(key) });
    throw new AlreadyExistsError(key);
  }
  ctx.log({ event: 'created', key: keyText(item) });
}

async function conflict(ctx: Ctx, key: ItemKey, expectedVersion: number): Promise<Error> {
  const current = await getItem(ctx, key);
  if (!current) return new NotFoundError(key);
  ctx.log({ event: 'version-conflict', key: keyText(key) });
  return new VersionConflictError(key, expectedVersion, typeof current.version === 'number' ? current.version : undefined);
}

/**
 * SETs the fields of `patch` (REMOVEs those that are `undefined`), bumps `version` and
 * `updatedAt`, on condition that the item exists at `expectedVersion`. Returns the new item.
 */
export async function updateVersioned(ctx: Ctx, key: ItemKey, expectedVersion: number, patch: Item): Promise<Item> {
  if (!Number.isInteger(expectedVersion) || expectedVersion < 1) {
    throw new StoreValidationError(`${keyText(key)}: expected version must be a positive integer`);
  }
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
  const values: Item = { ':expected': expectedVersion, ':next': expectedVersion + 1, ':now': ctx.nowIso() };
  const sets = ['#version = :next', '#updatedAt = :now'];
  const removes: string[] = [];
  Object.entries(patch).forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    if (value === undefined) removes.push(`#f${i}`);
    else {
      values[`:f${i}`] = tableValue(value);
      sets.push(`#f${i} = :f${i}`);
    }
  });
  try {
    const res = await ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(PK) AND #version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    ctx.log({ event: 'updated', key: keyText(key) });
    return res.Attributes ?? {};
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    throw await conflict(ctx, key, expectedVersion);
  }
}

/** Deletes an item on condition that it is still at `expectedVersion`. */
export async function deleteVersioned(ctx: Ctx, key: ItemKey, expectedVersion: number): Promise<void> {
  try {
    await ctx.client.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: key,
        ConditionExpression: 'attribute_exists(PK) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      }),
    );
    ctx.log({ event: 'deleted', key: keyText(key) });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    throw await conflict(ctx, key, expectedVersion);
  }
}

/**
 * Every item of a query, page by page (following LastEvaluatedKey), up to `limit` items when
 * given. Pages hold at most `ctx.pageSize` items when set (the server's 1 MB page otherwise).
 */
export async function queryAll(ctx: Ctx, input: Omit<QueryCommandInput, 'TableName'>, limit?: number): Promise<Item[]> {
  const out: Item[] = [];
  let start: Item | undefined;
  do {
    const remaining = limit === undefined ? undefined : limit - out.length;
    const pageLimit =
      ctx.pageSize === undefined ? remaining : remaining === undefined ? ctx.pageSize : Math.min(ctx.pageSize, remaining);
    const res = await ctx.client.send(
      new QueryCommand({ ...input, TableName: ctx.tableName, ExclusiveStartKey: start, Limit: pageLimit }),
    );
    out.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start !== undefined && (limit === undefined || out.length < limit));
  return limit === undefined ? out : out.slice(0, limit);
}
