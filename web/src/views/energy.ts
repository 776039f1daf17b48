/**
 * Energy: what sleeping saved, per night and per pool, over the last weeks as bars (in Wh, kWh or
 * MWh by size; money and CO2 where the pool has a price and an intensity); the total at the top,
 * the watts switched off right now by the hosts asleep, and each pool's schedule advice.
 */
import type { View } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { barChart } from '../charts.ts';
import { errorBox, fill, h } from '../dom.ts';
import { ago, dayLabel, kwh, plural, watts } from '../format.ts';
import { energyText, energyUnit } from '../ticks.ts';
import type { AdviceAnswer, EnergyReport, PoolSummary } from '../types.ts';
import { adviceSection } from './advice.ts';

const RANGES = [7, 28, 90] as const;

/** Every night of the range, oldest first, with 0 where nothing was booked. */
type Night = EnergyReport['nights'][number];

export function nightsOf(report: EnergyReport, days: number, today: string): Night[] {
  const byNight = new Map(report.nights.map((n) => [n.night, n]));
  const out: Night[] = [];
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - (days - 1));
  for (let i = 0; i < days; i++) {
    const night = d.toISOString().slice(0, 10);
    out.push(byNight.get(night) ?? { night, kWhSaved: 0, hosts: 0, moneySaved: null, co2KgSaved: null });
    d.setUTCDate(d.getUTCDate() + 1);
  }
  // A night just before the range whose hosts woke inside it is booked in it: keep it in the chart.
  for (const n of report.nights) if (!out.some((o) => o.night === n.night)) out.push(n);
  return out.sort((a, b) => a.night.localeCompare(b.night));
}

/** What a figure is worth where the pool has a price and an intensity: " (2.10 EUR, 1.4 kg CO₂)", or nothing. */
export function worthText(money: number | null, co2Kg: number | null, currency: string | null): string {
  const parts = [money !== null && currency ? `${money.toFixed(2)} ${currency}` : '', co2Kg !== null ? `${co2Kg >= 100 ? Math.round(co2Kg) : co2Kg.toFixed(1)} kg CO₂` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
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
  // Advice reads two weeks of samples and plans every hour of the week: once per visit, not per
  // poll. Each pool's is read by a poller of its own until it comes: a failure is shown in its box
  // and asked again within seconds (the poller's retry), whatever the report does meanwhile.
  const advice = new Map<string, HTMLElement>();
  const adviceFor = (pool: string): HTMLElement => {
    let box = advice.get(pool);
    if (!box) {
      const el = h('div', { class: 'advice-box', 'data-pool': pool }, h('p', { class: 'muted' }, 'Reading the load history…'));
      advice.set(pool, el);
      box = el;
      life.untilDone(async () => {
        let a: AdviceAnswer;
        try {
          a = await app.api.advice(pool);
        } catch (e) {
          fill(el, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the schedule advice'));
          throw e;
        }
        fill(el, adviceSection(a));
      }, 30_000);
    }
    return box;
  };
  fill(root, h('h1', { tabindex: -1 }, 'Energy saved'), h('div', { class: 'range', role: 'group', 'aria-label': 'Period' }, rangeButtons), total, poolsBox);

  const refresh = life.poll(async () => {
    let pools: PoolSummary[];
    let reports: EnergyReport[];
    try {
      pools = await app.api.pools();
      reports = await Promise.all(pools.map((p) => app.api.energy(p.id, days)));
    } catch (e) {
      fill(total, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the energy report'));
      throw e;
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
        const unit = energyUnit(best);
        const currency = r.pricing.currency;
        return h(
          'section',
          { class: 'energy-pool', 'data-pool': r.pool },
          h('h2', { 'data-total-money': r.totalMoneySaved === null ? '' : String(r.totalMoneySaved), 'data-total-co2': r.totalCo2KgSaved === null ? '' : String(r.totalCo2KgSaved) }, `${pools[i].name}: ${energyText(r.totalKWhSaved)}${worthText(r.totalMoneySaved, r.totalCo2KgSaved, currency)}`),
          h(
            'figure',
            { class: 'energy-chart' },
            barChart(
              nights.map((n) => ({ label: n.night.slice(8), value: n.kWhSaved * unit.perKwh, title: `${dayLabel(n.night)}: ${energyText(n.kWhSaved)}${worthText(n.moneySaved, n.co2KgSaved, currency)}, ${plural(n.hosts, 'host')} asleep` })),
              { label: `${unit.unit} saved per night, ${pools[i].name}`, unit: unit.unit },
            ),
            h('figcaption', {}, `${unit.unit} saved per night (the night's start date), best night ${energyText(best)}. A night is booked when its hosts wake.`),
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
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Night'), h('th', { scope: 'col' }, 'kWh saved'), currency ? h('th', { scope: 'col' }, `${currency} saved`) : null, r.pricing.gridCarbonGramsPerKwh !== null ? h('th', { scope: 'col' }, 'kg CO₂ saved') : null, h('th', { scope: 'col' }, 'Hosts asleep'))),
                h(
                  'tbody',
                  {},
                  nights
                    .filter((n) => n.hosts > 0)
                    .reverse()
                    .map((n) =>
                      h(
                        'tr',
                        {},
                        h('th', { scope: 'row' }, dayLabel(n.night)),
                        h('td', { class: 'num' }, n.kWhSaved.toFixed(2)),
                        currency ? h('td', { class: 'num' }, n.moneySaved === null ? '—' : n.moneySaved.toFixed(2)) : null,
                        r.pricing.gridCarbonGramsPerKwh !== null ? h('td', { class: 'num' }, n.co2KgSaved === null ? '—' : n.co2KgSaved.toFixed(1)) : null,
                        h('td', { class: 'num' }, String(n.hosts)),
                      ),
                    ),
                ),
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
          adviceFor(r.pool),
        );
      }),
    );
  }, 30_000);
};
