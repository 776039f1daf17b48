/** Checks on record fields before they are written (types and ranges; never echoing values). */
import { StoreValidationError } from './errors.ts';
import { checkId, checkIsoTime } from './keys.ts';
import type { Item } from './items.ts';

const POWER = ['on', 'off', 'unknown'];
const SOURCES = ['schedule', 'api', 'cli', 'slack'];

function str(what: string, v: unknown): void {
  if (typeof v !== 'string' || v.length === 0) throw new StoreValidationError(`${what}: expected a non-empty string`);
}
function int(what: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new StoreValidationError(`${what}: expected an integer ${min}..${max}`);
  }
}

/** Checks the host fields present in `f`; `required` lists those that must be there. */
const PROTOCOLS = ['ipmi', 'redfish', 'xapi'];

export function checkHostFields(f: Item, required: boolean): void {
  const has = (k: string): boolean => required || f[k] !== undefined;
  if (has('bmcAddress')) str('bmcAddress', f.bmcAddress);
  if (has('bmcPort')) int('bmcPort', f.bmcPort, 1, 65535);
  if (has('bmcUser')) str('bmcUser', f.bmcUser);
  if (has('secretRef')) checkId('secretRef', f.secretRef as string);
  if (has('cipherSuite')) int('cipherSuite', f.cipherSuite, 0, 255);
  if (f.bmcProtocol !== undefined && !PROTOCOLS.includes(f.bmcProtocol as string)) throw new StoreValidationError('bmcProtocol: expected ipmi, redfish or xapi');
  if (f.bmcScheme !== undefined && f.bmcScheme !== 'https' && f.bmcScheme !== 'http') throw new StoreValidationError('bmcScheme: expected https or http');
  if (f.tlsPin !== undefined) {
    const pin = f.tlsPin as { fingerprint256?: unknown };
    if (typeof pin !== 'object' || pin === null || (pin.fingerprint256 !== undefined && !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(String(pin.fingerprint256)))) {
      throw new StoreValidationError('tlsPin.fingerprint256: expected a SHA-256 fingerprint as AB:CD:... (32 pairs)');
    }
  }
  if (has('power') && !POWER.includes(f.power as string)) throw new StoreValidationError('power: expected on, off or unknown');
  if (f.powerObservedAt !== undefined) checkIsoTime('powerObservedAt', f.powerObservedAt as string);
}

export function checkPoolFields(f: Item, required: boolean): void {
  if (required || f.xapiUrl !== undefined) str('xapiUrl', f.xapiUrl);
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
  if (required || f.cron !== undefined) str('cron', f.cron);
  if (required || f.timeZone !== undefined) str('timeZone', f.timeZone);
  if (required || f.action !== undefined) str('action', f.action);
  if ((required || f.enabled !== undefined) && typeof f.enabled !== 'boolean') {
    throw new StoreValidationError('enabled: expected a boolean');
  }
}

export function checkSource(v: unknown): void {
  if (!SOURCES.includes(v as string)) throw new StoreValidationError('source: expected schedule, api, cli or slack');
}

export function checkActor(f: Item): void {
  str('actor', f.actor);
  str('reason', f.reason);
  checkSource(f.source);
}
