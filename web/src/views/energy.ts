/**
 * Energy: what sleeping saved, per night and per pool, over the last weeks as bars; the total at
 * the top, and the watts switched off right now by the hosts asleep.
 */
import type { View } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { barChart } from '../charts.ts';
import { errorBox, fill, h } from '../dom.ts';
import { ago, dayLabel, kwh, plural, watts } from '../format.ts';
import type { EnergyReport, PoolSummary } from '../types.ts';

const RANGES = [7, 28, 90] as const;

/** Every night of the range, oldest first, with 0 where nothing was booked. */
export function nightsOf(report: EnergyReport, days: number, today: string): Array<{ night: string; kWhSaved: number; hosts: number }> {
  const byNight = new Map(report.nights.map((n) => [n.night, n]));
  const out: Array<{ night: string; kWhSaved: number; hosts: number }> = [];
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - (days - 1));
  for (let i = 0; i < days; i++) {
    const night = d.toISOString().slice(0, 10);
    out.push(byNight.get(night) ?? { night, kWhSaved: 0, hosts: 0 });
    d.setUTCDate(d.getUTCDate() + 1);
  }
  // A night just before the range whose hosts woke inside it is booked in it: keep it in the chart.
  for (const n of report.nights) if (!out.some((o) => o.night === n.night)) out.push(n);
  return out.sort((a, b) => a.night.localeCompare(b.night));
}

export const energyView: View = (app, root, life) => {
  let days: number = Number(sessionStorage.getItem('lowpower.energyDays')) || 28;
  const total = h('div', { class: 'big-numbers' }, h('p', { class: 'muted' }, 'Adding it up…'));
  const rangeButtons = RANGES.map((n) =>
    h(
      'button',
      {
        type: 'button',
        'aria-pressed': String(n === days),
        onclick: () => {
          days = n;
          sessionStorage.setItem('lowpower.energyDays', String(n));
          for (const [i, b] of rangeButtons.entries()) b.setAttribute('aria-pressed', String(RANGES[i] === n));
          refresh.kick();
        },
      },
      `${n} days`,
    ),
  );
  const poolsBox = h('div');
  let shown = '';
  fill(root, h('h1', { tabindex: -1 }, 'Energy saved'), h('div', { class: 'range', role: 'group', 'aria-label': 'Period' }, rangeButtons), total, poolsBox);

  const refresh = life.poll(async () => {
    let pools: PoolSummary[];
    let reports: EnergyReport[];
    try {
      pools = await app.api.pools();
      reports = await Promise.all(pools.map((p) => app.api.energy(p.id, days)));
    } catch (e) {
      fill(total, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the energy report'));
      return;
    }
    const sig = JSON.stringify([days, reports.map((r) => [r.nights, r.asleepNow.map((x) => [x.hostId, x.wattsSaved, Math.round(x.kWhSoFar * 100)])])]);
    if (sig === shown) return;
    shown = sig;
    const booked = reports.reduce((a, r) => a + r.totalKWhSaved, 0);
    const soFar = reports.reduce((a, r) => a + r.asleepNow.reduce((b, x) => b + x.kWhSoFar, 0), 0);
    const offNow = reports.reduce((a, r) => a + r.asleepNow.reduce((b, x) => b + x.wattsSaved, 0), 0);
    const asleep = reports.reduce((a, r) => a + r.asleepNow.length, 0);
    fill(
      total,
      h('p', { class: 'big', 'data-total-kwh': String(booked) }, h('span', { class: 'big-value' }, kwh(booked)), h('span', { class: 'big-label' }, `saved in the last ${days} days, ${plural(pools.length, 'pool')}`)),
      h('p', { class: 'big' }, h('span', { class: 'big-value' }, watts(offNow)), h('span', { class: 'big-label' }, `switched off now: ${plural(asleep, 'host')} asleep${soFar ? `, ${kwh(soFar)} so far` : ''}`)),
    );
    const today = new Date().toISOString().slice(0, 10);
    fill(
      poolsBox,
      reports.map((r, i) => {
        const nights = nightsOf(r, days, today);
        const best = Math.max(0, ...nights.map((n) => n.kWhSaved));
        return h(
          'section',
          { class: 'energy-pool', 'data-pool': r.pool },
          h('h2', {}, `${pools[i].name}: ${kwh(r.totalKWhSaved)}`),
          h(
            'figure',
            { class: 'energy-chart' },
            barChart(
              nights.map((n) => ({ label: n.night.slice(8), value: n.kWhSaved, title: `${dayLabel(n.night)}: ${kwh(n.kWhSaved)}, ${plural(n.hosts, 'host')} asleep` })),
              { label: `kWh saved per night, ${pools[i].name}`, unit: 'kWh' },
            ),
            h('figcaption', {}, `kWh saved per night (the night's start date), best night ${kwh(best)}. A night is booked when its hosts wake.`),
          ),
          h(
            'details',
            {},
            h('summary', {}, 'Nights as a table'),
            h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                {},
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Night'), h('th', { scope: 'col' }, 'kWh saved'), h('th', { scope: 'col' }, 'Hosts asleep'))),
                h('tbody', {}, nights.filter((n) => n.hosts > 0).reverse().map((n) => h('tr', {}, h('th', { scope: 'row' }, dayLabel(n.night)), h('td', { class: 'num' }, n.kWhSaved.toFixed(2)), h('td', { class: 'num' }, String(n.hosts))))),
              ),
            ),
          ),
          r.asleepNow.length
            ? h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  { class: 'asleep-now' },
                  h('caption', {}, 'Asleep now'),
                  h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Host'), h('th', { scope: 'col' }, 'Since'), h('th', { scope: 'col' }, 'Switched off'), h('th', { scope: 'col' }, 'Saved so far'))),
                  h('tbody', {}, r.asleepNow.map((x) => h('tr', {}, h('th', { scope: 'row' }, x.hostId), h('td', {}, ago(x.since)), h('td', { class: 'num' }, watts(x.wattsSaved)), h('td', { class: 'num' }, kwh(x.kWhSoFar))))),
                ),
              )
            : h('p', { class: 'muted' }, 'No host of this pool is asleep now.'),
        );
      }),
    );
  }, 30_000);
};
