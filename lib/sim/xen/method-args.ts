/** Reading the positional arguments of an XAPI call as xapi does: a wrong type is FIELD_TYPE_ERROR. */
import { XapiError } from '../../xen/index.ts';

export const str = (args: unknown[], i: number, name: string): string => {
  const v = args[i];
  if (typeof v !== 'string') throw new XapiError('FIELD_TYPE_ERROR', [name]);
  return v;
};

export const map = (args: unknown[], i: number, name: string): Record<string, string> => {
  const v = args[i];
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new XapiError('FIELD_TYPE_ERROR', [name]);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
};

export const bool = (args: unknown[], i: number, name: string, dflt: boolean): boolean => {
  const v = args[i];
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new XapiError('FIELD_TYPE_ERROR', [name]);
};
