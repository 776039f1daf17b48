/**
 * Checks on record fields before they are written (types and ranges; never echoing values). The
 * rules are lib/util/fields.ts's, which the API's schemas are built from too; ids and times are
 * the store's own (keys.ts).
 */
import { ACTOR_FIELDS, expected, fits, HOST_FIELDS, POOL_FIELDS, SCHEDULE_FIELDS, type FieldRule } from '../util/index.ts';
import { StoreValidationError } from './errors.ts';
import { checkId, checkIsoTime } from './keys.ts';
import type { Item } from './items.ts';

/** Refuses `v` unless it fits the rule; the error names the field and what it takes, never the value. */
function check(field: string, rule: FieldRule, v: unknown): void {
  if (!fits(rule, v)) throw new StoreValidationError(`${field}: expected ${expected(rule)}`);
}

/** Checks the fields of `rules` present in `f`; with `required`, each must be there. */
function checkFields(f: Item, rules: Record<string, FieldRule>, required: boolean): void {
  for (const [field, rule] of Object.entries(rules)) if (required || f[field] !== undefined) check(field, rule, f[field]);
}

const TLS_PIN = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** Checks the host fields present in `f`; with `required`, the BMC binding and power must be there. */
export function checkHostFields(f: Item, required: boolean): void {
  const { bmcAddress, bmcPort, bmcUser, cipherSuite, bmcProtocol, bmcScheme, power } = HOST_FIELDS;
  checkFields(f, { bmcAddress, bmcPort, bmcUser }, required);
  if (required || f.secretRef !== undefined) checkId('secretRef', f.secretRef as string);
  checkFields(f, { cipherSuite }, required);
  checkFields(f, { bmcProtocol, bmcScheme }, false);
  if (f.tlsPin !== undefined) {
    const pin = f.tlsPin as { fingerprint256?: unknown };
    if (typeof pin !== 'object' || pin === null || (pin.fingerprint256 !== undefined && !TLS_PIN.test(String(pin.fingerprint256)))) {
      throw new StoreValidationError('tlsPin.fingerprint256: expected a SHA-256 fingerprint as AB:CD:... (32 pairs)');
    }
  }
  checkFields(f, { power }, required);
  if (f.powerObservedAt !== undefined) checkIsoTime('powerObservedAt', f.powerObservedAt as string);
}

export function checkPoolFields(f: Item, required: boolean): void {
  checkFields(f, POOL_FIELDS, required);
  if (required || f.secretRef !== undefined) checkId('secretRef', f.secretRef as string);
  if (f.policy !== undefined) checkPolicyFields(f.policy);
}

/** The policy settings that act on hosts without a person: a bad one is refused, not read as off. */
function checkPolicyFields(policy: unknown): void {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) throw new StoreValidationError('policy: expected an object');
  const quiet = (policy as Item).resleepAfterQuietSeconds;
  if (quiet !== undefined && !(typeof quiet === 'number' && Number.isFinite(quiet) && quiet > 0)) {
    throw new StoreValidationError('policy.resleepAfterQuietSeconds: expected a number of seconds above 0');
  }
}

export function checkScheduleFields(f: Item, required: boolean): void {
  checkFields(f, SCHEDULE_FIELDS, required);
}

export function checkSource(v: unknown): void {
  check('source', ACTOR_FIELDS.source, v);
}

export function checkActor(f: Item): void {
  checkFields(f, ACTOR_FIELDS, true);
}
