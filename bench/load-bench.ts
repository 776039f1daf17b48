/**
 * Metrics ingest benchmark: one poll of 1,000 hosts with 20 VMs each. The answers are
 * rrd_updates JSON as current xapi writes it (generated beforehand, seeded: 32 physical CPUs per
 * host, 2 to 8 vCPUs per VM, one 5-minute bucket of 1-minute rows); the timed part is what a poll
 * does with them: parse every answer, compute host and VM load over the bucket, and write one
 * item per host (its VMs inside) to a DynamoDB-API server (dynalite, in process), 25 items to a
 * BatchWriteItem. From the parsed answer on it is the poll's own path (lib/ops/load-poll.ts): each
 * pool's member reports as readPoolLoad makes them, turned into samples by samplesOfRead, one
 * putLoadSamples per pool, the pools at once as their schedules would run; the HTTP fetch of each
 * answer is not timed here. Goal: <= 2 s, with at most one store write per host. A benchmark:
 * nothing asserts; it prints the figures and exits 0.
 *
 *   node bin/run-ts.mjs bench/load-bench.ts [--hosts 1000] [--vms 20] [--runs 3] [--seed 7]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createStore, LOAD_BUCKET_MS, type LoadSampleInput } from '../lib/store/index.ts';
import { rrdJson, type RrdDocument } from '../lib/sim/xen/rrd-format.ts';
import { seededRandom, type Random } from '../lib/util/prng.ts';
import { loadFromUpdates } from '../lib/xen/load.ts';
import type { MemberLoadReport } from '../lib/xen/pool-load.ts';
import { samplesOfRead } from '../lib/ops/load-poll.ts';
import { parseRrdUpdates } from '../lib/xen/rrd-updates.ts';
import { startDynalite } from '../test/support/dynamo.ts';

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? Number(process.argv[k + 1]) : fallback;
}
const HOSTS = option('hosts', 1000);
const VMS = option('vms', 20);
const RUNS = option('runs', 3);
const SEED = option('seed', 7);
const HOSTS_PER_POOL = 50;
const CPUS = 32;
const GiB = 2 ** 30;
const BUCKET0 = Date.parse('2026-03-10T10:00:00.000Z');

// The answers are generated just before each run: collect their garbage first, so the poll is
// not charged for the generator's.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const uuid = (r: Random): string => {
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
};

interface Answer {
  poolId: string;
  hostId: string;
  json: string;
}

/** One host's answer for the bucket starting at `bucket`: 1-minute rows, newest first, as xapi sends them. */
function answer(r: Random, hostUuid: string, vms: Array<{ uuid: string; vcpus: number; memory: number; agent: boolean }>, bucket: number): string {
  const end = (bucket + LOAD_BUCKET_MS) / 1000;
  const times = Array.from({ length: 5 }, (_, i) => end - i * 60);
  const legend: string[] = [];
  const columns: Array<() => number> = [];
  const add = (name: string, value: () => number): void => {
    legend.push(`AVERAGE:${name}`);
    columns.push(value);
  };
  for (let c = 0; c < CPUS; c++) add(`host:${hostUuid}:cpu${c}`, () => r());
  add(`host:${hostUuid}:cpu_avg`, () => r());
  add(`host:${hostUuid}:memory_total_kib`, () => (512 * GiB) / 1024);
  add(`host:${hostUuid}:memory_free_kib`, () => (200 * GiB * (0.9 + 0.2 * r())) / 1024);
  for (const vm of vms) {
    for (let c = 0; c < vm.vcpus; c++) add(`vm:${vm.uuid}:cpu${c}`, () => (r() < 0.02 ? NaN : r()));
    add(`vm:${vm.uuid}:memory`, () => vm.memory);
    add(`vm:${vm.uuid}:memory_target`, () => vm.memory);
    if (vm.agent) add(`vm:${vm.uuid}:memory_internal_free`, () => (vm.memory * r() * 0.6) / 1024);
  }
  const doc: RrdDocument = { start: times[times.length - 1], step: 60, end, legend, rows: times.map((t) => ({ t, values: columns.map((f) => f()) })) };
  return rrdJson(doc);
}

