/**
 * The `Store`: every repository over one DynamoDB table, composed. Each record family lives in its
 * own file (pools, hosts and locks, schedules, operations and steps, audit, alerts, readings and
 * energy); a consumer that needs one family can depend on its narrow interface instead.
 * Every write of a versioned item is conditional on `version`; every list is a paginated Query.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { alertRepository, type AlertRepository } from './alerts.ts';
import { auditRepository, type AuditRepository } from './audit.ts';
import { hostRepository, type HostLockRepository, type HostRepository } from './hosts.ts';
import { storeContext, type StoreLog } from './items.ts';
import { loadSampleRepository, type LoadSampleRepository } from './load-samples.ts';
import { nightWatchRepository, type NightWatchRepository } from './night-watch.ts';
import { operationRepository, type OperationRepository, type StepRepository } from './operations.ts';
import { poolRepository, type PoolRepository } from './pools.ts';
import { energyRepository, readingRepository, type EnergyRepository, type ReadingRepository } from './readings.ts';
import { scheduleRepository, type ScheduleRepository } from './schedules.ts';
import { sdrCacheRepository, type SdrCacheRepository } from './sdr-cache.ts';

export { DEFAULT_READING_TTL_SECONDS } from './readings.ts';

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

export interface Store
  extends PoolRepository,
    HostRepository,
    HostLockRepository,
    ScheduleRepository,
    OperationRepository,
    StepRepository,
    AuditRepository,
    AlertRepository,
    EnergyRepository,
    ReadingRepository,
    LoadSampleRepository,
    NightWatchRepository,
    SdrCacheRepository {}

export function createStore(opts: StoreOptions): Store {
  const ctx = storeContext(opts);
  return {
    ...poolRepository(ctx),
    ...hostRepository(ctx),
    ...scheduleRepository(ctx),
    ...operationRepository(ctx),
    ...auditRepository(ctx),
    ...alertRepository(ctx),
    ...energyRepository(ctx),
    ...readingRepository(ctx, opts.readingTtlSeconds),
    ...loadSampleRepository(ctx),
    ...nightWatchRepository(ctx),
    ...sdrCacheRepository(ctx),
  };
}
