/**
 * Sensor readings (`HOST#h / READING#t`, kept for a TTL) and the energy records of slept nights
 * (`POOL#p / ENERGY#wokenAt#h`, one per host and wake).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from './batch-write.ts';
import { AlreadyExistsError, StoreValidationError } from './errors.ts';
import { createItem, pick, queryAll, strip, type Ctx, type Item } from './items.ts';
import { PREFIX, checkId, checkIsoTime, poolKey, readingKey } from './keys.ts';
import type { EnergyRecord, ListReadingsOptions, Reading, ReadingInput } from './types.ts';

const READING_FIELDS = ['poolId', 'power', 'powerWatts', 'temperatures'] as const;
/** DynamoDB's largest BatchWriteItem. */
const BATCH = 25;

export const DEFAULT_READING_TTL_SECONDS = 30 * 24 * 3600;

export interface ReadingRepository {
  putReading(reading: ReadingInput): Promise<Reading>;
  putReadings(readings: ReadingInput[]): Promise<Reading[]>;
  listReadings(hostId: string, opts?: ListReadingsOptions): Promise<Reading[]>;
}

export interface EnergyRepository {
  /** One record per host and wake; writing the same one again is a no-op. */
  putEnergy(record: EnergyRecord): Promise<void>;
  /** Energy records of a pool whose wake time lies in [since, until). */
  listEnergy(poolId: string, opts?: { since?: string; until?: string }): Promise<EnergyRecord[]>;
}



export function readingRepository(ctx: Ctx, readingTtlSeconds = DEFAULT_READING_TTL_SECONDS): ReadingRepository {
  function toReadingItem(r: ReadingInput): Item & { PK: string; SK: string } {
    const fields = pick('reading', r, READING_FIELDS, ['hostId', 'at', 'ttlSeconds']);
    const key = readingKey(r.hostId, r.at);
    const keep = r.ttlSeconds ?? readingTtlSeconds;
    if (!Number.isInteger(keep) || keep <= 0) throw new StoreValidationError('ttlSeconds: expected a positive integer');
    const expiresAt = Math.floor(Date.parse(r.at) / 1000) + keep;
    return { ...key, type: 'reading', hostId: r.hostId, at: r.at, ...fields, expiresAt };
  }


  return {
    async putReading(reading) {
      const item = toReadingItem(reading);
      await ctx.client.send(new PutCommand({ TableName: ctx.tableName, Item: item }));
      return strip<Reading>(item);
    },
    async putReadings(readings) {
      const items = readings.map(toReadingItem);
      for (let i = 0; i < items.length; i += BATCH) {
        await batchPut(ctx, items.slice(i, i + BATCH), 'readings');
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
      const nowSeconds = Math.floor(ctx.clock().getTime() / 1000);
      return items.filter((i) => typeof i.expiresAt !== 'number' || i.expiresAt > nowSeconds).map((i) => strip<Reading>(i));
    },
  };
}

export function energyRepository(ctx: Ctx): EnergyRepository {
  return {
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
  };
}
