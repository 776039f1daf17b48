/**
 * The `Store`: pools, hosts (with their locks), schedules, operations and their steps, audit
 * records and sensor readings, over one DynamoDB table. Every write of a versioned item is
 * conditional on `version`; every list is a paginated Query (no Scan).
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  AlreadyExistsError,
  HostBusyError,
  IdempotencyKeyReusedError,
  LockNotHeldError,
  NotFoundError,
  StoreError,
  StoreValidationError,
  VersionConflictError,
  isConditionalCheckFailed,
  keyText,
} from './errors.ts';
import {
  createItem,
  deleteVersioned,
  getItem,
  pick,
  queryAll,
  strip,
  updateVersioned,
  type Ctx,
  type Item,
  type StoreLog,
} from './items.ts';
import {
  GSI1,
  PREFIX,
  auditPk,
  checkDay,
  checkId,
  checkIsoTime,
  hostKey,
  idempotencyKey as idempotencyItemKey,
  operationKey,
  poolKey,
  readingKey,
  scheduleKey,
  stepKey,
  alertKey,
} from './keys.ts';
import type {
  EnergyRecord,
  Alert,
  AlertInput,
  AuditInput,
  AuditRecord,
  Host,
  HostInput,
  HostLock,
  HostPatch,
  ListOperationsOptions,
  ListReadingsOptions,
  Operation,
  OperationInput,
  OperationPatch,
  OperationStep,
  OperationWithSteps,
  Pool,
  PoolInput,
  PoolPatch,
  Reading,
  ReadingInput,
  Schedule,
  ScheduleInput,
  SchedulePatch,
  StepInput,
  StepPatch,
} from './types.ts';
import { checkActor, checkHostFields, checkPoolFields, checkScheduleFields } from './validate.ts';

const POOL_FIELDS = ['name', 'xapiUrl', 'xapiUser', 'secretRef', 'policy'] as const;
const HOST_FIELDS = [
  'bmcAddress', 'bmcPort', 'bmcUser', 'secretRef', 'cipherSuite',
  'power', 'powerObservedAt', 'powerSource', 'xenState', 'isMaster',
  'neverSleep', 'sleepState', 'sleptAt', 'sleptByOperation', 'wattsBeforeSleep', 'wattsAsleep', 'lastWokenAt', 'wakeLeadsMs',
  'binding', 'identity', 'awaitingEnable', 'restorePolicy',
] as const;
const SCHEDULE_FIELDS = ['cron', 'timeZone', 'action', 'enabled', 'schedulerName', 'hostIds', 'exceptions'] as const;
const OPERATION_FIELDS = ['kind', 'actor', 'source', 'reason', 'hostIds', 'params', 'requestHash'] as const;
const OPERATION_PATCH = ['state', 'result', 'error', 'cursor', 'leaseOwner', 'leaseExpiresAt', 'cancelRequested', 'sweeps'] as const;
const STEP_FIELDS = ['name', 'state', 'hostId', 'detail'] as const;
const STEP_PATCH = ['state', 'detail', 'error', 'startedAt', 'finishedAt'] as const;
const AUDIT_FIELDS = [
  'operationId', 'poolId', 'hostId', 'actor', 'source', 'reason', 'action', 'result', 'message', 'forced',
] as const;
const READING_FIELDS = ['poolId', 'power', 'powerWatts', 'temperatures'] as const;
const VERSIONED = ['version', 'createdAt', 'updatedAt'];

export const DEFAULT_READING_TTL_SECONDS = 30 * 24 * 3600;

export interface StoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Wall clock for createdAt / updatedAt / audit times and for hiding expired readings. */
  clock?: () => Date;
  /** Items per Query page (the server's 1 MB pages when absent); tests set it small. */
  pageSize?: number;
  /** Receives one line per write and per refusal: keys and ids only. */
  log?: StoreLog;
  readingTtlSeconds?: number;
}

