/**
 * Retry with capped exponential backoff and full jitter, the one helper for it. Callers say which
 * errors are worth another try (a conditional-write conflict, an unprocessed batch, a port taken)
 * and how many tries there are; everything else is thrown at once. Full jitter (a delay drawn
 * uniformly from zero to the cap) keeps writers that collided once from colliding again in step.
 */

export interface RetryOptions {
  /** Tries in all, the first included (at least 1). */
  attempts: number;
  /** Is this error worth another try? Anything else is thrown at once. */
  retryOn: (error: unknown) => boolean;
  /** The backoff cap of the first retry, doubled for each next one (default 10 ms). */
  baseMs?: number;
  /** The largest cap (default 1 s). */
  maxMs?: number;
  /** A value in [0, 1): the jitter (default Math.random; tests pass a seeded one). */
  random?: () => number;
  /** How to wait (default a timer; tests may pass a clock of their own). */
  sleep?: (ms: number) => Promise<void>;
  /** Stop waiting and trying once this is aborted: the last error is thrown. */
  signal?: AbortSignal;
  /** The error thrown when every try failed (default: the last error itself). */
  exhausted?: (last: unknown, attempts: number) => Error;
}

const timer = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** The delay before retry number `retry` (0 for the first retry): uniform in [0, min(max, base * 2^retry)). */
export function backoffDelay(retry: number, o: Pick<RetryOptions, 'baseMs' | 'maxMs' | 'random'> = {}): number {
  const cap = Math.min(o.maxMs ?? 1000, (o.baseMs ?? 10) * 2 ** retry);
  return Math.floor((o.random ?? Math.random)() * cap);
}

/**
 * Run `fn` until it resolves, an error it should not retry is thrown, or the tries are used up.
 * `fn` gets the number of the try (0 for the first), so it can read afresh before writing again.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const attempts = Math.max(1, Math.floor(o.attempts) || 1);
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!o.retryOn(e)) throw e;
      last = e;
    }
    if (attempt + 1 >= attempts || o.signal?.aborted) break;
    const ms = backoffDelay(attempt, o);
    if (ms > 0) await (o.sleep ?? timer)(ms);
    if (o.signal?.aborted) break;
  }
  throw o.exhausted ? o.exhausted(last, attempts) : last;
}
