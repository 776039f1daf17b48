// lib/store: lowpower's state in one DynamoDB table (pools, hosts and their locks, schedules, operations, audit, readings) and the Secrets port.
export { createStore, DEFAULT_READING_TTL_SECONDS, type Store, type StoreOptions } from './store.ts';
// The narrow repositories the Store is composed of: depend on the one a module uses.
export type { PoolRepository } from './pools.ts';
export type { HostRepository, HostLockRepository } from './hosts.ts';
export type { ScheduleRepository } from './schedules.ts';
export type { OperationRepository, StepRepository } from './operations.ts';
export type { AuditRepository } from './audit.ts';
export type { AlertRepository } from './alerts.ts';
export type { ReadingRepository, EnergyRepository } from './readings.ts';
export { LOAD_BUCKET_MS, DEFAULT_LOAD_SAMPLE_TTL_SECONDS, type LoadSampleRepository, type LoadSampleInput, type LoadSample, type HostLoadFigures, type VmLoadFigures, type ListLoadOptions } from './load-samples.ts';
export type { NightWatchRepository, NightWatchState, NightWatchStateInput } from './night-watch.ts';
export type { SdrCacheRepository } from './sdr-cache.ts';
export { createTable, tableDefinition, TTL_ATTRIBUTE, type CreateTableOptions } from './table.ts';
export {
  StoreError,
  VersionConflictError,
  AlreadyExistsError,
  NotFoundError,
  HostBusyError,
  LockNotHeldError,
  StoreValidationError,
  IdempotencyKeyReusedError,
  type ItemKey,
} from './errors.ts';
export type { StoreLog, StoreLogLine } from './items.ts';
export { GSI1 } from './keys.ts';
export {
  FileSecrets,
  SecretsError,
  InvalidSecretRefError,
  SecretNotFoundError,
  SecretPermissionsError,
  checkSecretRef,
  type Secrets,
} from './secrets.ts';
export { SecretsManagerSecrets, type SecretsManagerOptions } from './secrets-manager.ts';
export type * from './types.ts';
export { type ActionSource, type Alert, type BmcIdentityRecord, type BmcProtocol, type Host, type HostBinding, type HostInput, type HostPatch, type Operation, type OperationStep, type OperationWithSteps, type Pool, type PoolPatch, type PoolPolicy, type PowerState, type Schedule, type StepPatch } from './types.ts';
