/**
 * Planner benchmark. Two parts, both side by side with first-fit decreasing (the baseline):
 *
 * 1. Generated pools of 10, 100 and 1,000 hosts, 20 VMs per host (seeded): planner time (median of
 *    several runs; HA is checked as a fit, see lib/planner/ha-fit.ts), hosts kept on against the
 *    lower bound, migrations and migrated memory; whether each plan's final state keeps the HA fit,
 *    and the time of that check alone (what lib/ops pays before one host powers off).
 * 2. The same pools with load: each VM's CPU demand of the night (some with no history, counted by
 *    their vCPUs) under the 80 % ceiling, on 1,000 hosts / 20,000 VMs with the HA fit: time, hosts
 *    kept and how many CPU kept, the busiest host after the plan.
 * 3. The 61 BPPLIB bin-packing instances in ../shared/bench/bpplib: every item on its own host, all
 *    on; hosts used against the proven optimum, and the time of each.
 * 4. Generated bin-packing instances the planner was never tuned on (test/planner/bin-packing-instances.ts:
 *    Falkenauer-style triplets up to 1,002 items, quadruplets, zero-slack and other classes with
 *    proven optima): the mean excess over the optimum, next to BPPLIB's.
 *
 * A benchmark: nothing asserts; it prints tables and exits 0.
 *
 *   node bin/run-ts.mjs bench/planner-bench.ts [--runs 5] [--bpp-runs 3] [--seed 7] [--effort N] [--only pools|load|bpplib|generated]
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_EFFORT,
  bestCaseHostsOn,
  firstFitDecreasing,
  haFitHolds,
  planSleep,
  type PlannerHost,
  type PlannerPolicy,
  type PlannerVm,
  type SleepPlan,
} from '../lib/planner/index.ts';
import { seededRandom, type Random } from '../lib/util/prng.ts';
import { generatedInstances, type BinPackingInstance } from '../test/planner/bin-packing-instances.ts';

const GIB = 1024 ** 3;

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? Number(process.argv[k + 1]) : fallback;
}
const RUNS = option('runs', 5);
const BPP_RUNS = option('bpp-runs', 3);
const SEED = option('seed', 7);
const EFFORT = option('effort', DEFAULT_EFFORT);
const onlyArg = process.argv.indexOf('--only');
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;

function pick<T>(random: Random, choices: ReadonlyArray<readonly [T, number]>): T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let x = random() * total;
  for (const [value, weight] of choices) {
    x -= weight;
    if (x < 0) return value;
  }
  return choices[choices.length - 1][0];
}

interface HostType {
  memGiB: number;
  cpus: number;
}
const MIXED_HOSTS: ReadonlyArray<readonly [HostType, number]> = [
  [{ memGiB: 256, cpus: 48 }, 3],
  [{ memGiB: 384, cpus: 64 }, 4],
  [{ memGiB: 512, cpus: 96 }, 3],
];
const IDENTICAL_HOSTS: ReadonlyArray<readonly [HostType, number]> = [[{ memGiB: 512, cpus: 96 }, 1]];
/** Skewed small: most VMs are a few GiB, a few are large. */
const VM_SIZES_GIB: ReadonlyArray<readonly [number, number]> = [
  [1, 8],
  [2, 16],
  [4, 24],
  [8, 22],
  [16, 15],
  [32, 10],
  [64, 5],
];
const PIN_REASONS = ['local storage', 'PCI device', 'vGPU'] as const;

/**
 * A pool as it looks at night: mixed host sizes, 20 VMs per host spread so that each host is 30-50 %
 * full, a master, a few never-sleep hosts, a few pinned VMs and some anti-affinity pairs.
 */
