/**
 * Schedules as a service: the definition (with its exceptions) lives in the store, the timer in a
 * scheduler port (EventBridge Scheduler in AWS, the local cron runner on one machine). What fires
 * carries only the pool and the name; the handler reads the schedule back and applies its
 * exceptions at that moment, so skipping tonight or holding a pool awake is one store write.
 * Validation happens before anything is written; a failed timer write undoes the store write.
 */
import type { Store } from '../store/store.ts';
import { AlreadyExistsError, VersionConflictError } from '../store/errors.ts';
import type { Schedule as StoredSchedule } from '../store/types.ts';
import { ScheduleConflictError, ScheduleNotFoundError, ScheduleValidationError } from './errors.ts';
import { SLEEP_ACTIONS, validateSchedule, type Schedule, type ScheduleExceptions } from './model.ts';
import { nextFireTime } from './next-fire.ts';
import { parseExpression } from './expression.ts';
import { localDate } from './zoned.ts';
import { shiftCronEarlier } from './lead.ts';

/** Where timers live. */
export interface SchedulerPort {
  upsert(schedule: Schedule): Promise<void>;
  remove(poolId: string, name: string): Promise<void>;
}

export function fromStored(s: StoredSchedule): Schedule {
  return {
    name: s.scheduleId,
    poolId: s.poolId,
    hostIds: s.hostIds,
    action: s.action as Schedule['action'],
    expression: s.cron,
    timezone: s.timeZone,
    enabled: s.enabled,
    exceptions: (s.exceptions ?? {}) as ScheduleExceptions,
  };
}

export interface ScheduleView extends Schedule {
  version: number;
  nextFire: string | null;
}

export interface ScheduleServiceOptions {
  now?: () => number;
  /** How many minutes before its ready time a wake must start (the pool's lead time). */
  wakeLeadMinutes?: (poolId: string) => Promise<number>;
  log?: (line: string) => void;
}

export class ScheduleService {
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly port: SchedulerPort,
    private readonly o: ScheduleServiceOptions = {},
  ) {
    this.now = o.now ?? Date.now;
  }

  /** The timer for a schedule: a wake fires earlier by the pool's lead time; the rest as written. */
  private async timerOf(s: Schedule): Promise<Schedule> {
    if (s.action !== 'wake' || !this.o.wakeLeadMinutes) return s;
    const shift = shiftCronEarlier(s.expression, await this.o.wakeLeadMinutes(s.poolId));
    if ('why' in shift && shift.why !== 'no lead time') this.o.log?.(`schedule ${s.name}: not started early (${shift.why})`);
    return { ...s, expression: shift.expression };
  }

  /** Re-arm a pool's wake timers after its lead time changed (a wake taught lowpower something). */
  async refreshWakeTimers(poolId: string): Promise<void> {
    for (const s of await this.store.listSchedules(poolId)) {
      const schedule = fromStored(s);
      if (schedule.action === 'wake') await this.port.upsert(await this.timerOf(schedule));
    }
  }

  private view(s: StoredSchedule): ScheduleView {
    const schedule = fromStored(s);
    let next: Date | null = null;
    try {
      next = nextFireTime(parseExpression(schedule.expression), schedule.timezone, new Date(this.now()));
    } catch {
      next = null;
    }
    return { ...schedule, version: s.version, nextFire: next ? next.toISOString() : null };
  }

  async list(poolId: string): Promise<ScheduleView[]> {
    return (await this.store.listSchedules(poolId)).map((s) => this.view(s));
  }

  async get(poolId: string, name: string): Promise<ScheduleView> {
    const s = await this.store.getSchedule(poolId, name);
    if (!s) throw new ScheduleNotFoundError(name);
    return this.view(s);
  }

  /** Every schedule of every pool as its timer (wakes started early), for a runner that arms timers at start. */
  async timers(): Promise<Schedule[]> {
    const pools = await this.store.listPools();
    const all = (await Promise.all(pools.map((p) => this.store.listSchedules(p.poolId)))).flat().map(fromStored);
    return Promise.all(all.map((s) => this.timerOf(s)));
  }

  async create(input: Schedule): Promise<ScheduleView> {
    validateSchedule(input);
    if (!(await this.store.getPool(input.poolId))) throw new ScheduleValidationError('poolId', `pool '${input.poolId}' does not exist`);
    let stored: StoredSchedule;
    try {
      stored = await this.store.createSchedule({
        poolId: input.poolId,
        scheduleId: input.name,
        cron: input.expression,
        timeZone: input.timezone,
        action: input.action,
        enabled: input.enabled,
        hostIds: input.hostIds,
        exceptions: input.exceptions as Record<string, unknown>,
      });
    } catch (e) {
      if (e instanceof AlreadyExistsError) throw new ScheduleConflictError(input.name, `schedule '${input.name}' exists in pool ${input.poolId}`);
      throw e;
    }
    try {
      await this.port.upsert(await this.timerOf(input));
    } catch (e) {
      await this.store.deleteSchedule(input.poolId, input.name, stored.version).catch(() => undefined);
      throw e;
    }
    return this.view(stored);
  }

  /** Change fields of a schedule (a read, a validated merge, a conditional write, then the timer). */
  async update(poolId: string, name: string, patch: Partial<Omit<Schedule, 'name' | 'poolId'>>, expectedVersion?: number): Promise<ScheduleView> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.store.getSchedule(poolId, name);
      if (!current) throw new ScheduleNotFoundError(name);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new ScheduleConflictError(name, `schedule '${name}' is at version ${current.version}, not ${expectedVersion}`);
      }
      const merged: Schedule = { ...fromStored(current), ...patch, name, poolId };
      validateSchedule(merged);
      try {
        const saved = await this.store.updateSchedule(poolId, name, current.version, {
          cron: merged.expression,
          timeZone: merged.timezone,
          action: merged.action,
          enabled: merged.enabled,
          hostIds: merged.hostIds,
          exceptions: merged.exceptions as Record<string, unknown>,
        });
        await this.port.upsert(await this.timerOf(merged));
        return this.view(saved);
      } catch (e) {
        if (!(e instanceof VersionConflictError) || expectedVersion !== undefined) throw e;
      }
    }
    throw new ScheduleConflictError(name);
  }

  async remove(poolId: string, name: string): Promise<void> {
    const current = await this.store.getSchedule(poolId, name);
    if (!current) throw new ScheduleNotFoundError(name);
    await this.port.remove(poolId, name);
    await this.store.deleteSchedule(poolId, name, current.version);
  }

  /** Skip the next run on its local date ("skip tonight"). */
  async skipNext(poolId: string, name: string, reason?: string): Promise<ScheduleView> {
    const s = await this.get(poolId, name);
    if (!s.nextFire) throw new ScheduleValidationError('schedule', `schedule '${name}' has no next run to skip`);
    const date = localDate(new Date(s.nextFire), s.timezone);
    return this.update(poolId, name, { exceptions: { ...s.exceptions, skipOnce: { date, reason } } });
  }

  /** Hold a pool awake until an instant: every sleep schedule of the pool skips until then. */
  async holdAwake(poolId: string, until: string, reason?: string): Promise<ScheduleView[]> {
    if (Number.isNaN(Date.parse(until))) throw new ScheduleValidationError('exceptions', `until: '${until}' is not an ISO 8601 instant`);
    const out: ScheduleView[] = [];
    for (const s of await this.list(poolId)) {
      if (!SLEEP_ACTIONS.includes(s.action)) continue;
      out.push(await this.update(poolId, s.name, { exceptions: { ...s.exceptions, holdAwakeUntil: { until: new Date(until).toISOString(), reason } } }));
    }
    return out;
  }
}

