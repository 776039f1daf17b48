/**
 * Keys of the one table (see DESIGN.md, lib/store) and the checks on the ids and times that go
 * into them. Times in sort keys are canonical ISO-8601 UTC (`Date.prototype.toISOString()`), so
 * they sort as strings.
 */
import { StoreValidationError, type ItemKey } from './errors.ts';

export const GSI1 = 'GSI1';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,199}$/;

/** An id that may go into a key: no `#`, no spaces, 1 to 200 characters. */
export function checkId(what: string, id: string): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new StoreValidationError(`${what}: not a valid id (letters, digits and ._:@+=- only, up to 200)`);
  }
  return id;
}

/** A canonical ISO-8601 UTC time, as `toISOString()` writes it. */
export function checkIsoTime(what: string, t: string): string {
  const d = new Date(t);
  if (typeof t !== 'string' || Number.isNaN(d.getTime()) || d.toISOString() !== t) {
    throw new StoreValidationError(`${what}: not a canonical ISO time such as 2025-01-31T22:00:00.000Z`);
  }
  return t;
}

/** A day `yyyy-mm-dd`. */
export function checkDay(day: string): string {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    throw new StoreValidationError('day: expected yyyy-mm-dd');
  }
  return day;
}

export const poolKey = (poolId: string): ItemKey => ({ PK: `POOL#${checkId('poolId', poolId)}`, SK: 'META' });
export const hostKey = (poolId: string, hostId: string): ItemKey => ({
  PK: `POOL#${checkId('poolId', poolId)}`,
  SK: `HOST#${checkId('hostId', hostId)}`,
});
export const scheduleKey = (poolId: string, scheduleId: string): ItemKey => ({
  PK: `POOL#${checkId('poolId', poolId)}`,
  SK: `SCHEDULE#${checkId('scheduleId', scheduleId)}`,
});
export const operationKey = (operationId: string): ItemKey => ({
  PK: `OP#${checkId('operationId', operationId)}`,
  SK: 'META',
});
/** Steps sort by number: the index is zero-padded to six digits. */
export const stepKey = (operationId: string, index: number): ItemKey => {
  if (!Number.isInteger(index) || index < 0 || index > 999_999) {
    throw new StoreValidationError('step index: expected an integer 0..999999');
  }
  return { PK: `OP#${checkId('operationId', operationId)}`, SK: `STEP#${String(index).padStart(6, '0')}` };
};
export const idempotencyKey = (key: string): ItemKey => ({
  PK: `IDEMPOTENCY#${checkId('idempotencyKey', key)}`,
  SK: 'META',
});
export const alertKey = (poolId: string, kind: string, hostId: string): ItemKey => ({
  PK: `POOL#${checkId('poolId', poolId)}`,
  SK: `ALERT#${checkId('kind', kind)}#${checkId('hostId', hostId)}`,
});
export const auditPk = (day: string): string => `AUDIT#${checkDay(day)}`;
export const readingKey = (hostId: string, at: string): ItemKey => ({
  PK: `HOST#${checkId('hostId', hostId)}`,
  SK: `READING#${checkIsoTime('at', at)}`,
});

/** Prefixes for `begins_with` queries. */
export const PREFIX = {
  host: 'HOST#',
  schedule: 'SCHEDULE#',
  step: 'STEP#',
  reading: 'READING#',
  alert: 'ALERT#',
  energy: 'ENERGY#',
} as const;
