/** Time as the simulator sees it: real by default, driven by hand in tests. */
export interface Clock {
  /** Milliseconds, monotonic enough for delays. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

