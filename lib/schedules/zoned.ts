/**
 * Wall-clock arithmetic in IANA time zones with nothing but Intl: instant -> local fields, and
 * local fields -> instant(s), telling apart the normal case, a DST gap and a repeated hour.
 */

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number; // 0-23
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `instant` (whole seconds). */
export function wallClockAt(instant: Date | number, timeZone: string): WallClock {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type === 'year' || part.type === 'month' || part.type === 'day' || part.type === 'hour' || part.type === 'minute' || part.type === 'second') {
      out[part.type] = Number.parseInt(part.value, 10);
    }
  }
  if (out.hour === 24) out.hour = 0;
  return out;
}

/** Local time minus UTC, in milliseconds, at `instant`. */
export function offsetMsAt(instant: number, timeZone: string): number {
  const w = wallClockAt(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

export function sameWallClock(a: WallClock, b: WallClock): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute && a.second === b.second;
}

/** `YYYY-MM-DD` of the local date. */
export function localDate(instant: Date | number, timeZone: string): string {
  const w = wallClockAt(instant, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

export type LocalResolution =
  | { kind: 'single'; instant: number }
  | { kind: 'ambiguous'; earlier: number; later: number }
  | { kind: 'gap'; after: number };

/** The instant(s) at which the wall clock in `timeZone` shows `w`. */
export function resolveLocal(w: WallClock, timeZone: string): LocalResolution {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const candidates = new Set<number>();
  // Offsets in force up to a day either side cover every real transition.
  for (const probe of [naive - 86_400_000, naive - 10_800_000, naive, naive + 10_800_000, naive + 86_400_000]) {
    const instant = naive - offsetMsAt(probe, timeZone);
    if (sameWallClock(wallClockAt(instant, timeZone), w)) candidates.add(instant);
  }
  const sorted = [...candidates].sort((a, b) => a - b);
  if (sorted.length === 1) return { kind: 'single', instant: sorted[0] };
  if (sorted.length >= 2) return { kind: 'ambiguous', earlier: sorted[0], later: sorted[sorted.length - 1] };
  // In a gap: the first instant after it is where the later offset starts.
  const before = naive - offsetMsAt(naive - 86_400_000, timeZone);
  const after = naive - offsetMsAt(naive + 86_400_000, timeZone);
  let lo = Math.min(before, after);
  let hi = Math.max(before, after);
  const startOffset = offsetMsAt(lo, timeZone);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetMsAt(mid, timeZone) === startOffset) lo = mid;
    else hi = mid;
  }
  return { kind: 'gap', after: hi };
}

/** Start of the local day `date` (YYYY-MM-DD) in `timeZone`, as an instant. */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map((s) => Number.parseInt(s, 10));
  const r = resolveLocal({ year: y, month: m, day: d, hour: 0, minute: 0, second: 0 }, timeZone);
  return r.kind === 'single' ? r.instant : r.kind === 'ambiguous' ? r.earlier : r.after;
}
