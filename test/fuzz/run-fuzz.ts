/**
 * The decoder fuzzer as a command: `npm run fuzz` (node bin/run-ts.mjs test/fuzz/run-fuzz.ts N [SEED]).
 * Runs N packets (default 1,000,000) through every decoder, prints progress every 100,000, and exits
 * 1 listing every decoder that threw something other than an IpmiError, 0 when clean.
 * The same N and SEED reproduce a run; packet i alone replays with fuzzOnce(mulberry32(packetSeed(SEED, i))).
 */
import { randomInt } from 'node:crypto';
import { formatFindings, runFuzz } from './fuzz-targets.ts';

function parseCount(text: string | undefined): number {
  if (text === undefined) return 1_000_000;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`usage: run-fuzz.ts [PACKETS] [SEED]: "${text}" is not a positive whole number`);
    process.exit(2);
  }
  return n;
}

function parseSeed(text: string | undefined): number {
  if (text === undefined) return randomInt(0, 2 ** 32);
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) {
    console.error(`usage: run-fuzz.ts [PACKETS] [SEED]: seed "${text}" is not a 32-bit unsigned integer`);
    process.exit(2);
  }
  return n;
}

const packets = parseCount(process.argv[2]);
const seed = parseSeed(process.argv[3]);
console.log(`fuzzing ${packets.toLocaleString('en')} packets through every IPMI decoder, seed ${seed} (0x${seed.toString(16)})`);

const { ctx, elapsedMs } = runFuzz({
  packets,
  seed,
  progressEvery: 100_000,
  onProgress: (done, c, ms) => {
    const rate = Math.round(done / (ms / 1000));
    console.log(`  ${done.toLocaleString('en')} packets, ${(ms / 1000).toFixed(1)} s (${rate.toLocaleString('en')}/s), findings: ${c.findingCount}`);
  },
});

let calls = 0;
let rejected = 0;
for (const s of ctx.stats.values()) {
  calls += s.ok + s.rejected + s.otherIpmiError + s.findings;
  rejected += s.rejected;
}
console.log(
  `done: ${ctx.packets.toLocaleString('en')} packets, ${calls.toLocaleString('en')} decoder calls (${ctx.stats.size} decoders), ` +
    `${(elapsedMs / 1000).toFixed(1)} s; ${rejected.toLocaleString('en')} IpmiProtocolError refusals; ` +
    `mutated packets refused by their own decoder: ${((100 * ctx.mutatedRejected) / Math.max(1, ctx.mutated)).toFixed(1)}%`,
);
if (ctx.findingCount > 0) {
  console.error(formatFindings(ctx, seed));
  console.error(`reproduce: node bin/run-ts.mjs test/fuzz/run-fuzz.ts ${packets} ${seed}`);
  process.exit(1);
}
console.log('clean: every decoder returned or threw an IpmiError');
