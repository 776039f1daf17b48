/**
 * A request's fingerprint for idempotency: the same key must carry the same request. Keys are
 * sorted and undefined fields dropped, so the same request always gives the same hash.
 */
import { createHash } from 'node:crypto';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}

export function requestHash(request: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(canonical(request))).digest('hex').slice(0, 32);
}
