/** The local scheduler driven by a fake clock: fires on time, does not drift, survives failing handlers. */
import { describe, expect, it } from 'vitest';
import { LocalScheduler, systemClock, type OneShotFire, type RunnerClock } from '../../lib/schedules/local-runner.ts';
import type { Schedule } from '../../lib/schedules/model.ts';

/** A clock whose timers run only when the test advances it. */
class FakeClock implements RunnerClock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pendingTimers(): number {
    return this.timers.size;
  }
  /** Move time forward, running due timers in order, each at its own instant. */
  advance(ms: number, lateBy = 0): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at + lateBy <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at + lateBy);
      next[1].fn();
    }
    this.t = end;
  }
}

const T0 = Date.parse('2026-06-01T12:00:00Z');
const base: Schedule = {
  name: 'poll',
  poolId: 'pool-a',
  action: 'poll-sensors',
  expression: 'rate(1 minute)',
  timezone: 'UTC',
  enabled: true,
  exceptions: {},
};

function setup(handler?: (s: Schedule, at: Date) => Promise<void>) {
  const clock = new FakeClock(T0);
  const fired: Array<{ name: string; at: string }> = [];
  const errors: unknown[] = [];
  const runner = new LocalScheduler({
    clock,
    handler: handler ?? (async (s, at) => void fired.push({ name: s.name, at: at.toISOString() })),
    onError: (err) => errors.push(err),
  });
  return { clock, runner, fired, errors };
}

