/**
 * Where timers live, behind one port: the local cron runner on one machine, EventBridge Scheduler
 * in AWS. A schedule's timer is named `<pool>.<name>`; a wake's one-time early starts are booked
 * through the same port where the scheduler has one-time timers.
 */
import { ScheduleNotFoundError } from './errors.ts';
import type { Schedule } from './model.ts';
import { earlyStartSchedule, type OneTimeSchedule, type RemoteSchedule } from './eventbridge.ts';
import { localTimerName } from './timer-names.ts';

/** A one-time timer that starts a wake early for one ready time. */
export interface OneTimeStart {
  /** Deterministic per schedule and ready time (earlyStartName): booking it again replaces it. */
  name: string;
  /** The schedule as the recurring timer carries it (named `<pool>.<name>`). */
  timer: Schedule;
  startAt: Date;
  readyAt: Date;
}

/** A schedule's recurring timer as the scheduler holds it: when it fires, in which zone, whether it runs. */
export interface TimerState {
  expression: string;
  timezone: string;
  enabled: boolean;
}

/** Where timers live. */
export interface SchedulerPort {
  upsert(schedule: Schedule): Promise<void>;
  remove(poolId: string, name: string): Promise<void>;
  /** The schedule's recurring timer as the scheduler holds it now, or undefined when it has none (the doctor's presence check). */
  lookup?(poolId: string, name: string): Promise<TimerState | undefined>;
  /** Book a one-time timer, or move the one of the same name. Ports without one-time timers leave these out. */
  upsertOnce?(t: OneTimeStart): Promise<void>;
  removeOnce?(name: string): Promise<void>;
  /** Names of the one-time timers booked under a prefix. */
  listOnce?(prefix: string): Promise<string[]>;
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
    async lookup(poolId, name) {
      const timer = scheduler.list().find((e) => e.schedule.name === localTimerName(poolId, name))?.schedule;
      return timer && { expression: timer.expression, timezone: timer.timezone, enabled: timer.enabled };
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
  /** The schedule of that name in the group, or undefined when there is none (EventBridgeScheduler has it). */
  get?(name: string): Promise<RemoteSchedule | undefined>;
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
  const { get } = eb;
  if (get) {
    port.lookup = async (poolId, name) => {
      const r = await get.call(eb, localTimerName(poolId, name));
      return r && { expression: r.expression, timezone: r.timezone, enabled: r.state !== 'DISABLED' };
    };
  }
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
