/** Hosts: the inventory view of a host and its BMC binding, readings, live sensors and event log, and the bodies that add, change and power a host. */
import * as z from 'zod/mini';
import { inner, lazy } from './lazy.ts';
import { meta } from 'zod/v4/core';
import { ID_PATTERN, ID_RULE, isoTime, OperationRef, PoolQuery, queryInt, Reason } from './common.ts';
import { phrase } from './phrase.ts';
// The stored host's field rules (the store checks its writes against the same table); lib/util is pure.
import { BMC_PROTOCOLS, BMC_SCHEMES, CIPHER_SUITES, HOST_FIELDS, POWER_STATES } from '../../util/index.ts';

export { BMC_PROTOCOLS, POWER_STATES };
export const HOST_POWER_ACTIONS = ['on', 'off', 'soft', 'cycle'] as const;

/** The BMC binding as the API shows it: bound, mismatch, unverified, trusted (unverified, but an admin said trust) or unbound. */
export const BindingView = lazy(() =>
  z.strictObject({
    state: z.enum(['bound', 'mismatch', 'unverified', 'trusted', 'unbound']),
    why: z.string(),
    checkedAt: z.nullable(z.string()),
    identity: z.enum(['verify', 'trust']),
    bmc: z.nullable(
      z.strictObject({
        at: z.string().check(z.describe('the address:port the identity was read from')),
        protocol: z.enum(BMC_PROTOCOLS),
        guid: z.nullable(z.string()),
        productSerial: z.nullable(z.string()),
        chassisSerial: z.nullable(z.string()),
        boardSerial: z.nullable(z.string()),
      }),
    ),
    xapi: z.nullable(z.strictObject({ serial: z.nullable(z.string()), boardSerial: z.nullable(z.string()) })),
    restorePolicy: z.nullable(z.strictObject({ policy: z.string(), setAt: z.string() })),
  }),
);

/** A host as the API shows it: never its secret reference; a lock shows as the operation holding it. */
export const HostView = lazy(() =>
  z.strictObject({
    id: z.string(),
    pool: z.string(),
    bmc: z.string().check(z.describe('address:port')),
    protocol: z.enum(BMC_PROTOCOLS).check(z.describe("how lowpower reaches the host's power")),
    tls: z.nullable(
      z.strictObject({ fingerprint256: z.nullable(z.string()), pinnedAt: z.nullable(z.string()), ca: z.boolean() }).check(z.describe("Redfish: the BMC certificate pinned on first use (or ca: verified against the deployment's CA bundle)")),
    ),
    power: z.enum(POWER_STATES),
    powerObservedAt: z.nullable(z.string()),
    powerSource: z.nullable(z.string()),
    xenState: z.nullable(z.string()),
    isMaster: z.boolean(),
    operation: z.nullable(z.string().check(z.describe('the operation holding the host, if any'))),
    binding: BindingView,
    awaitingEnable: z.nullable(z.strictObject({ operationId: z.string(), since: z.string() })),
  }),
);

/** A stored reading of a host: power, draw and temperatures at a time. */
export const Reading = lazy(() =>
  z.object({
    hostId: z.string(),
    poolId: z.optional(z.string()),
    at: z.string(),
    power: z.optional(z.enum(POWER_STATES)),
    powerWatts: z.optional(z.number()),
    temperatures: z.optional(z.array(z.object({ name: z.string(), celsius: z.number() }))),
    expiresAt: z.number().check(z.describe('when the store forgets it (epoch seconds)')),
  }),
);

/** A live sensor with its thresholds (lower/upper non-recoverable, critical, non-critical). */
export const Sensor = lazy(() =>
  z.strictObject({
    name: z.string(),
    type: z.string(),
    value: z.nullable(z.number()),
    unit: z.string(),
    status: z.string(),
    thresholds: z.strictObject({ lnr: z.optional(z.number()), lcr: z.optional(z.number()), lnc: z.optional(z.number()), unc: z.optional(z.number()), ucr: z.optional(z.number()), unr: z.optional(z.number()) }),
  }),
);

