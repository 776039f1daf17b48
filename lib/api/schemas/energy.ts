/** Energy: kWh saved per night, and what the hosts asleep now have saved so far. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';
import { queryInt } from './common.ts';

export const EnergyReport = lazy(() =>
  z.strictObject({
    pool: z.string(),
    nights: z.array(z.strictObject({ night: z.string().check(z.describe("the local date the night began on, in the pool's time zone")), kWhSaved: z.number(), hosts: z.number() })),
    totalKWhSaved: z.number(),
    asleepNow: z.array(z.strictObject({ hostId: z.string(), since: z.string(), wattsSaved: z.number(), kWhSoFar: z.number() })),
  }),
);

export const EnergyQuery = lazy(() => z.object({ days: queryInt(7, 1, 366) }));

export type EnergyReport = z.output<typeof EnergyReport>;
