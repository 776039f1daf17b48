/**
 * Schedules as a service: the definition (with its exceptions) lives in the store, the timer in a
 * scheduler port (EventBridge Scheduler in AWS, the local cron runner on one machine). What fires
 * carries only the pool and the name; the handler reads the schedule back and applies its
 * exceptions at that moment, so skipping tonight or holding a pool awake is one store write.
 * Validation happens before anything is written; a failed timer write undoes the store write.
 * A wake's timer runs early by the pool's lead time; on the days that one recurring timer cannot
 * start it on time (daylight-saving days, a cron that cannot be shifted), one-time timers are
 * booked for a horizon ahead (early-start.ts), and re-booked whenever the wake timers are re-armed.
 * The ports are in scheduler-ports.ts, the timers' names in timer-names.ts.
 */
import type { PoolRepository, ScheduleRepository } from '../store/index.ts';
import { AlreadyExistsError, VersionConflictError } from '../store/index.ts';
import type { Schedule as StoredSchedule } from '../store/index.ts';
import { retry } from '../util/index.ts';
import { ScheduleConflictError, ScheduleNotFoundError, ScheduleValidationError } from './errors.ts';
import { SLEEP_ACTIONS, validateSchedule, type Schedule, type ScheduleExceptions } from './model.ts';
import { nextFireTime } from './next-fire.ts';
import { parseExpression } from './expression.ts';
import { localDate } from './zoned.ts';
import { earlyStarts, wakeTimerOf, type EarlyStart } from './early-start.ts';
import type { SchedulerPort, TimerState } from './scheduler-ports.ts';
import { earlyStartName, earlyStartPrefix, localTimerName } from './timer-names.ts';
import type { Log } from '../util/index.ts';

export {
  localSchedulerPort,
  eventBridgeSchedulerPort,
  type SchedulerPort,
  type TimerState,
  type OneTimeStart,
  type EarlyStartPayload,
  type LocalSchedulerLike,
  type EventBridgeLike,
} from './scheduler-ports.ts';
export { localTimerName, scheduleNameOfTimer, earlyStartName, earlyStartPrefix } from './timer-names.ts';

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

/** A schedule against its timer (checkTimers). */
export interface TimerCheck {
  name: string;
  /** unchecked: the port cannot be asked; unknown: asking failed (error says why). */
  state: 'present' | 'missing' | 'differs' | 'unchecked' | 'unknown';
  /** The timer the stored schedule wants. */
  want: TimerState;
  /** The timer the scheduler holds (present, differs). */
  have?: TimerState;
  /** Why the scheduler could not say (unknown). */
  error?: string;
}

/** A schedule's fields as the store keeps them. */
const storedFields = (s: Schedule) => ({ cron: s.expression, timeZone: s.timezone, action: s.action, enabled: s.enabled, hostIds: s.hostIds, exceptions: s.exceptions as Record<string, unknown> });

const squash = (expression: string): string => expression.trim().replace(/\s+/g, ' ');

export interface ScheduleServiceOptions {
  now?: () => number;
  /** How many minutes before its ready time a wake must start (the pool's lead time). */
  wakeLeadMinutes?: (poolId: string) => Promise<number>;
  /**
   * How far ahead one-time early starts are booked (default 400 days: the next spring and fall
   * days are always booked, so a pool whose timers are not re-armed for months still wakes on time).
   */
  earlyStartHorizonDays?: number;
  /** At most this many one-time starts per schedule at once (default 40; the rest follow on a later re-arm). */
  maxEarlyStarts?: number;
  log?: Log;
}

export class ScheduleService {
  private readonly now: () => number;

  constructor(
    private readonly store: PoolRepository & ScheduleRepository,
    private readonly port: SchedulerPort,
    private readonly o: ScheduleServiceOptions = {},
  ) {
    this.now = o.now ?? Date.now;
  }

  private lead(s: Schedule): Promise<number> {
    return s.action === 'wake' && this.o.wakeLeadMinutes ? this.o.wakeLeadMinutes(s.poolId) : Promise.resolve(0);
  }