/** One entry of a BMC's event log. */
export const SelEntry = lazy(() =>
  z.strictObject({
    id: z.number(),
    timestamp: z.nullable(z.string().check(z.describe('ISO time; null when the BMC gave none'))),
    sensor: z.nullable(z.string()),
    event: z.string(),
    direction: z.nullable(z.enum(['assertion', 'deassertion'])),
  }),
);

const bmcPassword = () =>
  z.string(phrase('is required (it goes to the secret store, never the table)')).check(z.minLength(1, phrase('is required (it goes to the secret store, never the table)')), meta({ writeOnly: true, description: 'stored in the secret store, never in the table, never returned' }));
const { min: portMin, max: portMax } = HOST_FIELDS.bmcPort;
const bmcFields = () => ({
  bmcAddress: z.string().check(z.trim(), z.minLength(1, phrase('is required'))),
  bmcPort: z.int().check(z.minimum(portMin, phrase(`must be ${portMin}-${portMax}`)), z.maximum(portMax, phrase(`must be ${portMin}-${portMax}`))),
  bmcUser: z.string().check(z.minLength(1, phrase('is required'))),
  cipherSuite: z.literal(CIPHER_SUITES, phrase(`must be ${CIPHER_SUITES.join(' or ')}`)),
  neverSleep: z.boolean(phrase('must be true or false')),
  redfishNoEtag: z.boolean(phrase('must be true or false')).check(z.describe('Redfish: PATCH without If-Match (for BMCs whose ETags are broken)')),
});

/** Add a host: its BMC is read and bound to it before it is stored. */
export const HostCreateBody = lazy(() => {
  const f = bmcFields();
  return z.object({
    id: z.string().check(z.regex(ID_PATTERN, phrase(`must be ${ID_RULE}`))),
    protocol: z.optional(
      z
        .enum(['ipmi', 'redfish', 'auto', 'xapi'], 'protocol must be "ipmi", "redfish", "auto" or "xapi"')
        .check(z.describe('default ipmi; auto asks the Redfish service root (HTTPS, no credentials) and falls back to an IPMI presence ping, and stores what it found; xapi: no usable BMC, power through XAPI alone (host.power_on with the host\'s power_on_mode, host.shutdown), no BMC fields')),
    ),
    bmcAddress: z.optional(f.bmcAddress.check(z.describe('required unless protocol is xapi'))),
    bmcPort: z.optional(f.bmcPort.check(z.describe('default 623 for IPMI, 443 for Redfish'))),
    bmcScheme: z.optional(z.enum(BMC_SCHEMES, `bmcScheme must be ${BMC_SCHEMES.map((v) => `"${v}"`).join(' or ')}`).check(z.describe('Redfish: https (default); http only to a loopback address'))),
    redfishNoEtag: z.optional(f.redfishNoEtag),
    bmcUser: z.optional(f.bmcUser.check(z.describe('required unless protocol is xapi'))),
    cipherSuite: z.optional(f.cipherSuite.check(z.describe('default 17'))),
    neverSleep: z.optional(f.neverSleep),
    bmcPassword: z.optional(bmcPassword().check(z.describe('required unless protocol is xapi'))),
    pool: z.optional(z.string().check(z.describe('the pool (or ?pool=; optional while there is one pool)'))),
  });
});

/** Change a host: a changed BMC address, port, user or cipher suite binds the BMC again. */
export const HostPatchBody = lazy(() => {
  const f = bmcFields();
  return z.object({
    bmcAddress: z.optional(f.bmcAddress),
    bmcPort: z.optional(f.bmcPort),
    bmcUser: z.optional(f.bmcUser),
    cipherSuite: z.optional(f.cipherSuite),
    neverSleep: z.optional(f.neverSleep),
    redfishNoEtag: z.optional(f.redfishNoEtag),
    bmcPassword: z.optional(z.string().check(meta({ writeOnly: true, description: 'stored in the secret store; an empty one changes nothing' }))),
    identity: z.optional(z.enum(['verify', 'trust'], 'identity must be "trust" or "verify"').check(z.describe('trust: an admin allows power cuts through a BMC that gives no usable serial (needs a reason; audited)'))),
    reason: z.optional(z.string().check(z.maxLength(500, 'the reason is over 500 characters'), z.describe('why (required with identity; kept in the audit)'))),
  });
});