function generatePool(hostCount: number, seed: number, types = MIXED_HOSTS): { hosts: PlannerHost[]; vms: PlannerVm[] } {
  const random = seededRandom(seed);
  const hosts: PlannerHost[] = [];
  const vms: PlannerVm[] = [];
  const pad = (k: number, width: number): string => String(k).padStart(width, '0');
  for (let h = 0; h < hostCount; h++) {
    const type = pick(random, types);
    const id = `host-${pad(h, 4)}`;
    hosts.push({
      id,
      memoryBytes: type.memGiB * GIB,
      reservedMemoryBytes: 8 * GIB,
      cpus: type.cpus,
      state: 'on',
      isMaster: h === 0,
      neverSleep: random() < 0.01,
      temperatureC: 20 + Math.round(random() * 15),
    });
    // 20 VMs, then scaled so the host is 30-50 % full.
    const sizes = Array.from({ length: 20 }, () => pick(random, VM_SIZES_GIB));
    const target = (0.3 + 0.2 * random()) * type.memGiB;
    const scale = target / sizes.reduce((a, b) => a + b, 0);
    sizes.forEach((size, k) => {
      const memGiB = Math.min(64, Math.max(1, Math.round(size * scale)));
      const vm: PlannerVm = { id: `vm-${pad(h, 4)}-${pad(k, 2)}`, memoryBytes: memGiB * GIB, vcpus: Math.min(16, Math.max(1, Math.round(memGiB / 4))), hostId: id };
      if (random() < 0.003) vm.pinned = PIN_REASONS[Math.floor(random() * PIN_REASONS.length)];
      vms.push(vm);
    });
  }
  // Anti-affinity pairs (e.g. two halves of a cluster), drawn across the pool.
  const pairs = Math.floor(vms.length * 0.025);
  for (let p = 0; p < pairs; p++) {
    const a = vms[Math.floor(random() * vms.length)];
    const b = vms[Math.floor(random() * vms.length)];
    if (a === b || a.hostId === b.hostId) continue;
    const tag = `cluster-${p}`;
    a.antiAffinity = [...(a.antiAffinity ?? []), tag];
    b.antiAffinity = [...(b.antiAffinity ?? []), tag];
  }
  return { hosts, vms };
}

const POOL_POLICY: PlannerPolicy = { haFailuresToTolerate: 1, headroomPercent: 10, minHostsOn: 2, vcpuOvercommit: 4, concurrentMigrations: 8 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median time of `runs` calls, after one untimed warm-up call unless told otherwise. */
function timed<T>(fn: () => T, runs: number, warmUp = true): { result: T; ms: number } {
  const times: number[] = [];
  let result = warmUp ? fn() : (undefined as T);
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
  }
  return { result, ms: median(times) };
}

function table(header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const fmt = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(fmt(r));
}

const gib = (bytes: number): string => (bytes / GIB).toFixed(0);

/** The pool once a plan has run: sleeping hosts off, every VM where its migration took it. */
function afterPlan(hosts: PlannerHost[], vms: PlannerVm[], plan: SleepPlan): { hosts: PlannerHost[]; vms: PlannerVm[] } {
  const where = new Map(vms.map((v) => [v.id, v.hostId]));
  for (const m of plan.migrations) where.set(m.vmId, m.to);
  const asleep = new Set(plan.sleep);
  return {
    hosts: hosts.map((h) => (asleep.has(h.id) ? { ...h, state: 'off' } : h)),
    vms: vms.map((v) => ({ ...v, hostId: where.get(v.id) as string })),
  };
}

/** 'ok', or the failure set of the HA fit in the plan's final state. */
function fitOf(hosts: PlannerHost[], vms: PlannerVm[], plan: SleepPlan): { text: string; ms: number } {
  const after = afterPlan(hosts, vms, plan);
  const { result, ms } = timed(() => haFitHolds(after.hosts, after.vms, POOL_POLICY), Math.min(RUNS, 3));
  return { text: result.ok ? 'ok' : 'FAILS', ms };
}

