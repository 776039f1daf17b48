/**
 * The fault matrix from the command line (`npm run chaos`): every simulator fault at every step of
 * a pool sleep and of a pool wake, each case on a fresh local runner on loopback, the safety
 * invariants watched throughout (lib/local/chaos.ts). Prints a table and the totals; exits 1 when
 * any invariant was violated, so it can gate a change to lib/ops.
 *
 *   node bin/run-ts.mjs scripts/chaos.ts [--seed N] [--sample K] [--concurrency C] [--hold-ms MS] [--json] [--verbose]
 */
import { describeCase, faultMatrix, INVARIANTS, runChaos, sampleCases, type CaseResult, type ChaosTotals } from '../lib/local/chaos.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function numberOption(name: string, fallback: number | undefined): number | undefined {
  const v = option(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} ${v}: give a whole number\n`);
    process.exit(2);
  }
  return n;
}

const seed = numberOption('seed', 1) as number;
const sample = numberOption('sample', undefined);
const concurrency = numberOption('concurrency', 1);
const faultHoldMs = numberOption('hold-ms', undefined);
const json = process.argv.includes('--json');
const verbose = process.argv.includes('--verbose');

const cases = sample === undefined ? faultMatrix(seed) : sampleCases(seed, sample);
if (!json) process.stdout.write(`fault matrix, seed ${seed}: ${cases.length} cases, ${concurrency} at a time\n`);

const { results, totals } = await runChaos(cases, {
  concurrency,
  faultHoldMs,
  progress: (line) => {
    if (!json) process.stderr.write(`${line}\n`);
  },
});

const out = json
  ? `${JSON.stringify({ seed, results: results.map((r) => ({ ...r, log: verbose ? r.log : undefined })), totals }, null, 2)}\n`
  : table(results) + violationList(results, verbose) + totalsLine(totals);
// Exit once the output is flushed (a pipe takes it asynchronously), whatever a runner left behind.
process.stdout.write(out, () => process.exit(totals.violations > 0 ? 1 : 0));

function table(rs: CaseResult[]): string {
  const rows = rs.map((r) => [r.operation, r.fault, r.step, r.host ?? '-', r.outcome, String(r.violations.length), r.acted ? 'yes' : 'no', r.trigger, `${(r.ms / 1000).toFixed(1)} s`]);
  const head = ['operation', 'fault', 'step', 'host', 'outcome', 'violations', 'acted', 'fault on', 'time'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `${cells.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd()}\n`;
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('');
}

function violationList(rs: CaseResult[], withLog: boolean): string {
  const bad = rs.filter((r) => r.violations.length || r.outcome === 'error' || r.outcome === 'timeout');
  if (bad.length === 0) return '';
  const out: string[] = ['\n'];
  for (const r of bad) {
    out.push(`${describeCase(r)}: ${r.outcome} (${r.note})\n`);
    for (const v of r.violations) out.push(`  invariant ${v.invariant} (${INVARIANTS[v.invariant]}) at ${v.atMs} ms${v.count > 1 ? `, ${v.count} samples` : ''}: ${v.text}\n`);
    if (withLog && r.log) for (const l of r.log) out.push(`    | ${l}\n`);
  }
  return out.join('');
}

function totalsLine(t: ChaosTotals): string {
  const outcomes = Object.entries(t.byOutcome)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `\ntotals: runs ${t.runs}, faults ${t.faults} (acted), violations ${t.violations}; ${outcomes}; ${(t.ms / 1000).toFixed(0)} s\n`;
}