export const PowerBody = lazy(() =>
  z.object({
    action: z.enum(HOST_POWER_ACTIONS, 'action must be "on", "off", "soft" or "cycle"'),
    force: z.optional(z.boolean('force must be true or false').check(z.describe('override the power-cut guard (safety rules 1, 2, 5); recorded in the audit'))),
    reason: Reason,
    escalate: z.optional(z.boolean().check(z.describe('soft: switch off hard after the wait, only if the host is empty'))),
    softTimeoutSeconds: z.optional(z.number().check(z.positive(), z.describe('soft: how long to wait for the host to switch itself off'))),
  }),
);

export const RebindBody = lazy(() => z.object({ reason: Reason }));

/** Accept the certificate a Redfish BMC presents now (a replaced or renewed certificate); the fingerprint, when given, must be the one presented. */
export const AcceptCertificateBody = lazy(() =>
  z.object({
    reason: Reason,
    fingerprint256: z.optional(z.string().check(z.regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'fingerprint256 must be a SHA-256 fingerprint (AB:CD:... or 64 hex digits)'), z.describe('the fingerprint you checked out of band; refused when the BMC presents another'))),
  }),
);
export const AcceptCertificateAnswer = lazy(() => z.strictObject({ host: HostView, previous: z.nullable(z.string()), accepted: z.string() }));

export const ReadingsQuery = lazy(() =>
  z.object({
    pool: z.optional(z.string()),
    since: z.optional(isoTime('since')),
    until: z.optional(isoTime('until')),
    limit: queryInt(1000, 1, 10_000),
  }),
);

export const HostQuery = PoolQuery;

export const HostsAnswer = lazy(() => z.strictObject({ hosts: z.array(HostView) }));
export const HostAnswer = lazy(() => z.strictObject({ host: HostView }));
export const HostDetailAnswer = lazy(() =>
  z.strictObject({
    host: z.extend(inner(HostView), { enabled: z.nullable(z.boolean()), live: z.nullable(z.boolean()) }).check(z.describe("enabled and live are XAPI's view (null when XAPI cannot be asked)")),
    readings: z.array(Reading).check(z.describe("the last hour's readings, latest first (at most 10)")),
  }),
);
export const RebindAnswer = lazy(() => z.strictObject({ host: HostView, binding: BindingView }).check(z.describe('the host and its new binding (state bound, mismatch or unverified, with why and what each side said)')));
export const DeletedAnswer = lazy(() => z.strictObject({ deleted: z.string() }));
export const ReadingsAnswer = lazy(() => z.strictObject({ host: z.string(), readings: z.array(Reading) }));
export const SensorsAnswer = lazy(() => z.strictObject({ host: z.string(), sensors: z.array(Sensor) }));
export const SelAnswer = lazy(() => z.strictObject({ host: z.string(), entries: z.array(SelEntry) }));
export const PowerAnswer = lazy(() => z.strictObject({ operation: OperationRef }).check(z.describe('the operation started (or the one this Idempotency-Key started before)')));

export type BindingView = z.output<typeof BindingView>;
export type HostView = z.output<typeof HostView>;
export type Reading = z.output<typeof Reading>;
export type Sensor = z.output<typeof Sensor>;
export type SelEntry = z.output<typeof SelEntry>;
export type HostDetailAnswer = z.output<typeof HostDetailAnswer>;
export type HostPowerAction = (typeof HOST_POWER_ACTIONS)[number];
