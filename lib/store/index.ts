// lib/store: lowpower's state in one DynamoDB table (pools, hosts and their locks, schedules, operations, audit, readings) and the Secrets port.
export { createStore, DEFAULT_READING_TTL_SECONDS, type Store, type StoreOptions } from './store.ts';
export { createTable, tableDefinition, TTL_ATTRIBUTE, type CreateTableOptions } from './table.ts';
export {
  StoreError,
  VersionConflictError,
  AlreadyExistsError,
  NotFoundError,
  HostBusyError,
  LockNotHeldError,
  StoreValidationError,
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
