/**
 * Faults on demand, per simulated BMC: a lossy, reordering, duplicating or silent link, a forged
 * integrity code, a busy BMC (0xC0) and reservations cancelled under a reader (0xC5). Rates are
 * probabilities from 0 to 1, drawn from a seeded generator so a failing run can be replayed.
 */
export interface Faults {
  /** Drop this fraction of packets, each way. */
  drop?: number;
  /** Delay every answer by this many milliseconds. */
  delayMs?: number;
  /** Hold back this fraction of answers and send them after the next one. */
  reorder?: number;
  /** Send this fraction of answers twice. */
  duplicate?: number;
  /** Answer nothing at all. */
  silent?: boolean;
  /** Corrupt the integrity code of this fraction of authenticated answers. */
  wrongHmac?: number;
  /** Answer this fraction of in-session commands with 0xC0 (node busy), without executing them. */
  busy?: number;
  /** Cancel the SDR and SEL reservations before this fraction of commands (readers then get 0xC5). */
  reservationCancel?: number;
}

export function describeFaults(f: Faults): string {
  const parts = Object.entries(f)
    .filter(([, v]) => v !== undefined && v !== false && v !== 0)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return parts.length ? parts.join(', ') : 'none';
}
