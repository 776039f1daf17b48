/** lib/util: small helpers shared by every folder (retry, bounded concurrency, log, prng). */
export { mapBounded } from './bounded.ts';
export { errorField, lineLog, type Log } from './log.ts';
export { retry } from './retry.ts';
export { seededRandom, type Random } from './prng.ts';
export { backoffDelay } from './retry.ts';
