/**
 * The planner on bin-packing instances it was never tuned on (bin-packing-instances.ts): first that
 * each generated optimum is proven (a witness packing meets a lower bound), then the planner on the
 * seeded subset of up to 300 items plus the 1,002-item triplets: a valid packing, never below the
 * optimum, and within the excess measured when the third start (minimum bin slack) went in. The
 * time of each is printed as a bench figure, not asserted; `npm run bench` runs the whole set.
 */
import { describe, expect, it } from 'vitest';
import { firstFitDecreasing, planSleep, type PlannerHost, type PlannerPolicy, type PlannerVm, type SleepPlan } from '../../lib/planner/index.ts';
import { generatedInstances, optimumFlaw, type BinPackingInstance } from './bin-packing-instances.ts';

const policy: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 0, minHostsOn: 0, vcpuOvercommit: 1, concurrentMigrations: 8 };

function asPool(inst: BinPackingInstance): { hosts: PlannerHost[]; vms: PlannerVm[] } {
  const width = String(inst.items.length).length;
  const hosts = inst.items.map((_, k): PlannerHost => ({ id: `h${String(k).padStart(width, '0')}`, memoryBytes: inst.capacity, cpus: 1, state: 'on', isMaster: false }));
  const vms = inst.items.map((size, k): PlannerVm => ({ id: `v${String(k).padStart(width, '0')}`, memoryBytes: size, vcpus: 0, hostId: hosts[k].id }));
  return { hosts, vms };
}

/** Replays the plan: the hosts left holding items, each within its capacity, sleepers empty. */
function hostsUsed(inst: BinPackingInstance, plan: SleepPlan): number {
  const { hosts } = asPool(inst);
  const load = new Map(inst.items.map((size, k) => [hosts[k].id, size]));
  for (const m of plan.migrations) {
    load.set(m.from, (load.get(m.from) ?? 0) - m.memoryBytes);
    load.set(m.to, (load.get(m.to) ?? 0) + m.memoryBytes);
  }
  const asleep = new Set(plan.sleep);
  for (const id of asleep) expect(load.get(id), id).toBe(0);
  const used = [...load].filter(([id, bytes]) => bytes > 0 && !asleep.has(id));
  for (const [id, bytes] of used) expect(bytes, id).toBeLessThanOrEqual(inst.capacity);
  return used.length;
}

describe('generated bin-packing instances: the optima are proven', () => {
  const all = generatedInstances();

  it('every instance has a witness packing that meets its lower bound', () => {
    expect(all.length).toBe(28);
    expect(Math.max(...all.map((i) => i.items.length))).toBe(1002);
    for (const inst of all) expect(optimumFlaw(inst), inst.name).toBeUndefined();
  });

  it('each class is what it says: triplets and quadruplets, bins exactly full, total slack under one bin, one large item per bin', () => {
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    for (const inst of all) {
      const C = inst.capacity;
      const bins = inst.witness;
      if (inst.kind === 'triplets' || inst.kind === 'quadruplets') {
        const parts = inst.kind === 'triplets' ? 3 : 4;
        expect(bins.every((b) => b.length === parts && sum(b) === C), inst.name).toBe(true);
        // Strictly between C/(parts + 1) and C/(parts - 1): no bin can hold one item more or one fewer.
        expect(inst.items.every((x) => x * (parts + 1) > C && x * (parts - 1) < C), inst.name).toBe(true);
      }
      if (inst.kind === 'zero slack') expect(bins.every((b) => sum(b) === C), inst.name).toBe(true);
      if (inst.kind === 'slack') {
        expect(sum(inst.items), inst.name).toBeGreaterThan((inst.optimum - 1) * C);
        expect(sum(inst.items), inst.name).toBeLessThan(inst.optimum * C);
      }
      if (inst.kind === 'big + small') {
        expect(bins.every((b) => b.filter((x) => 2 * x > C).length === 1), inst.name).toBe(true);
        // From 100 bins on, the sum alone would not prove the optimum: the large items do.
        if (inst.optimum >= 100) expect(Math.ceil(sum(inst.items) / C), inst.name).toBeLessThan(inst.optimum);
      }
    }
  });

  it('the same seed gives the same set, another seed another one', () => {
    const again = generatedInstances();
    expect(again.map((i) => i.items)).toEqual(all.map((i) => i.items));
    expect(generatedInstances(7)[0].items).not.toEqual(all[0].items);
  });

  it('the proof check catches a wrong optimum, a witness that loses an item and one over capacity', () => {
    const inst = all.find((i) => i.kind === 'triplets') as BinPackingInstance;
    expect(optimumFlaw({ ...inst, optimum: inst.optimum - 1 })).toMatch(/witness uses/);
    const short = inst.witness.map((b, k) => (k === 0 ? b.slice(1) : b));
    expect(optimumFlaw({ ...inst, witness: short })).toMatch(/not pack exactly/);
    const over = inst.witness.map((b, k) => (k === 0 ? [...b, 1] : b));
    expect(optimumFlaw({ ...inst, items: [...inst.items, 1], witness: over })).toMatch(/over capacity/);
    const slack = all.find((i) => i.kind === 'big + small' && i.optimum === 250) as BinPackingInstance;
    expect(optimumFlaw({ ...slack, kind: 'slack' })).toMatch(/lower bound/);
  });
});

