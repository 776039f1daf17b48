/**
 * `lowpower pool advice` and `pool energy` as text: the week as a grid of "hosts that can sleep"
 * (a row per day, a character per hour), the proposed windows with their schedules, and savings
 * in kWh, money and CO2 where the pool has a price and an intensity. Pure.
 */
import type { AdviceAnswer, EnergyReport } from '../api/index.ts';
import { table } from './format.ts';

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** One character per hour: the count (9+ as 9), `.` for none, `?` for an hour without samples. */
function cell(n: number | null): string {
  if (n === null) return '?';
  if (n === 0) return '.';
  return n > 9 ? '9' : String(n);
}

export function weekGrid(week: AdviceAnswer['week']): string {
  const header = `     ${Array.from({ length: 24 }, (_, h) => (h % 3 === 0 ? String(h).padStart(2, '0').padEnd(3) : '')).join('')}`;
  const rows = DAYS.map((d, day) => `${d}  ${week.filter((h) => h.day === day).sort((a, b) => a.hourOfDay - b.hourOfDay).map((h) => cell(h.hostsCanSleep)).join('')}`);
  return [header.trimEnd(), ...rows].join('\n');
}

const money = (v: number | null, currency: string | null): string => (v === null || !currency ? '-' : `${v.toFixed(2)} ${currency}`);
const kg = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} kg`);
const kwh = (v: number | null): string => (v === null ? '-' : v.toFixed(1));

export function formatAdvice(a: AdviceAnswer): string {
  const out = [a.summary];
  if (!a.history.enough) return out.join('\n');
  out.push('', `hosts that can sleep, by hour (${a.timeZone}; . none, ? no samples):`, weekGrid(a.week));
  if (a.proposal.length) {
    const c = a.pricing.currency;
    out.push(
      '',
      table([
        ['window', 'nights', 'hosts', 'hours', 'kWh/week', 'money/week', 'CO2/week', 'sleep', 'wake'],
        ...a.proposal.map((p) => [`${p.start}-${p.end}`, p.days.length === 7 ? 'every' : p.days.join(','), String(p.hosts), String(p.hours), kwh(p.kWh), money(p.money, c), kg(p.co2Kg), p.sleepExpression, p.wakeExpression]),
      ]),
    );
  }
  if (a.notes.length) out.push('', ...a.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

export function formatEnergy(r: EnergyReport): string {
  const c = r.pricing.currency;
  const priced = r.pricing.electricityPricePerKwh !== null;
  const carbon = r.pricing.gridCarbonGramsPerKwh !== null;
  const head = ['night', 'hosts', 'kWh saved', ...(priced ? [`${c ?? ''} saved`] : []), ...(carbon ? ['kg CO2 saved'] : [])];
  const rows = r.nights.map((n) => [n.night, String(n.hosts), n.kWhSaved.toFixed(3), ...(priced ? [money(n.moneySaved, c)] : []), ...(carbon ? [kg(n.co2KgSaved)] : [])]);
  const total = [`${r.totalKWhSaved} kWh`, ...(priced ? [money(r.totalMoneySaved, c)] : []), ...(carbon ? [kg(r.totalCo2KgSaved)] : [])];
  return `${table([head, ...rows])}\ntotal: ${total.join(', ')}`;
}
