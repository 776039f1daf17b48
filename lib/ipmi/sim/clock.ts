/** Time as the simulator sees it: real by default, driven by hand in tests. */
export interface Clock {
  /** Milliseconds, monotonic enough for delays. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock a test moves forward itself. */
export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 10, 25, 22, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A small seeded PRNG (mulberry32), so a simulated fleet is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