function generate(bucket: number): Answer[] {
  const r = seededRandom(SEED);
  return Array.from({ length: HOSTS }, (_, h) => {
    const vms = Array.from({ length: VMS }, () => ({ uuid: uuid(r), vcpus: [2, 2, 4, 4, 8][Math.floor(r() * 5)], memory: [4, 8, 16, 32][Math.floor(r() * 4)] * GiB, agent: r() > 0.1 }));
    return { poolId: `pool-${String(Math.floor(h / HOSTS_PER_POOL)).padStart(3, '0')}`, hostId: `host-${String(h).padStart(4, '0')}`, json: answer(r, uuid(r), vms, bucket) };
  });
}

async function main(): Promise<void> {
  const fx = await startDynalite();
  const counts = new Map<string, number>();
  const send = fx.client.send.bind(fx.client);
  // Count every request the store sends: the goal is one write per host, batched.
  fx.client.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
    counts.set(command.constructor.name, (counts.get(command.constructor.name) ?? 0) + 1);
    return (send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
  }) as typeof fx.client.send;
  const store = createStore({ client: fx.client, tableName: fx.tableName, clock: () => new Date(BUCKET0) });
  const lines: string[] = [];
  const totals: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const bucket = BUCKET0 + run * LOAD_BUCKET_MS;
      const answers = generate(bucket);
      const bytes = answers.reduce((s, a) => s + a.json.length, 0);
      counts.clear();
      collectGarbage();
      const t0 = performance.now();
      const parsed = answers.map((a) => parseRrdUpdates(a.json));
      const t1 = performance.now();
      const window = { after: bucket / 1000, upTo: (bucket + LOAD_BUCKET_MS) / 1000 };
      // Each pool's read as readPoolLoad reports it, then the poll's own samples.
      const byPool = new Map<string, MemberLoadReport[]>();
      parsed.forEach((u, i) => {
        const load = loadFromUpdates(u, { window, hostCpus: CPUS });
        const report: MemberLoadReport = { hostId: answers[i].hostId, uuid: load.host?.uuid ?? '', address: '127.0.0.1', vms: load.vms, ms: 0 };
        if (load.host) report.host = load.host;
        byPool.set(answers[i].poolId, [...(byPool.get(answers[i].poolId) ?? []), report]);
      });
      const perPool: Array<[string, LoadSampleInput[]]> = [...byPool].map(([poolId, members]) => [poolId, samplesOfRead(poolId, bucket, { members, failed: [], notLive: [] }).samples]);
      const samples = perPool.flatMap(([, x]) => x);
      const t2 = performance.now();
      await Promise.all(perPool.map(([, x]) => store.putLoadSamples(x)));
      const t3 = performance.now();
      const batches = counts.get('BatchWriteCommand') ?? 0;
      const otherWrites = [...counts].filter(([n]) => n !== 'BatchWriteCommand').reduce((s, [, c]) => s + c, 0);
      const items = samples.length;
      totals.push(t3 - t0);
      lines.push(
        `run ${run + 1}: ${(t3 - t0).toFixed(0)} ms total (parse ${(t1 - t0).toFixed(0)} ms, load ${(t2 - t1).toFixed(0)} ms, store ${(t3 - t2).toFixed(0)} ms); ` +
          `${(bytes / 2 ** 20).toFixed(1)} MiB of JSON; ${items} items in ${batches} BatchWriteItem requests, ${otherWrites} other requests: ${(items / HOSTS).toFixed(2)} item per host`,
      );
      console.log(lines[lines.length - 1]);
    }
    const stored = await store.listPoolLoad('pool-000');
    const one = stored[0];
    console.log(`check: pool-000 holds ${stored.length} host-buckets (${HOSTS_PER_POOL} hosts x ${RUNS} runs); ${one.hostId} at ${one.at}: host CPU ${one.host.cpuPercent} %, ${one.vms.length} VMs inside one item`);
    const sorted = [...totals].sort((a, b) => a - b);
    console.log(`median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, first (cold) ${totals[0].toFixed(0)} ms, best ${sorted[0].toFixed(0)} ms over ${RUNS} runs`);
    console.log(`goal: one poll of ${HOSTS} hosts x ${VMS} VMs in <= 2000 ms with at most one store write per host`);
  } finally {
    await fx.stop();
  }
}

await main();
