/**
 * Pieces every family of API schemas shares: ids, reasons, times, the error answer, the answer of
 * an operation just started, and query numbers read the lenient way the API always read them.
 * zod/mini only: these files are bundled into the Lambdas and typed into the dashboard.
 */
import * as z from 'zod/mini';
import { lazy } from './lazy.ts';

/**
 * Host and pool ids as the inventory accepts them. No "..", no "." at the end: ids name secrets in
 * the secret store (`bmc.<pool>.<host>`), which refuses "..".
 */
export const ID_PATTERN = /^(?!.*\.\.)(?!.*\.$)[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,99}$/;
/** What ID_PATTERN accepts, in words. */
export const ID_RULE = 'letters, digits and ._:@+=- (up to 100, no "..", not ending in ".")';

/**
 * True for a URL without a user or password in it. Credentials in a URL would be stored with it,
 * returned by the API and quoted in messages: they go in their own fields, to the secret store.
 */
export const noCredentialsInUrl = (v: string): boolean => !URL.canParse(v) || (new URL(v).username === '' && new URL(v).password === '');

/** A path segment that names something (`{id}`, `{name}`); any string, looked up by the route. */
export const IdParams = lazy(() => z.object({ id: z.string() }));
export const NameParams = lazy(() => z.object({ name: z.string() }));

/** A reason for the audit: who asked, and why (up to 500 characters, trimmed). */
export const Reason = lazy(() => z.string('give a reason: who asked, and why').check(z.maxLength(500, 'the reason is over 500 characters'), z.trim(), z.minLength(1, 'give a reason: who asked, and why'), z.describe('who asked, and why (kept in the audit)')));

/** An ISO 8601 instant from a body or a query, as the API returns it: normalised to UTC. */
export const isoTime = (field: string) =>
  z.pipe(
    z.string().check(z.refine((v) => !Number.isNaN(Date.parse(v)), `${field} must be an ISO 8601 time`), z.describe('an ISO 8601 time')),
    z.transform((v) => new Date(v).toISOString()),
  );

/**
 * A number from the query string: a missing or unreadable one is the default, others are kept in
 * range (the API never refused a bad ?limit, it used its default).
 */
export const queryInt = (fallback: number, min: number, max: number) =>
  z.pipe(
    z.optional(z.string().check(z.describe(`a whole number ${min}..${max} (default ${fallback}; out of range is clamped)`))),
    z.transform((v) => Math.min(max, Math.max(min, Number(v ?? fallback) || fallback))),
  );

/** `?pool=`: the pool a request means (optional while there is only one pool). */
export const PoolQuery = lazy(() => z.object({ pool: z.optional(z.string()) }));

/** Every failure: `{ error: { code, message, ...what the code adds } }`. */
export const ErrorAnswer = lazy(() =>
  z.strictObject({
    error: z.strictObject({
      code: z.string().check(z.describe('what went wrong, for programs (e.g. invalid_request, busy, refused)')),
      message: z.string().check(z.describe('what went wrong, for people')),
      field: z.optional(z.string().check(z.describe('the path of the bad field (400)'))),
      operation: z.optional(z.string().check(z.describe('the conflicting operation (409 busy, 422)'))),
      host: z.optional(z.string().check(z.describe('the host a refusal is about, or the other host that has the BMC (409)'))),
      pool: z.optional(z.string().check(z.describe("the other host's pool (409 bmc_taken)"))),
      why: z.optional(z.string().check(z.describe('why the power cut is refused (409 refused)'))),
      forceable: z.optional(z.boolean().check(z.describe('whether force: true would pass the refusal (409 refused)'))),
      by: z.optional(z.string().check(z.describe('what names the BMC as the other host\'s: address, GUID or serial (409 bmc_taken)'))),
      state: z.optional(z.string().check(z.describe('the state of a finished operation (409 finished)'))),
    }),
  }),
);

export const OPERATION_STATES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/** An operation just asked for: its id and state (follow it at /v1/operations/{id}). */
export const OperationRef = lazy(() => z.strictObject({ id: z.string(), state: z.enum(OPERATION_STATES) }));

/** A map of anything, for the open-ended parts of stored records (params, results, details). */
export const AnyRecord = lazy(() => z.record(z.string(), z.unknown()));

export type ErrorAnswer = z.output<typeof ErrorAnswer>;
export type OperationRef = z.output<typeof OperationRef>;
