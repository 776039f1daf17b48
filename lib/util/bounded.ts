/** Bounded fan-out, the one helper for it: at most `limit` calls in flight, results in the items' order. */

/**
 * Run `fn` over `items` with at most `limit` calls in flight; results keep the items' order.
 * A rejection of `fn` rejects the whole map (callers turn their errors into values first).
 * A limit below 1 (or NaN) still makes progress, one at a time.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  const workers = Math.min(items.length, Math.max(1, Math.floor(limit) || 1));
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}
