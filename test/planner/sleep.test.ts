/** planSleep on small hand-made pools: who stays on and why, where VMs go, in which waves. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlannerInputError, firstFitDecreasing, planSleep, type PlannerHost, type PlannerPolicy, type PlannerVm, type SleepPlan } from '../../lib/planner/index.ts';
import { seededRandom } from '../../lib/util/prng.ts';

const GIB = 1024 ** 3;

function host(id: string, memGiB: number, extra: Partial<PlannerHost> = {}): PlannerHost {
  return { id, memoryBytes: memGiB * GIB, cpus: 32, state: 'on', isMaster: false, ...extra };
}

function vm(id: string, hostId: string, memGiB: number, extra: Partial<PlannerVm> = {}): PlannerVm {
  return { id, hostId, memoryBytes: memGiB * GIB, vcpus: 2, ...extra };
}

const policy = (extra: Partial<PlannerPolicy> = {}): PlannerPolicy => ({
  haFailuresToTolerate: 0,
  headroomPercent: 0,
  minHostsOn: 1,
  vcpuOvercommit: 4,
  concurrentMigrations: 4,
  ...extra,
});

const reasonOf = (plan: { keep: Array<{ hostId: string; reason: string }> }, id: string): string | undefined =>
  plan.keep.find((k) => k.hostId === id)?.reason;

describe('planSleep: who stays on', () => {
  it('keeps the master and sleeps the hosts it can empty into it', () => {
    const hosts = [host('a', 128), host('b', 128, { isMaster: true }), host('c', 128)];
    const vms = [vm('vm-1', 'a', 16), vm('vm-2', 'b', 16), vm('vm-3', 'c', 16)];
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep.sort()).toEqual(['a', 'c']);
    expect(plan.keep).toEqual([{ hostId: 'b', reason: 'pool master', limit: 'rules' }]);
    expect(plan.migrations.map((m) => [m.vmId, m.from, m.to])).toEqual(
      expect.arrayContaining([
        ['vm-1', 'a', 'b'],
        ['vm-3', 'c', 'b'],
      ]),
    );
    expect(plan.hostsOn).toBe(1);
    expect(plan.migratedBytes).toBe(32 * GIB);
    expect(plan.why).toBeUndefined();
  });

  it('keeps the host of a pinned VM, says which VM and why, and never moves that VM', () => {
    const hosts = [host('a', 128, { isMaster: true }), host('b', 128), host('c', 128)];
    const vms = [vm('vm-1', 'a', 8), vm('vm-7', 'b', 8, { pinned: 'local storage' }), vm('vm-8', 'b', 8), vm('vm-9', 'c', 8)];
    const plan = planSleep(hosts, vms, policy());
    expect(reasonOf(plan, 'b')).toBe('VM vm-7 is pinned: local storage');
    expect(plan.sleep).toEqual(['c']);
    expect(plan.migrations.map((m) => m.vmId)).toEqual(['vm-9']);
  });

  it('keeps a host marked never-sleep even when it is empty', () => {
    const hosts = [host('a', 128, { isMaster: true }), host('b', 128, { neverSleep: true }), host('c', 128)];
    const plan = planSleep(hosts, [vm('vm-1', 'a', 8)], policy());
    expect(reasonOf(plan, 'b')).toBe('marked never-sleep');
    expect(plan.sleep).toEqual(['c']);
  });

  it('keeps an HA spare: the hosts left on hold every VM after losing the largest', () => {
    // 100 GiB of VMs fit in one 128 GiB host, but HA 1 needs a second host on.
    const hosts = [host('m', 128, { isMaster: true }), host('x', 128), host('y', 128), host('z', 128)];
    const vms = [vm('v1', 'm', 40), vm('v2', 'x', 30), vm('v3', 'y', 20), vm('v4', 'z', 10)];
    const plan = planSleep(hosts, vms, policy({ haFailuresToTolerate: 1 }));
    expect(plan.hostsOn).toBe(2);
    expect(plan.lowerBound).toBe(2);
    const reasons = plan.keep.map((k) => k.reason).sort();
    expect(reasons).toEqual(['HA spare', 'pool master']);
    // The fuller spare stays, so less memory moves.
    expect(plan.keep.map((k) => k.hostId).sort()).toEqual(['m', 'x']);
    expect(plan.migratedBytes).toBe(30 * GIB);
  });

  it('applies headroom and reserved memory to what a host can take', () => {
    const hosts = [host('m', 100, { isMaster: true, reservedMemoryBytes: 10 * GIB }), host('b', 100)];
    const vms = [vm('v1', 'm', 40), vm('v2', 'b', 40)];
    // (100 - 10) * 0.9 = 81 GiB usable: 80 GiB fits.
    expect(planSleep(hosts, vms, policy({ headroomPercent: 10 })).sleep).toEqual(['b']);
    // (100 - 10) * 0.8 = 72 GiB usable: it does not.
    const tight = planSleep(hosts, vms, policy({ headroomPercent: 20 }));
    expect(tight.sleep).toEqual([]);
    expect(reasonOf(tight, 'b')).toBe('needed for capacity');
  });

  it('respects the vCPU overcommit limit', () => {
    const hosts = [host('m', 256, { isMaster: true, cpus: 8 }), host('b', 256, { cpus: 8 })];
    const vms = [vm('v1', 'm', 8, { vcpus: 12 }), vm('v2', 'b', 8, { vcpus: 8 })];
    expect(planSleep(hosts, vms, policy({ vcpuOvercommit: 3 })).sleep).toEqual(['b']); // 20 <= 24
    expect(planSleep(hosts, vms, policy({ vcpuOvercommit: 2 })).sleep).toEqual([]); // 20 > 16
  });

  it('keeps the minimum of hosts on', () => {
    const hosts = [host('a', 128, { isMaster: true }), host('b', 128), host('c', 128)];
    const plan = planSleep(hosts, [vm('v', 'b', 4)], policy({ minHostsOn: 2 }));
    expect(plan.hostsOn).toBe(2);
    expect(plan.keep.map((k) => k.reason).sort()).toEqual(['minimum hosts on', 'pool master']);
    // The host with a VM stays, so nothing moves.
    expect(plan.sleep).toEqual(['c']);
    expect(plan.migrations).toEqual([]);
  });

  it('explains why when nothing can sleep', () => {
    // 40 GiB fit on the master alone, but then nothing would be left if it failed.
    const hosts = [host('a', 64, { isMaster: true }), host('b', 64)];
    const vms = [vm('v1', 'a', 20), vm('v2', 'b', 20)];
    const plan = planSleep(hosts, vms, policy({ haFailuresToTolerate: 1 }));
    expect(plan.sleep).toEqual([]);
    expect(plan.migrations).toEqual([]);
    // The reason alone: each reader says "nothing can sleep" before it, once.
    expect(plan.why).toMatch(/^of 2 hosts on, /);
    expect(plan.why).not.toMatch(/nothing can sleep/i);
    expect(plan.why).toContain('pool master');
    expect(plan.why).toContain('HA spare');
    expect(reasonOf(plan, 'b')).toBe('HA spare');
  });

  it('says so when no host is on', () => {
    const plan = planSleep([host('a', 64, { state: 'off', isMaster: true })], [], policy());
    expect(plan).toMatchObject({ sleep: [], keep: [], hostsOn: 0, why: 'no host is on and enabled' });
  });
});

describe('planSleep: constraints on where VMs go', () => {
  it('never lands a VM beside another that shares an anti-affinity tag', () => {
    // The master has room for both, but db-2 may not join db-1: it goes to the other host.
    const hosts = [host('m', 128, { isMaster: true }), host('b', 128), host('c', 128)];
    const vms = [vm('db-1', 'm', 10, { antiAffinity: ['db'] }), vm('db-2', 'c', 10, { antiAffinity: ['db'] }), vm('w', 'b', 60)];
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep).toEqual(['c']);
    expect(plan.migrations).toEqual([{ vmId: 'db-2', from: 'c', to: 'b', memoryBytes: 10 * GIB, wave: 1 }]);
  });

  it('keeps a host on rather than break anti-affinity', () => {
    const hosts = [host('m', 128, { isMaster: true }), host('b', 128)];
    const vms = [vm('db-1', 'm', 10, { antiAffinity: ['db', 'x'] }), vm('db-2', 'b', 10, { antiAffinity: ['db'] })];
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep).toEqual([]);
    expect(reasonOf(plan, 'b')).toBe('needed for capacity');
  });

  it('prefers a host that holds VMs of the same affinity group', () => {
    const hosts = [host('m', 256, { isMaster: true }), host('b', 256), host('c', 256, { neverSleep: true })];
    const vms = [vm('app-1', 'c', 8, { affinity: ['app'] }), vm('app-2', 'b', 8, { affinity: ['app'] }), vm('other', 'm', 100)];
    const plan = planSleep(hosts, vms, policy());
    expect(plan.migrations.map((m) => [m.vmId, m.to])).toEqual([['app-2', 'c']]);
  });

  it('moves only VMs of sleeping hosts, in waves of at most concurrentMigrations', () => {
    const hosts = [host('m', 256, { isMaster: true }), host('b', 256), host('c', 256)];
    const vms = [
      vm('m1', 'm', 10),
      ...Array.from({ length: 5 }, (_, k) => vm(`b${k}`, 'b', 4)),
      ...Array.from({ length: 3 }, (_, k) => vm(`c${k}`, 'c', 2)),
    ];
    const plan = planSleep(hosts, vms, policy({ concurrentMigrations: 3 }));
    expect(plan.sleep).toEqual(['c', 'b']); // the host that empties first sleeps first
    expect(plan.migrations.map((m) => m.wave)).toEqual([1, 1, 1, 2, 2, 2, 3, 3]);
    expect(plan.migrations.every((m) => m.to === 'm')).toBe(true);
    expect(plan.migrations.slice(0, 3).map((m) => m.from)).toEqual(['c', 'c', 'c']);
  });

  it('counts VMs on disabled hosts in the demand but never sends VMs there', () => {
    const hosts = [host('m', 128, { isMaster: true }), host('d', 128, { state: 'disabled' }), host('b', 128), host('off', 512, { state: 'off' })];
    const vms = [vm('v1', 'm', 50), vm('v2', 'b', 50), vm('v3', 'd', 60)];
    // 160 GiB running: the master alone (128) cannot be all that is left on; with HA 0 the VMs of
    // b fit on m, but HA capacity must cover v3 too, so b stays.
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep).toEqual([]);
    expect(plan.keep.map((k) => k.hostId).sort()).toEqual(['b', 'm']);
    // Without v3 in the picture, b sleeps.
    expect(planSleep(hosts, vms.slice(0, 2), policy()).sleep).toEqual(['b']);
  });
});

describe('planSleep: the search', () => {
  it('finds the optimum where first-fit decreasing does not', () => {
    // Capacity 10: 5,4,4,3,2,2 packs into two hosts ({5,3,2}, {4,4,2}); FFD needs three.
    const sizes = [5, 4, 4, 3, 2, 2];
    const hosts = sizes.map((_, k) => host(`h${k}`, 10));
    const vms = sizes.map((s, k) => vm(`v${k}`, `h${k}`, s));
    const zero = policy({ minHostsOn: 0 });
    expect(firstFitDecreasing(hosts, vms, zero).hostsOn).toBe(3);
    const plan = planSleep(hosts, vms, zero);
    expect(plan.hostsOn).toBe(2);
    expect(plan.lowerBound).toBe(2);
    expect(plan.migrations).toHaveLength(4);
  });

  it('gives the same plan for the same seed, whatever the input order', () => {
    const sizes = [33, 29, 27, 25, 24, 22, 19, 17, 16, 12, 11, 9, 8, 6, 5, 3];
    const hosts = sizes.map((_, k) => host(`h${String(k).padStart(2, '0')}`, 50));
    const vms = sizes.map((s, k) => vm(`v${k}`, hosts[k].id, s));
    const a = planSleep(hosts, vms, policy(), { seed: 3 });
    expect(planSleep([...hosts].reverse(), [...vms].reverse(), policy(), { seed: 3 })).toEqual(a);
  });

  it('rejects inputs it cannot reason about', () => {
    expect(() => planSleep([host('a', 8), host('a', 8)], [], policy())).toThrow(PlannerInputError);
    expect(() => planSleep([host('a', 8)], [vm('v', 'a', -1)], policy())).toThrow(/memoryBytes/);
    expect(() => planSleep([host('a', 8)], [], policy({ headroomPercent: Number.NaN }))).toThrow(/headroomPercent/);
  });
});

/** A bin-packing instance read as a pool: hosts are bins of `capacity`, VMs are items. */
interface BinPacking {
  name: string;
  capacity: number;
  items: number[];
  optimum: number;
  /** generated instances only: how they were built */
  kind?: 'exact fill' | 'slack fill' | 'triplets';
}

