/**
 * Two hand-written SVG charts, small enough to read in one sitting: a line over time (a host's
 * draw or temperature) and bars per night (energy saved). Each carries a text summary for screen
 * readers (role=img + aria-label) and a <title> per point for a pointer.
 */
import { s } from './dom.ts';

export interface LinePoint {
  t: number;
  v: number;
}

export interface LineOptions {
  label: string;
  unit: string;
  /** Dashed reference lines, e.g. a critical threshold. */
  refs?: Array<{ value: number; label: string }>;
  timeZone?: string;
}

const W = 320;
const H = 140;
const PAD = { l: 40, r: 10, t: 12, b: 22 };

function niceRange(values: number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.1;
  return [Math.floor(lo - pad), Math.ceil(hi + pad)];
}

const hm = (t: number, timeZone?: string): string => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);

export function lineChart(points: LinePoint[], o: LineOptions): SVGSVGElement {
  const pts = [...points].sort((a, b) => a.t - b.t);
  const last = pts[pts.length - 1];
  const summary = pts.length
    ? `${o.label}: ${pts.length} readings from ${hm(pts[0].t, o.timeZone)} to ${hm(last.t, o.timeZone)}, latest ${last.v} ${o.unit}, lowest ${Math.min(...pts.map((p) => p.v))}, highest ${Math.max(...pts.map((p) => p.v))}`
    : `${o.label}: no readings in the last hour`;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart line-chart', role: 'img', 'aria-label': summary });
  if (!pts.length) {
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'No readings in the last hour'));
    return svg;
  }
  const [lo, hi] = niceRange([...pts.map((p) => p.v), ...(o.refs ?? []).map((r) => r.value)]);
  const t0 = pts[0].t;
  const t1 = Math.max(last.t, t0 + 60_000);
  const x = (t: number): number => PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number): number => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  svg.append(
    s('line', { x1: PAD.l, y1: y(lo), x2: W - PAD.r, y2: y(lo), class: 'axis' }),
    s('line', { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: y(lo), class: 'axis' }),
    s('text', { x: PAD.l - 4, y: y(hi) + 4, 'text-anchor': 'end', class: 'tick' }, `${hi}`),
    s('text', { x: PAD.l - 4, y: y(lo), 'text-anchor': 'end', class: 'tick' }, `${lo}`),
    s('text', { x: PAD.l, y: H - 6, class: 'tick' }, hm(t0, o.timeZone)),
    s('text', { x: W - PAD.r, y: H - 6, 'text-anchor': 'end', class: 'tick' }, hm(t1, o.timeZone)),
    s('text', { x: PAD.l + 4, y: PAD.t - 2, class: 'tick unit' }, o.unit),
  );
  for (const r of o.refs ?? []) {
    svg.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(r.value), y2: y(r.value), class: 'ref' }), s('text', { x: W - PAD.r, y: y(r.value) - 3, 'text-anchor': 'end', class: 'tick ref-label' }, r.label));
  }
  svg.append(s('polyline', { points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '), class: 'series' }));
  for (const p of pts) {
    svg.append(s('circle', { cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5, class: 'dot' }, s('title', {}, `${hm(p.t, o.timeZone)}: ${p.v} ${o.unit}`)));
  }
  return svg;
}

export interface Bar {
  /** Axis label, e.g. "26". */
  label: string;
  value: number;
  /** Full text for the pointer and the summary, e.g. "Thu 26 Nov: 12.4 kWh, 3 hosts". */
  title: string;
}

export function barChart(bars: Bar[], o: { label: string; unit: string; width?: number; height?: number }): SVGSVGElement {
  // Narrow enough that a phone still shows readable ticks, wide enough for 90 nights.
  const w = o.width ?? Math.min(720, Math.max(360, bars.length * 16 + 52));
  const h = o.height ?? 180;
  const pad = { l: 44, r: 8, t: 14, b: 24 };
  const max = Math.max(0, ...bars.map((b) => b.value));
  const top = max > 0 ? niceTop(max) : 1;
  const total = bars.reduce((a, b) => a + b.value, 0);
  const best = bars.reduce<Bar | undefined>((a, b) => (!a || b.value > a.value ? b : a), undefined);
  const summary = `${o.label}: ${bars.length} nights, ${total.toFixed(1)} ${o.unit} in all${best && best.value > 0 ? `, best ${best.title}` : ''}`;
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart bar-chart', role: 'img', 'aria-label': summary });
  const plotW = w - pad.l - pad.r;
  const plotH = h - pad.t - pad.b;
  const step = plotW / Math.max(1, bars.length);
  const every = Math.ceil(bars.length / 14);
  svg.append(
    s('line', { x1: pad.l, x2: w - pad.r, y1: pad.t + plotH, y2: pad.t + plotH, class: 'axis' }),
    s('line', { x1: pad.l, x2: w - pad.r, y1: pad.t, y2: pad.t, class: 'grid' }),
    s('line', { x1: pad.l, x2: w - pad.r, y1: pad.t + plotH / 2, y2: pad.t + plotH / 2, class: 'grid' }),
    s('text', { x: pad.l - 4, y: pad.t + 4, 'text-anchor': 'end', class: 'tick' }, fmt(top)),
    s('text', { x: pad.l - 4, y: pad.t + plotH / 2 + 4, 'text-anchor': 'end', class: 'tick' }, fmt(top / 2)),
    s('text', { x: pad.l - 4, y: pad.t + plotH, 'text-anchor': 'end', class: 'tick' }, '0'),
    s('text', { x: pad.l, y: pad.t - 4, class: 'tick unit' }, o.unit),
  );
  if (max === 0) svg.append(s('text', { x: pad.l + plotW / 2, y: pad.t + plotH / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'Nothing booked in this period yet'));
  bars.forEach((b, i) => {
    const bh = (b.value / top) * plotH;
    const x = pad.l + i * step + step * 0.15;
    svg.append(s('rect', { x: x.toFixed(1), y: (pad.t + plotH - bh).toFixed(1), width: (step * 0.7).toFixed(1), height: Math.max(bh, b.value > 0 ? 1 : 0).toFixed(1), class: 'bar' }, s('title', {}, b.title)));
    if (i % every === 0) svg.append(s('text', { x: (x + step * 0.35).toFixed(1), y: h - 8, 'text-anchor': 'middle', class: 'tick' }, b.label));
  });
  return svg;
}

function niceTop(max: number): number {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  return v >= 10 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
}
