/** lib/util: small helpers shared by every folder (retry, bounded concurrency, log, prng). */
export { mapBounded } from './bounded.ts';
export { errorField, lineLog, type Log } from './log.ts';
export { retry } from './retry.ts';
export { seededRandom, type Random } from './prng.ts';
export { backoffDelay } from './retry.ts';
export { isLoopback } from './loopback.ts';
export { givenOrOnce, onceAsync } from './once-async.ts';
export { ACTION_SOURCES, ACTOR_FIELDS, BMC_PROTOCOLS, BMC_SCHEMES, CIPHER_SUITES, expected, fits, HOST_FIELDS, POOL_FIELDS, POWER_STATES, SCHEDULE_FIELDS, type FieldRule } from './fields.ts';
