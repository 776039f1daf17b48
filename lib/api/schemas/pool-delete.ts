/** Removing a pool: what went with it. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';

export const PoolDeletedAnswer = lazy(() =>
  z.strictObject({
    deleted: z.string().check(z.describe('the pool removed')),
    schedules: z.array(z.string()).check(z.describe('its schedules, removed with their timers')),
    hosts: z.array(z.string()).check(z.describe('its hosts, removed from the inventory')),
  }),
);

export type PoolDeletedAnswer = z.output<typeof PoolDeletedAnswer>;
