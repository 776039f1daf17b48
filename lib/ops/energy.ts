/**
 * Energy saved: each host's night asleep is booked when it wakes (draw before the shutdown minus
 * its standby draw, times the hours asleep). The report sums them per night, and adds what the
 * hosts asleep right now have saved so far; where the pool has a price and a grid intensity, each
 * figure in money and CO2 too (energy-worth.ts).
 */
import type { EnergyRepository, HostRepository } from '../store/index.ts';
import type { Pool } from '../store/index.ts';
import { pricingOf, worthOf, type Pricing } from './energy-worth.ts';

export interface EnergyReport {
  pool: string;
  nights: Array<{ night: string; kWhSaved: number; hosts: number; moneySaved: number | null; co2KgSaved: number | null }>;
  totalKWhSaved: number;
  /** The pool's price and intensity (nulls where it has none): what money and CO2 are made of. */
  pricing: Pricing;
  totalMoneySaved: number | null;
  totalCo2KgSaved: number | null;
  /** Hosts asleep now, and what they have saved since they went down. */
  asleepNow: Array<{ hostId: string; since: string; wattsSaved: number; kWhSoFar: number }>;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export async function energyReport(store: EnergyRepository & HostRepository, pool: Pool, days: number, now = Date.now()): Promise<EnergyReport> {
  const since = new Date(now - days * 86_400_000).toISOString();
  const records = await store.listEnergy(pool.poolId, { since });
  const nights = new Map<string, { kWhSaved: number; hosts: number }>();
  for (const r of records) {
    const n = nights.get(r.night) ?? { kWhSaved: 0, hosts: 0 };
    n.kWhSaved += r.kWhSaved;
    n.hosts += 1;
    nights.set(r.night, n);
  }
  const asleepNow = (await store.listHosts(pool.poolId))
    .filter((h) => h.sleepState === 'asleep' && h.sleptAt)
    .map((h) => {
      const wattsSaved = Math.max(0, (h.wattsBeforeSleep ?? 0) - (h.wattsAsleep ?? 0));
      return { hostId: h.hostId, since: h.sleptAt as string, wattsSaved, kWhSoFar: round((wattsSaved * (now - Date.parse(h.sleptAt as string))) / 3600_000 / 1000) };
    });
  const pricing = pricingOf(pool.policy);
  const list = [...nights.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([night, v]) => {
      const kWhSaved = round(v.kWhSaved);
      const worth = worthOf(kWhSaved, pricing);
      return { night, kWhSaved, hosts: v.hosts, moneySaved: worth.money, co2KgSaved: worth.co2Kg };
    });
  const totalKWhSaved = round(list.reduce((a, n) => a + n.kWhSaved, 0));
  const total = worthOf(totalKWhSaved, pricing);
  return { pool: pool.poolId, nights: list, totalKWhSaved, pricing, totalMoneySaved: total.money, totalCo2KgSaved: total.co2Kg, asleepNow };
}
