/**
 * What energy is worth for a pool: its electricity price (per kWh, in its currency) turns kWh into
 * money, its grid's carbon intensity (g CO2 per kWh) into kilograms of CO2. Pure. A pool that has
 * not set them gets nulls, never a guessed price.
 */
import type { PoolPolicy } from '../store/index.ts';

export interface Pricing {
  electricityPricePerKwh: number | null;
  /** ISO 4217 code of the price, e.g. EUR. */
  currency: string | null;
  gridCarbonGramsPerKwh: number | null;
}

export interface Worth {
  /** In the pool's currency, to the cent; null without a price. */
  money: number | null;
  /** Kilograms of CO2, to the gram; null without an intensity. */
  co2Kg: number | null;
}

export function pricingOf(policy: PoolPolicy | undefined): Pricing {
  const price = policy?.electricityPricePerKwh;
  const currency = policy?.electricityCurrency;
  const carbon = policy?.gridCarbonGramsPerKwh;
  const priced = typeof price === 'number' && Number.isFinite(price) && typeof currency === 'string' && currency !== '';
  return {
    electricityPricePerKwh: priced ? price : null,
    currency: priced ? currency : null,
    gridCarbonGramsPerKwh: typeof carbon === 'number' && Number.isFinite(carbon) ? carbon : null,
  };
}

/** kWh in money and CO2; null kWh (no measured draw) is worth null too. */
export function worthOf(kWh: number | null, p: Pricing): Worth {
  return {
    money: kWh === null || p.electricityPricePerKwh === null ? null : Math.round(kWh * p.electricityPricePerKwh * 100) / 100,
    co2Kg: kWh === null || p.gridCarbonGramsPerKwh === null ? null : Math.round(kWh * p.gridCarbonGramsPerKwh) / 1000,
  };
}
