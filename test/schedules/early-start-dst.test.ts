/**
 * Wakes on daylight-saving days and across midnight, for Europe/Berlin, America/New_York and
 * Australia/Sydney on every clock change of 2025-2027. The switch days come from scanning Intl's
 * offsets here (no table); the fires are what would really run: the recurring timer's occurrences
 * from the next-fire code, plus the one-time starts, each told apart by wakeFireRole as the
 * handler does. Every ready time gets exactly one start, at its ready time minus the lead or a
 * little before, and no day without a ready time gets one.
 */
import { describe, expect, it } from 'vitest';
import { earlyStarts, wakeFireRole, wakeTimerOf, type WakeTiming } from '../../lib/schedules/early-start.ts';
import { nextFireTimes } from '../../lib/schedules/next-fire.ts';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney'] as const;
const YEARS = [2025, 2026, 2027];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How much earlier than ready minus lead a start may be. */
const EARLY_SLACK_MS = 5 * 60_000;

const offsetFormat = new Map<string, Intl.DateTimeFormat>();
/** Local time minus UTC in minutes, from Intl's own offset name ("GMT+10:30"). */
function offsetMinutes(ms: number, tz: string): number {
  let f = offsetFormat.get(tz);
  if (!f) offsetFormat.set(tz, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })));
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const dateFormat = new Map<string, Intl.DateTimeFormat>();
function localDateOf(ms: number, tz: string): string {
  let f = dateFormat.get(tz);
  if (!f) dateFormat.set(tz, (f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(new Date(ms));
}
function localHhmm(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

interface SwitchDay {
  zone: string;
  date: string;
  kind: 'spring' | 'fall';
  /** The first instant with the new offset. */
  at: number;
}

/** Every offset change of a zone in a year, by scanning hour by hour. */
function switchDays(zone: string, year: number): SwitchDay[] {
  const out: SwitchDay[] = [];
  let t = Date.UTC(year, 0, 1);
  let before = offsetMinutes(t, zone);
  for (; t < Date.UTC(year + 1, 0, 1); t += HOUR) {
    const now = offsetMinutes(t + HOUR, zone);
    if (now !== before) out.push({ zone, date: localDateOf(t + HOUR, zone), kind: now > before ? 'spring' : 'fall', at: t + HOUR });
    before = now;
  }
  return out;
}

const SWITCHES = ZONES.flatMap((z) => YEARS.flatMap((y) => switchDays(z, y)));

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const weekdayOf = (date: string): string => WEEKDAYS[new Date(`${date}T12:00:00Z`).getUTCDay()];

interface Outcome {
  starts: Map<number, Array<{ at: number; via: string }>>;
  repeats: Map<number, number[]>;
  odd: string[];
  recurring: number[];
}

/** What would fire in [from - 1 day, to + 1 day), and what each fire does. */
function simulate(w: WakeTiming, from: number, to: number, withMarker: boolean): Outcome {
  const timer = wakeTimerOf(w);
  const recurring = nextFireTimes(timer.expression, w.timezone, new Date(from - DAY), 200)
    .map((d) => d.getTime())
    .filter((t) => t < to + DAY);
  const oneTime = earlyStarts(w, new Date(from - 2 * DAY), new Date(to + 2 * DAY));
  const fires = [
    ...recurring.map((at) => ({ at, via: 'recurring', readyAt: undefined as Date | undefined })),
    ...oneTime.map((e) => ({ at: e.startAt.getTime(), via: `one-time (${e.why})`, readyAt: withMarker ? e.readyAt : undefined })),
  ].sort((a, b) => a.at - b.at);
  const out: Outcome = { starts: new Map(), repeats: new Map(), odd: [], recurring };
  for (const f of fires) {
    const role = wakeFireRole(w, new Date(f.at), f.readyAt);
    if (role.kind === 'start') out.starts.set(role.readyAt.getTime(), [...(out.starts.get(role.readyAt.getTime()) ?? []), { at: f.at, via: f.via }]);
    else if (role.kind === 'after-early-start') out.repeats.set(role.readyAt.getTime(), [...(out.repeats.get(role.readyAt.getTime()) ?? []), f.at]);
    else if (role.kind === 'unplanned' || role.kind === 'stale') out.odd.push(`${f.via} at ${new Date(f.at).toISOString()}: ${role.kind}`);
  }
  return out;
}

/** Every ready time in the window gets one start, on time; no other ready time gets one. */
function expectOneStartPerReadyTime(w: WakeTiming, from: number, to: number, withMarker: boolean): { ready: number[]; outcome: Outcome } {
  const ready = nextFireTimes(w.expression, w.timezone, new Date(from - 1), 50)
    .map((d) => d.getTime())
    .filter((t) => t < to);
  const outcome = simulate(w, from, to, withMarker);
  expect(outcome.odd).toEqual([]);
  const lead = Math.ceil(w.leadMinutes) * 60_000;
  for (const r of ready) {
    const starts = outcome.starts.get(r) ?? [];
    const where = `ready ${new Date(r).toISOString()} (${localDateOf(r, w.timezone)} ${localHhmm(r, w.timezone)})`;
    expect(starts, where).toHaveLength(1);
    expect(starts[0].at, `${where}: started by ${starts[0].via}`).toBeLessThanOrEqual(r - lead);
    expect(starts[0].at, `${where}: started by ${starts[0].via}`).toBeGreaterThanOrEqual(r - lead - EARLY_SLACK_MS);
    // A recurring fire after the start only repeats it under the same ready time (the same idempotency key).
    for (const again of outcome.repeats.get(r) ?? []) expect(again, where).toBeGreaterThan(starts[0].at);
  }
  const readySet = new Set(ready);
  const stray = [...outcome.starts.keys()].filter((r) => r >= from && r < to && !readySet.has(r));
  expect(stray.map((r) => new Date(r).toISOString())).toEqual([]);
  return { ready, outcome };
}

/** Local midnight two days before the switch day, to two days after. */
function windowAround(s: SwitchDay): { from: number; to: number } {
  return { from: s.at - 2.5 * DAY, to: s.at + 2.5 * DAY };
}

describe('the switch days found from Intl', () => {
  it('two per zone and year, one each way, the spring one moving clocks forward', () => {
    for (const z of ZONES) {
      for (const y of YEARS) {
        const days = SWITCHES.filter((s) => s.zone === z && s.date.startsWith(String(y)));
        expect(days.map((d) => d.kind).sort(), `${z} ${y}`).toEqual(['fall', 'spring']);
      }
    }
    // The issue's own example is among them.
    expect(SWITCHES).toContainEqual(expect.objectContaining({ zone: 'Europe/Berlin', date: '2025-03-30', kind: 'spring' }));
  });
});

describe.each(SWITCHES.map((s) => [`${s.zone} ${s.date} (${s.kind})`, s] as const))('%s', (_label, s) => {
  const { from, to } = windowAround(s);

  it('ready 03:00, lead 25 min: the 02:35 start happens, gap or repeated hour', () => {
    const w = { expression: 'cron(0 3 ? * * *)', timezone: s.zone, leadMinutes: 25 };
    for (const withMarker of [true, false]) {
      const { ready, outcome } = expectOneStartPerReadyTime(w, from, to, withMarker);
      // Daily: one ready time per local date in the window, each at 03:00.
      expect(new Set(ready.map((r) => localDateOf(r, s.zone))).size).toBe(ready.length);
      expect(ready.length).toBeGreaterThanOrEqual(4);
      for (const r of ready) expect(localHhmm(r, s.zone)).toBe('03:00');
      if (s.kind === 'spring') {
        // The case of the issue: 02:35 does not exist that day, so the recurring timer does not fire.
        expect(outcome.recurring.filter((t) => localDateOf(t, s.zone) === s.date)).toEqual([]);
        expect(outcome.starts.get(ready.find((r) => localDateOf(r, s.zone) === s.date) ?? 0)?.[0].via).toBe('one-time (gap)');
      }
    }
  });

  it('a weekday cron: a start only on the days it names, on the switch day too', () => {
    const day = weekdayOf(s.date);
    const others = WEEKDAYS.filter((d) => d !== day).join(',');
    for (const expression of [`cron(0 3 ? * ${day} *)`, `cron(0 3 ? * ${others} *)`]) {
      const w = { expression, timezone: s.zone, leadMinutes: 25 };
      const { ready, outcome } = expectOneStartPerReadyTime(w, from, to, true);
      const startDays = [...outcome.starts.keys()].filter((r) => r >= from && r < to).map((r) => localDateOf(r, s.zone));
      expect(startDays).toEqual(ready.map((r) => localDateOf(r, s.zone)));
      for (const d of startDays) expect(expression).toContain(weekdayOf(d));
      expect(startDays.includes(s.date)).toBe(expression.includes(`* ${day} *`));
    }
  });

  it('ready 00:10, lead 25 min: the start is at 23:45 the day before, every day', () => {
    for (const expression of ['cron(10 0 ? * * *)', 'cron(10 0 ? * MON-FRI *)', 'cron(10 0 * * ? *)']) {
      const w = { expression, timezone: s.zone, leadMinutes: 25 };
      const { ready, outcome } = expectOneStartPerReadyTime(w, from, to, true);
      for (const r of ready) {
        const start = outcome.starts.get(r)?.[0].at ?? 0;
        expect(localDateOf(start, s.zone) < localDateOf(r, s.zone)).toBe(true);
      }
    }
  });

  it('a lead across midnight that no cron can shift (months named, last day of month): one-time starts every ready day', () => {
    for (const expression of ['cron(10 0 ? 1-12 * *)', 'cron(10 0 L * ? *)']) {
      const w = { expression, timezone: s.zone, leadMinutes: 25 };
      expect(wakeTimerOf(w).shiftedBy).toBe(0);
      for (const withMarker of [true, false]) {
        const { ready, outcome } = expectOneStartPerReadyTime(w, from, to, withMarker);
        for (const r of ready) expect(outcome.starts.get(r)?.[0].via).toBe('one-time (not-shifted)');
        // The unshifted timer still fires at each ready time: only a repeat of that morning's start.
        for (const r of ready) expect(outcome.repeats.get(r)).toEqual([r]);
      }
    }
  });

  it('leads that put the clock change between start and ready time, and ready times inside the changed hour', () => {
    for (const [expression, lead] of [
      ['cron(0 4 ? * * *)', 150],
      ['cron(30 3 ? * * *)', 60],
      ['cron(0 5 ? * * *)', 200],
      ['cron(30 2 ? * * *)', 20],
      ['cron(45 1 ? * * *)', 50],
    ] as const) {
      for (const withMarker of [true, false]) expectOneStartPerReadyTime({ expression, timezone: s.zone, leadMinutes: lead }, from, to, withMarker);
    }
  });
});

describe('wakeFireRole on one fall-back night (Europe/Berlin, from the switch found above)', () => {
  const s = SWITCHES.find((x) => x.zone === 'Europe/Berlin' && x.kind === 'fall' && x.date.startsWith('2025'));
  const w = { expression: 'cron(0 3 ? * * *)', timezone: 'Europe/Berlin', leadMinutes: 25 };

  it('the timer runs at the first 02:35, an hour early: that fire is covered; the one-time start at the second 02:35 starts the wake', () => {
    if (!s) throw new Error('no fall switch found');
    const [ready] = nextFireTimes(w.expression, w.timezone, new Date(s.at), 1);
    const [firstPass] = nextFireTimes(wakeTimerOf(w).expression, w.timezone, new Date(s.at - 6 * HOUR), 1);
    expect(localHhmm(firstPass.getTime(), w.timezone)).toBe('02:35');
    expect(ready.getTime() - firstPass.getTime()).toBe(85 * 60_000);
    const [early] = earlyStarts(w, new Date(ready.getTime() - 1), new Date(ready.getTime() + 1));
    expect(early).toMatchObject({ why: 'repeated-hour', localDate: s.date });
    expect(early.startAt.getTime()).toBe(ready.getTime() - 25 * 60_000);
    expect(wakeFireRole(w, firstPass)).toMatchObject({ kind: 'covered', readyAt: ready, startAt: early.startAt });
    expect(wakeFireRole(w, early.startAt)).toEqual({ kind: 'start', readyAt: ready });
    expect(wakeFireRole(w, early.startAt, ready)).toEqual({ kind: 'start', readyAt: ready });
  });

  it('a marker naming a time that is no ready time is stale; a manual fire at another time is unplanned', () => {
    if (!s) throw new Error('no fall switch found');
    expect(wakeFireRole(w, new Date(s.at), new Date(s.at + 7 * 60_000))).toMatchObject({ kind: 'stale' });
    expect(wakeFireRole(w, new Date(s.at + 5 * HOUR + 12_345))).toEqual({ kind: 'unplanned' });
    expect(wakeFireRole({ ...w, leadMinutes: 0 }, new Date(s.at))).toEqual({ kind: 'unplanned' });
  });

  it('no lead, or a rate(): nothing to book', () => {
    expect(earlyStarts({ ...w, leadMinutes: 0 }, new Date(Date.UTC(2025, 0, 1)), new Date(Date.UTC(2026, 0, 1)))).toEqual([]);
    expect(earlyStarts({ ...w, expression: 'rate(1 day)' }, new Date(Date.UTC(2025, 0, 1)), new Date(Date.UTC(2026, 0, 1)))).toEqual([]);
  });

  it('over a whole year, a daily 03:00 wake with a 25 min lead needs one-time starts only on the switch days', () => {
    const year = earlyStarts(w, new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2027, 0, 1)));
    const switches = SWITCHES.filter((x) => x.zone === w.timezone && x.date.startsWith('2026')).map((x) => x.date);
    expect(year.map((e) => e.localDate)).toEqual(switches);
  });
});
