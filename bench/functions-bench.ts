/**
 * Lambda bundles: size and cold import time of each function, as packaged by `npm run package`
 * (osls package --stage ci --region eu-central-1). A benchmark: it reports, and exits non-zero
 * only with --strict when a goal is missed.
 *
 *   node bin/run-ts.mjs bench/functions-bench.ts [--runs 9] [--no-package] [--strict]
 *
 * Method
 * - Size: the zip osls uploads (.serverless/<fn>.zip) and the handler module inside it
 *   (functions/<fn>.mjs, minified ESM; source maps stay out of the zip).
 * - Cold import: the zip is unzipped into .serverless/unzipped/<fn>/ (inside the repository), and a
 *   fresh `node` process times `await import(handler.mjs)` with performance.now(), --runs times;
 *   the median is reported. The bundle leaves `@aws-sdk/*` to the Lambda runtime; here Node's ESM
 *   resolution walks up from the unzipped folder to the repository's node_modules and finds the
 *   SDK there (NODE_PATH does not apply to ES modules, which is why the folder sits inside the
 *   repository). So the time includes loading the SDK clients the handler imports, as on Lambda.
 *   "SDK only" imports just those `@aws-sdk/*` modules; "bundle only" imports them first, untimed,
 *   then times the handler: the share of the cold import that is our bundle.
 *   The environment is the function's own (fake ARNs), with AWS endpoints pointed at a closed
 *   loopback port so no import can reach the network.
 * - Measured on this machine's Node (Lambda runs Node 22 on Graviton): compare runs, not absolutes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  externalImportKinds,
  FUNCTIONS,
  lambdaEnv,
  median,
  probeImport,
  readTemplate,
  runPackage,
  unzipFunction,
  zipSize,
} from '../test/deploy/package.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 9);
const SKIP_PACKAGE = process.argv.includes('--no-package');
const STRICT = process.argv.includes('--strict');
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
  const rows: string[][] = [['function', 'zip', 'handler .mjs', 'import median', 'min..max', 'SDK only', 'bundle only', 'goal']];
  let missed = 0;
  for (const fn of FUNCTIONS) {
    const zip = zipSize(fn);
    const u = unzipFunction(fn);
    const env = lambdaEnv(template, fn);
    const sdk = (await externalImportKinds(u.handlerPath)).filter((i) => i.kind === 'import-statement' && i.path.startsWith('@aws-sdk/')).map((i) => i.path);
    const sdkOnly = join(u.dir, 'sdk-only.mjs');
    writeFileSync(sdkOnly, sdk.map((s) => `import ${JSON.stringify(s)};`).join('\n') + '\n');
    const times: number[] = [];
    const sdkTimes: number[] = [];
    const ownTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await probeImport(u.handlerPath, env, fn);
      if (p.handlerType !== 'function') throw new Error(`${fn}: handler is ${p.handlerType}, not a function`);
      times.push(p.ms);
      sdkTimes.push((await probeImport(sdkOnly, env, fn)).ms);
      ownTimes.push((await probeImport(u.handlerPath, env, fn, 30_000, sdkOnly)).ms);
    }
    const med = median(times);
    const misses = [...(zip > GOAL_BYTES ? [`zip > ${kb(GOAL_BYTES)}`] : []), ...(med > GOAL_MS ? [`import > ${GOAL_MS} ms`] : [])];
    if (misses.length) missed++;
    rows.push([
      fn,
      kb(zip),
      kb(u.handlerSize),
      ms(med),
      `${ms(Math.min(...times))}..${ms(Math.max(...times))}`,
      ms(median(sdkTimes)),
      ms(median(ownTimes)),
      misses.length ? `missed: ${misses.join(', ')}` : 'ok',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`\nLambda bundles (${RUNS} cold imports each, node ${process.version}, ${process.arch}; goals: zip <= ${kb(GOAL_BYTES)}, import <= ${GOAL_MS} ms)`);
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  if (missed && STRICT) process.exit(1);
}

await main();
