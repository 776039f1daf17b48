/**
 * Axis ticks that read at every scale. Pure. Value ticks step by 1, 2 or 5 times a power of ten
 * and are labelled with just enough decimals that no two read the same (never "0.01 / 0 / 0");
 * energy picks Wh, kWh or MWh by magnitude; time ticks step by whole minutes, hours or days in
 * the viewer's zone.
 */

export interface Ticks {
  lo: number;
  hi: number;
  step: number;
  values: number[];
  labels: string[];
}

/** The 1/2/5 x 10^n step that cuts `span` into at most `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * p >= raw * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/** Decimals a step needs so that consecutive ticks differ in their labels. */
export function decimalsFor(step: number): number {
  if (!(step > 0)) return 0;
  return Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Ticks spanning [lo, hi] (widened to whole steps; a flat range is widened around its value). */
export function niceTicks(lo: number, hi: number, count = 4): Ticks {
  let a = Math.min(lo, hi);
  let b = Math.max(lo, hi);
  if (!Number.isFinite(a) || !Number.isFinite(b)) [a, b] = [0, 1];
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) / 10;
    a -= pad;
    b += pad;
    if (lo >= 0 && a < 0) a = 0;
  }
  const step = niceStep(b - a, count);
  const first = Math.floor(a / step + 1e-9) * step;
  const last = Math.ceil(b / step - 1e-9) * step;
  const decimals = decimalsFor(step);
  const values: number[] = [];
  for (let i = 0; first + i * step <= last + step / 2; i++) values.push(Number((first + i * step).toFixed(decimals)));
  return { lo: values[0], hi: values[values.length - 1], step, values, labels: values.map((v) => formatTick(v, decimals)) };
}

function formatTick(v: number, decimals: number): string {
  const text = Math.abs(v) >= 10_000 ? Math.round(v).toLocaleString('en') : v.toFixed(decimals);
  return text === '-0' || /^-0\.0*$/.test(text) ? text.slice(1) : text;
}

export interface EnergyUnit {
  unit: 'Wh' | 'kWh' | 'MWh';
  /** Multiply kWh by this to get the unit. */
  perKwh: number;
}

/** The unit that keeps the largest value between 1 and 1000 (Wh below 1 kWh, MWh from 1000 kWh). */
export function energyUnit(maxKwh: number): EnergyUnit {
  const m = Math.abs(maxKwh);
  if (m > 0 && m < 1) return { unit: 'Wh', perKwh: 1000 };
  if (m >= 1000) return { unit: 'MWh', perKwh: 0.001 };
  return { unit: 'kWh', perKwh: 1 };
}

/** An energy figure in the unit its size calls for, with 3 significant digits: "12 Wh", "4.56 kWh", "1.2 MWh". */
export function energyText(kWh: number): string {
  const u = energyUnit(kWh);
  const v = kWh * u.perKwh;
  if (v === 0) return '0 kWh';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${Number(v.toFixed(digits))} ${u.unit}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(t: number, timeZone?: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(t);
  const get = (k: string) => Number(parts.find((p) => p.type === k)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - Math.floor(t / 1000) * 1000;
}

/** Time ticks over [t0, t1]: at most `count`, on local whole steps; a day step is labelled with the day, a smaller one with the time (and the day at midnight). */
export function timeTicks(t0: number, t1: number, count = 5, timeZone?: string): Array<{ t: number; label: string }> {
  if (!(t1 > t0)) return [{ t: t0, label: timeLabel(t0, false, timeZone) }];
  const step = TIME_STEPS.find((s) => (t1 - t0) / s <= count) ?? Math.ceil((t1 - t0) / count / DAY) * DAY;
  const out: Array<{ t: number; label: string }> = [];
  const off = offsetAt(t0, timeZone);
  // Local midnights and hours fall on whole steps of local time: step in local time, then back.
  for (let local = Math.ceil((t0 + off) / step) * step; local - off <= t1; local += step) {
    const t = local - offsetAt(local - off, timeZone);
    if (t < t0 || t > t1) continue;
    out.push({ t, label: timeLabel(t, step >= DAY || new Date(local).getUTCHours() === 0, timeZone) });
  }
  return out;
}

function timeLabel(t: number, withDay: boolean, timeZone?: string): string {
  const f = withDay ? { weekday: 'short' as const, day: 'numeric' as const } : { hour: '2-digit' as const, minute: '2-digit' as const, hourCycle: 'h23' as const };
  return new Intl.DateTimeFormat('en-GB', { timeZone, ...f }).format(t);
}