export interface Store {
  createPool(pool: PoolInput): Promise<Pool>;
  getPool(poolId: string): Promise<Pool | undefined>;
  listPools(): Promise<Pool[]>;
  updatePool(poolId: string, expectedVersion: number, patch: PoolPatch): Promise<Pool>;

  createHost(host: HostInput): Promise<Host>;
  getHost(poolId: string, hostId: string): Promise<Host | undefined>;
  /** Conditional on `version`; never touches the lock fields. */
  updateHost(poolId: string, hostId: string, expectedVersion: number, patch: HostPatch): Promise<Host>;
  /** Writes the host's non-key fields back, conditional on `host.version`. */
  putHost(host: Host): Promise<Host>;
  deleteHost(poolId: string, hostId: string, expectedVersion: number): Promise<void>;
  listHosts(poolId: string): Promise<Host[]>;

  /** Takes (or re-takes, or takes over an expired) lock; `HostBusyError` names the holder otherwise. */
  acquireHostLock(poolId: string, hostId: string, operationId: string, leaseMs: number, now?: number): Promise<HostLock>;
  renewHostLock(poolId: string, hostId: string, operationId: string, leaseMs: number, now?: number): Promise<HostLock>;
  /** Releases the lock if `operationId` holds it; false when it did not. */
  releaseHostLock(poolId: string, hostId: string, operationId: string): Promise<boolean>;

  createSchedule(schedule: ScheduleInput): Promise<Schedule>;
  getSchedule(poolId: string, scheduleId: string): Promise<Schedule | undefined>;
  updateSchedule(poolId: string, scheduleId: string, expectedVersion: number, patch: SchedulePatch): Promise<Schedule>;
  deleteSchedule(poolId: string, scheduleId: string, expectedVersion: number): Promise<void>;
  listSchedules(poolId: string): Promise<Schedule[]>;

  /** Creates the operation once per idempotency key; a repeat returns the first (`created: false`). */
  createOperation(input: OperationInput, idempotencyKey: string): Promise<{ operation: Operation; created: boolean }>;
  getOperation(operationId: string): Promise<OperationWithSteps | undefined>;
  updateOperation(operationId: string, expectedVersion: number, patch: OperationPatch): Promise<Operation>;
  /** Writes state, result, error and cursor back, conditional on `op.version`. */
  saveOperation(op: Operation): Promise<Operation>;
  listOperations(poolId: string, opts?: ListOperationsOptions): Promise<Operation[]>;
  createStep(operationId: string, step: StepInput): Promise<OperationStep>;
  updateStep(operationId: string, index: number, expectedVersion: number, patch: StepPatch): Promise<OperationStep>;
  saveStep(step: OperationStep): Promise<OperationStep>;

  appendAudit(record: AuditInput): Promise<AuditRecord>;
  listAudit(day: string): Promise<AuditRecord[]>;

  /** Opens the host's alert of this kind, or counts it again when it is open already. */
  openAlert(alert: AlertInput): Promise<{ alert: Alert; opened: boolean }>;
  /** Closes it if open; false when there was nothing open. */
  closeAlert(poolId: string, kind: Alert['kind'], hostId: string): Promise<boolean>;
  listAlerts(poolId: string, opts?: { open?: boolean }): Promise<Alert[]>;

  /** One record per host and wake; writing the same one again is a no-op. */
  putEnergy(record: EnergyRecord): Promise<void>;
  /** Energy records of a pool whose wake time lies in [since, until). */
  listEnergy(poolId: string, opts?: { since?: string; until?: string }): Promise<EnergyRecord[]>;

  putReading(reading: ReadingInput): Promise<Reading>;
  putReadings(readings: ReadingInput[]): Promise<Reading[]>;
  listReadings(hostId: string, opts?: ListReadingsOptions): Promise<Reading[]>;
}

