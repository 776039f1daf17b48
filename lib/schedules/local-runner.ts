/**
 * The Scheduler port on one machine: runs schedules in-process with timers. Each next fire is
 * computed from the schedule (never by adding intervals to timer callbacks), so it does not drift.
 * One-shot timers (the local at()) fire a schedule once at an instant of their own, whether or not
 * its expression would fire then, and are gone afterwards. Clock and timers are injectable so
 * tests can drive time.
 */
import { nextFireTime } from './next-fire.ts';
import { validateSchedule, type Schedule } from './model.ts';

export type TimerHandle = unknown;

export interface RunnerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export const systemClock: RunnerClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Set when a one-shot timer fired: its name and the payload it was booked with. */
export interface OneShotFire {
  name: string;
  payload?: Record<string, unknown>;
}

export type ScheduleHandler = (schedule: Schedule, fireInstant: Date, once?: OneShotFire) => Promise<void>;

/** A one-shot timer: fire `schedule` once at `at`. */
export interface OneShot {
  name: string;
  at: Date;
  schedule: Schedule;
  payload?: Record<string, unknown>;
}

export interface LocalSchedulerOptions {
  handler: ScheduleHandler;
  clock?: RunnerClock;
  /** Called when a handler throws or rejects; the runner carries on either way. */
  onError?: (err: unknown, schedule: Schedule, fireInstant: Date) => void;
}

interface OneShotEntry extends OneShot {
  timer: TimerHandle | undefined;
}

/** Longest single timer; longer waits re-arm (setTimeout caps at ~24.8 days, and clocks jump). */
const MAX_TIMER_MS = 60 * 60 * 1000;

interface Entry {
  schedule: Schedule;
  /** rate() counts from here. */
  anchor: Date;
  next: Date | null;
  timer: TimerHandle | undefined;
}

export class LocalScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly oneShots = new Map<string, OneShotEntry>();
  private readonly clock: RunnerClock;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: LocalSchedulerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  add(schedule: Schedule): void {
    validateSchedule(schedule);
    if (this.entries.has(schedule.name)) throw new Error(`schedule '${schedule.name}' already exists`);
    const entry: Entry = { schedule, anchor: new Date(this.clock.now()), next: null, timer: undefined };
    this.entries.set(schedule.name, entry);
    this.arm(entry, new Date(this.clock.now()));
  }

  update(schedule: Schedule): void {
    validateSchedule(schedule);
    const entry = this.entries.get(schedule.name);
    if (!entry) throw new Error(`schedule '${schedule.name}' does not exist`);
    this.disarm(entry);
    if (entry.schedule.expression !== schedule.expression) entry.anchor = new Date(this.clock.now());
    entry.schedule = schedule;
    this.arm(entry, new Date(this.clock.now()));
  }

  remove(name: string): boolean {
    const entry = this.entries.get(name);
    if (!entry) return false;
    this.disarm(entry);
    this.entries.delete(name);
    return true;
  }

  list(): Array<{ schedule: Schedule; nextFire: Date | null }> {
    return [...this.entries.values()].map((e) => ({ schedule: e.schedule, nextFire: e.next }));
  }

  /** Book a one-shot timer, or move the one of the same name. */
  upsertOnce(o: OneShot): void {
    validateSchedule(o.schedule);
    if (Number.isNaN(o.at.getTime())) throw new Error(`one-shot '${o.name}': not an instant`);
    this.removeOnce(o.name);
    const entry: OneShotEntry = { ...o, timer: undefined };
    this.oneShots.set(o.name, entry);
    this.waitOnce(entry);
  }

  removeOnce(name: string): boolean {
    const entry = this.oneShots.get(name);
    if (!entry) return false;
    if (entry.timer !== undefined) this.clock.clearTimer(entry.timer);
    this.oneShots.delete(name);
    return true;
  }

  listOnce(): OneShot[] {
    return [...this.oneShots.values()].map(({ name, at, schedule, payload }) => ({ name, at, schedule, ...(payload ? { payload } : {}) }));
  }

  /** Stop every timer and forget every schedule and one-shot. */
  stop(): void {
    for (const [name, entry] of this.entries) {
      this.disarm(entry);
      this.entries.delete(name);
    }
    for (const name of [...this.oneShots.keys()]) this.removeOnce(name);
  }

  private waitOnce(entry: OneShotEntry): void {
    const delay = Math.max(0, Math.min(entry.at.getTime() - this.clock.now(), MAX_TIMER_MS));
    entry.timer = this.clock.setTimer(() => {
      entry.timer = undefined;
      if (this.oneShots.get(entry.name) !== entry) return;
      if (this.clock.now() < entry.at.getTime()) return this.waitOnce(entry); // a capped timer: wait on
      this.oneShots.delete(entry.name);
      this.fire(entry.schedule, entry.at, { name: entry.name, ...(entry.payload ? { payload: entry.payload } : {}) });
    }, delay);
  }

  /** Resolves when every handler started so far has settled. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private disarm(entry: Entry): void {
    if (entry.timer !== undefined) this.clock.clearTimer(entry.timer);
    entry.timer = undefined;
    entry.next = null;
  }

  private arm(entry: Entry, after: Date): void {
    const s = entry.schedule;
    entry.next = s.enabled ? nextFireTime(s.expression, s.timezone, after, { anchor: entry.anchor }) : null;
    this.wait(entry);
  }

  private wait(entry: Entry): void {
    if (entry.next === null) return;
    const delay = Math.max(0, Math.min(entry.next.getTime() - this.clock.now(), MAX_TIMER_MS));
    entry.timer = this.clock.setTimer(() => this.wake(entry), delay);
  }

  private wake(entry: Entry): void {
    entry.timer = undefined;
    if (this.entries.get(entry.schedule.name) !== entry || entry.next === null) return;
    const now = this.clock.now();
    const due = entry.next;
    if (now < due.getTime()) {
      this.wait(entry); // a capped timer, or a clock that went backwards: wait on
      return;
    }
    // Next fire from the schedule itself, after the later of the due instant and now: a late
    // wake-up (suspend, busy loop) runs once, not once per missed occurrence.
    this.arm(entry, new Date(Math.max(due.getTime(), now)));
    this.fire(entry.schedule, due);
  }

  private fire(schedule: Schedule, fireInstant: Date, once?: OneShotFire): void {
    const run = (async () => {
      try {
        await (once ? this.options.handler(schedule, fireInstant, once) : this.options.handler(schedule, fireInstant));
      } catch (err) {
        try {
          this.options.onError?.(err, schedule, fireInstant);
        } catch {
          // an error reporter that throws must not stop the runner either
        }
      }
    })();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }
}