/** The local cron runner as a scheduler port. */
export interface LocalSchedulerLike {
  list(): Array<{ schedule: Schedule }>;
  add(s: Schedule): void;
  update(s: Schedule): void;
  remove(name: string): boolean;
}

/** Local timers are named `<pool>.<name>` so two pools may use the same schedule name. */
export const localTimerName = (poolId: string, name: string): string => `${poolId}.${name}`;
/** The schedule's own name back from a local timer's. */
export const scheduleNameOfTimer = (poolId: string, timer: string): string => (timer.startsWith(`${poolId}.`) ? timer.slice(poolId.length + 1) : timer);

export function localSchedulerPort(scheduler: LocalSchedulerLike): SchedulerPort {
  return {
    async upsert(s) {
      const timer = { ...s, name: localTimerName(s.poolId, s.name) };
      if (scheduler.list().some((e) => e.schedule.name === timer.name)) scheduler.update(timer);
      else scheduler.add(timer);
    },
    async remove(poolId, name) {
      scheduler.remove(localTimerName(poolId, name));
    },
  };
}

/** The schedule's timer in EventBridge Scheduler: named `<pool>.<name>` in the group; update or create. */
export interface EventBridgeLike {
  create(s: Schedule): Promise<string | undefined>;
  update(s: Schedule): Promise<string | undefined>;
  delete(name: string): Promise<void>;
}

export function eventBridgeSchedulerPort(eb: EventBridgeLike): SchedulerPort {
  return {
    async upsert(s) {
      const timer = { ...s, name: localTimerName(s.poolId, s.name) };
      try {
        await eb.update(timer);
      } catch (e) {
        if (!(e instanceof ScheduleNotFoundError)) throw e;
        await eb.create(timer);
      }
    },
    async remove(poolId, name) {
      try {
        await eb.delete(localTimerName(poolId, name));
      } catch (e) {
        if (!(e instanceof ScheduleNotFoundError)) throw e;
      }
    },
  };
}
