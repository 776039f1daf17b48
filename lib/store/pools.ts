/** Pools: one item per pool (`POOL#p / META`), also indexed under GSI1 so listing them is a Query. */
import { createItem, deleteVersioned, firstVersion, getItem, pick, queryAll, strip, updateVersioned, type Ctx } from './items.ts';
import { GSI1, checkId, poolKey } from './keys.ts';
import type { Pool, PoolInput, PoolPatch } from './types.ts';
import { checkPoolFields } from './validate.ts';

const POOL_FIELDS = ['name', 'xapiUrl', 'xapiUser', 'secretRef', 'policy'] as const;

export interface PoolRepository {
  createPool(pool: PoolInput): Promise<Pool>;
  getPool(poolId: string): Promise<Pool | undefined>;
  listPools(): Promise<Pool[]>;
  updatePool(poolId: string, expectedVersion: number, patch: PoolPatch): Promise<Pool>;
  /** Removes the pool's own item (its hosts and schedules are removed by the caller first). */
  deletePool(poolId: string, expectedVersion: number): Promise<void>;
}

export function poolRepository(ctx: Ctx): PoolRepository {
  const getPool = async (poolId: string): Promise<Pool | undefined> => {
    const item = await getItem(ctx, poolKey(poolId));
    return item && strip<Pool>(item);
  };
  return {
    async createPool(pool) {
      checkId('poolId', pool.poolId);
      const fields = pick('pool', pool, POOL_FIELDS, ['poolId']);
      checkPoolFields(fields, true);
      const record = { poolId: pool.poolId, ...fields, ...firstVersion(ctx) } as Pool;
      // Every pool also sits under one GSI1 partition, so listing pools is a Query, not a Scan.
      await createItem(ctx, { ...poolKey(pool.poolId), type: 'pool', GSI1PK: 'POOLS', GSI1SK: pool.poolId, ...record });
      return record;
    },
    getPool,
    async listPools() {
      const items = await queryAll(ctx, {
        IndexName: GSI1,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': 'POOLS' },
      });
      // The index is eventually consistent on DynamoDB: read each pool itself for its latest version.
      const pools = await Promise.all(items.map((i) => getPool(String(i.poolId))));
      return pools.filter((p): p is Pool => p !== undefined);
    },
    async updatePool(poolId, expectedVersion, patch) {
      const fields = pick('pool', patch, POOL_FIELDS, [], true);
      checkPoolFields(fields, false);
      return strip<Pool>(await updateVersioned(ctx, poolKey(poolId), expectedVersion, fields));
    },
    async deletePool(poolId, expectedVersion) {
      await deleteVersioned(ctx, poolKey(poolId), expectedVersion);
    },
  };
}
