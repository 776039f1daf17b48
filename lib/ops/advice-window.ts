/**
 * The sleep window from a week of "hosts that can sleep" per hour. Pure.
 *
 * Each day's night runs from noon to the next noon (the window may cross midnight). Hosts that can
 * sleep in every hour of the week (`alwaysSpare`) are set apart, so the window follows the hours
 * that are quieter than the rest. Within the night the window is the run of at least `minHours`
 * whose "hosts that can sleep in every hour of it" times its length is the largest (ties: the
 * longer, then the earlier): a busier hour inside a quiet run does not split it where keeping one
 * host fewer for the whole run saves more. Nights whose windows start and end within
 * `toleranceHours` of each other share one window, their intersection, so the proposal does not
 * flap by an hour from one day to the next; the days of a shared window become one schedule.
 */
import { HOURS_PER_WEEK } from './advice-demand.ts';

export interface WindowOptions {
  /** Shortest window worth a sleep and a wake (default 3 h). */
  minHours?: number;
  /** Nights whose edges differ by at most this share one window (default 1 h). */
  toleranceHours?: number;
}

export interface DayWindow {
  /** 0 = the night that begins on Monday. */
  day: number;
  /** Hour of the week the window starts (0..167; Monday 00:00 = 0). */
  startHour: number;
  hours: number;
  /** Hosts that can sleep in every hour of the window. */
  hosts: number;
}

export interface SharedWindow {
  /** The nights (0 = Monday's) that keep this window. */
  days: number[];
  /** Local hour of day the window starts and ends (the end may be on the next day). */
  startHourOfDay: number;
  endHourOfDay: number;
  hours: number;
  /** Per night of `days`, in the same order: hosts that can sleep in every hour of the window. */
  hostsPerDay: number[];
}

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type DayName = (typeof DAYS)[number];
export const DAY_NAMES: readonly DayName[] = DAYS;
/** Each night starts looking at noon. */
const NIGHT_STARTS_AT = 12;

/** Hosts that can sleep at every hour of the week (an hour with no figure counts as none). */
export function alwaysSpare(levels: ReadonlyArray<number | null>): number {
  return Math.min(...levels.map((l) => l ?? 0));
}

const at = (levels: ReadonlyArray<number | null>, hour: number): number => levels[((hour % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK] ?? 0;

/** The best window of each night (null where no run of minHours beats the always-spare hosts). */
export function nightWindows(levels: ReadonlyArray<number | null>, o: WindowOptions = {}): Array<DayWindow | null> {
  if (levels.length !== HOURS_PER_WEEK) throw new Error(`nightWindows: expected ${HOURS_PER_WEEK} hours, got ${levels.length}`);
  const minHours = Math.max(1, Math.floor(o.minHours ?? 3));
  const base = alwaysSpare(levels);
  return DAYS.map((_, day) => {
    const from = day * 24 + NIGHT_STARTS_AT;
    let best: { s: number; len: number; extra: number } | undefined;
    for (let s = 0; s < 24; s++) {
      let extra = Infinity;
      for (let len = 1; s + len <= 24; len++) {
        extra = Math.min(extra, at(levels, from + s + len - 1) - base);
        if (extra < 1) break;
        if (len < minHours) continue;
        const score = extra * len;
        const bestScore = best ? best.extra * best.len : 0;
        if (!best || score > bestScore || (score === bestScore && len > best.len)) best = { s, len, extra };
      }
    }
    return best ? { day, startHour: (from + best.s) % HOURS_PER_WEEK, hours: best.len, hosts: best.extra + base } : null;
  });
}

/** Nights with windows that agree (within toleranceHours at each edge) grouped under one window. */
export function shareWindows(levels: ReadonlyArray<number | null>, windows: ReadonlyArray<DayWindow | null>, o: WindowOptions = {}): SharedWindow[] {
  const minHours = Math.max(1, Math.floor(o.minHours ?? 3));
  const tolerance = Math.max(0, o.toleranceHours ?? 1);
  // Edges as hours after the night's noon, so a window across midnight compares as one span.
  const edges = (w: DayWindow) => {
    const s = (w.startHour - (w.day * 24 + NIGHT_STARTS_AT) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
    return { s, e: s + w.hours };
  };
  const groups: Array<{ members: DayWindow[]; s: number; e: number }> = [];
  for (const w of windows) {
    if (!w) continue;
    const { s, e } = edges(w);
    const home = groups.find((g) => {
      const fits = g.members.every((m) => Math.abs(edges(m).s - s) <= tolerance && Math.abs(edges(m).e - e) <= tolerance);
      return fits && Math.min(g.e, e) - Math.max(g.s, s) >= minHours;
    });
    if (home) {
      home.members.push(w);
      home.s = Math.max(home.s, s);
      home.e = Math.min(home.e, e);
    } else groups.push({ members: [w], s, e });
  }
  return groups.map((g) => {
    const days = g.members.map((m) => m.day);
    return {
      days,
      startHourOfDay: (NIGHT_STARTS_AT + g.s) % 24,
      endHourOfDay: (NIGHT_STARTS_AT + g.e) % 24,
      hours: g.e - g.s,
      hostsPerDay: days.map((d) => {
        let min = Infinity;
        for (let h = g.s; h < g.e; h++) min = Math.min(min, at(levels, d * 24 + NIGHT_STARTS_AT + h));
        return min;
      }),
    };
  });
}

/** The hours of the week (0..167) a shared window covers on one of its nights. */
export function windowHours(w: Pick<SharedWindow, 'startHourOfDay' | 'hours'>, day: number): number[] {
  const offset = (w.startHourOfDay - NIGHT_STARTS_AT + 24) % 24;
  return Array.from({ length: w.hours }, (_, i) => (day * 24 + NIGHT_STARTS_AT + offset + i) % HOURS_PER_WEEK);
}

/**
 * The EventBridge Scheduler cron expressions that sleep at the window's start and wake at its end,
 * on the right weekdays (a window that starts after midnight, or ends the next morning, fires on
 * the following day).
 */
export function windowExpressions(w: Pick<SharedWindow, 'days' | 'startHourOfDay' | 'hours'>): { sleep: string; wake: string } {
  const startOffset = (w.startHourOfDay - NIGHT_STARTS_AT + 24) % 24;
  const sleepDays = w.days.map((d) => (d + Math.floor((NIGHT_STARTS_AT + startOffset) / 24)) % 7);
  const wakeDays = w.days.map((d) => (d + Math.floor((NIGHT_STARTS_AT + startOffset + w.hours) / 24)) % 7);
  const endHour = (w.startHourOfDay + w.hours) % 24;
  return { sleep: `cron(0 ${w.startHourOfDay} ? * ${dayList(sleepDays)} *)`, wake: `cron(0 ${endHour} ? * ${dayList(wakeDays)} *)` };
}

/** Weekdays (0 = Monday) as a cron day-of-week field: `*`, `MON-FRI`, `SAT,SUN`. */
export function dayList(days: readonly number[]): string {
  const set = [...new Set(days)].sort((a, b) => a - b);
  if (set.length === 7) return '*';
  const parts: string[] = [];
  for (let i = 0; i < set.length; ) {
    let j = i;
    while (j + 1 < set.length && set[j + 1] === set[j] + 1) j++;
    if (j - i >= 2) parts.push(`${DAYS[set[i]]}-${DAYS[set[j]]}`);
    else for (let k = i; k <= j; k++) parts.push(DAYS[set[k]]);
    i = j + 1;
  }
  return parts.join(',');
}

/** "22:00" */
export const hourText = (h: number): string => `${String(h).padStart(2, '0')}:00`;
