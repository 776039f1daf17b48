/**
 * Schedules as a service: the definition (with its exceptions) lives in the store, the timer in a
 * scheduler port (EventBridge Scheduler in AWS, the local cron runner on one machine). What fires
 * carries only the pool and the name; the handler reads the schedule back and applies its
 * exceptions at that moment, so skipping tonight or holding a pool awake is one store write.
 * Validation happens before anything is written; a failed timer write undoes the store write.
 * A wake's timer runs early by the pool's lead time; on the days that one recurring timer cannot
 * start it on time (daylight-saving days, a cron that cannot be shifted), one-time timers are
 * booked for a horizon ahead (early-start.ts), and re-booked whenever the wake timers are re-armed.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { AlreadyExistsError, VersionConflictError } from '../store/errors.ts';
import type { Schedule as StoredSchedule } from '../store/types.ts';
import { ScheduleConflictError, ScheduleNotFoundError, ScheduleValidationError } from './errors.ts';
import { SLEEP_ACTIONS, validateSchedule, type Schedule, type ScheduleExceptions } from './model.ts';
import { nextFireTime } from './next-fire.ts';
import { parseExpression } from './expression.ts';
import { localDate, wallClockAt } from './zoned.ts';
import { earlyStarts, wakeTimerOf, type EarlyStart } from './early-start.ts';
import { earlyStartSchedule, type OneTimeSchedule } from './eventbridge.ts';

/** A one-time timer that starts a wake early for one ready time. */
export interface OneTimeStart {
  /** Deterministic per schedule and ready time (earlyStartName): booking it again replaces it. */
  name: string;
  /** The schedule as the recurring timer carries it (named `<pool>.<name>`). */
  timer: Schedule;
  startAt: Date;
  readyAt: Date;
}

/** Where timers live. */
export interface SchedulerPort {
  upsert(schedule: Schedule): Promise<void>;
  remove(poolId: string, name: string): Promise<void>;
  /** Book a one-time timer, or move the one of the same name. Ports without one-time timers leave these out. */
  upsertOnce?(t: OneTimeStart): Promise<void>;
  removeOnce?(name: string): Promise<void>;
  /** Names of the one-time timers booked under a prefix. */
  listOnce?(prefix: string): Promise<string[]>;
}

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
  /**
   * How far ahead one-time early starts are booked (default 400 days: the next spring and fall
   * days are always booked, so a pool whose timers are not re-armed for months still wakes on time).
   */
  earlyStartHorizonDays?: number;
  /** At most this many one-time starts per schedule at once (default 40; the rest follow on a later re-arm). */
  maxEarlyStarts?: number;
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

  private lead(s: Schedule): Promise<number> {
    return s.action === 'wake' && this.o.wakeLeadMinutes ? this.o.wakeLeadMinutes(s.poolId) : Promise.resolve(0);
  }

  /** The timer for a schedule: a wake fires earlier by the pool's lead time; the rest as written. */
  private async timerOf(s: Schedule, lead?: number): Promise<Schedule> {
    if (s.action !== 'wake') return s;
    const timer = wakeTimerOf({ expression: s.expression, timezone: s.timezone, leadMinutes: lead ?? (await this.lead(s)) });
    if (timer.why) this.o.log?.(`schedule ${s.name}: its timer is not shifted (${timer.why})`);
    return { ...s, expression: timer.expression };
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
      this.o.log?.(`schedule ${s.name}: ${ahead.length} one-time early start(s) booked; the first starts the wake for ${first.readyAt.toISOString()} at ${first.startAt.toISOString()} (${first.detail})`);
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
      await this.arm(input);
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
        await this.arm(merged, current.action === 'wake');
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

/** The local cron runner as a scheduler port. */
export interface LocalSchedulerLike {
  list(): Array<{ schedule: Schedule }>;
  add(s: Schedule): void;
  update(s: Schedule): void;
  remove(name: string): boolean;
  /** One-shot timers (LocalScheduler has them). */
  upsertOnce?(o: { name: string; at: Date; schedule: Schedule; payload?: Record<string, unknown> }): void;
  removeOnce?(name: string): boolean;
  listOnce?(): Array<{ name: string }>;
}

/** Local timers are named `<pool>.<name>` so two pools may use the same schedule name. */
export const localTimerName = (poolId: string, name: string): string => `${poolId}.${name}`;
/** The schedule's own name back from a local timer's. */
export const scheduleNameOfTimer = (poolId: string, timer: string): string => (timer.startsWith(`${poolId}.`) ? timer.slice(poolId.length + 1) : timer);

/** What a one-time early start hands its handler besides the schedule: the ready time it is for. */
export interface EarlyStartPayload {
  readyAt: string;
}

export function localSchedulerPort(scheduler: LocalSchedulerLike): SchedulerPort {
  const port: SchedulerPort = {
    async upsert(s) {
      const timer = { ...s, name: localTimerName(s.poolId, s.name) };
      if (scheduler.list().some((e) => e.schedule.name === timer.name)) scheduler.update(timer);
      else scheduler.add(timer);
    },
    async remove(poolId, name) {
      scheduler.remove(localTimerName(poolId, name));
    },
  };
  const { upsertOnce, removeOnce, listOnce } = scheduler;
  if (!upsertOnce || !removeOnce || !listOnce) return port;
  const payload = (t: OneTimeStart): EarlyStartPayload => ({ readyAt: t.readyAt.toISOString() });
  return {
    ...port,
    async upsertOnce(t) {
      upsertOnce.call(scheduler, { name: t.name, at: t.startAt, schedule: t.timer, payload: { ...payload(t) } });
    },
    async removeOnce(name) {
      removeOnce.call(scheduler, name);
    },
    async listOnce(prefix) {
      return listOnce.call(scheduler).map((o) => o.name).filter((n) => n.startsWith(prefix));
    },
  };
}

/** The schedule's timer in EventBridge Scheduler: named `<pool>.<name>` in the group; update or create. */
export interface EventBridgeLike {
  create(s: Schedule): Promise<string | undefined>;
  update(s: Schedule): Promise<string | undefined>;
  delete(name: string): Promise<void>;
  /** One-time at() schedules (EventBridgeScheduler has them). */
  upsertOneTime?(o: OneTimeSchedule): Promise<string | undefined>;
  list?(namePrefix?: string): Promise<Array<{ name: string }>>;
}

export function eventBridgeSchedulerPort(eb: EventBridgeLike): SchedulerPort {
  const remove = async (name: string): Promise<void> => {
    try {
      await eb.delete(name);
    } catch (e) {
      if (!(e instanceof ScheduleNotFoundError)) throw e;
    }
  };
  const port: SchedulerPort = {
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
      await remove(localTimerName(poolId, name));
    },
  };
  const { upsertOneTime, list } = eb;
  if (!upsertOneTime || !list) return port;
  return {
    ...port,
    async upsertOnce(t) {
      await upsertOneTime.call(eb, earlyStartSchedule(t.name, t.timer, t.startAt, t.readyAt));
    },
    removeOnce: remove,
    async listOnce(prefix) {
      return (await list.call(eb, prefix)).map((r) => r.name).filter((n) => n.startsWith(prefix));
    },
  };
}
