/**
 * The CPU ceiling: after consolidation, every host that stays on carries at most ceiling x its CPUs
 * of CPU demand (measured, or the vCPUs of a VM with no history), at every wave; and each host kept
 * on says which limit held it: memory, CPU, HA or a rule. Examples, then properties on random pools
 * checked by a replay written from the rule, apart from the planner's code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlannerInputError, firstFitDecreasing, planSleep, type PlannerHost, type PlannerPolicy, type PlannerVm, type SleepPlan } from '../../lib/planner/index.ts';

const GIB = 1024 ** 3;
const EFFORT = Number(process.env.PLANNER_EFFORT ?? 100_000);
const SCALE = Number(process.env.PLANNER_RUNS ?? 250) / 250;
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));

function host(id: string, memGiB: number, cpus: number, extra: Partial<PlannerHost> = {}): PlannerHost {
  return { id, memoryBytes: memGiB * GIB, cpus, state: 'on', isMaster: false, ...extra };
}

function vm(id: string, hostId: string, memGiB: number, vcpus: number, cpuDemand?: number, extra: Partial<PlannerVm> = {}): PlannerVm {
  const v: PlannerVm = { id, hostId, memoryBytes: memGiB * GIB, vcpus, ...extra };
  if (cpuDemand !== undefined) v.cpuDemand = cpuDemand;
  return v;
}

const policy = (extra: Partial<PlannerPolicy> = {}): PlannerPolicy => ({
  haFailuresToTolerate: 0,
  headroomPercent: 0,
  minHostsOn: 1,
  vcpuOvercommit: 4,
  concurrentMigrations: 4,
  ...extra,
});

const keptAs = (plan: SleepPlan, id: string): { reason: string; limit?: string } | undefined => {
  const k = plan.keep.find((x) => x.hostId === id);
  return k && { reason: k.reason, limit: k.limit };
};

describe('the CPU ceiling: examples', () => {
  // Three hosts with room for every VM's memory many times over, 16 CPUs each (12.8 cores at 80 %).
  const hosts = [host('a', 256, 16, { isMaster: true }), host('b', 256, 16), host('c', 256, 16)];

  it('keeps a host on for CPU where memory alone would sleep it', () => {
    const busy = [vm('v1', 'a', 16, 8, 6), vm('v2', 'b', 16, 8, 6), vm('v3', 'c', 16, 8, 6)];
    const plan = planSleep(hosts, busy, policy());
    // 18 cores need two hosts under 12.8 each; 48 GiB would fit on one.
    expect(plan.hostsOn).toBe(2);
    expect(plan.lowerBound).toBe(2);
    expect(plan.keep.filter((k) => k.limit === 'cpu')).toHaveLength(1);
    expect(plan.keep.find((k) => k.limit === 'cpu')?.reason).toBe('needed for CPU');
    expect(keptAs(plan, 'a')).toEqual({ reason: 'pool master', limit: 'rules' });
    // Without measurements the pool is planned as before: by memory and the vCPU overcommit.
    const unmeasured = planSleep(hosts, busy.map(({ cpuDemand: _, ...v }) => v), policy());
    expect(unmeasured.hostsOn).toBe(1);
    // Quieter VMs (4 cores each, 12 in all) fit on the master under the ceiling.
    expect(planSleep(hosts, busy.map((v) => ({ ...v, cpuDemand: 4 })), policy()).hostsOn).toBe(1);
  });

  it('takes the ceiling from the policy, 80 % when it names none', () => {
    const vms = [vm('v1', 'a', 8, 8, 5), vm('v2', 'b', 8, 8, 5), vm('v3', 'c', 8, 8, 5)];
    // 15 cores: one host at 100 % (16), two at 80 % (12.8), three at 40 % (6.4 each: 5 + 5 > 6.4).
    expect(planSleep(hosts, vms, policy({ cpuCeilingPercent: 100 })).hostsOn).toBe(1);
    expect(planSleep(hosts, vms, policy()).hostsOn).toBe(2);
    expect(planSleep(hosts, vms, policy({ cpuCeilingPercent: 40 })).hostsOn).toBe(3);
  });

  it('counts a VM with no history by its vCPUs once the pool has measurements', () => {
    // v3 has no history: 8 cores, so it can join neither the master's 6 nor v2's 5 under 12.8.
    const vms = [vm('v1', 'a', 8, 8, 6), vm('v2', 'b', 8, 8, 5), vm('v3', 'c', 8, 8)];
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep).toEqual(['b']);
    expect(plan.migrations).toEqual([{ vmId: 'v2', from: 'b', to: 'a', memoryBytes: 8 * GIB, wave: 1 }]);
    expect(keptAs(plan, 'c')).toEqual({ reason: 'needed for CPU', limit: 'cpu' });
    // Measured at 1 core, it joins them: 12 cores on the master.
    expect(planSleep(hosts, [...vms.slice(0, 2), { ...vms[2], cpuDemand: 1 }], policy()).hostsOn).toBe(1);
    // A demand above the VM's vCPUs counts as its vCPUs.
    expect(planSleep(hosts, [vm('v1', 'a', 8, 4, 40), vm('v2', 'b', 8, 8, 8)], policy()).hostsOn).toBe(1);
  });

  it('names CPU for a host whose VMs fit elsewhere by the sums but not whole, under the ceiling', () => {
    // 8 + 7 + 7 = 22 cores would fit two hosts (25.6), but no two of these VMs share 12.8.
    const vms = [vm('v1', 'a', 8, 8, 8), vm('v2', 'b', 8, 8, 7), vm('v3', 'c', 8, 8, 7)];
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep).toEqual([]);
    expect(plan.keep.map((k) => k.limit)).toEqual(['rules', 'cpu', 'cpu']);
    expect(plan.why).toBe('of 3 hosts on, 1 must stay on (pool master); 2 are needed for CPU (the VMs need 22.0 cores under the 80 % CPU ceiling)');
  });

  it('keeps an HA spare for CPU: after losing a host, the rest still carry the demand under the ceiling', () => {
    const four = [...hosts, host('d', 256, 16)];
    // 20 cores need two hosts (25.6); with one failure tolerated, three (25.6 after losing one).
    const vms = [vm('v1', 'a', 4, 8, 5), vm('v2', 'b', 4, 8, 5), vm('v3', 'c', 4, 8, 5), vm('v4', 'd', 4, 8, 5)];
    const plan = planSleep(four, vms, policy({ haFailuresToTolerate: 1 }));
    expect(plan.hostsOn).toBe(3);
    expect(plan.keep.map((k) => k.limit).sort()).toEqual(['cpu', 'ha', 'rules']);
    expect(plan.keep.find((k) => k.limit === 'ha')?.reason).toBe('HA spare for CPU');
    const tight = planSleep(hosts, vms.slice(0, 3), policy({ haFailuresToTolerate: 1 }));
    expect(tight.sleep).toEqual([]);
    expect(tight.why).toContain('1 is needed as HA spare for CPU (the VMs need 15.0 cores with 1 host failure(s) tolerated under the 80 % CPU ceiling)');
  });

  it('names the limit of every kind of keep: rules, memory, HA, the vCPU overcommit and anti-affinity', () => {
    const m = [host('m', 128, 32, { isMaster: true }), host('x', 128, 32), host('y', 128, 32), host('n', 128, 32, { neverSleep: true })];
    const ha = planSleep(m, [vm('v1', 'm', 40, 2), vm('v2', 'x', 30, 2), vm('v3', 'y', 20, 2)], policy({ haFailuresToTolerate: 1 }));
    expect(ha.keep).toContainEqual({ hostId: 'n', reason: 'marked never-sleep', limit: 'rules' });
    expect(ha.keep.filter((k) => k.hostId !== 'n').map((k) => k.limit).sort()).toEqual(['rules']);
    const big = planSleep(m.slice(0, 3), [vm('v1', 'm', 100, 2), vm('v2', 'x', 100, 2), vm('v3', 'y', 20, 2)], policy({ haFailuresToTolerate: 1 }));
    expect(big.keep.map((k) => k.limit).sort()).toEqual(['ha', 'memory', 'rules']);
    const minimum = planSleep(m.slice(0, 3), [], policy({ minHostsOn: 2 }));
    expect(minimum.keep.map((k) => [k.reason, k.limit]).sort()).toEqual([
      ['minimum hosts on', 'rules'],
      ['pool master', 'rules'],
    ]);
    const vcpus = planSleep([host('m', 256, 8, { isMaster: true }), host('b', 256, 8)], [vm('v1', 'm', 8, 12), vm('v2', 'b', 8, 8)], policy({ vcpuOvercommit: 2 }));
    expect(keptAs(vcpus, 'b')).toEqual({ reason: 'needed for vCPUs', limit: 'cpu' });
    expect(vcpus.why).toContain('1 is needed for vCPUs (at most 2 per CPU)');
    const anti = planSleep(
      [host('m', 128, 32, { isMaster: true }), host('b', 128, 32)],
      [vm('db-1', 'm', 10, 2, undefined, { antiAffinity: ['db'] }), vm('db-2', 'b', 10, 2, undefined, { antiAffinity: ['db'] })],
      policy(),
    );
    expect(keptAs(anti, 'b')).toEqual({ reason: 'needed for capacity', limit: 'rules' });
  });

  it('the baseline (first-fit decreasing) honours the ceiling too', () => {
    const vms = [vm('v1', 'a', 16, 8, 6), vm('v2', 'b', 16, 8, 6), vm('v3', 'c', 16, 8, 6)];
    const plan = firstFitDecreasing(hosts, vms, policy());
    expect(plan.hostsOn).toBe(2);
    expect(plan.keep.some((k) => k.limit === 'cpu')).toBe(true);
  });

  it('rejects a ceiling or a demand it cannot use', () => {
    const vms = [vm('v1', 'a', 8, 2, 1)];
    for (const bad of [0, -5, 101, Number.NaN]) expect(() => planSleep(hosts, vms, policy({ cpuCeilingPercent: bad }))).toThrow(/cpuCeilingPercent must be a number > 0 and <= 100/);
    expect(() => planSleep(hosts, [vm('v1', 'a', 8, 2, -1)], policy())).toThrow(PlannerInputError);
    expect(() => planSleep(hosts, [vm('v1', 'a', 8, 2, Number.POSITIVE_INFINITY)], policy())).toThrow(/cpuDemand/);
  });
});

interface Pool {
  hosts: PlannerHost[];
  vms: PlannerVm[];
  policy: PlannerPolicy;
}

/**
 * Pools where CPU binds: hosts of 2..32 CPUs with ample memory or not, VMs of 1..8 vCPUs busy from
 * idle to flat out, most measured and some not (a tenth of the pools measure none), ceilings 30..100
 * % or the default, HA 0..2, the usual master, never-sleep, disabled and off hosts, pinned VMs and
 * anti-affinity.
 */
