/**
 * The schedule every pool gets by itself: the load poll (`poll-load` every minute, UTC), which
 * writes the pool's load samples and, on AWS, runs the night watch; without it the watch silently
 * never runs. It is made through the ScheduleService like any schedule (store record, then the
 * timer; the record undone when the timer cannot be written), and a pool's schedules go with it.
 */
import { ScheduleConflictError } from './errors.ts';
import type { Schedule } from './model.ts';
import type { ScheduleService, ScheduleView } from './service.ts';

/** The load poll's name in every pool: what it is. */
export const LOAD_POLL_NAME = 'load';

/** The pool's load poll as it is created. */
export function loadPollSchedule(poolId: string): Schedule {
  return { name: LOAD_POLL_NAME, poolId, action: 'poll-load', expression: 'rate(1 minute)', timezone: 'UTC', enabled: true, exceptions: {} };
}

/** One line for audits and answers: "schedule load (poll-load, rate(1 minute) UTC)". */
export const describeLoadPoll = (s: Pick<Schedule, 'name' | 'action' | 'expression' | 'timezone'>): string => `schedule ${s.name} (${s.action}, ${s.expression} ${s.timezone})`;

/**
 * The pool's load poll: the one it has (any `poll-load` schedule, whatever its name), or a new one.
 * A create that lost a race to another one for the same pool finds that one instead.
 */
export async function ensureLoadPoll(service: Pick<ScheduleService, 'list' | 'get' | 'create'>, poolId: string): Promise<{ schedule: ScheduleView; created: boolean }> {
  const have = (await service.list(poolId)).find((s) => s.action === 'poll-load');
  if (have) return { schedule: have, created: false };
  try {
    return { schedule: await service.create(loadPollSchedule(poolId)), created: true };
  } catch (e) {
    if (!(e instanceof ScheduleConflictError)) throw e;
    const other = await service.get(poolId, LOAD_POLL_NAME).catch(() => undefined);
    if (other?.action === 'poll-load') return { schedule: other, created: false };
    throw e;
  }
}

/** Remove every schedule of a pool, timers first (ScheduleService.remove); the names removed. */
export async function removePoolSchedules(service: Pick<ScheduleService, 'list' | 'remove'>, poolId: string): Promise<string[]> {
  const removed: string[] = [];
  for (const s of await service.list(poolId)) {
    await service.remove(poolId, s.name);
    removed.push(s.name);
  }
  return removed;
}