function pools(): void {
  console.log(`\n## Generated pools (256/384/512 GiB hosts, or all 512; 20 VMs per host, 30-50 % full; HA 1, headroom 10 %,`);
  console.log(`## overcommit 4, minimum 2 on; seed ${SEED}; planner time is the median of ${RUNS} runs)\n`);
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  const cases = [
    { label: '10 mixed hosts', count: 10, types: MIXED_HOSTS },
    { label: '100 mixed hosts', count: 100, types: MIXED_HOSTS },
    { label: '1,000 mixed hosts', count: 1000, types: MIXED_HOSTS },
    { label: '1,000 hosts of 512 GiB', count: 1000, types: IDENTICAL_HOSTS },
  ];
  for (const { label, count, types } of cases) {
    const { hosts, vms } = generatePool(count, SEED + count, types);
    const planner = timed(() => planSleep(hosts, vms, POOL_POLICY, { effort: EFFORT }), RUNS);
    const ffd = timed(() => firstFitDecreasing(hosts, vms, POOL_POLICY), Math.min(RUNS, 3));
    const p: SleepPlan = planner.result;
    const f: SleepPlan = ffd.result;
    const best = bestCaseHostsOn(hosts, vms, POOL_POLICY);
    const pFit = fitOf(hosts, vms, p);
    const fFit = fitOf(hosts, vms, f);
    if (f.why?.startsWith('baseline:')) notes.push(`${label}: FFD ${f.why.slice('baseline: '.length)}`);
    notes.push(
      `${label}: ${planner.ms.toFixed(0)} ms; hosts on ${p.hostsOn} = lower bound ${p.hostsOn <= p.lowerBound + 1 ? '+ ' + (p.hostsOn - p.lowerBound) : `+ ${p.hostsOn - p.lowerBound} (best case + ${p.hostsOn - best})`}; ` +
        `${p.migrations.length} migrations vs FFD ${f.migrations.length} (${((100 * p.migrations.length) / Math.max(1, f.migrations.length)).toFixed(0)} %)`,
    );
    rows.push([
      `${label}, ${vms.length} VMs`,
      planner.ms.toFixed(1),
      p.hostsOn,
      p.lowerBound,
      best,
      p.migrations.length,
      gib(p.migratedBytes),
      pFit.text,
      pFit.ms.toFixed(1),
      f.hostsOn,
      f.migrations.length,
      gib(f.migratedBytes),
      ffd.ms.toFixed(1),
      fFit.text,
    ]);
  }
  table(['pool', 'planner ms', 'hosts on', 'lower bound', 'best case', 'migrations', 'GiB moved', 'HA fit', 'fit ms', 'FFD hosts on', 'FFD migrations', 'FFD GiB', 'FFD ms', 'FFD fit'], rows);
  console.log('');
  for (const note of notes) console.log(note);
  console.log('\nlower bound: ceil(VM memory / largest usable host) + HA spare, at least the minimum hosts on.');
  console.log('best case: the hosts that must stay on (master, never-sleep, pinned VMs) plus the largest others until HA');
  console.log('capacity holds the VMs: no plan can keep fewer on; it exceeds the lower bound when hosts differ in size.');
  console.log('Both count HA as a memory sum, which the fit can exceed by a host or so: whole VMs need whole holes.');
  console.log('HA fit: haFitHolds on the final state (every VM of the worst failed hosts finds room); fit ms: that check alone.');
}

interface Instance {
  name: string;
  capacity: number;
  items: number[];
  optimum: number;
}

/** The night's CPU demand of a VM, in cores: most idle, some busy, a few batch jobs flat out; 3 % with no history. */
function nightDemand(random: Random, vcpus: number): number | undefined {
  const x = random();
  if (x < 0.03) return undefined;
  if (x < 0.6) return vcpus * 0.1 * random();
  if (x < 0.88) return vcpus * (0.1 + 0.4 * random());
  return vcpus * (0.5 + 0.5 * random());
}