const cpuPoolArb: fc.Arbitrary<Pool> = fc
  .record({
    hosts: fc.array(
      fc.record({
        memGiB: fc.constantFrom(64, 128, 256, 512),
        cpus: fc.integer({ min: 2, max: 32 }),
        state: fc.constantFrom<PlannerHost['state']>('on', 'on', 'on', 'on', 'on', 'on', 'disabled', 'off'),
        neverSleep: fc.integer({ min: 0, max: 14 }).map((x) => x === 0),
      }),
      { minLength: 2, maxLength: 10, size: 'max' },
    ),
    vms: fc.array(
      fc.record({
        memGiB: fc.integer({ min: 1, max: 32 }),
        vcpus: fc.integer({ min: 1, max: 8 }),
        busy: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1)),
        measured: fc.integer({ min: 0, max: 9 }).map((x) => x > 0),
        host: fc.nat(),
        pinned: fc.integer({ min: 0, max: 39 }).map((x) => x === 0),
        anti: fc.integer({ min: 0, max: 5 }).map((x) => (x === 0 ? ['db'] : x === 1 ? ['web'] : [])),
      }),
      { maxLength: 40, size: 'max' },
    ),
    measurePool: fc.integer({ min: 0, max: 9 }).map((x) => x > 0),
    master: fc.nat(),
    policy: fc.record({
      haFailuresToTolerate: fc.integer({ min: 0, max: 2 }),
      headroomPercent: fc.integer({ min: 0, max: 20 }),
      minHostsOn: fc.integer({ min: 0, max: 2 }),
      vcpuOvercommit: fc.integer({ min: 1, max: 4 }),
      concurrentMigrations: fc.integer({ min: 1, max: 4 }),
      cpuCeilingPercent: fc.option(fc.integer({ min: 30, max: 100 }), { nil: undefined }),
    }),
  })
  .map(({ hosts, vms, measurePool, master, policy }) => {
    const planned: PlannerHost[] = hosts.map((h, k) => ({
      id: `h${k}`,
      memoryBytes: h.memGiB * GIB,
      cpus: h.cpus,
      state: h.state,
      isMaster: k === master % hosts.length,
      neverSleep: h.neverSleep,
    }));
    const live = planned.filter((h) => h.state !== 'off');
    const on = live.length > 0 ? live : planned;
    const placed = vms.map((v, k) => {
      const out = vm(`vm-${k}`, on[v.host % on.length].id, v.memGiB, v.vcpus, measurePool && v.measured ? v.vcpus * v.busy : undefined);
      if (v.pinned) out.pinned = 'local storage';
      if (v.anti.length > 0) out.antiAffinity = v.anti;
      return out;
    });
    const p: PlannerPolicy = { ...policy };
    if (p.cpuCeilingPercent === undefined) delete p.cpuCeilingPercent;
    return { hosts: planned, vms: placed, policy: p };
  });

