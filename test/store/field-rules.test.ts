/**
 * The store's field checks and the API's host schema read their rules from one table
 * (lib/util/fields.ts): a value the table refuses is refused by both, with the store's error
 * naming the field and never the value. Pure checks: no table needed.
 */
import { describe, expect, it } from 'vitest';
import { HostCreateBody, HostPatchBody } from '../../lib/api/schemas/index.ts';
import { StoreValidationError } from '../../lib/store/index.ts';
import { checkActor, checkHostFields, checkPoolFields, checkScheduleFields, checkSource } from '../../lib/store/validate.ts';
import { HOST_FIELDS, expected, fits } from '../../lib/util/index.ts';

const host = { bmcAddress: '10.0.0.7', bmcPort: 623, bmcUser: 'admin', secretRef: 'bmc-h1', cipherSuite: 17, power: 'on' };

/** The store's refusal of `fields` (undefined when it accepts them). */
function storeError(fields: Record<string, unknown>, required = true): StoreValidationError | undefined {
  try {
    checkHostFields(fields, required);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(StoreValidationError);
    return e as StoreValidationError;
  }
}

describe('record field rules shared by the store and the API', () => {
  it('bmcPort: the store and both API bodies take 1 and 65535 and refuse 0, 65536, 1.5 and "623"', () => {
    const { min, max } = HOST_FIELDS.bmcPort;
    expect([min, max]).toEqual([1, 65535]);
    for (const port of [min, max, 623]) {
      expect(storeError({ ...host, bmcPort: port }), String(port)).toBeUndefined();
      expect(HostPatchBody.safeParse({ bmcPort: port }).success, String(port)).toBe(true);
    }
    for (const port of [min - 1, max + 1, 1.5, '623']) {
      expect(storeError({ ...host, bmcPort: port })?.message, String(port)).toBe('bmcPort: expected an integer 1..65535');
      expect(HostPatchBody.safeParse({ bmcPort: port }).success, String(port)).toBe(false);
      expect(HostCreateBody.safeParse({ id: 'h1', bmcPort: port }).success, String(port)).toBe(false);
    }
  });

  it('the protocol, scheme and power values are the same lists on both sides', () => {
    for (const v of HOST_FIELDS.bmcScheme.values) expect(HostCreateBody.safeParse({ id: 'h1', bmcScheme: v }).success).toBe(true);
    expect(HostCreateBody.safeParse({ id: 'h1', bmcScheme: 'ftp' }).success).toBe(false);
    expect(storeError({ ...host, bmcScheme: 'ftp' })?.message).toBe('bmcScheme: expected https or http');
    expect(storeError({ ...host, bmcProtocol: 'snmp' })?.message).toBe('bmcProtocol: expected ipmi, redfish or xapi');
    expect(storeError({ ...host, power: 'asleep' })?.message).toBe('power: expected on, off or unknown');
    for (const p of HOST_FIELDS.bmcProtocol.values) expect(storeError({ ...host, bmcProtocol: p })).toBeUndefined();
  });

  it('the store names the field and what it takes, never the value (a password in the wrong field stays out)', () => {
    const secret = 'hunter2-not-for-logs';
    for (const field of ['bmcAddress', 'bmcUser', 'bmcPort', 'cipherSuite', 'power', 'bmcScheme', 'bmcProtocol']) {
      const e = storeError({ ...host, [field]: field === 'bmcAddress' || field === 'bmcUser' ? 42 : secret });
      expect(e?.message, field).toMatch(new RegExp(`^${field}: expected `));
      expect(e?.message, field).not.toContain(secret);
    }
    expect(storeError({ ...host, bmcUser: '' })?.message).toBe('bmcUser: expected a non-empty string');
  });

  it('a patch checks only the fields it carries; a create needs them all, in the order the record lists them', () => {
    expect(storeError({ bmcPort: 8623 }, false)).toBeUndefined();
    expect(storeError({}, false)).toBeUndefined();
    expect(storeError({}, true)?.message).toBe('bmcAddress: expected a non-empty string');
    expect(storeError({ ...host, cipherSuite: undefined })?.message).toBe('cipherSuite: expected an integer 0..255');
    expect(() => checkPoolFields({ secretRef: 'x' }, true)).toThrow('xapiUrl: expected a non-empty string');
    expect(() => checkPoolFields({ xapiUrl: 'https://m' }, false)).not.toThrow();
    expect(() => checkScheduleFields({ cron: 'cron(0 22 * * ? *)', timeZone: 'UTC', action: 'sleep', enabled: 'yes' }, true)).toThrow('enabled: expected a boolean');
    expect(() => checkScheduleFields({ enabled: false }, false)).not.toThrow();
    expect(() => checkSource('email')).toThrow('source: expected schedule, api, cli or slack');
    expect(() => checkActor({ actor: 'alice', reason: 'r', source: 'cli' })).not.toThrow();
    expect(() => checkActor({ actor: 'alice', source: 'cli' })).toThrow('reason: expected a non-empty string');
  });

  it('the rules read the same in words as they check', () => {
    expect(expected(HOST_FIELDS.cipherSuite)).toBe('an integer 0..255');
    expect(fits(HOST_FIELDS.cipherSuite, 255)).toBe(true);
    expect(fits(HOST_FIELDS.cipherSuite, 256)).toBe(false);
    expect(fits({ kind: 'boolean' }, 0)).toBe(false);
  });
});
