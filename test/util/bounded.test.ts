/** The one bounded fan-out helper: never more than `limit` at once, results in order, progress with a bad limit. */
import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../lib/util/bounded.ts';

describe('mapBounded', () => {
  it('keeps at most `limit` calls in flight and the results in the items’ order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([50, 10, 30, 20, 40, 5, 15], 3, async (ms, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return `${i}:${ms}`;
    });
    expect(most).toBe(3);
    expect(out).toEqual(['0:50', '1:10', '2:30', '3:20', '4:40', '5:5', '6:15']);
  });

  it('a limit of 0 or NaN still runs every item, one at a time; a rejection rejects the map', async () => {
    expect(await mapBounded([1, 2, 3], 0, async (x) => x * 2)).toEqual([2, 4, 6]);
    expect(await mapBounded([1, 2], Number.NaN, async (x) => x + 1)).toEqual([2, 3]);
    await expect(mapBounded([1, 2, 3], 2, async (x) => (x === 2 ? Promise.reject(new Error('two')) : x))).rejects.toThrow('two');
  });
});