const coresOf = (v: PlannerVm): number => (v.cpuDemand === undefined ? v.vcpus : Math.min(v.cpuDemand, v.vcpus));
const ceilingOf = (h: PlannerHost, p: PlannerPolicy): number => (h.cpus * (p.cpuCeilingPercent ?? 80)) / 100;
const SLACK = 1e-9;

/** Where the ceiling breaks: replayed wave by wave, each target with all of its wave's arrivals and none of its departures. */
function ceilingViolations({ hosts, vms, policy }: Pool, plan: SleepPlan): string[] {
  const out: string[] = [];
  const live = new Set(hosts.filter((h) => h.state !== 'off').map((h) => h.id));
  const measured = vms.some((v) => live.has(v.hostId) && v.cpuDemand !== undefined);
  const host = new Map(hosts.map((h) => [h.id, h]));
  const vmOf = new Map(vms.map((v) => [v.id, v]));
  const where = new Map(vms.map((v) => [v.id, v.hostId]));
  const coresOn = (id: string): number => vms.filter((v) => where.get(v.id) === id).reduce((s, v) => s + coresOf(v), 0);
  const waves = [...new Set(plan.migrations.map((m) => m.wave))].sort((a, b) => a - b);
  for (const w of waves) {
    const wave = plan.migrations.filter((m) => m.wave === w);
    for (const target of new Set(wave.map((m) => m.to))) {
      const arriving = wave.filter((m) => m.to === target).reduce((s, m) => s + coresOf(vmOf.get(m.vmId) as PlannerVm), 0);
      const t = host.get(target) as PlannerHost;
      const load = coresOn(target) + arriving;
      if (measured && load > ceilingOf(t, policy) + SLACK) out.push(`wave ${w}: ${target} would carry ${load.toFixed(3)} cores > ${ceilingOf(t, policy)}`);
    }
    for (const m of wave) where.set(m.vmId, m.to);
  }
  // HA by CPU: losing the n hosts with the highest ceilings, the others hold every running VM's demand.
  if (measured && plan.sleep.length > 0) {
    const asleep = new Set(plan.sleep);
    const caps = hosts.filter((h) => h.state === 'on' && !asleep.has(h.id)).map((h) => ceilingOf(h, policy)).sort((a, b) => b - a);
    const spare = caps.slice(policy.haFailuresToTolerate).reduce((a, b) => a + b, 0);
    const demand = vms.filter((v) => live.has(v.hostId)).reduce((s, v) => s + coresOf(v), 0);
    if (spare < demand - SLACK) out.push(`HA by CPU: ${spare.toFixed(3)} cores after ${policy.haFailuresToTolerate} failure(s) < ${demand.toFixed(3)}`);
  }
  // Every host kept on names one of the four limits; the ones that must stay name a rule.
  for (const k of plan.keep) {
    if (!['memory', 'cpu', 'ha', 'rules'].includes(k.limit ?? '')) out.push(`${k.hostId}: limit ${k.limit}`);
    const h = host.get(k.hostId);
    if ((h?.isMaster || h?.neverSleep) && k.limit !== 'rules') out.push(`${k.hostId}: must stay on, kept for ${k.limit}`);
  }
  return out;
}

