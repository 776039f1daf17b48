/** Numbers and times as people read them. Pure. */

export function gib(bytes: number): string {
  const g = bytes / 2 ** 30;
  return `${g >= 100 ? Math.round(g) : Math.round(g * 10) / 10} GiB`;
}

export function watts(w: number | undefined | null): string {
  if (w === undefined || w === null || !Number.isFinite(w)) return '—';
  return w >= 10_000 ? `${(w / 1000).toFixed(1)} kW` : `${Math.round(w)} W`;
}

export function kwh(v: number): string {
  if (v === 0) return '0 kWh';
  if (v < 0.1) return `${Math.round(v * 1000)} Wh`;
  return `${v >= 1000 ? Math.round(v).toLocaleString('en') : v.toFixed(1)} kWh`;
}

export function celsius(c: number | undefined): string {
  return c === undefined || !Number.isFinite(c) ? '—' : `${Math.round(c)} °C`;
}

/** "12 s ago", "5 min ago", "3 h ago", or a date. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '?';
  if (ms < 0) return 'just now';
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return new Date(iso).toISOString().slice(0, 10);
}

/** "23:30" in a time zone. */
export function clock(instant: Date | number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}

/** "Thu 26 Nov, 23:30 (Europe/Berlin)" */
export function dateTime(instant: Date | number | string, timeZone: string, withZone = true): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const text = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return withZone ? `${text} (${timeZone})` : text;
}

/** "Thu 26 Nov" of a local date YYYY-MM-DD. */
export function dayLabel(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${date}T12:00:00Z`));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