/** Demand per host in the plan's final state, as a share of its ceiling's CPUs; the highest. */
function busiest(hosts: PlannerHost[], vms: PlannerVm[], plan: SleepPlan): { percent: number; host: string } {
  const after = afterPlan(hosts, vms, plan);
  const cores = new Map<string, number>();
  for (const v of after.vms) cores.set(v.hostId, (cores.get(v.hostId) ?? 0) + (v.cpuDemand === undefined ? v.vcpus : Math.min(v.cpuDemand, v.vcpus)));
  let top = { percent: 0, host: '' };
  for (const h of after.hosts) {
    if (h.state === 'off') continue;
    const percent = (100 * (cores.get(h.id) ?? 0)) / h.cpus;
    if (percent > top.percent) top = { percent, host: h.id };
  }
  return top;
}

function withLoad(): void {
  console.log(`\n## Pools with load: the generated pools, each VM with its night's CPU demand (57 % under a tenth of its vCPUs,`);
  console.log(`## 28 % a tenth to half, 12 % half to all, 3 % no history: counted by vCPUs); HA 1 as a fit; median of ${RUNS} runs\n`);
  const rows: Array<Array<string | number>> = [];
  const cases = [
    { label: '100 mixed hosts', count: 100, ceiling: 80 },
    { label: '1,000 mixed hosts', count: 1000, ceiling: 80 },
    { label: '1,000 mixed hosts', count: 1000, ceiling: 50 },
  ];
  for (const { label, count, ceiling } of cases) {
    const { hosts, vms: plain } = generatePool(count, SEED + count, MIXED_HOSTS);
    const random = seededRandom(SEED * 31 + count);
    const vms = plain.map((v) => {
      const demand = nightDemand(random, v.vcpus);
      return demand === undefined ? v : { ...v, cpuDemand: demand };
    });
    const policy: PlannerPolicy = { ...POOL_POLICY, cpuCeilingPercent: ceiling };
    const planner = timed(() => planSleep(hosts, vms, policy, { effort: EFFORT }), RUNS);
    const p = planner.result;
    const memoryOnly = planSleep(hosts, plain, POOL_POLICY, { effort: EFFORT });
    const by = (limit: string): number => p.keep.filter((k) => k.limit === limit).length;
    const top = busiest(hosts, vms, p);
    const fit = fitOf(hosts, vms, p);
    rows.push([`${label}, ${vms.length} VMs`, `${ceiling} %`, planner.ms.toFixed(1), p.hostsOn, p.lowerBound, by('cpu'), by('memory'), by('ha'), by('rules'), memoryOnly.hostsOn, p.migrations.length, top.percent.toFixed(1), fit.text]);
  }
  table(['pool', 'ceiling', 'planner ms', 'hosts on', 'lower bound', 'kept: cpu', 'memory', 'ha', 'rules', 'no load: hosts on', 'migrations', 'busiest host %', 'HA fit'], rows);
  console.log('\nkept: the limit each host kept on names (plan.keep[].limit). no load: the same pool planned by memory and vCPUs alone.');
  console.log("busiest host %: the most CPU demand on any host after the plan, in % of its CPUs (at most the ceiling).");
}

const BPP_POLICY: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 0, minHostsOn: 0, vcpuOvercommit: 1, concurrentMigrations: 8 };

