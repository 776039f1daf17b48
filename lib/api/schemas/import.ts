/** Importing a pool: the request (XAPI, BMC range and credentials) and the proposed or written table. */
import * as z from 'zod/mini';
import { meta } from 'zod/v4/core';
import { lazy } from './lazy.ts';
import { phrase } from './phrase.ts';
import { noCredentialsInUrl } from './common.ts';
// Imported by path: the dashboard compiles these schemas for the browser, and a folder's index brings Node.
import type { MatchState } from '../../onboard/match-state.ts';

/** Every match state, in the order the table counts them. */
export const IMPORT_MATCHES = ['matched', 'placeholder-serial', 'no-bmc', 'no-host', 'duplicate-serial', 'already-bound', 'bound-elsewhere', 'unreadable'] as const satisfies readonly MatchState[];
// Both ways: a state the matcher adds and the schema lacks fails the build here.
const everyState: readonly (typeof IMPORT_MATCHES)[number][] = [] as MatchState[];
void everyState;

const xapiUrl = () =>
  z.string(phrase('must be the pool master\'s URL (https://pool-master)')).check(
    z.refine((v) => URL.canParse(v), phrase('is not a URL')),
    z.refine((v) => !URL.canParse(v) || ['https:', 'http:'].includes(new URL(v).protocol), phrase('must be http(s)')),
    z.refine(noCredentialsInUrl, phrase('must not carry a user or password: give them as xapi.user and xapi.password (the password goes to the secret store)')),
    z.describe('https://pool-master'),
  );

const secret = (what: string) => z.string(phrase(`is required (${what})`)).check(z.minLength(1, phrase(`is required (${what})`)), meta({ writeOnly: true, description: `${what}; stored in the secret store, never in the table, never returned` }));

export const ImportBody = lazy(() =>
  z.strictObject({
    xapi: z.optional(
      z
        .strictObject({
          url: z.optional(xapiUrl()),
          user: z.optional(z.string().check(z.describe('default root'))),
          password: z.optional(z.string().check(meta({ writeOnly: true, description: 'the XAPI password (required when the pool is new); stored in the secret store, never returned' }))),
        })
        .check(z.describe("the pool's XAPI: required for a new pool; an existing pool's stored XAPI is used as it is")),
    ),
    bmcRange: z.string(phrase('is required: a CIDR (10.20.0.0/24), FIRST-LAST, addresses, or HOST:PORT-PORT')).check(
      z.trim(),
      z.minLength(1, phrase('is required: a CIDR (10.20.0.0/24), FIRST-LAST, addresses, or HOST:PORT-PORT')),
      z.describe('where to look for BMCs: a CIDR, FIRST-LAST IPv4 addresses, a list of addresses (with :PORT), or HOST:PORT-PORT; at most 1,024 addresses without force'),
    ),
    bmcUser: z.string(phrase('is required')).check(z.minLength(1, phrase('is required'))),
    bmcPassword: secret('the BMC password'),
    protocol: z.optional(z.enum(['ipmi', 'redfish', 'auto'], phrase('must be "ipmi", "redfish" or "auto"')).check(z.describe('auto (default): the Redfish service root first, then the IPMI presence ping'))),
    dryRun: z.optional(z.boolean(phrase('must be true or false')).check(z.describe('show the table, write nothing'))),
    force: z.optional(z.boolean(phrase('must be true or false')).check(z.describe('probe a range of more than 1,024 addresses'))),
    loadPoll: z.optional(z.boolean(phrase('must be true or false')).check(z.describe('false: a new pool gets no load poll schedule (default: `load`, poll-load every minute, which runs the night watch)'))),
  }),
);

export const ImportRow = lazy(() =>
  z.strictObject({
    host: z.nullable(z.string().check(z.describe("the XAPI host (its name_label); null for a BMC that is no host's"))),
    bmc: z.nullable(z.string().check(z.describe('address:port of the BMC; null when none was found for the host'))),
    protocol: z.nullable(z.enum(['ipmi', 'redfish'])),
    match: z.enum(IMPORT_MATCHES),
    write: z.string().check(z.describe('what the import writes (or wrote) for the row, or why nothing')),
    byHand: z.nullable(z.string().check(z.describe('for a row not written: the command that adds the host by hand'))),
  }),
);

const counts = () => z.strictObject(Object.fromEntries(IMPORT_MATCHES.map((s) => [s, z.number()])) as Record<(typeof IMPORT_MATCHES)[number], z.ZodMiniNumber<number>>);

export const ImportAnswer = lazy(() =>
  z.strictObject({
    pool: z.strictObject({
      id: z.string(),
      existed: z.boolean().check(z.describe('the pool was in the store before this run')),
      xapiUrl: z.string(),
      note: z.nullable(z.string()),
    }),
    dryRun: z.boolean(),
    probed: z.number().check(z.describe('addresses probed')),
    answered: z.number().check(z.describe('addresses that answered as a BMC')),
    rows: z.array(ImportRow),
    counts: counts(),
    changes: z.array(z.strictObject({ what: z.enum(['pool', 'host', 'schedule']), id: z.string(), change: z.string() })).check(z.describe('what this run wrote (a dry run: what it would write); empty when everything was there already')),
    summary: z.string(),
  }),
);

export type ImportBody = z.input<typeof ImportBody>;
export type ImportRow = z.output<typeof ImportRow>;
export type ImportAnswer = z.output<typeof ImportAnswer>;
