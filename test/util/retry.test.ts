import { describe, expect, it } from 'vitest';
import { backoffDelay, retry } from '../../lib/util/retry.ts';

class Conflict extends Error {}

describe('retry', () => {
  it('tries again only on the errors it is told to, and returns the first success', async () => {
    const waits: number[] = [];
    let calls = 0;
    const got = await retry(
      async (attempt) => {
        calls++;
        if (attempt < 2) throw new Conflict('lost the race');
        return `won on try ${attempt}`;
      },
      { attempts: 5, retryOn: (e) => e instanceof Conflict, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(got).toBe('won on try 2');
    expect(calls).toBe(3);
    // Half of the cap: 10 ms, then 20 ms.
    expect(waits).toEqual([5, 10]);
  });

  it('throws an error it should not retry at once', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new TypeError('bad input');
        },
        { attempts: 5, retryOn: (e) => e instanceof Conflict, sleep: async () => undefined },
      ),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });

  it('gives up after the tries, with the last error or the one it is asked to make', async () => {
    let calls = 0;
    const fail = async (): Promise<never> => {
      calls++;
      throw new Conflict(`conflict ${calls}`);
    };
    await expect(retry(fail, { attempts: 3, retryOn: () => true, sleep: async () => undefined })).rejects.toThrow('conflict 3');
    expect(calls).toBe(3);
    await expect(
      retry(fail, { attempts: 2, retryOn: () => true, sleep: async () => undefined, exhausted: (last, n) => new Error(`${n} tries, last: ${(last as Error).message}`) }),
    ).rejects.toThrow('2 tries, last: conflict 5');
  });

  it('stops waiting once its signal is aborted', async () => {
    const ctl = new AbortController();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          ctl.abort();
          throw new Conflict('again');
        },
        { attempts: 10, retryOn: () => true, signal: ctl.signal, sleep: async () => undefined },
      ),
    ).rejects.toThrow('again');
    expect(calls).toBe(1);
  });

  it('draws delays under a cap that doubles up to its maximum (full jitter)', () => {
    const top = (retryNo: number) => backoffDelay(retryNo, { baseMs: 10, maxMs: 200, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 5, 9].map(top)).toEqual([9, 19, 39, 79, 159, 199, 199]);
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
  });
});
