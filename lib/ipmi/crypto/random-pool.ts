/**
 * Random bytes from the system CSPRNG drawn 4 KiB at a time rather than one system call per IV,
 * tag or session ID: the same randomness, a fraction of the cost when a sweep sends tens of
 * thousands of packets and logs in to a thousand BMCs. Bytes handed out are wiped from the pool.
 */
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let used = pool.length;

/** n fresh random bytes (n at most 4096), in a buffer of their own. */
export function randomPooled(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > pool.length) throw new RangeError(`randomPooled: ${n} bytes`);
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + n));
  pool.fill(0, used, used + n);
  used += n;
  return out;
}

/** One random byte (a message tag). */
export function randomByte(): number {
  return randomPooled(1)[0];
}
