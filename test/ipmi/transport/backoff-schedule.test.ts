/** The retransmission schedule inside one deadline: every try has time for an answer, and the waits add up to the deadline. */
import { describe, expect, it } from 'vitest';
import { backoffSchedule } from '../../../lib/ipmi/transport/exchange.ts';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('backoffSchedule', () => {
  it.each([
    [2000, 3],
    [1500, 6],
    [400, 2],
    [600, 0],
    [1500, 8],
  ])('%i ms with %i retries: retries + 1 waits that add up to the deadline and never shrink', (timeoutMs, retries) => {
    const waits = backoffSchedule(timeoutMs, retries);
    expect(waits).toHaveLength(retries + 1);
    expect(sum(waits)).toBeCloseTo(timeoutMs, 6);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
  });

  it('the first wait is at least half an even share of the deadline, not a sliver', () => {
    // Seven tries in 1.5 s: pure doubling would wait 11.8 ms first, shorter than a busy BMC takes.
    const waits = backoffSchedule(1500, 6);
    expect(waits[0]).toBeGreaterThanOrEqual(1500 / 7 / 2);
    expect(waits[0]).toBeCloseTo(113, 0);
    // The last wait is still the longest, for a reply that is slow rather than lost.
    expect(waits[6]).toBeCloseTo(485, 0);
  });

  it('one try waits the whole deadline', () => {
    expect(backoffSchedule(1500, 0)).toEqual([1500]);
  });
});
