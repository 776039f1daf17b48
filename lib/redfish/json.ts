/**
 * Typed reads of Redfish JSON. A BMC's answer is data of unknown shape until checked: these
 * accessors give a value of the asked-for type or undefined, so no code trusts a field blindly.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const obj = (v: unknown): JsonObject | undefined => (isObject(v) ? v : undefined);

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A non-empty trimmed string, else undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t ? t : undefined;
}

/** A finite number, else undefined (null, strings and NaN are not readings). */
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The `@odata.id` of a navigation property (`{ "@odata.id": "/redfish/v1/..." }`). */
export const link = (v: unknown): string | undefined => str(obj(v)?.['@odata.id']);

/** The `@odata.id`s of an array of navigation properties. */
export const links = (v: unknown): string[] => arr(v).flatMap((m) => link(m) ?? []);

/** A nested property by path: `at(x, 'Status', 'State')`. */
export function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}

/** The strings of an array (other members dropped). */
export const strings = (v: unknown): string[] => arr(v).flatMap((s) => str(s) ?? []);

/** The same object without its undefined properties (they would reach stored records as holes). */
export function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