describe('LocalScheduler', () => {
  it('fires a rate(1 minute) schedule once per minute as the clock advances', async () => {
    const { clock, runner, fired } = setup();
    runner.add(base);
    clock.advance(59_999);
    expect(fired).toHaveLength(0);
    clock.advance(1);
    expect(fired).toEqual([{ name: 'poll', at: '2026-06-01T12:01:00.000Z' }]);
    clock.advance(9 * 60_000);
    await runner.idle();
    expect(fired).toHaveLength(10);
    expect(fired[9].at).toBe('2026-06-01T12:10:00.000Z');
  });

  it('does not drift when timers fire late', () => {
    const { clock, runner, fired } = setup();
    runner.add(base);
    // every timer fires 700 ms late; the schedule stays on the minute
    clock.advance(5 * 60_000 + 700, 700);
    expect(fired.map((f) => f.at)).toEqual([
      '2026-06-01T12:01:00.000Z',
      '2026-06-01T12:02:00.000Z',
      '2026-06-01T12:03:00.000Z',
      '2026-06-01T12:04:00.000Z',
      '2026-06-01T12:05:00.000Z',
    ]);
  });

  it('runs cron schedules at their wall-clock times', () => {
    const { clock, runner, fired } = setup();
    runner.add({ ...base, name: 'sleep', action: 'sleep', expression: 'cron(0 22 ? * MON-FRI *)', timezone: 'Europe/Berlin' });
    expect(runner.list()[0].nextFire?.toISOString()).toBe('2026-06-01T20:00:00.000Z');
    clock.advance(7 * 86_400_000);
    expect(fired.map((f) => f.at)).toEqual([
      '2026-06-01T20:00:00.000Z',
      '2026-06-02T20:00:00.000Z',
      '2026-06-03T20:00:00.000Z',
      '2026-06-04T20:00:00.000Z',
      '2026-06-05T20:00:00.000Z',
    ]);
  });

  it('removal stops it', () => {
    const { clock, runner, fired } = setup();
    runner.add(base);
    clock.advance(3 * 60_000);
    expect(runner.remove('poll')).toBe(true);
    expect(runner.remove('poll')).toBe(false);
    clock.advance(10 * 60_000);
    expect(fired).toHaveLength(3);
    expect(runner.list()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a failing handler does not stop the runner', async () => {
    let n = 0;
    const { clock, runner, errors } = setup(async () => {
      n++;
      if (n % 2 === 1) throw new Error(`boom ${n}`);
    });
    runner.add(base);
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      await runner.idle();
    }
    expect(n).toBe(4);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom 1', 'boom 3']);
  });

  it('a handler that throws synchronously does not stop it either', async () => {
    let n = 0;
    const { clock, runner, errors } = setup(((): Promise<void> => {
      n++;
      throw new Error('sync');
    }));
    runner.add(base);
    clock.advance(3 * 60_000);
    await runner.idle();
    expect(n).toBe(3);
    expect(errors).toHaveLength(3);
  });

  it('update re-plans from the new definition; disabled schedules do not fire', () => {
    const { clock, runner, fired } = setup();
    runner.add(base);
    clock.advance(60_000);
    runner.update({ ...base, expression: 'rate(5 minutes)' });
    clock.advance(10 * 60_000);
    expect(fired.map((f) => f.at)).toEqual(['2026-06-01T12:01:00.000Z', '2026-06-01T12:06:00.000Z', '2026-06-01T12:11:00.000Z']);
    runner.update({ ...base, expression: 'rate(5 minutes)', enabled: false });
    expect(runner.list()[0].nextFire).toBeNull();
    clock.advance(60 * 60_000);
    expect(fired).toHaveLength(3);
  });

  it('a late wake-up runs once, not once per missed occurrence', () => {
    const { clock, runner, fired } = setup();
    runner.add(base);
    clock.advance(11 * 60_000, 10 * 60_000); // the first timer fires 10 minutes late (suspended laptop)
    expect(fired).toEqual([{ name: 'poll', at: '2026-06-01T12:01:00.000Z' }]);
    expect(runner.list()[0].nextFire?.toISOString()).toBe('2026-06-01T12:12:00.000Z');
  });

  it('rejects duplicates, unknown updates and invalid schedules', () => {
    const { runner } = setup();
    runner.add(base);
    expect(() => runner.add(base)).toThrow(/already exists/);
    expect(() => runner.update({ ...base, name: 'other' })).toThrow(/does not exist/);
    expect(() => runner.add({ ...base, name: 'bad', expression: 'rate(0 minutes)' })).toThrow(/at least 1/);
  });

  it('re-arms long waits in slices', () => {
    const { clock, runner, fired } = setup();
    runner.add({ ...base, expression: 'at(2026-07-01T00:00:00)' });
    clock.advance(29 * 86_400_000);
    expect(fired).toHaveLength(0);
    clock.advance(2 * 86_400_000);
    expect(fired).toEqual([{ name: 'poll', at: '2026-07-01T00:00:00.000Z' }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a one-shot fires its schedule once at its own instant, with its payload, where the cron would not fire', async () => {
    const clock = new FakeClock(T0);
    const fired: Array<{ name: string; at: string; once?: OneShotFire }> = [];
    const runner = new LocalScheduler({ clock, handler: async (s, at, once) => void fired.push({ name: s.name, at: at.toISOString(), ...(once ? { once } : {}) }) });
    const wake: Schedule = { ...base, name: 'pool-a.wake', action: 'wake', expression: 'cron(0 7 ? * MON-FRI *)', timezone: 'Europe/Berlin' };
    runner.add(wake);
    runner.upsertOnce({ name: 'early-1', at: new Date(T0 + 90 * 60_000 + 17_000), schedule: wake, payload: { readyAt: 'x' } });
    expect(runner.listOnce().map((o) => o.name)).toEqual(['early-1']);
    clock.advance(90 * 60_000 + 16_999);
    expect(fired).toEqual([]);
    clock.advance(1);
    await runner.idle();
    expect(fired).toEqual([{ name: 'pool-a.wake', at: '2026-06-01T13:30:17.000Z', once: { name: 'early-1', payload: { readyAt: 'x' } } }]);
    expect(runner.listOnce()).toEqual([]);
    clock.advance(86_400_000);
    // Only the cron's own fire follows (07:00 Berlin on Tuesday), with no one-shot marker.
    expect(fired.slice(1)).toEqual([{ name: 'pool-a.wake', at: '2026-06-02T05:00:00.000Z' }]);
  });

  it('booking a one-shot again under its name moves it; removing it cancels it; stop forgets them', () => {
    const { clock, runner, fired } = setup();
    runner.upsertOnce({ name: 'o', at: new Date(T0 + 60_000), schedule: base });
    runner.upsertOnce({ name: 'o', at: new Date(T0 + 120_000), schedule: base });
    runner.upsertOnce({ name: 'p', at: new Date(T0 + 180_000), schedule: base });
    expect(runner.removeOnce('p')).toBe(true);
    expect(runner.removeOnce('p')).toBe(false);
    clock.advance(10 * 60_000);
    expect(fired).toEqual([{ name: 'poll', at: '2026-06-01T12:02:00.000Z' }]);
    runner.upsertOnce({ name: 'q', at: new Date(T0 + 3600_000), schedule: base });
    runner.stop();
    expect(runner.listOnce()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a one-shot weeks ahead waits in slices and fires on time', () => {
    const { clock, runner, fired } = setup();
    runner.upsertOnce({ name: 'far', at: new Date(T0 + 40 * 86_400_000), schedule: base });
    clock.advance(40 * 86_400_000 - 1);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([{ name: 'poll', at: '2026-07-11T12:00:00.000Z' }]);
  });

  it('a one-shot on the real clock fires on its own', async () => {
    const got = new Promise<{ at: Date; once?: OneShotFire }>((resolve) => {
      const runner = new LocalScheduler({ clock: systemClock, handler: async (_s, at, once) => resolve({ at, once }) });
      runner.upsertOnce({ name: 'soon', at: new Date(Date.now() + 40), schedule: base, payload: { readyAt: '2026-06-01T13:00:00.000Z' } });
    });
    const { at, once } = await got;
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    expect(once).toEqual({ name: 'soon', payload: { readyAt: '2026-06-01T13:00:00.000Z' } });
  });
});