describe('the planner on generated instances', () => {
  const subset = generatedInstances(2026, true);
  const t1002 = generatedInstances().find((i) => i.items.length === 1002) as BinPackingInstance;
  const results = new Map<string, { used: number; ffd: number; ms: number }>();
  const solve = (inst: BinPackingInstance): { used: number; ffd: number; ms: number } => {
    const { hosts, vms } = asPool(inst);
    const t0 = performance.now();
    const plan = planSleep(hosts, vms, policy);
    const ms = performance.now() - t0;
    const used = hostsUsed(inst, plan);
    expect(used).toBe(plan.hostsOn);
    const r = { used, ffd: firstFitDecreasing(hosts, vms, policy).hostsOn, ms };
    results.set(inst.name, r);
    return r;
  };

  it.each(subset.map((inst) => [inst.name, inst] as const))('%s: a valid packing, not below the optimum, at most one host above it', (_, inst) => {
    const { used } = solve(inst);
    expect(used).toBeGreaterThanOrEqual(inst.optimum);
    expect(used).toBeLessThanOrEqual(inst.optimum + 1);
  });

  it('over the subset: at most the excess measured (4 hosts over 12 instances), against FFD\'s 35', () => {
    expect(subset.length).toBe(12);
    const excess = subset.reduce((s, inst) => s + (results.get(inst.name) ?? solve(inst)).used - inst.optimum, 0);
    const ffd = subset.reduce((s, inst) => s + (results.get(inst.name) ?? solve(inst)).ffd - inst.optimum, 0);
    expect(excess).toBeLessThanOrEqual(4);
    expect(ffd).toBe(35);
    const times = subset.map((inst) => `${inst.name} ${(results.get(inst.name)?.ms ?? 0).toFixed(0)} ms`);
    console.log(`generated subset: ${excess} host(s) over the optima in all (FFD ${ffd}); planner time per instance: ${times.join(', ')}`);
  });

  it('t1002 (334 bins of three): the optimum, or one host more, where FFD keeps 40 more', () => {
    const { used, ffd, ms } = solve(t1002);
    expect(used).toBeGreaterThanOrEqual(t1002.optimum);
    expect(used).toBeLessThanOrEqual(t1002.optimum + 1);
    expect(ffd).toBeGreaterThanOrEqual(t1002.optimum + 40);
    console.log(`${t1002.name}: ${used} hosts for an optimum of ${t1002.optimum} (FFD ${ffd}) in ${ms.toFixed(0)} ms`);
  });
});
