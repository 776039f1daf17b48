/**
 * Migrations into waves. Kept hosts only receive and sleeping hosts only send, so a target's load
 * only grows towards its final load, which fits: any order and any concurrency is safe. Waves only
 * bound how many run at once; they follow the given order, so hosts empty one after another.
 */
import type { Migration } from './types.ts';

export function intoWaves(ordered: ReadonlyArray<Omit<Migration, 'wave'>>, concurrentMigrations: number): Migration[] {
  const perWave = Math.max(1, Math.floor(concurrentMigrations));
  return ordered.map((m, k) => ({ ...m, wave: Math.floor(k / perWave) + 1 }));
}
