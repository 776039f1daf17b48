/**
 * Hand-written SVG charts, small enough to read in one sitting: lines over time (a host's draw or
 * temperature; several series on one axis, e.g. CPU and memory) and bars per night (energy
 * saved). Axes come from ticks.ts (1/2/5 steps, labels that differ, local time). Each chart carries
 * a text summary for screen readers (role=img + aria-label) and, where points are few enough to
 * point at, a <title> per point. The SVG's width is its container's: the viewBox keeps the aspect.
 */
import { s } from './dom.ts';
import { niceTicks, timeTicks } from './ticks.ts';

export interface LinePoint {
  t: number;
  v: number;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
  /** CSS class of its line (series, series-2, ...). */
  cls?: string;
}

export interface LineOptions {
  label: string;
  unit: string;
  /** Dashed reference lines, e.g. a critical threshold. */
  refs?: Array<{ value: number; label: string }>;
  timeZone?: string;
  /** A fixed value range (e.g. 0..100 for percentages) instead of one fitted to the data. */
  range?: [number, number];
  /** Said when there is nothing to draw (default: no readings in the last hour). */
  empty?: string;
  /** The SVG's class beside `chart` (default line-chart). */
  className?: string;
  /** The time range drawn (e.g. the days asked for), instead of the data's own. */
  span?: [number, number];
}

const W = 320;
const H = 140;
const PAD = { l: 40, r: 10, t: 14, b: 22 };
/** More points than this get no dot and no per-point title (a line of days is read by its shape). */
const MAX_DOTS = 120;

const hm = (t: number, timeZone?: string): string => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);

export function lineChart(points: LinePoint[], o: LineOptions): SVGSVGElement {
  return linesChart([{ name: o.label, points }], o);
}

export function linesChart(series: LineSeries[], o: LineOptions): SVGSVGElement {
  const all = series.map((x) => ({ ...x, points: [...x.points].sort((a, b) => a.t - b.t) }));
  const pts = all.flatMap((x) => x.points);
  const cls = `chart ${o.className ?? 'line-chart'}`;
  if (!pts.length) {
    const empty = o.empty ?? 'No readings in the last hour';
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: cls, role: 'img', 'aria-label': `${o.label}: ${empty.toLowerCase()}` });
    svg.append(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'chart-empty' }, empty));
    return svg;
  }
  const t0 = o.span ? Math.min(o.span[0], ...pts.map((p) => p.t)) : Math.min(...pts.map((p) => p.t));
  const t1 = Math.max(o.span?.[1] ?? -Infinity, ...pts.map((p) => p.t), t0 + 60_000);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: cls, role: 'img', 'aria-label': all.map((x) => summaryOf(x, o)).join('; ') });
  const values = [...pts.map((p) => p.v), ...(o.refs ?? []).map((r) => r.value)];
  const ticks = o.range ? niceTicks(o.range[0], o.range[1], 4) : niceTicks(Math.min(...values), Math.max(...values), 4);
  const x = (t: number): number => PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number): number => PAD.t + (1 - (v - ticks.lo) / (ticks.hi - ticks.lo)) * (H - PAD.t - PAD.b);
  const bottom = y(ticks.lo);
  svg.append(s('line', { x1: PAD.l, y1: bottom, x2: W - PAD.r, y2: bottom, class: 'axis' }), s('line', { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: bottom, class: 'axis' }));
  ticks.values.forEach((v, i) => {
    if (i > 0) svg.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v).toFixed(1), y2: y(v).toFixed(1), class: 'grid' }));
    svg.append(s('text', { x: PAD.l - 4, y: (y(v) + 4).toFixed(1), 'text-anchor': 'end', class: 'tick' }, ticks.labels[i]));
  });
  for (const tk of timeTicks(t0, t1, 4, o.timeZone)) {
    const anchor = x(tk.t) < PAD.l + 20 ? 'start' : x(tk.t) > W - PAD.r - 20 ? 'end' : 'middle';
    svg.append(s('text', { x: x(tk.t).toFixed(1), y: H - 6, 'text-anchor': anchor, class: 'tick' }, tk.label));
  }
  svg.append(s('text', { x: PAD.l + 4, y: PAD.t - 4, class: 'tick unit' }, o.unit));
  for (const r of o.refs ?? []) {
    svg.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(r.value), y2: y(r.value), class: 'ref' }), s('text', { x: W - PAD.r, y: y(r.value) - 3, 'text-anchor': 'end', class: 'tick ref-label' }, r.label));
  }
  all.forEach((ser, i) => {
    if (!ser.points.length) return;
    const line = ser.cls ?? (i === 0 ? 'series' : `series series-${i + 1}`);
    svg.append(s('path', { d: pathOf(ser.points, x, y), class: line, 'data-series': ser.name }));
    if (ser.points.length <= MAX_DOTS) {
      for (const p of ser.points) svg.append(s('circle', { cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5, class: `dot dot-${i + 1}` }, s('title', {}, `${hm(p.t, o.timeZone)}: ${p.v} ${o.unit}`)));
    }
  });
  if (all.length > 1) {
    all.forEach((ser, i) => svg.append(s('text', { x: W - PAD.r - (all.length - 1 - i) * 70, y: PAD.t - 4, 'text-anchor': 'end', class: `tick legend legend-${i + 1}` }, ser.name)));
  }
  return svg;
}

