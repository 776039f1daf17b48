/** The doctor's answer: one line per check of a deployment (XAPI, BMCs, bindings, schedules), each with what to do when it fails. */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';

export const DOCTOR_STATUSES = ['ok', 'warn', 'fail'] as const;
export const DOCTOR_KINDS = ['xapi', 'bmc', 'binding', 'schedule'] as const;

export const DoctorQuery = lazy(() => z.object({ pool: z.optional(z.string().check(z.describe('check this pool only (default: every pool)'))) }));

export const DoctorCheck = lazy(() =>
  z.strictObject({
    kind: z.enum(DOCTOR_KINDS),
    name: z.string().check(z.describe("what was checked, e.g. 'BMC host-004'")),
    status: z.enum(DOCTOR_STATUSES).check(z.describe('ok; warn: works, but needs a look; fail: broken')),
    detail: z.string().check(z.describe('one line: what the check found')),
    fix: z.optional(z.string().check(z.describe('what to do (warn and fail only)'))),
    pool: z.string(),
    host: z.optional(z.string()),
    schedule: z.optional(z.string()),
    ms: z.number().check(z.describe('how long the check took')),
  }),
);

export const DoctorAnswer = lazy(() =>
  z.strictObject({
    checkedAt: z.string(),
    summary: z.strictObject({ ok: z.int(), warn: z.int(), fail: z.int() }),
    checks: z.array(DoctorCheck),
  }),
);

export type DoctorCheck = z.output<typeof DoctorCheck>;
export type DoctorAnswer = z.output<typeof DoctorAnswer>;
export type DoctorStatus = (typeof DOCTOR_STATUSES)[number];