describe('the CPU ceiling on random pools', () => {
  it('no plan takes a host over the ceiling, at any wave, and HA holds by CPU as a sum', () => {
    fc.assert(
      fc.property(cpuPoolArb, (pool) => {
        const plan = planSleep(pool.hosts, pool.vms, pool.policy, { effort: EFFORT });
        expect(ceilingViolations(pool, plan)).toEqual([]);
        if (plan.sleep.length > 0) expect(plan.hostsOn).toBeGreaterThanOrEqual(plan.lowerBound);
      }),
      { numRuns: runs(300), seed: 1601 },
    );
  });

  it('the baseline keeps the ceiling too', () => {
    fc.assert(
      fc.property(cpuPoolArb, (pool) => {
        const plan = firstFitDecreasing(pool.hosts, pool.vms, pool.policy);
        fc.pre(!(plan.why ?? '').startsWith('baseline:'));
        expect(ceilingViolations(pool, plan)).toEqual([]);
      }),
      { numRuns: runs(150), seed: 1602 },
    );
  });

  it('without any measured VM, the ceiling changes nothing: the plan is the one of memory and vCPUs alone', () => {
    fc.assert(
      fc.property(cpuPoolArb, fc.integer({ min: 1, max: 100 }), (pool, ceiling) => {
        const vms = pool.vms.map(({ cpuDemand: _, ...v }) => v);
        const plain = planSleep(pool.hosts, vms, { ...pool.policy, cpuCeilingPercent: undefined }, { effort: EFFORT });
        expect(planSleep(pool.hosts, vms, { ...pool.policy, cpuCeilingPercent: ceiling }, { effort: EFFORT })).toEqual(plain);
      }),
      { numRuns: runs(80), seed: 1603 },
    );
  });

  it('idle VMs (a measured demand of 0) are planned exactly as unmeasured ones: the ceiling acts through demand alone', () => {
    fc.assert(
      fc.property(cpuPoolArb, (pool) => {
        const idle = pool.vms.map((v) => ({ ...v, cpuDemand: 0 }));
        const unmeasured = pool.vms.map(({ cpuDemand: _, ...v }) => v);
        expect(planSleep(pool.hosts, idle, pool.policy, { effort: EFFORT })).toEqual(planSleep(pool.hosts, unmeasured, pool.policy, { effort: EFFORT }));
      }),
      { numRuns: runs(80), seed: 1604 },
    );
  });
});