  /** The timer for a schedule: a wake fires earlier by the pool's lead time; the rest as written. */
  private async timerOf(s: Schedule, lead?: number, quiet = false): Promise<Schedule> {
    if (s.action !== 'wake') return s;
    const leadMinutes = lead ?? (await this.lead(s));
    const timer = wakeTimerOf({ expression: s.expression, timezone: s.timezone, leadMinutes });
    if (timer.why && !quiet) this.o.log?.('schedule-timer-not-shifted', { pool: s.poolId, schedule: s.name, why: timer.why });
    return { ...s, expression: timer.expression, leadMinutes };
  }

  /** The one-time starts a schedule needs from now over the horizon (none unless it is an enabled wake with a lead). */
  earlyStartsOf(s: Schedule, leadMinutes: number): EarlyStart[] {
    if (s.action !== 'wake' || !s.enabled || leadMinutes <= 0) return [];
    const now = this.now();
    const horizon = (this.o.earlyStartHorizonDays ?? 400) * 86_400_000;
    return earlyStarts({ expression: s.expression, timezone: s.timezone, leadMinutes }, new Date(now), new Date(now + horizon), this.o.maxEarlyStarts ?? 40);
  }

  /**
   * Book the schedule's one-time starts and remove the ones it no longer needs. A start already
   * due is neither booked again (a one-time timer in the past) nor removed (it may be running).
   */
  private async bookEarlyStarts(s: Schedule, leadMinutes: number): Promise<void> {
    const { upsertOnce, removeOnce, listOnce } = this.port;
    if (!upsertOnce || !removeOnce || !listOnce) return;
    const wanted = this.earlyStartsOf(s, leadMinutes);
    const names = new Set(wanted.map((e) => earlyStartName(s.poolId, s.name, e.readyAt, s.timezone)));
    for (const stale of await listOnce.call(this.port, earlyStartPrefix(s.poolId, s.name))) {
      if (!names.has(stale)) await removeOnce.call(this.port, stale);
    }
    const timer = { ...s, name: localTimerName(s.poolId, s.name) };
    const ahead = wanted.filter((e) => e.startAt.getTime() > this.now());
    for (const e of ahead) await upsertOnce.call(this.port, { name: earlyStartName(s.poolId, s.name, e.readyAt, s.timezone), timer, startAt: e.startAt, readyAt: e.readyAt });
    if (ahead.length > 0) {
      const first = ahead[0];
      this.o.log?.('schedule-early-starts', { pool: s.poolId, schedule: s.name, booked: ahead.length, firstReadyAt: first.readyAt.toISOString(), firstStartAt: first.startAt.toISOString(), why: first.detail });
    }
  }

  /**
   * Write a schedule's recurring timer and its one-time early starts. Only wakes have early starts,
   * so only a wake (or a schedule that was one before this change) is looked at for them.
   */
  private async arm(s: Schedule, wasWake = false): Promise<void> {
    const lead = await this.lead(s);
    await this.port.upsert(await this.timerOf(s, lead));
    if (s.action === 'wake' || wasWake) await this.bookEarlyStarts(s, lead);
  }

  /** Re-arm a pool's wake timers after its lead time changed (a wake taught lowpower something), and roll the early starts on. */
  async refreshWakeTimers(poolId: string): Promise<void> {
    for (const s of await this.store.listSchedules(poolId)) {
      const schedule = fromStored(s);
      if (schedule.action === 'wake') await this.arm(schedule);
    }
  }

