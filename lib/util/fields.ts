/**
 * What the fields of the stored records may hold, said once: the store checks its writes against
 * these rules (lib/store/validate.ts) and the API's zod schemas take their ranges and values from
 * them (lib/api/schemas/hosts.ts). Plain data and one small function, not zod: the scheduled and
 * worker functions write records but never parse a request, and zod in their bundles would cost
 * each cold start ~35 KB of code to compile (measured: bench/functions-bench.ts). Browser-safe.
 */

export const POWER_STATES = ['on', 'off', 'unknown'] as const;
/** How lowpower reaches a host's power: IPMI over LAN, Redfish over HTTPS, or XAPI alone (no usable BMC). */
export const BMC_PROTOCOLS = ['ipmi', 'redfish', 'xapi'] as const;
export const BMC_SCHEMES = ['https', 'http'] as const;
/** The cipher suites lowpower offers when a host is added (the record holds any suite id, 0..255). */
export const CIPHER_SUITES = [3, 17] as const;
export const ACTION_SOURCES = ['schedule', 'api', 'cli', 'slack'] as const;

export type FieldRule =
  | { readonly kind: 'text' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  | { readonly kind: 'boolean' };

const text = { kind: 'text' } as const;
const int = <Min extends number, Max extends number>(min: Min, max: Max) => ({ kind: 'int', min, max }) as const;
const oneOf = <V extends readonly string[]>(values: V) => ({ kind: 'oneOf', values }) as const;

/** A host's BMC binding and power as stored. */
export const HOST_FIELDS = {
  bmcAddress: text,
  bmcPort: int(1, 65535),
  bmcUser: text,
  cipherSuite: int(0, 255),
  bmcProtocol: oneOf(BMC_PROTOCOLS),
  bmcScheme: oneOf(BMC_SCHEMES),
  power: oneOf(POWER_STATES),
} as const satisfies Record<string, FieldRule>;

export const POOL_FIELDS = { xapiUrl: text } as const satisfies Record<string, FieldRule>;

export const SCHEDULE_FIELDS = { cron: text, timeZone: text, action: text, enabled: { kind: 'boolean' } } as const satisfies Record<string, FieldRule>;

/** Who asked for an operation or an audited change, and why. */
export const ACTOR_FIELDS = { actor: text, reason: text, source: oneOf(ACTION_SOURCES) } as const satisfies Record<string, FieldRule>;

/** "a, b or c". */
const alternatives = (values: readonly string[]): string => (values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`);

/** What `rule` expects, in words ("an integer 1..65535"); never the value it was given. */
export function expected(rule: FieldRule): string {
  switch (rule.kind) {
    case 'text':
      return 'a non-empty string';
    case 'int':
      return `an integer ${rule.min}..${rule.max}`;
    case 'oneOf':
      return alternatives(rule.values);
    case 'boolean':
      return 'a boolean';
  }
}

export function fits(rule: FieldRule, v: unknown): boolean {
  switch (rule.kind) {
    case 'text':
      return typeof v === 'string' && v.length > 0;
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= rule.min && v <= rule.max;
    case 'oneOf':
      return typeof v === 'string' && rule.values.includes(v);
    case 'boolean':
      return typeof v === 'boolean';
  }
}