function summaryOf(x: LineSeries, o: LineOptions): string {
  const p = x.points;
  if (!p.length) return `${x.name}: no readings`;
  const vs = p.map((q) => q.v);
  return `${x.name}: ${p.length} readings from ${hm(p[0].t, o.timeZone)} to ${hm(p[p.length - 1].t, o.timeZone)}, latest ${p[p.length - 1].v} ${o.unit}, lowest ${Math.min(...vs)}, highest ${Math.max(...vs)}`;
}

/** The line, broken where readings stop for longer than three of their usual gaps (a host asleep). */
function pathOf(points: LinePoint[], x: (t: number) => number, y: (v: number) => number): string {
  const gaps = points.slice(1).map((p, i) => p.t - points[i].t).sort((a, b) => a - b);
  const usual = gaps.length ? gaps[Math.floor(gaps.length / 2)] : 0;
  return points.map((p, i) => `${i === 0 || (usual > 0 && p.t - points[i - 1].t > 3 * usual) ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
}

export interface Bar {
  /** Axis label, e.g. "26". */
  label: string;
  value: number;
  /** Full text for the pointer and the summary, e.g. "Thu 26 Nov: 12.4 kWh, 3 hosts". */
  title: string;
}

/** One plot width for any number of bars: the chart fills its container at one aspect. */
const BAR_W = 720;

export function barChart(bars: Bar[], o: { label: string; unit: string; width?: number; height?: number }): SVGSVGElement {
  const w = o.width ?? BAR_W;
  const h = o.height ?? 200;
  const pad = { l: 48, r: 8, t: 16, b: 24 };
  const max = Math.max(0, ...bars.map((b) => b.value));
  const ticks = niceTicks(0, max > 0 ? max : 1, 4);
  const total = bars.reduce((a, b) => a + b.value, 0);
  const best = bars.reduce<Bar | undefined>((a, b) => (!a || b.value > a.value ? b : a), undefined);
  const summary = `${o.label}: ${bars.length} nights, ${Number(total.toFixed(2))} ${o.unit} in all${best && best.value > 0 ? `, best ${best.title}` : ''}`;
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart bar-chart', role: 'img', 'aria-label': summary });
  const plotW = w - pad.l - pad.r;
  const plotH = h - pad.t - pad.b;
  const y = (v: number): number => pad.t + plotH - (v / ticks.hi) * plotH;
  const step = plotW / Math.max(1, bars.length);
  // Day labels no closer than ~28 units, whatever the number of nights.
  const every = Math.max(1, Math.ceil(28 / step));
  svg.append(s('line', { x1: pad.l, x2: w - pad.r, y1: pad.t + plotH, y2: pad.t + plotH, class: 'axis' }), s('text', { x: pad.l, y: pad.t - 5, class: 'tick unit' }, o.unit));
  ticks.values.forEach((v, i) => {
    if (i > 0) svg.append(s('line', { x1: pad.l, x2: w - pad.r, y1: y(v).toFixed(1), y2: y(v).toFixed(1), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 5, y: (y(v) + 4).toFixed(1), 'text-anchor': 'end', class: 'tick' }, ticks.labels[i]));
  });
  if (max === 0) svg.append(s('text', { x: pad.l + plotW / 2, y: pad.t + plotH / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'Nothing booked in this period yet'));
  bars.forEach((b, i) => {
    const bh = (b.value / ticks.hi) * plotH;
    const x = pad.l + i * step + step * 0.15;
    svg.append(s('rect', { x: x.toFixed(1), y: (pad.t + plotH - bh).toFixed(1), width: (step * 0.7).toFixed(1), height: Math.max(bh, b.value > 0 ? 1 : 0).toFixed(1), class: 'bar' }, s('title', {}, b.title)));
    if ((bars.length - 1 - i) % every === 0) svg.append(s('text', { x: (x + step * 0.35).toFixed(1), y: h - 8, 'text-anchor': 'middle', class: 'tick' }, b.label));
  });
  return svg;
}