  /** Every schedule of every pool armed: recurring timers and one-time early starts (for a runner at start). */
  async armAll(): Promise<void> {
    for (const p of await this.store.listPools()) {
      for (const s of await this.store.listSchedules(p.poolId)) await this.arm(fromStored(s));
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

  /**
   * Each schedule of a pool against its recurring timer in the scheduler: present as the store wants
   * it (a wake started early by the lead), missing, different, unchecked (a port that cannot be
   * asked) or unknown (asking failed). `bound` limits each lookup (the caller's deadline).
   */
  async checkTimers(poolId: string, bound: <T>(lookup: Promise<T>) => Promise<T> = (p) => p): Promise<TimerCheck[]> {
    const stored = (await this.store.listSchedules(poolId)).map(fromStored);
    return Promise.all(
      stored.map(async (s): Promise<TimerCheck> => {
        const t = await this.timerOf(s, undefined, true);
        const want: TimerState = { expression: t.expression, timezone: t.timezone, enabled: t.enabled };
        if (!this.port.lookup) return { name: s.name, state: 'unchecked', want };
        let have: TimerState | undefined;
        try {
          have = await bound(this.port.lookup(poolId, s.name));
        } catch (e) {
          return { name: s.name, state: 'unknown', want, error: e instanceof Error ? e.message : String(e) };
        }
        if (!have) return { name: s.name, state: 'missing', want };
        const same = squash(have.expression) === squash(want.expression) && have.timezone === want.timezone && have.enabled === want.enabled;
        return { name: s.name, state: same ? 'present' : 'differs', want, have };
      }),
    );
  }

  async create(input: Schedule): Promise<ScheduleView> {
    validateSchedule(input);
    if (!(await this.store.getPool(input.poolId))) throw new ScheduleValidationError('poolId', `pool '${input.poolId}' does not exist`);
    let stored: StoredSchedule;
    try {
      stored = await this.store.createSchedule({ poolId: input.poolId, scheduleId: input.name, ...storedFields(input) });
    } catch (e) {
      if (e instanceof AlreadyExistsError) throw new ScheduleConflictError(input.name, `schedule '${input.name}' exists in pool ${input.poolId}`);
      throw e;
    }
    try {
      await this.arm(input);
    } catch (e) {
      await this.store.deleteSchedule(input.poolId, input.name, stored.version).catch(() => undefined);
      throw e;
    }
    return this.view(stored);
  }

  /** Change fields of a schedule (a read, a validated merge, a conditional write, then the timer). */
  async update(poolId: string, name: string, patch: Partial<Omit<Schedule, 'name' | 'poolId'>>, expectedVersion?: number): Promise<ScheduleView> {
    // A write that lost to another is merged again on a fresh read, unless the caller named the version.
    return retry(
      async () => {
        const current = await this.store.getSchedule(poolId, name);
        if (!current) throw new ScheduleNotFoundError(name);
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw new ScheduleConflictError(name, `schedule '${name}' is at version ${current.version}, not ${expectedVersion}`);
        }
        const merged: Schedule = { ...fromStored(current), ...patch, name, poolId };
        validateSchedule(merged);
        const saved = await this.store.updateSchedule(poolId, name, current.version, storedFields(merged));
        try {
          await this.arm(merged, current.action === 'wake');
        } catch (e) {
          // The timer could not be changed (the scheduler refused, or is away): the schedule goes back
          // to what it was in the store, and the timer follows what the store holds then (another
          // change, if one was written meanwhile), so the two agree and this request changed nothing.
          const undone = await this.store.updateSchedule(poolId, name, saved.version, storedFields(fromStored(current))).catch((undo: unknown) => {
            this.o.log?.('schedule-update-not-undone', { pool: poolId, schedule: name, error: undo instanceof Error ? undo.message : String(undo) });
            return this.store.getSchedule(poolId, name).catch(() => undefined);
          });
          if (undone) await this.arm(fromStored(undone), true).catch(() => undefined);
          throw e;
        }
        return this.view(saved);
      },
      { attempts: 3, retryOn: (e) => e instanceof VersionConflictError && expectedVersion === undefined, exhausted: () => new ScheduleConflictError(name) },
    );
  }

  async remove(poolId: string, name: string): Promise<void> {
    const current = await this.store.getSchedule(poolId, name);
    if (!current) throw new ScheduleNotFoundError(name);
    await this.port.remove(poolId, name);
    if (current.action === 'wake' && this.port.listOnce && this.port.removeOnce) {
      for (const once of await this.port.listOnce(earlyStartPrefix(poolId, name))) await this.port.removeOnce(once);
    }
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
