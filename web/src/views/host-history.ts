/**
 * A host's last days on its page: CPU and memory (from the stored 5-minute load samples) beside
 * its draw and hottest temperature (its readings, averaged into the same 5-minute buckets), so a
 * quiet night and a busy day read side by side. Read when the page opens and every 5 minutes.
 */
import type { App } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { linesChart, type LinePoint } from '../charts.ts';
import { errorBox, fill, h } from '../dom.ts';
import { hottest } from '../host-state.ts';
import type { Lifetime } from '../poll.ts';
import type { LoadAnswer, Reading } from '../types.ts';

export const HISTORY_DAYS = 3;
const BUCKET_MS = 300_000;
/** Readings asked for: 3 days at one every 30 s is 8,640. */
const READINGS_LIMIT = 10_000;

/** Points averaged per 5-minute bucket (the bucket's start as its time). */
export function bucketed(points: LinePoint[], bucketMs = BUCKET_MS): LinePoint[] {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const p of points) {
    const b = Math.floor(p.t / bucketMs) * bucketMs;
    const s = sums.get(b) ?? { sum: 0, n: 0 };
    s.sum += p.v;
    s.n += 1;
    sums.set(b, s);
  }
  return [...sums.entries()].sort(([a], [b]) => a - b).map(([t, s]) => ({ t, v: Math.round((s.sum / s.n) * 10) / 10 }));
}

/** CPU % and memory % of one host's samples. */
export function loadSeries(load: LoadAnswer, hostId: string): { cpu: LinePoint[]; memory: LinePoint[] } {
  const samples = load.hosts.find((x) => x.hostId === hostId)?.samples ?? [];
  const cpu: LinePoint[] = [];
  const memory: LinePoint[] = [];
  for (const s of samples) {
    const t = Date.parse(s.at);
    if (s.cpuPercent !== null) cpu.push({ t, v: Math.round(s.cpuPercent * 10) / 10 });
    if (s.memoryUsedBytes !== null && s.memoryTotalBytes) memory.push({ t, v: Math.round((1000 * s.memoryUsedBytes) / s.memoryTotalBytes) / 10 });
  }
  return { cpu, memory };
}

/** The charts' box, and `kick` to read at once (the page calls it when it first knows the host's pool). */
export function hostHistory(app: App, life: Lifetime, hostId: string, poolOf: () => string | undefined): { element: HTMLElement; kick: () => void } {
  const box = h('div', { class: 'charts history' }, h('p', { class: 'muted' }, 'Reading the last days…'));
  const empty = `No samples in the last ${HISTORY_DAYS} days`;
  const poller = life.poll(async () => {
    const pool = poolOf();
    if (!pool) return;
    const now = Date.now();
    const since = new Date(now - HISTORY_DAYS * 86_400_000).toISOString();
    let load: LoadAnswer;
    let readings: Reading[];
    try {
      [load, readings] = await Promise.all([app.api.load(pool, hostId, since), app.api.readings(hostId, since, READINGS_LIMIT)]);
    } catch (e) {
      fill(box, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the last days'));
      throw e;
    }
    const { cpu, memory } = loadSeries(load, hostId);
    const draw = bucketed(readings.filter((r) => typeof r.powerWatts === 'number').map((r) => ({ t: Date.parse(r.at), v: r.powerWatts as number })));
    const temp = bucketed(readings.map((r) => ({ t: Date.parse(r.at), v: hottest(r) })).filter((p): p is LinePoint => p.v !== undefined));
    const chart = (series: Parameters<typeof linesChart>[0], label: string, unit: string, range?: [number, number]) =>
      h('figure', {}, linesChart(series, { label, unit, range, empty, className: 'history-chart', span: [Date.parse(since), now] }), h('figcaption', {}, `${label}, last ${HISTORY_DAYS} days`));
    fill(
      box,
      chart([{ name: 'CPU', points: cpu }, { name: 'Memory', points: memory }], 'CPU and memory used', '%', [0, 100]),
      chart([{ name: 'Power draw', points: draw }], 'Power draw', 'W'),
      chart([{ name: 'Hottest temperature', points: temp }], 'Hottest temperature', '°C'),
    );
  }, 300_000);
  return { element: box, kick: () => poller.kick() };
}
