/** planSleep on small hand-made pools: who stays on and why, where VMs go, in which waves. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PlannerInputError, firstFitDecreasing, planSleep, type PlannerHost, type PlannerPolicy, type PlannerVm } from '../../lib/planner/index.ts';

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
    expect(plan.keep).toEqual([{ hostId: 'b', reason: 'pool master' }]);
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
    expect(plan.why).toMatch(/^nothing can sleep: /);
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

describe('planSleep on published bin-packing instances', () => {
  const dir = fileURLToPath(new URL('../../../shared/bench/bpplib', import.meta.url));
  const load = (name: string): { hosts: PlannerHost[]; vms: PlannerVm[]; optimum: number } => {
    const inst = JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8')) as { capacity: number; items: number[]; optimum: number };
    const hosts = inst.items.map((_, k) => ({ id: `h${String(k).padStart(3, '0')}`, memoryBytes: inst.capacity, cpus: 1, state: 'on' as const, isMaster: false }));
    const vms = inst.items.map((size, k) => ({ id: `v${k}`, memoryBytes: size, vcpus: 0, hostId: hosts[k].id }));
    return { hosts, vms, optimum: inst.optimum };
  };
  const zero = policy({ minHostsOn: 0 });

  it.skipIf(!existsSync(dir)).each(['t60_00', 'u120_00', 'scholl3_HARD0'])('reaches the proven optimum on %s, where FFD does not', (name) => {
    const { hosts, vms, optimum } = load(name);
    expect(firstFitDecreasing(hosts, vms, zero).hostsOn).toBeGreaterThan(optimum);
    expect(planSleep(hosts, vms, zero).hostsOn).toBe(optimum);
  });
});