export function createStore(opts: StoreOptions): Store {
  const clock = opts.clock ?? (() => new Date());
  const ttl = opts.readingTtlSeconds ?? DEFAULT_READING_TTL_SECONDS;
  const ctx: Ctx = {
    client: opts.client,
    tableName: opts.tableName,
    pageSize: opts.pageSize,
    log: opts.log ?? (() => {}),
    nowIso: () => clock().toISOString(),
  };
  const versionedNew = (): { version: number; createdAt: string; updatedAt: string } => {
    const now = ctx.nowIso();
    return { version: 1, createdAt: now, updatedAt: now };
  };

  async function lockRefused(poolId: string, hostId: string, operationId: string, now: number): Promise<Error | undefined> {
    const key = hostKey(poolId, hostId);
    const item = await getItem(ctx, key);
    if (!item) return new NotFoundError(key);
    const holder = typeof item.lockOperationId === 'string' ? item.lockOperationId : undefined;
    const expires = typeof item.lockExpiresAt === 'number' ? item.lockExpiresAt : undefined;
    if (holder !== undefined && holder !== operationId && (expires === undefined || expires > now)) {
      ctx.log({ event: 'host-busy', key: keyText(key), operationId: holder });
      return new HostBusyError(poolId, hostId, holder, expires);
    }
    return undefined;
  }

  function checkLease(leaseMs: number, now: number): void {
    if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new StoreValidationError('leaseMs: expected a positive number');
    if (!Number.isFinite(now)) throw new StoreValidationError('now: expected epoch milliseconds');
  }

  async function ensureOperation(op: Operation): Promise<Operation> {
    const key = operationKey(op.operationId);
    try {
      await createItem(ctx, { ...key, type: 'operation', GSI1PK: `POOL#${op.poolId}`, GSI1SK: op.createdAt, ...op });
      return op;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const existing = await getItem(ctx, key);
      if (!existing || existing.idempotencyKey !== op.idempotencyKey) throw err;
      return strip<Operation>(existing);
    }
  }

  function toReadingItem(r: ReadingInput): Item & { PK: string; SK: string } {
    const fields = pick('reading', r, READING_FIELDS, ['hostId', 'at', 'ttlSeconds']);
    const key = readingKey(r.hostId, r.at);
    const keep = r.ttlSeconds ?? ttl;
    if (!Number.isInteger(keep) || keep <= 0) throw new StoreValidationError('ttlSeconds: expected a positive integer');
    const expiresAt = Math.floor(Date.parse(r.at) / 1000) + keep;
    return { ...key, type: 'reading', hostId: r.hostId, at: r.at, ...fields, expiresAt };
  }

  const store: Store = {
    async createPool(pool) {
      checkId('poolId', pool.poolId);
      const fields = pick('pool', pool, POOL_FIELDS, ['poolId']);
      checkPoolFields(fields, true);
      const record = { poolId: pool.poolId, ...fields, ...versionedNew() } as Pool;
      // Every pool also sits under one GSI1 partition, so listing pools is a Query, not a Scan.
      await createItem(ctx, { ...poolKey(pool.poolId), type: 'pool', GSI1PK: 'POOLS', GSI1SK: pool.poolId, ...record });
      return record;
    },
    async listPools() {
      const items = await queryAll(ctx, {
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': 'POOLS' },
      });
      // The index is eventually consistent on DynamoDB: read each pool itself for its latest version.
      const pools = await Promise.all(items.map((i) => store.getPool(String(i.poolId))));
      return pools.filter((p): p is Pool => p !== undefined);
    },
    async getPool(poolId) {
      const item = await getItem(ctx, poolKey(poolId));
      return item && strip<Pool>(item);
    },
    async updatePool(poolId, expectedVersion, patch) {
      const fields = pick('pool', patch, POOL_FIELDS, [], true);
      checkPoolFields(fields, false);
      return strip<Pool>(await updateVersioned(ctx, poolKey(poolId), expectedVersion, fields));
    },

    async createHost(host) {
      checkId('hostId', host.hostId);
      const fields = pick('host', host, HOST_FIELDS, ['poolId', 'hostId']);
      checkHostFields(fields, true);
      const record = { poolId: host.poolId, hostId: host.hostId, ...fields, ...versionedNew() } as Host;
      await createItem(ctx, { ...hostKey(host.poolId, host.hostId), type: 'host', ...record });
      return record;
    },
    async getHost(poolId, hostId) {
      const item = await getItem(ctx, hostKey(poolId, hostId));
      return item && strip<Host>(item);
    },
    async updateHost(poolId, hostId, expectedVersion, patch) {
      const fields = pick('host', patch, HOST_FIELDS, [], true);
      checkHostFields(fields, false);
      return strip<Host>(await updateVersioned(ctx, hostKey(poolId, hostId), expectedVersion, fields));
    },
    async putHost(host) {
      const fields = pick('host', host, HOST_FIELDS, ['poolId', 'hostId', 'lockOperationId', 'lockExpiresAt', ...VERSIONED]);
      checkHostFields(fields, true);
      return strip<Host>(await updateVersioned(ctx, hostKey(host.poolId, host.hostId), host.version, fields));
    },
    async deleteHost(poolId, hostId, expectedVersion) {
      await deleteVersioned(ctx, hostKey(poolId, hostId), expectedVersion);
    },
    async listHosts(poolId) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': poolKey(poolId).PK, ':prefix': PREFIX.host },
      });
      return items.map((i) => strip<Host>(i));
    },

    async acquireHostLock(poolId, hostId, operationId, leaseMs, now = clock().getTime()) {
      checkId('operationId', operationId);
      checkLease(leaseMs, now);
      const key = hostKey(poolId, hostId);
      const expiresAt = now + leaseMs;
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await ctx.client.send(
            new UpdateCommand({
              TableName: ctx.tableName,
              Key: key,
              UpdateExpression: 'SET #lo = :op, #le = :exp',
              ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#lo) OR #lo = :op OR #le <= :now)',
              ExpressionAttributeNames: { '#lo': 'lockOperationId', '#le': 'lockExpiresAt' },
              ExpressionAttributeValues: { ':op': operationId, ':exp': expiresAt, ':now': now },
            }),
          );
          ctx.log({ event: 'lock-acquired', key: keyText(key), operationId });
          return { poolId, hostId, operationId, expiresAt };
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err;
          const refusal = await lockRefused(poolId, hostId, operationId, now);
          if (refusal) throw refusal;
          // The holder let go between our write and our read: try again.
        }
      }
      throw new StoreError(`${keyText(key)}: lock contended, gave up after 5 attempts`);
    },
    async renewHostLock(poolId, hostId, operationId, leaseMs, now = clock().getTime()) {
      checkId('operationId', operationId);
      checkLease(leaseMs, now);
      const key = hostKey(poolId, hostId);
      const expiresAt = now + leaseMs;
      try {
        await ctx.client.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: key,
            UpdateExpression: 'SET #le = :exp',
            ConditionExpression: '#lo = :op',
            ExpressionAttributeNames: { '#lo': 'lockOperationId', '#le': 'lockExpiresAt' },
            ExpressionAttributeValues: { ':op': operationId, ':exp': expiresAt },
          }),
        );
        return { poolId, hostId, operationId, expiresAt };
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        throw (await lockRefused(poolId, hostId, operationId, now)) ?? new LockNotHeldError(poolId, hostId, operationId);
      }
    },
    async releaseHostLock(poolId, hostId, operationId) {
      checkId('operationId', operationId);
      const key = hostKey(poolId, hostId);
      try {
        await ctx.client.send(
          new UpdateCommand({
            TableName: ctx.tableName,
            Key: key,
            UpdateExpression: 'REMOVE #lo, #le',
            ConditionExpression: '#lo = :op',
            ExpressionAttributeNames: { '#lo': 'lockOperationId', '#le': 'lockExpiresAt' },
            ExpressionAttributeValues: { ':op': operationId },
          }),
        );
        ctx.log({ event: 'lock-released', key: keyText(key), operationId });
        return true;
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        return false;
      }
    },

    async createSchedule(schedule) {
      checkId('scheduleId', schedule.scheduleId);
      const fields = pick('schedule', schedule, SCHEDULE_FIELDS, ['poolId', 'scheduleId']);
      checkScheduleFields(fields, true);
      const record = { poolId: schedule.poolId, scheduleId: schedule.scheduleId, ...fields, ...versionedNew() } as Schedule;
      await createItem(ctx, { ...scheduleKey(schedule.poolId, schedule.scheduleId), type: 'schedule', ...record });
      return record;
    },
    async getSchedule(poolId, scheduleId) {
      const item = await getItem(ctx, scheduleKey(poolId, scheduleId));
      return item && strip<Schedule>(item);
    },
    async updateSchedule(poolId, scheduleId, expectedVersion, patch) {
      const fields = pick('schedule', patch, SCHEDULE_FIELDS, [], true);
      checkScheduleFields(fields, false);
      return strip<Schedule>(await updateVersioned(ctx, scheduleKey(poolId, scheduleId), expectedVersion, fields));
    },
    async deleteSchedule(poolId, scheduleId, expectedVersion) {
      await deleteVersioned(ctx, scheduleKey(poolId, scheduleId), expectedVersion);
    },
    async listSchedules(poolId) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': poolKey(poolId).PK, ':prefix': PREFIX.schedule },
      });
      return items.map((i) => strip<Schedule>(i));
    },

    async createOperation(input, key) {
      const ikey = idempotencyItemKey(key);
      checkId('poolId', input.poolId);
      const fields = pick('operation', input, OPERATION_FIELDS, ['operationId', 'poolId', 'createdAt']);
      checkActor(fields);
      if (typeof fields.kind !== 'string' || fields.kind.length === 0) {
        throw new StoreValidationError('kind: expected a non-empty string');
      }
      const operationId = checkId('operationId', input.operationId ?? randomUUID());
      const base = versionedNew();
      const createdAt = input.createdAt === undefined ? base.createdAt : checkIsoTime('createdAt', input.createdAt);
      const op = {
        operationId,
        poolId: input.poolId,
        ...fields,
        state: 'pending',
        idempotencyKey: key,
        ...base,
        createdAt,
      } as Operation;
      try {
        await createItem(ctx, { ...ikey, type: 'idempotency', operationId, operation: op, createdAt: base.createdAt });
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        const first = await getItem(ctx, ikey);
        if (!first || typeof first.operation !== 'object' || first.operation === null) {
          throw new StoreError(`${keyText(ikey)}: idempotency record unreadable`);
        }
        const earlier = first.operation as Operation;
        // The same key with another request is a client bug, not a retry: say so, change nothing.
        if (input.requestHash !== undefined && earlier.requestHash !== undefined && earlier.requestHash !== input.requestHash) {
          throw new IdempotencyKeyReusedError(key, earlier.operationId);
        }
        // The first caller may have stopped between its two writes: finish its create from the record.
        return { operation: await ensureOperation(earlier), created: false };
      }
      return { operation: await ensureOperation(op), created: true };
    },
    async getOperation(operationId) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': operationKey(operationId).PK },
        ConsistentRead: true,
      });
      const meta = items.find((i) => i.SK === 'META');
      if (!meta) return undefined;
      const steps = items
        .filter((i) => typeof i.SK === 'string' && i.SK.startsWith(PREFIX.step))
        .map((i) => strip<OperationStep>(i));
      return { ...strip<Operation>(meta), steps };
    },
    async updateOperation(operationId, expectedVersion, patch) {
      const fields = pick('operation', patch, OPERATION_PATCH, [], true);
      return strip<Operation>(await updateVersioned(ctx, operationKey(operationId), expectedVersion, fields));
    },
    async saveOperation(op) {
      const fields: Item = {};
      for (const k of OPERATION_PATCH) fields[k] = op[k];
      return strip<Operation>(await updateVersioned(ctx, operationKey(op.operationId), op.version, fields));
    },
    async listOperations(poolId, opts = {}) {
      const pk = poolKey(poolId).PK;
      const since = opts.since === undefined ? undefined : checkIsoTime('since', opts.since);
      if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
        throw new StoreValidationError('limit: expected a positive integer');
      }
      const items = await queryAll(
        ctx,
        {
          IndexName: GSI1,
          KeyConditionExpression: since === undefined ? 'GSI1PK = :pk' : 'GSI1PK = :pk AND GSI1SK >= :since',
          ExpressionAttributeValues: since === undefined ? { ':pk': pk } : { ':pk': pk, ':since': since },
          ScanIndexForward: opts.order === 'oldest',
        },
        opts.limit,
      );
      return items.map((i) => strip<Operation>(i));
    },
    async createStep(operationId, step) {
      const key = stepKey(operationId, step.index);
      const fields = pick('step', step, STEP_FIELDS, ['index']);
      if (typeof fields.name !== 'string' || fields.name.length === 0) {
        throw new StoreValidationError('name: expected a non-empty string');
      }
      const record = { operationId, index: step.index, state: 'pending', ...fields, ...versionedNew() } as OperationStep;
      await createItem(ctx, { ...key, type: 'step', ...record });
      return record;
    },
    async updateStep(operationId, index, expectedVersion, patch) {
      const fields = pick('step', patch, STEP_PATCH, [], true);
      return strip<OperationStep>(await updateVersioned(ctx, stepKey(operationId, index), expectedVersion, fields));
    },
    async saveStep(step) {
      const fields: Item = {};
      for (const k of STEP_PATCH) fields[k] = step[k];
      return strip<OperationStep>(await updateVersioned(ctx, stepKey(step.operationId, step.index), step.version, fields));
    },

    async appendAudit(input) {
      const at = input.at === undefined ? ctx.nowIso() : checkIsoTime('at', input.at);
      const fields = pick('audit', input, AUDIT_FIELDS, ['at', 'once']);
      checkActor(fields);
      if (typeof fields.action !== 'string' || fields.action.length === 0) {
        throw new StoreValidationError('action: expected a non-empty string');
      }
      if (input.operationId !== undefined) checkId('operationId', input.operationId);
      const day = at.slice(0, 10);
      if (input.once !== undefined) {
        // One record per (time, operation, key): writing it again is a no-op, so a resumed
        // worker can backfill what a dead one may or may not have written.
        checkId('once', input.once);
        const id = `${at}#${input.operationId ?? '-'}#${input.once}`;
        const record = { ...fields, at, day, id } as AuditRecord;
        try {
          await createItem(ctx, { PK: auditPk(day), SK: id, type: 'audit', ...record });
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
        return record;
      }
      const base = `${at}#${input.operationId ?? '-'}`;
      // Two records of one operation in the same millisecond get #2, #3...
      for (let n = 1; n <= 20; n++) {
        const id = n === 1 ? base : `${base}#${n}`;
        const record = { ...fields, at, day, id } as AuditRecord;
        try {
          await createItem(ctx, { PK: auditPk(day), SK: id, type: 'audit', ...record });
          return record;
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
      throw new StoreError(`${auditPk(day)} / ${base}: too many records in one millisecond`);
    },
    async listAudit(day) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': auditPk(checkDay(day)) },
      });
      return items.map((i) => strip<AuditRecord>(i));
    },

    async openAlert(input) {
      const key = alertKey(input.poolId, input.kind, input.hostId);
      if (typeof input.message !== 'string' || !input.message) throw new StoreValidationError('message: expected a non-empty string');
      for (let attempt = 0; attempt < 5; attempt++) {
        const at = ctx.nowIso();
        const item = await getItem(ctx, key);
        const current = item && strip<Alert>(item);
        try {
          if (!current) {
            const record: Alert = { ...input, state: 'open', openedAt: at, lastSeenAt: at, count: 1, ...versionedNew() };
            await createItem(ctx, { ...key, type: 'alert', ...record });
            return { alert: record, opened: true };
          }
          const reopen = current.state === 'closed';
          const patch: Item = reopen
            ? { state: 'open', openedAt: at, lastSeenAt: at, count: 1, message: input.message, detail: input.detail, closedAt: undefined }
            : { lastSeenAt: at, count: current.count + 1, message: input.message, detail: input.detail };
          const saved = strip<Alert>(await updateVersioned(ctx, key, current.version, patch));
          return { alert: saved, opened: reopen };
        } catch (err) {
          if (!(err instanceof AlreadyExistsError) && !(err instanceof VersionConflictError)) throw err;
        }
      }
      throw new StoreError(`alert ${keyText(key)}: too many concurrent writers`);
    },
    async closeAlert(poolId, kind, hostId) {
      const key = alertKey(poolId, kind, hostId);
      for (let attempt = 0; attempt < 5; attempt++) {
        const item = await getItem(ctx, key);
        const current = item && strip<Alert>(item);
        if (!current || current.state === 'closed') return false;
        try {
          await updateVersioned(ctx, key, current.version, { state: 'closed', closedAt: ctx.nowIso() });
          return true;
        } catch (err) {
          if (!(err instanceof VersionConflictError)) throw err;
        }
      }
      throw new StoreError(`alert ${keyText(key)}: too many concurrent writers`);
    },
    async listAlerts(poolId, opts = {}) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': poolKey(poolId).PK, ':prefix': PREFIX.alert },
      });
      const alerts = items.map((i) => strip<Alert>(i));
      return opts.open === undefined ? alerts : alerts.filter((a) => (a.state === 'open') === opts.open);
    },

    async putEnergy(record) {
      checkIsoTime('wokenAt', record.wokenAt);
      checkIsoTime('sleptAt', record.sleptAt);
      const key = { PK: poolKey(record.poolId).PK, SK: `${PREFIX.energy}${record.wokenAt}#${checkId('hostId', record.hostId)}` };
      try {
        await createItem(ctx, { ...key, type: 'energy', ...record });
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
    },
    async listEnergy(poolId, opts = {}) {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': poolKey(poolId).PK,
          ':from': `${PREFIX.energy}${opts.since ?? ''}`,
          ':to': `${PREFIX.energy}${opts.until ?? '~'}`,
        },
      });
      return items.map((i) => strip<EnergyRecord>(i));
    },

    async putReading(reading) {
      const item = toReadingItem(reading);
      await ctx.client.send(new PutCommand({ TableName: ctx.tableName, Item: item }));
      return strip<Reading>(item);
    },
    async putReadings(readings) {
      const items = readings.map(toReadingItem);
      for (let i = 0; i < items.length; i += 25) {
        let pending: Record<string, { PutRequest: { Item: Item } }[]> = {
          [ctx.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        };
        for (let attempt = 0; ; attempt++) {
          const res = await ctx.client.send(new BatchWriteCommand({ RequestItems: pending }));
          const left = res.UnprocessedItems?.[ctx.tableName] ?? [];
          if (left.length === 0) break;
          if (attempt >= 8) throw new StoreError(`${left.length} readings not written after ${attempt + 1} attempts`);
          pending = { [ctx.tableName]: left.map((r) => ({ PutRequest: { Item: r.PutRequest?.Item ?? {} } })) };
          await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        }
      }
      return items.map((i) => strip<Reading>(i));
    },
    async listReadings(hostId, opts = {}) {
      const from = opts.since === undefined ? PREFIX.reading : readingKey(hostId, opts.since).SK;
      const to = opts.until === undefined ? `${PREFIX.reading}~` : readingKey(hostId, opts.until).SK;
      const items = await queryAll(
        ctx,
        {
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `HOST#${checkId('hostId', hostId)}`, ':from': from, ':to': to },
        },
        opts.limit,
      );
      // TTL deletes lazily (up to days late): hide what has expired already.
      const nowSeconds = Math.floor(clock().getTime() / 1000);
      return items.filter((i) => typeof i.expiresAt !== 'number' || i.expiresAt > nowSeconds).map((i) => strip<Reading>(i));
    },
  };
  return store;
}
