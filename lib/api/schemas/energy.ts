/** Energy: kWh saved per night (in money and CO2 where the pool has a price and an intensity), and what the hosts asleep now have saved so far. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';
import { queryInt } from './common.ts';

/** A pool's price per kWh (with its currency) and its grid's carbon intensity: null where the pool has not set them. */
export const Pricing = lazy(() =>
  z.strictObject({
    electricityPricePerKwh: z.nullable(z.number()),
    currency: z.nullable(z.string().check(z.describe('ISO 4217 code, e.g. EUR'))),
    gridCarbonGramsPerKwh: z.nullable(z.number()),
  }),
);

export const EnergyReport = lazy(() =>
  z.strictObject({
    pool: z.string(),
    nights: z.array(
      z.strictObject({
        night: z.string().check(z.describe("the local date the night began on, in the pool's time zone")),
        kWhSaved: z.number(),
        hosts: z.number(),
        moneySaved: z.nullable(z.number().check(z.describe('kWhSaved at the pool price, in its currency; null without a price'))),
        co2KgSaved: z.nullable(z.number().check(z.describe("kWhSaved at the grid's carbon intensity; null without one"))),
      }),
    ),
    totalKWhSaved: z.number(),
    pricing: Pricing,
    totalMoneySaved: z.nullable(z.number()),
    totalCo2KgSaved: z.nullable(z.number()),
    asleepNow: z.array(z.strictObject({ hostId: z.string(), since: z.string(), wattsSaved: z.number(), kWhSoFar: z.number() })),
  }),
);

export const EnergyQuery = lazy(() => z.object({ days: queryInt(7, 1, 366) }));

export type Pricing = z.output<typeof Pricing>;
export type EnergyReport = z.output<typeof EnergyReport>;
