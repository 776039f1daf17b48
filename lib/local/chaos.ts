/**
 * The fault matrix: every simulator fault switched on at every step of a pool sleep and of a pool
 * wake, each case on a fresh local runner (the same pool state every time: the demo pool as it
 * starts, or, for a wake, right after a clean sleep of host-004..006), driven over HTTP as a user
 * would, with the safety invariants watched on samples every 20 ms and checked again at the end.
 * A case is bounded in time and ends as succeeded, recovered, failed-safe, failed-unsafe, timeout
 * or error; a violated invariant is recorded with the case, the time and what was seen. Seeded:
 * the same seed gives the same cases in the same order (which host a per-host fault targets).
 *
 * The cases are in chaos-cases.ts, the invariant checks (pure, so that a test can feed them a
 * made-up sample) in chaos-invariants.ts, one case's run on its own LocalRunner in chaos-case.ts
 * (with its step layout, fault switch, probes and I/O beside it); this file runs the list.
 */
import { mapBounded } from '../util/index.ts';
import type { ChaosCase } from './chaos-cases.ts';
import { describeCase, runCase, type CaseResult, type ChaosOptions, type ChaosOutcome } from './chaos-case.ts';

export * from './chaos-cases.ts';
export * from './chaos-invariants.ts';
export { describeCase, runCase, type CaseResult, type ChaosOptions, type ChaosOutcome, type Violation } from './chaos-case.ts';
export { samplePool } from './chaos-probes.ts';

export interface ChaosTotals {
  runs: number;
  /** Cases whose fault acted. */
  faults: number;
  violations: number;
  byOutcome: Partial<Record<ChaosOutcome, number>>;
  ms: number;
}

export function totalsOf(results: CaseResult[], ms: number): ChaosTotals {
  const byOutcome: Partial<Record<ChaosOutcome, number>> = {};
  for (const r of results) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
  return { runs: results.length, faults: results.filter((r) => r.acted).length, violations: results.reduce((a, r) => a + r.violations.length, 0), byOutcome, ms };
}

/** Run the cases (each on a fresh runner, `concurrency` at once), in order of the list. */
export async function runChaos(cases: ChaosCase[], o: ChaosOptions = {}): Promise<{ results: CaseResult[]; totals: ChaosTotals }> {
  const t0 = Date.now();
  const results = await mapBounded(cases, o.concurrency ?? 1, async (c, i) => {
    const r = await runCase(c, o);
    o.progress?.(`${i + 1}/${cases.length} ${describeCase(r)}: ${r.outcome}${r.violations.length ? `, ${r.violations.length} violation(s)` : ''} (${r.ms} ms)`, r);
    return r;
  });
  return { results, totals: totalsOf(results, Date.now() - t0) };
}
