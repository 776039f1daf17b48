/**
 * Hosts (`POOL#p / HOST#h`) and the lock an operation takes on one: the lock lives in the host's
 * item (`lockOperationId`, `lockExpiresAt`), written by conditional updates that never touch
 * `version`, so a lock and a versioned update of the same host do not clobber each other.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { retry } from '../util/index.ts';
import { HostBusyError, LockNotHeldError, NotFoundError, StoreError, StoreValidationError, isConditionalCheckFailed, keyText } from './errors.ts';
import { createItem, deleteVersioned, firstVersion, getItem, pick, queryAll, strip, updateVersioned, type Ctx } from './items.ts';
import { PREFIX, checkId, hostKey, poolKey } from './keys.ts';
import type { Host, HostInput, HostLock, HostPatch } from './types.ts';
import { checkHostFields } from './validate.ts';

const HOST_FIELDS = [
  'bmcAddress', 'bmcPort', 'bmcUser', 'secretRef', 'cipherSuite', 'bmcProtocol', 'bmcProtocolFound', 'bmcScheme', 'tlsPin', 'redfishNoEtag',
  'power', 'powerObservedAt', 'powerSource', 'xenState', 'isMaster',
  'neverSleep', 'sleepState', 'sleptAt', 'sleptByOperation', 'wattsBeforeSleep', 'wattsAsleep', 'lastWokenAt', 'wakeLeadsMs',
  'binding', 'identity', 'awaitingEnable', 'restorePolicy',
] as const;
const LOCK_ACQUIRE_ATTEMPTS = 5;
const LOCK_NAMES = { '#lo': 'lockOperationId', '#le': 'lockExpiresAt' };

export interface HostRepository {
  createHost(host: HostInput): Promise<Host>;
  getHost(poolId: string, hostId: string): Promise<Host | undefined>;
  /** Conditional on `version`; never touches the lock fields. */
  updateHost(poolId: string, hostId: string, expectedVersion: number, patch: HostPatch): Promise<Host>;
  /** Writes the host's non-key fields back, conditional on `host.version`. */
  putHost(host: Host): Promise<Host>;
  deleteHost(poolId: string, hostId: string, expectedVersion: number): Promise<void>;
  listHosts(poolId: string): Promise<Host[]>;
}

export interface HostLockRepository {
  /** Takes (or re-takes, or takes over an expired) lock; `HostBusyError` names the holder otherwise. */
  acquireHostLock(poolId: string, hostId: string, operationId: string, leaseMs: number, now?: number): Promise<HostLock>;
  renewHostLock(poolId: string, hostId: string, operationId: string, leaseMs: number, now?: number): Promise<HostLock>;
  /** Releases the lock if `operationId` holds it; false when it did not. */
  releaseHostLock(poolId: string, hostId: string, operationId: string): Promise<boolean>;
}

/** The lock's condition failed, yet on reading the host nobody holds it: worth another try. */
class LockFreedMeanwhile extends Error {}

export function hostRepository(ctx: Ctx): HostRepository & HostLockRepository {
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

  return {
    async createHost(host) {
      checkId('hostId', host.hostId);
      const fields = pick('host', host, HOST_FIELDS, ['poolId', 'hostId']);
      checkHostFields(fields, true);
      const record = { poolId: host.poolId, hostId: host.hostId, ...fields, ...firstVersion(ctx) } as Host;
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
      const fields = pick('host', host, HOST_FIELDS, ['poolId', 'hostId', 'lockOperationId', 'lockExpiresAt', 'version', 'createdAt', 'updatedAt']);
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

    async acquireHostLock(poolId, hostId, operationId, leaseMs, now = ctx.clock().getTime()) {
      checkId('operationId', operationId);
      checkLease(leaseMs, now);
      const key = hostKey(poolId, hostId);
      const expiresAt = now + leaseMs;
      await retry(
        async () => {
          try {
            await ctx.client.send(
              new UpdateCommand({
                TableName: ctx.tableName,
                Key: key,
                UpdateExpression: 'SET #lo = :op, #le = :exp',
                ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#lo) OR #lo = :op OR #le <= :now)',
                ExpressionAttributeNames: LOCK_NAMES,
                ExpressionAttributeValues: { ':op': operationId, ':exp': expiresAt, ':now': now },
              }),
            );
          } catch (err) {
            if (!isConditionalCheckFailed(err)) throw err;
            // The holder may have let go between our write and our read: then try again.
            throw (await lockRefused(poolId, hostId, operationId, now)) ?? new LockFreedMeanwhile();
          }
        },
        {
          attempts: LOCK_ACQUIRE_ATTEMPTS,
          retryOn: (e) => e instanceof LockFreedMeanwhile,
          exhausted: () => new StoreError(`${keyText(key)}: lock contended, gave up after ${LOCK_ACQUIRE_ATTEMPTS} attempts`),
        },
      );
      ctx.log({ event: 'lock-acquired', key: keyText(key), operationId });
      return { poolId, hostId, operationId, expiresAt };
    },
    async renewHostLock(poolId, hostId, operationId, leaseMs, now = ctx.clock().getTime()) {
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
            ExpressionAttributeNames: LOCK_NAMES,
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
            ExpressionAttributeNames: LOCK_NAMES,
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
  };
}
