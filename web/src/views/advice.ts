/**
 * Schedule advice for one pool, as the energy view shows it: the summary, the week as a 7 x 24 grid
 * of "hosts that can sleep" (the proposed window outlined), each window with its nights and
 * savings, the week's savings in energy, money and CO2, and the notes. Pure rendering of the
 * API's answer.
 */
import { h } from '../dom.ts';
import { plural } from '../format.ts';
import { energyText } from '../ticks.ts';
import type { AdviceAnswer } from '../types.ts';

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const DAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** A night begins at noon of its day (as the advice counts it), so a window after midnight belongs to the day before. */
const NIGHT_STARTS_AT = 12;

/** The hours of the week (0 = Monday 00:00) the proposal covers. */
export function windowHoursOf(proposal: AdviceAnswer['proposal']): Set<number> {
  const out = new Set<number>();
  for (const w of proposal) {
    const start = Number(w.start.slice(0, 2));
    const offset = (start - NIGHT_STARTS_AT + 24) % 24;
    for (const d of w.days) {
      const day = DAYS.indexOf(d);
      for (let i = 0; i < w.hours; i++) out.add((day * 24 + NIGHT_STARTS_AT + offset + i) % 168);
    }
  }
  return out;
}

/** "MON-FRI", "every night", "SAT, SUN" */
export function nightsText(days: readonly string[]): string {
  if (days.length === 7) return 'every night';
  const idx = days.map((d) => DAYS.indexOf(d as (typeof DAYS)[number])).sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    runs.push(j - i >= 2 ? `${DAY_LABELS[idx[i]]}–${DAY_LABELS[idx[j]]}` : idx.slice(i, j + 1).map((k) => DAY_LABELS[k]).join(', '));
    i = j + 1;
  }
  return runs.join(', ');
}

export function savingsText(s: { kWh: number | null; money: number | null; co2Kg: number | null; hostHours: number }, currency: string | null): string {
  const parts = [s.kWh === null ? `${s.hostHours} host-hours` : energyText(s.kWh)];
  if (s.money !== null && currency) parts.push(`${s.money.toFixed(2)} ${currency}`);
  if (s.co2Kg !== null) parts.push(`${s.co2Kg >= 100 ? Math.round(s.co2Kg) : s.co2Kg.toFixed(1)} kg CO₂`);
  return parts.join(' · ');
}

function grid(a: AdviceAnswer): HTMLElement {
  const inWindow = windowHoursOf(a.proposal);
  const byHour = new Map(a.week.map((x) => [x.hour, x]));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'advice-grid' },
      h('caption', {}, `Hosts that could sleep, by hour of the week (${a.timeZone}); the proposed window outlined`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), Array.from({ length: 24 }, (_, hr) => h('th', { scope: 'col' }, String(hr).padStart(2, '0'))))),
      h(
        'tbody',
        {},
        DAY_LABELS.map((label, day) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, label),
            Array.from({ length: 24 }, (_, hr) => {
              const hour = day * 24 + hr;
              const cell = byHour.get(hour);
              const n = cell?.hostsCanSleep ?? null;
              const classes = [n === null ? 'no-data' : `level-${Math.min(3, n)}`, inWindow.has(hour) ? 'in-window' : ''].filter(Boolean).join(' ');
              const title = `${label} ${String(hr).padStart(2, '0')}:00: ${n === null ? 'no samples' : `${plural(n, 'host')} could sleep${cell?.keptBy === 'cpu' && n === 0 ? ' (CPU demand keeps every host on)' : ''}`}`;
              return h('td', { class: classes, 'data-hour': hour, 'data-hosts': n === null ? '' : String(n), title }, n === null ? '·' : String(n));
            }),
          ),
        ),
      ),
    ),
  );
}

export function adviceSection(a: AdviceAnswer): HTMLElement {
  const currency = a.pricing.currency;
  if (!a.history.enough) {
    return h('section', { class: 'advice', 'data-advice': 'not-enough' }, h('h3', {}, 'When to sleep'), h('p', { class: 'notice' }, a.summary));
  }
  return h(
    'section',
    { class: 'advice', 'data-advice': a.proposal.length ? 'window' : 'none' },
    h('h3', {}, 'When to sleep'),
    h('p', { class: 'advice-summary' }, a.summary),
    a.proposal.length
      ? h(
          'p',
          { class: 'big', 'data-savings-kwh': String(a.savingsPerWeek.kWh ?? ''), 'data-savings-money': String(a.savingsPerWeek.money ?? ''), 'data-savings-co2': String(a.savingsPerWeek.co2Kg ?? '') },
          h('span', { class: 'big-value' }, savingsText(a.savingsPerWeek, currency)),
          h('span', { class: 'big-label' }, 'a week with the proposed window'),
        )
      : null,
    a.proposal.length
      ? h(
          'ul',
          { class: 'advice-windows' },
          a.proposal.map((w) =>
            h('li', { 'data-window': `${w.start}-${w.end}` }, `${nightsText(w.days)}, ${w.start}–${w.end} (${w.hours} h): ${plural(w.hosts, 'host')} asleep, ${savingsText(w, currency)} a week. Schedules: sleep ${w.sleepExpression}, wake ${w.wakeExpression}.`),
          ),
        )
      : null,
    grid(a),
    a.notes.length ? h('ul', { class: 'advice-notes muted' }, a.notes.map((n) => h('li', {}, n))) : null,
    h('p', { class: 'muted' }, `From ${a.history.daysCovered} days of load samples (p95 of each VM's CPU and memory per hour).`),
  );
}
