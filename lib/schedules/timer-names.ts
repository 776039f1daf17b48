/** The names of timers: `<pool>.<name>` for a schedule's own, `early-<hash>-<ready time>` for its one-time early starts. */
import { createHash } from 'node:crypto';
import { wallClockAt } from './zoned.ts';

/** Local timers are named `<pool>.<name>` so two pools may use the same schedule name. */
export const localTimerName = (poolId: string, name: string): string => `${poolId}.${name}`;
/** The schedule's own name back from a local timer's. */
export const scheduleNameOfTimer = (poolId: string, timer: string): string => (timer.startsWith(`${poolId}.`) ? timer.slice(poolId.length + 1) : timer);

/** The prefix of every one-time start of a schedule: `early-<16 hex of pool and name>-`. */
export function earlyStartPrefix(poolId: string, name: string): string {
  return `early-${createHash('sha256').update(`${poolId}\u0000${name}`).digest('hex').slice(0, 16)}-`;
}

/** `early-<hash>-yyyymmddThhmm`, the ready time's local wall clock: at most 36 characters, EventBridge's name alphabet. */
export function earlyStartName(poolId: string, name: string, readyAt: Date, timezone: string): string {
  const w = wallClockAt(readyAt, timezone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${earlyStartPrefix(poolId, name)}${w.year}${two(w.month)}${two(w.day)}T${two(w.hour)}${two(w.minute)}`;
}
