/**
 * Lambda bundles: size and cold import time of each function, as packaged by `npm run package`
 * (osls package --stage ci --region eu-central-1). A benchmark: it reports, and exits non-zero
 * only with --strict when a goal is missed.
 *
 *   node bin/run-ts.mjs bench/functions-bench.ts [--runs 9] [--no-package] [--no-first] [--against DIR] [--strict]
 *
 * --against DIR measures the zips in DIR (<fn>.zip, e.g. a copy of .serverless/ from another
 * commit) in the same runs, each probe of ours followed by the same probe of theirs: a comparison
 * that a change in the machine's load between two bench runs cannot tilt.
 *
 * Method
 * - Size: the zip osls uploads (.serverless/<fn>.zip), and the code inside it: the handler module
 *   (functions/<fn>.mjs, minified ESM) with the chunks it imports statically ("code at import":
 *   what every cold start compiles), and the chunks it imports on first use ("on first use": the
 *   BMC clients, the pool import). Source maps stay out of the zip.
 * - Cold import: the zip is unzipped into .serverless/unzipped/<fn>/ (inside the repository), and a
 *   fresh `node` process times `await import(handler.mjs)` with performance.now(), --runs times;
 *   the median is reported, with the median CPU time the process spent in the import (user +
 *   system, all threads: V8 compiles and collects on helper threads, so on an idle machine it
 *   exceeds the wall time; on a busy one it is the steadier figure). The AWS SDK is bundled (serverless.yml says why); only the credential
 *   providers a Lambda never reaches stay outside, as dynamic imports that never run. Should a
 *   bundle import `@aws-sdk/*` statically, Node's ESM resolution walks up from the unzipped folder
 *   (inside the repository) to node_modules and finds it: "SDK only" times those imports alone,
 *   "bundle only" the handler after them (the same figure as the import when nothing is left out).
 *   The environment is the function's own (fake ARNs), with AWS endpoints pointed at a closed
 *   loopback port so no import can reach the network.
 * - Cold import + first invocation: a fresh `node` imports the handler and runs it once on a
 *   typical event (bench/first-invocation.ts: a pool list for http, a poll-sensors fire for
 *   scheduled, a wake's last steps for worker, a signed slash command for slack) against dynalite
 *   and loopback stand-ins started here; the median from the start of the import to the answer.
 *   What a handler builds on first use instead of at import is counted here.
 * - A peer in the same runs: a module that imports only the AWS SDK's DynamoDB clients
 *   (`@aws-sdk/client-dynamodb`, `@aws-sdk/lib-dynamodb`) from node_modules, unbundled, as a
 *   function leaning on the runtime's SDK would. Each function's import is also given as a ratio
 *   to it: the machine's speed changes by 10-30 % between hours (and between its two vCPUs), the
 *   ratio much less.
 * - Measured on this machine's Node (Lambda runs Node 22 on Graviton): compare runs, not absolutes.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { probeFirstInvocation, startFirstInvocationRig } from './first-invocation.ts';
import { join } from 'node:path';
import {
  bundleGraph,
  FUNCTIONS,
  type FunctionKey,
  lambdaEnv,
  median,
  probeEnv,
  probeImport,
  readTemplate,
  runPackage,
  unzipFunction,
  SERVERLESS_DIR,
  zipPath,
} from '../test/deploy/package.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 9);
const SKIP_PACKAGE = process.argv.includes('--no-package');
const STRICT = process.argv.includes('--strict');
const FIRST = !process.argv.includes('--no-first');
const AGAINST = arg('--against');
const GOAL_BYTES = 300 * 1024;
const GOAL_MS = 100;

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  if (!SKIP_PACKAGE) {
    const run = await runPackage();
    console.log(`osls package: ${(run.ms / 1000).toFixed(1)} s`);
  }
  const template = readTemplate();
  const rig = FIRST ? await startFirstInvocationRig() : undefined;
  const rows: string[][] = [['function', 'zip', 'code at import', 'on first use', 'import median', 'min..max', 'import CPU', 'SDK only', 'bundle only', 'import + 1st call', 'import / peer', 'goal']];
  // The peer: the SDK's DynamoDB clients imported unbundled (resolved from the repository's node_modules).
  const peerDir = join(SERVERLESS_DIR, 'unzipped', 'sdk-peer');
  mkdirSync(peerDir, { recursive: true });
  const peer = join(peerDir, 'peer.mjs');
  writeFileSync(peer, "import '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/lib-dynamodb';\nexport const handler = () => undefined;\n");
  const peerAll: number[] = [];
  let missed = 0;
  const variants = [{ label: '', zipOf: (fn: FunctionKey) => zipPath(fn) }, ...(AGAINST ? [{ label: ' (against)', zipOf: (fn: FunctionKey) => join(AGAINST, `${fn}.zip`) }] : [])];
  for (const fn of FUNCTIONS) {
    const env = lambdaEnv(template, fn);
    const measured = await Promise.all(
      variants.map(async (v, k) => {
        const zip = statSync(v.zipOf(fn)).size;
        const u = unzipFunction(fn, v.zipOf(fn), join(SERVERLESS_DIR, k ? 'unzipped-against' : 'unzipped', fn));
        const graph = await bundleGraph(u.handlerPath);
        const sdk = graph.externals.filter((i) => i.kind === 'import-statement' && i.path.startsWith('@aws-sdk/')).map((i) => i.path);
        // What a cold start compiles (the entry and the chunks it imports statically), and the chunks loaded on first use.
        const atImport = graph.modules.filter((x) => x.static).reduce((a, x) => a + x.bytes, 0);
        const onFirstUse = graph.modules.filter((x) => !x.static).reduce((a, x) => a + x.bytes, 0);
        const sdkOnly = join(u.dir, 'sdk-only.mjs');
        writeFileSync(sdkOnly, sdk.map((s) => `import ${JSON.stringify(s)};`).join('\n') + '\n');
        return { ...v, zip, u, atImport, onFirstUse, sdkOnly, times: [] as number[], cpuTimes: [] as number[], sdkTimes: [] as number[], ownTimes: [] as number[], firstTimes: [] as number[] };
      }),
    );
    const peerTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      peerTimes.push((await probeImport(peer, env, fn)).ms);
      for (const m of measured) {
        const p = await probeImport(m.u.handlerPath, env, fn);
        if (p.handlerType !== 'function') throw new Error(`${fn}${m.label}: handler is ${p.handlerType}, not a function`);
        m.times.push(p.ms);
        m.cpuTimes.push(p.cpuMs);
        m.sdkTimes.push((await probeImport(m.sdkOnly, env, fn)).ms);
        m.ownTimes.push((await probeImport(m.u.handlerPath, env, fn, 30_000, m.sdkOnly)).ms);
        if (rig) {
          const first = await probeFirstInvocation(m.u.handlerPath, probeEnv({ ...env, ...rig.env }, fn), await rig.event(fn, i));
          rig.check(fn, first.result);
          m.firstTimes.push(first.totalMs);
        }
      }
    }
    peerAll.push(...peerTimes);
    for (const m of measured) {
      const med = median(m.times);
      const misses = [...(m.zip > GOAL_BYTES ? [`zip > ${kb(GOAL_BYTES)}`] : []), ...(med > GOAL_MS ? [`import > ${GOAL_MS} ms`] : [])];
      if (misses.length && !m.label) missed++;
      rows.push([
        fn + m.label,
        kb(m.zip),
        kb(m.atImport),
        kb(m.onFirstUse),
        ms(med),
        `${ms(Math.min(...m.times))}..${ms(Math.max(...m.times))}`,
        ms(median(m.cpuTimes)),
        ms(median(m.sdkTimes)),
        ms(median(m.ownTimes)),
        rig ? ms(median(m.firstTimes)) : '-',
        `${(med / median(peerTimes)).toFixed(2)}x`,
        misses.length ? `missed: ${misses.join(', ')}` : 'ok',
      ]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`\nLambda bundles (${RUNS} cold imports each, node ${process.version}, ${process.arch}; goals: zip <= ${kb(GOAL_BYTES)}, import <= ${GOAL_MS} ms)`);
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log(`Peer, the SDK's DynamoDB clients imported unbundled (${peerAll.length} cold imports beside the functions'): median ${ms(median(peerAll))}, ${ms(Math.min(...peerAll))}..${ms(Math.max(...peerAll))}`);
  await rig?.stop();
  if (missed && STRICT) process.exit(1);
}

await main();
