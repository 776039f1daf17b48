/** onceAsync: a value made on first use, shared by callers at the same time, made again after a failure. */
import { describe, expect, it } from 'vitest';
import { givenOrOnce, onceAsync } from '../../lib/util/index.ts';

describe('onceAsync', () => {
  it('makes nothing until asked, then once for callers at the same time and after', async () => {
    let made = 0;
    const get = onceAsync(async () => {
      made++;
      await new Promise((r) => setTimeout(r, 5));
      return { n: made };
    });
    expect(made).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    expect(made).toBe(1);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(made).toBe(1);
  });

  it('forgets a making that failed: the callers of that one see its error, the next caller tries again', async () => {
    let calls = 0;
    const get = onceAsync(async () => {
      calls++;
      if (calls === 1) throw new Error('first try fails');
      return calls;
    });
    await expect(Promise.all([get(), get()])).rejects.toThrow('first try fails');
    expect(calls).toBe(1);
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
  });
});

describe('givenOrOnce', () => {
  it('hands back a value given ready-made, and makes a value given as a maker once', async () => {
    const ready = { a: 1 };
    expect(await givenOrOnce(ready)()).toBe(ready);
    let made = 0;
    const get = givenOrOnce(async () => ({ n: ++made }));
    expect(made).toBe(0);
    expect(await get()).toBe(await get());
    expect(made).toBe(1);
  });
});
