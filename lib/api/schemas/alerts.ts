/** Alerts: one record per pool, host and kind: opened, seen again (count), closed. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';
import { AnyRecord } from './common.ts';

export const ALERT_KINDS = ['thermal', 'wake-late', 'sleep-failed', 'drift', 'operation-stuck', 'bmc-identity', 'night-watch'] as const;

export const Alert = lazy(() =>
  z.object({
    poolId: z.string(),
    hostId: z.string(),
    kind: z.enum(ALERT_KINDS),
    message: z.string(),
    detail: z.optional(AnyRecord),
    state: z.enum(['open', 'closed']),
    openedAt: z.string(),
    lastSeenAt: z.string(),
    count: z.number(),
    closedAt: z.optional(z.string()),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const AlertsQuery = lazy(() =>
  z.object({
    pool: z.optional(z.string()),
    all: z.pipe(z.optional(z.string().check(z.describe('true: closed alerts too'))), z.transform((v) => v === 'true')),
  }),
);

export const AlertsAnswer = lazy(() => z.strictObject({ alerts: z.array(Alert) }));

export type Alert = z.output<typeof Alert>;