/**
 * Instances with known optima for a clone without ../shared/bench/bpplib, built from their packing:
 * the items of each of `bins` bins are cut from that bin's fill, then all are shuffled. The fills
 * leave less than one capacity free in total, so the items need `bins` bins (their sum exceeds
 * (bins - 1) x capacity) and the construction shows `bins` suffice: the optimum is `bins`.
 *   - exact fills: every bin full to the unit (no slack at all: the hardest kind);
 *   - slack fills: bins short of full by shares of 30% of one capacity (like BPPLIB's u class);
 *   - Falkenauer-style triplets (his class t): three items strictly between C/4 and C/2 per bin.
 * Seeded: the same set on every run.
 */
function generatedBinPackings(): BinPacking[] {
  const rand = seededRandom(2024);
  const between = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const shuffled = (items: number[]): number[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  /** `capacity` cut at `parts - 1` distinct points: positive sizes that sum to it. */
  const fill = (capacity: number, parts: number): number[] => {
    const cuts = new Set<number>();
    while (cuts.size < parts - 1) cuts.add(between(1, capacity - 1));
    const edges = [0, ...[...cuts].sort((a, b) => a - b), capacity];
    return edges.slice(1).map((edge, k) => edge - edges[k]);
  };
  /** Falkenauer's triplets (class t): three items strictly between C/4 and C/2 fill each bin exactly. */
  const triplet = (): number[] => {
    const a = between(380, 490);
    const b = between(Math.max(251, 1000 - a - 499), Math.floor((1000 - a) / 2));
    return [a, b, 1000 - a - b];
  };
  const set: BinPacking[] = [];
  for (const bins of [20, 20, 20, 40, 40, 83]) {
    const items = shuffled(Array.from({ length: bins }, triplet).flat());
    set.push({ name: `triplets t${bins * 3} #${set.length}`, capacity: 1000, items, optimum: bins, kind: 'triplets' });
  }
  // [capacity, bins, fewest items per bin, most items per bin]: small and large capacities, bins of
  // one big item up to bins of many small ones.
  const shapes: Array<[number, number, number, number]> = [
    [100, 10, 2, 4],
    [150, 25, 2, 5],
    [120, 60, 1, 4],
    [500, 35, 2, 4],
    [1000, 15, 4, 9],
    [1000, 30, 2, 6],
    [1000, 50, 3, 8],
    [10000, 40, 2, 3],
  ];
  for (const [capacity, bins, fewest, most] of shapes) {
    for (let copy = 0; copy < 2; copy++) {
      const items = shuffled(Array.from({ length: bins }, () => fill(capacity, between(fewest, most))).flat());
      set.push({ name: `exact fill C=${capacity} ${bins} bins #${set.length}`, capacity, items, optimum: bins, kind: 'exact fill' });
    }
    // The same shape with slack: bin k is left weight_k / sum(weights) of 30% of a capacity short.
    const weights = Array.from({ length: bins }, () => rand());
    const total = weights.reduce((a, b) => a + b, 0);
    const slack = weights.map((w) => Math.floor((0.3 * capacity * w) / total));
    const items = shuffled(slack.flatMap((free) => fill(capacity - free, Math.min(capacity - free, between(fewest, most)))));
    set.push({ name: `slack fill C=${capacity} ${bins} bins #${set.length}`, capacity, items, optimum: bins, kind: 'slack fill' });
  }
  return set;
}

describe('planSleep on bin-packing instances with known optima', () => {
  const dir = fileURLToPath(new URL('../../../shared/bench/bpplib', import.meta.url));
  const published = existsSync(dir);
  // Generated instances with known optima run in every checkout; the published ones where they are.
  const generated = generatedBinPackings();
  const asPool = (inst: BinPacking): { hosts: PlannerHost[]; vms: PlannerVm[]; optimum: number } => {
    const hosts = inst.items.map((_, k) => ({ id: `h${String(k).padStart(3, '0')}`, memoryBytes: inst.capacity, cpus: 1, state: 'on' as const, isMaster: false }));
    const vms = inst.items.map((size, k) => ({ id: `v${k}`, memoryBytes: size, vcpus: 0, hostId: hosts[k].id }));
    return { hosts, vms, optimum: inst.optimum };
  };
  const load = (name: string): { hosts: PlannerHost[]; vms: PlannerVm[]; optimum: number } =>
    asPool(JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8')) as BinPacking);
  const zero = policy({ minHostsOn: 0 });

  beforeAll(() => {
    console.log(
      published
        ? `bin packing: the published BPPLIB instances in ${dir}, and ${generated.length} generated instances with known optima`
        : `bin packing: ${dir} is missing, so the planner ran on ${generated.length} generated instances with known optima only (exact fills, slack fills, Falkenauer-style triplets)`,
    );
  });

  it.runIf(published).each(['t60_00', 'u120_00', 'scholl3_HARD0'])('reaches the proven optimum on %s, where FFD does not', (name) => {
    const { hosts, vms, optimum } = load(name);
    expect(firstFitDecreasing(hosts, vms, zero).hostsOn).toBeGreaterThan(optimum);
    expect(planSleep(hosts, vms, zero).hostsOn).toBe(optimum);
  });

  describe('generated instances (exact fills, slack fills, Falkenauer-style triplets)', () => {
    const set = generated;
    const results = new Map<string, { plan: SleepPlan; ffd: number }>();
    const solve = (inst: BinPacking): { plan: SleepPlan; ffd: number } => {
      let r = results.get(inst.name);
      if (!r) {
        const { hosts, vms } = asPool(inst);
        r = { plan: planSleep(hosts, vms, zero), ffd: firstFitDecreasing(hosts, vms, zero).hostsOn };
        results.set(inst.name, r);
      }
      return r;
    };

    it('the generated optima hold: no fewer bins can take the items (their sum exceeds one bin less)', () => {
      expect(set.length).toBeGreaterThanOrEqual(24);
      for (const inst of set) {
        const sum = inst.items.reduce((a, b) => a + b, 0);
        expect(sum, inst.name).toBeGreaterThan((inst.optimum - 1) * inst.capacity);
        expect(sum, inst.name).toBeLessThanOrEqual(inst.optimum * inst.capacity);
        if (inst.kind !== 'slack fill') expect(sum, inst.name).toBe(inst.optimum * inst.capacity);
        expect(Math.min(...inst.items), inst.name).toBeGreaterThan(0);
        if (inst.kind === 'triplets') {
          expect(inst.items.every((x) => x > inst.capacity / 4 && x < inst.capacity / 2), inst.name).toBe(true);
        }
      }
    });

    it.each(set.map((inst) => [inst.name, inst] as const))('%s: a valid packing, not below the optimum, not above FFD nor the optimum + 1', (_, inst) => {
      const { plan, ffd } = solve(inst);
      // Replay the plan: every host that stays on holds no more than its capacity, sleepers end empty.
      const { hosts } = asPool(inst);
      const load = new Map<string, number>(inst.items.map((size, k) => [hosts[k].id, size]));
      for (const m of plan.migrations) {
        load.set(m.from, (load.get(m.from) ?? 0) - m.memoryBytes);
        load.set(m.to, (load.get(m.to) ?? 0) + m.memoryBytes);
      }
      for (const id of plan.sleep) expect(load.get(id), id).toBe(0);
      const used = [...load].filter(([id, bytes]) => bytes > 0 && !plan.sleep.includes(id));
      for (const [id, bytes] of used) expect(bytes, id).toBeLessThanOrEqual(inst.capacity);
      expect(used.length).toBe(plan.hostsOn);
      expect(plan.hostsOn).toBeGreaterThanOrEqual(inst.optimum);
      expect(plan.hostsOn).toBeLessThanOrEqual(Math.min(ffd, inst.optimum + 1));
    });

    const triplets = set.filter((inst) => inst.kind === 'triplets').map((inst) => [inst.name, inst] as const);
    it.each(triplets)('%s: FFD misses the optimum and the planner does better', (_, inst) => {
      const { plan, ffd } = solve(inst);
      expect(ffd).toBeGreaterThan(inst.optimum);
      expect(plan.hostsOn).toBeLessThan(ffd);
    });

    it.each(triplets.filter(([, inst]) => inst.items.length === 60))('%s: reaches the optimum, as on t60_00', (_, inst) => {
      expect(solve(inst).plan.hostsOn).toBe(inst.optimum);
    });

    it('over the whole set: optimal on at least half, mean excess under half a host and under a third of FFD\'s', () => {
      const excess = set.map((inst) => solve(inst).plan.hostsOn - inst.optimum);
      const ffdExcess = set.map((inst) => solve(inst).ffd - inst.optimum);
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(excess.filter((e) => e === 0).length).toBeGreaterThanOrEqual(set.length / 2);
      expect(mean(excess)).toBeLessThan(0.5);
      expect(mean(excess)).toBeLessThan(mean(ffdExcess) / 3);
    }, 30_000);
  });
});