/** Each instance as a pool (every item on its own host, all on), planned and set against FFD; the mean excess. */
function binPacking(instances: Instance[], kindOf: (inst: Instance) => string): { excess: number; ffd: number; optimal: string; maxMs: number; maxName: string } {
  const rows: Array<Array<string | number>> = [];
  let plannerExcess = 0;
  let ffdExcess = 0;
  let plannerOptimal = 0;
  let ffdOptimal = 0;
  let maxMs = 0;
  let maxName = '';
  for (const inst of instances) {
    const width = String(inst.items.length).length;
    const hosts: PlannerHost[] = inst.items.map((_, k) => ({ id: `h${String(k).padStart(width, '0')}`, memoryBytes: inst.capacity, cpus: 1, state: 'on', isMaster: false }));
    const vms: PlannerVm[] = inst.items.map((size, k) => ({ id: `v${String(k).padStart(width, '0')}`, memoryBytes: size, vcpus: 0, hostId: hosts[k].id }));
    const { result: plan, ms } = timed(() => planSleep(hosts, vms, BPP_POLICY, { effort: EFFORT }), BPP_RUNS, false);
    const ffd = firstFitDecreasing(hosts, vms, BPP_POLICY);
    plannerExcess += plan.hostsOn - inst.optimum;
    ffdExcess += ffd.hostsOn - inst.optimum;
    if (plan.hostsOn === inst.optimum) plannerOptimal++;
    if (ffd.hostsOn === inst.optimum) ffdOptimal++;
    if (ms > maxMs) {
      maxMs = ms;
      maxName = inst.name;
    }
    const excess = plan.hostsOn - inst.optimum;
    rows.push([inst.name, kindOf(inst), inst.items.length, plan.hostsOn, inst.optimum, excess === 0 ? '' : `+${excess}`, ffd.hostsOn, `+${ffd.hostsOn - inst.optimum}`, ms.toFixed(0)]);
  }
  table(['instance', 'class', 'items', 'hosts used', 'optimum', 'excess', 'FFD hosts', 'FFD excess', 'ms'], rows);
  const n = instances.length;
  console.log(`\nplanner: average excess over the optimum ${(plannerExcess / n).toFixed(3)} hosts, optimal on ${plannerOptimal} of ${n}`);
  console.log(`FFD:     average excess over the optimum ${(ffdExcess / n).toFixed(3)} hosts, optimal on ${ffdOptimal} of ${n}`);
  console.log(`planner max time ${maxMs.toFixed(0)} ms (${maxName})`);
  return { excess: plannerExcess / n, ffd: ffdExcess / n, optimal: `${plannerOptimal} of ${n}`, maxMs, maxName };
}

type Summary = ReturnType<typeof binPacking>;

function bpplib(): Summary | undefined {
  const dir = fileURLToPath(new URL('../../shared/bench/bpplib', import.meta.url));
  if (!existsSync(dir)) {
    console.log(`\n## BPPLIB: skipped (${dir} is not there: it comes with ../shared)`);
    return undefined;
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  console.log(`\n## BPPLIB: ${files.length} instances, every item on its own host, all on (effort ${EFFORT}; time: median of ${BPP_RUNS} runs)\n`);
  const instances = files.map((file) => JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Instance & { source?: string });
  return binPacking(instances, (inst) => inst.name.split('_')[0]);
}

function generated(): Summary {
  const set = generatedInstances();
  console.log(`\n## Generated instances with proven optima (seed 2026): ${set.length} instances, ${Math.min(...set.map((i) => i.items.length))}..${Math.max(...set.map((i) => i.items.length))} items (effort ${EFFORT}; median of ${BPP_RUNS} runs)\n`);
  return binPacking(set, (inst) => (inst as BinPackingInstance).kind);
}

const summaries: Array<[string, Summary | undefined]> = [];
if (!ONLY || ONLY === 'pools') pools();
if (!ONLY || ONLY === 'load') withLoad();
if (!ONLY || ONLY === 'bpplib') summaries.push(['BPPLIB (61 published)', bpplib()]);
if (!ONLY || ONLY === 'generated') summaries.push(['generated (never tuned on)', generated()]);
if (summaries.length > 0) {
  console.log('\n## Bin packing: mean excess over the optimum, side by side\n');
  const rows = summaries.flatMap(([label, s]) => (s ? [[label, s.excess.toFixed(3), s.ffd.toFixed(3), s.optimal, `${s.maxMs.toFixed(0)} (${s.maxName})`]] : []));
  table(['set', 'planner excess', 'FFD excess', 'planner optimal', 'planner max ms'], rows);
}
