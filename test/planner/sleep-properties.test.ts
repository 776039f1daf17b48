/**
 * Property tests of planSleep (rules 1-7 of the planner's brief) on random pools: mixed host sizes,
 * a master, never-sleep hosts, disabled and off hosts, pinned VMs, anti-affinity and affinity tags,
 * HA 0..2, headroom 0..30 %, overcommit 1..4. The checker below is written from the rules, apart
 * from the planner's code: it replays the migrations wave by wave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canLeavePool, firstFitDecreasing, haFitHolds, planSleep, usableMemory, type PlannerHost, type PlannerPolicy, type PlannerVm, type SleepPlan } from '../../lib/planner/index.ts';

const GIB = 1024 ** 3;
/** Small search effort: the rules must hold whatever the budget; it keeps the runs fast. */
const EFFORT = Number(process.env.PLANNER_EFFORT ?? 100_000);
/** PLANNER_RUNS=5000 PLANNER_SEED=n PLANNER_EFFORT=e npx vitest run test/planner digs deeper; the defaults stay fast. */
const SCALE = Number(process.env.PLANNER_RUNS ?? 250) / 250;
const SEED = process.env.PLANNER_SEED === undefined ? undefined : Number(process.env.PLANNER_SEED);
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
const seed = (s: number): number => SEED ?? s;

interface Pool {
  hosts: PlannerHost[];
  vms: PlannerVm[];
  policy: PlannerPolicy;
}

const hostArb = fc.record({
  memGiB: fc.constantFrom(32, 64, 128, 192, 256, 512),
  reservedGiB: fc.integer({ min: 0, max: 8 }),
  cpus: fc.integer({ min: 2, max: 32 }),
  state: fc.constantFrom<PlannerHost['state']>('on', 'on', 'on', 'on', 'on', 'on', 'disabled', 'off'),
  neverSleep: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
});

const vmArb = fc.record({
  memGiB: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 8 }), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 64 }), weight: 1 }),
  vcpus: fc.integer({ min: 1, max: 8 }),
  host: fc.nat(),
  pinned: fc.integer({ min: 0, max: 29 }).map((x) => (x === 0 ? 'local storage' : x === 1 ? 'PCI device' : undefined)),
  anti: fc.oneof({ arbitrary: fc.constant<string[]>([]), weight: 2 }, { arbitrary: fc.subarray(['db', 'web', 'dns'], { minLength: 1, maxLength: 2 }), weight: 1 }),
  aff: fc.subarray(['app', 'cache'], { maxLength: 1 }),
});

const policyArb = fc.record({
  haFailuresToTolerate: fc.integer({ min: 0, max: 2 }),
  headroomPercent: fc.integer({ min: 0, max: 30 }),
  minHostsOn: fc.integer({ min: 0, max: 3 }),
  vcpuOvercommit: fc.integer({ min: 1, max: 4 }),
  concurrentMigrations: fc.integer({ min: 1, max: 4 }),
});

const poolArb: fc.Arbitrary<Pool> = fc
  .record({
    hosts: fc.array(hostArb, { minLength: 2, maxLength: 10, size: 'max' }),
    vms: fc.array(vmArb, { maxLength: 40, size: 'max' }),
    policy: policyArb,
    master: fc.nat(),
  })
  .map(({ hosts, vms, policy, master }) => {
    const planned: PlannerHost[] = hosts.map((h, k) => ({
      id: `h${k}`,
      memoryBytes: h.memGiB * GIB,
      reservedMemoryBytes: h.reservedGiB * GIB,
      cpus: h.cpus,
      state: h.state,
      isMaster: k === master % hosts.length,
      neverSleep: h.neverSleep,
    }));
    // VMs run on hosts that are on (enabled or disabled); a rare one points at an off host.
    const running = planned.filter((h) => h.state !== 'off');
    const all = running.length > 0 ? running : planned;
    const placed: PlannerVm[] = vms.map((v, k) => {
      const vm: PlannerVm = { id: `vm-${k}`, memoryBytes: v.memGiB * GIB, vcpus: v.vcpus, hostId: all[v.host % all.length].id };
      if (v.pinned) vm.pinned = v.pinned;
      if (v.anti.length > 0) vm.antiAffinity = v.anti;
      if (v.aff.length > 0) vm.affinity = v.aff;
      return vm;
    });
    return { hosts: planned, vms: placed, policy };
  });

const usable = (h: PlannerHost, p: PlannerPolicy): number => (h.memoryBytes - (h.reservedMemoryBytes ?? 0)) * (1 - p.headroomPercent / 100);
const shareTag = (a: PlannerVm, b: PlannerVm): boolean => (a.antiAffinity ?? []).some((t) => (b.antiAffinity ?? []).includes(t));

/** Every rule the plan must keep; returns the broken ones (empty = valid). */
function violations({ hosts, vms, policy }: Pool, plan: SleepPlan, options: { receiveOnly: boolean }): string[] {
  const out: string[] = [];
  const host = new Map(hosts.map((h) => [h.id, h]));
  const vm = new Map(vms.map((v) => [v.id, v]));
  const on = hosts.filter((h) => h.state === 'on');
  const asleep = new Set(plan.sleep);
  const keptIds = new Set(plan.keep.map((k) => k.hostId));

  // Rule 1: who may sleep, and one reason per host kept on.
  for (const id of asleep) {
    const h = host.get(id);
    if (!h || h.state !== 'on') out.push(`sleeps ${id}, which is not on`);
    if (h?.isMaster) out.push(`master ${id} sleeps`);
    if (h?.neverSleep) out.push(`never-sleep ${id} sleeps`);
    if (vms.some((v) => v.hostId === id && v.pinned !== undefined)) out.push(`${id} with a pinned VM sleeps`);
  }
  if (keptIds.size !== plan.keep.length) out.push('a host has more than one reason');
  for (const h of on) {
    const reasons = plan.keep.filter((k) => k.hostId === h.id);
    if (asleep.has(h.id) === (reasons.length === 1)) out.push(`${h.id}: asleep=${asleep.has(h.id)} with ${reasons.length} reasons`);
    if (reasons.length !== 1) continue;
    const reason = reasons[0].reason;
    if (reason.trim() === '') out.push(`${h.id}: empty reason`);
    if (h.isMaster && reason !== 'pool master') out.push(`${h.id}: master kept as "${reason}"`);
    else if (!h.isMaster && h.neverSleep && reason !== 'marked never-sleep') out.push(`${h.id}: never-sleep kept as "${reason}"`);
    else if (!h.isMaster && !h.neverSleep && vms.some((v) => v.hostId === h.id && v.pinned !== undefined) && !/^VM \S+ is pinned: /.test(reason)) {
      out.push(`${h.id}: pinned host kept as "${reason}"`);
    }
  }
  for (const k of plan.keep) if (host.get(k.hostId)?.state !== 'on') out.push(`keeps ${k.hostId}, which is not on`);
  if (plan.hostsOn !== plan.keep.length) out.push(`hostsOn ${plan.hostsOn} but ${plan.keep.length} kept`);
  if ((plan.why !== undefined) !== (plan.sleep.length === 0)) out.push(`why is ${plan.why === undefined ? 'missing' : 'set'} with ${plan.sleep.length} asleep`);

  // Rule 3: HA capacity and the minimum, whenever the plan sleeps anything.
  if (plan.sleep.length > 0) {
    const demand = vms.filter((v) => host.get(v.hostId)?.state !== 'off' && host.has(v.hostId)).reduce((s, v) => s + v.memoryBytes, 0);
    const caps = on.filter((h) => !asleep.has(h.id)).map((h) => usable(h, policy)).sort((a, b) => b - a);
    const ha = caps.slice(policy.haFailuresToTolerate).reduce((a, b) => a + b, 0);
    if (ha < demand) out.push(`HA: ${ha / GIB} GiB after ${policy.haFailuresToTolerate} failures < ${demand / GIB} GiB`);
    if (plan.hostsOn < policy.minHostsOn) out.push(`hostsOn ${plan.hostsOn} < minHostsOn ${policy.minHostsOn}`);
    if (plan.hostsOn < plan.lowerBound) out.push(`hostsOn ${plan.hostsOn} below the lower bound ${plan.lowerBound}`);
  }

  // Rules 2, 5, 6: replay the waves.
  const where = new Map(vms.map((v) => [v.id, v.hostId]));
  const load = (id: string): { mem: number; cpu: number; vms: PlannerVm[] } => {
    const here = vms.filter((v) => where.get(v.id) === id);
    return { mem: here.reduce((s, v) => s + v.memoryBytes, 0), cpu: here.reduce((s, v) => s + v.vcpus, 0), vms: here };
  };
  const receivers = new Set(plan.migrations.map((m) => m.to));
  const senders = new Set(plan.migrations.map((m) => m.from));
  if (options.receiveOnly) for (const r of receivers) if (senders.has(r)) out.push(`${r} both sends and receives`);
  const seen = new Set<string>();
  const waves = [...new Set(plan.migrations.map((m) => m.wave))].sort((a, b) => a - b);
  for (const m of plan.migrations) if (!Number.isInteger(m.wave) || m.wave < 1) out.push(`bad wave ${m.wave}`);
  for (const w of waves) {
    const wave = plan.migrations.filter((m) => m.wave === w);
    if (wave.length > Math.max(1, policy.concurrentMigrations)) out.push(`wave ${w} runs ${wave.length} at once`);
    for (const m of wave) {
      const v = vm.get(m.vmId);
      if (!v) {
        out.push(`unknown VM ${m.vmId}`);
        continue;
      }
      if (seen.has(m.vmId)) out.push(`${m.vmId} migrated twice`);
      seen.add(m.vmId);
      if (v.pinned !== undefined) out.push(`pinned ${m.vmId} moves`);
      if (where.get(m.vmId) !== m.from) out.push(`${m.vmId} moves from ${m.from} but is on ${where.get(m.vmId)}`);
      if (m.memoryBytes !== v.memoryBytes) out.push(`${m.vmId} memory ${m.memoryBytes}`);
      const t = host.get(m.to);
      if (!t || t.state !== 'on' || asleep.has(m.to) || m.to === m.from) out.push(`${m.vmId} goes to ${m.to}, which cannot receive`);
      if (!t) continue;
      // Worst case for the target: every arrival of this wave done, none of its departures.
      const before = load(m.to);
      const arriving = wave.filter((o) => o.to === m.to).map((o) => vm.get(o.vmId) as PlannerVm);
      const mem = before.mem + arriving.reduce((s, a) => s + a.memoryBytes, 0);
      const cpu = before.cpu + arriving.reduce((s, a) => s + a.vcpus, 0);
      if (mem > usable(t, policy) + 1) out.push(`wave ${w}: ${m.to} would hold ${mem / GIB} GiB > ${usable(t, policy) / GIB}`);
      if (cpu > t.cpus * policy.vcpuOvercommit) out.push(`wave ${w}: ${m.to} would carry ${cpu} vCPUs > ${t.cpus * policy.vcpuOvercommit}`);
      for (const o of before.vms.concat(arriving)) if (o.id !== v.id && shareTag(o, v)) out.push(`wave ${w}: ${v.id} meets ${o.id} on ${m.to}`);
    }
    for (const m of wave) where.set(m.vmId, m.to);
  }
  // After the plan: sleeping hosts are empty, receivers within limits, no anti-affinity on arrival.
  for (const id of asleep) if (load(id).vms.length > 0) out.push(`${id} sleeps with VMs on it`);
  for (const r of receivers) {
    const t = host.get(r);
    if (!t) continue;
    const end = load(r);
    if (end.mem > usable(t, policy) + 1) out.push(`${r} ends with ${end.mem / GIB} GiB > ${usable(t, policy) / GIB}`);
    if (end.cpu > t.cpus * policy.vcpuOvercommit) out.push(`${r} ends with ${end.cpu} vCPUs`);
    for (const m of plan.migrations.filter((x) => x.to === r)) {
      const v = vm.get(m.vmId) as PlannerVm;
      for (const o of end.vms) if (o.id !== v.id && shareTag(o, v)) out.push(`${v.id} ends beside ${o.id} on ${r}`);
    }
  }
  // Rule 3 as a fit: in the final state every VM of the worst failed hosts finds room elsewhere.
  if (plan.sleep.length > 0) {
    const after = finalState({ hosts, vms, policy }, plan);
    const fit = haFitHolds(after.hosts, after.vms, policy);
    if (!fit.ok) out.push(`HA fit after the plan: ${fit.why}`);
  }
  const moved = plan.migrations.reduce((s, m) => s + m.memoryBytes, 0);
  if (moved !== plan.migratedBytes) out.push(`migratedBytes ${plan.migratedBytes} != ${moved}`);
  return out;
}

/** The pool once the plan has run: sleeping hosts off, every VM where its migration took it. */
function finalState({ hosts, vms, policy }: Pool, plan: SleepPlan): Pool {
  const where = new Map(vms.map((v) => [v.id, v.hostId]));
  for (const m of plan.migrations) where.set(m.vmId, m.to);
  const asleep = new Set(plan.sleep);
  return {
    hosts: hosts.map((h) => (asleep.has(h.id) ? { ...h, state: 'off' } : h)),
    vms: vms.map((v) => ({ ...v, hostId: where.get(v.id) as string })),
    policy,
  };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let k = out.length - 1; k > 0; k--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (k + 1);
    [out[k], out[j]] = [out[j], out[k]];
  }
  return out;
}

describe('planSleep on random pools', () => {
  it('keeps rules 1-6 (who sleeps, pinned VMs, HA as a sum and as a fit, limits, anti-affinity, valid waves)', () => {
    fc.assert(
      fc.property(poolArb, (pool) => {
        const plan = planSleep(pool.hosts, pool.vms, pool.policy, { effort: EFFORT });
        expect(violations(pool, plan, { receiveOnly: true })).toEqual([]);
      }),
      { numRuns: runs(250), seed: seed(20251126) },
    );
  });

  it('rule 7: the same input gives the same plan, in any input order', () => {
    fc.assert(
      fc.property(poolArb, fc.nat(), (pool, seed) => {
        const plan = planSleep(pool.hosts, pool.vms, pool.policy, { effort: EFFORT });
        expect(planSleep(pool.hosts, pool.vms, pool.policy, { effort: EFFORT })).toEqual(plan);
        expect(planSleep(shuffled(pool.hosts, seed), shuffled(pool.vms, seed + 1), pool.policy, { effort: EFFORT })).toEqual(plan);
      }),
      { numRuns: runs(80), seed: seed(7) },
    );
  });

  it('sleeps something whenever one host can empty into the others with HA intact', () => {
    // A pool with slack by construction: identical hosts, few small VMs, no constraints.
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 8 }), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 12 }), (count, sizes) => {
        const hosts: PlannerHost[] = Array.from({ length: count }, (_, k) => ({ id: `h${k}`, memoryBytes: 128 * GIB, cpus: 32, state: 'on', isMaster: k === 0 }));
        const vms: PlannerVm[] = sizes.map((s, k) => ({ id: `v${k}`, memoryBytes: s * GIB, vcpus: 1, hostId: `h${k % count}` }));
        const policy: PlannerPolicy = { haFailuresToTolerate: 1, headroomPercent: 10, minHostsOn: 1, vcpuOvercommit: 2, concurrentMigrations: 2 };
        const plan = planSleep(hosts, vms, policy, { effort: EFFORT });
        // 96 GiB of VMs at most fit in one host, with another as HA spare: two hosts on (one when empty).
        expect(plan.hostsOn).toBe(sizes.length > 0 ? 2 : 1);
        expect(violations({ hosts, vms, policy }, plan, { receiveOnly: true })).toEqual([]);
      }),
      { numRuns: runs(60), seed: seed(11) },
    );
  });
});

/**
 * Tight pools that make the search work: identical hosts, mostly one VM each (so bins may pass from
 * host to host), no HA or headroom, some anti-affinity and vCPU pressure.
 */
const tightPoolArb: fc.Arbitrary<Pool> = fc
  .record({
    sizes: fc.array(fc.integer({ min: 5, max: 70 }), { minLength: 2, maxLength: 30, size: 'max' }),
    extra: fc.array(fc.record({ size: fc.integer({ min: 1, max: 30 }), host: fc.nat() }), { maxLength: 6 }),
    anti: fc.array(fc.nat({ max: 29 }), { maxLength: 6 }),
    cpus: fc.integer({ min: 4, max: 16 }),
    master: fc.boolean(),
  })
  .map(({ sizes, extra, anti, cpus, master }) => {
    const hosts: PlannerHost[] = sizes.map((_, k) => ({ id: `h${String(k).padStart(2, '0')}`, memoryBytes: 100 * GIB, cpus, state: 'on', isMaster: master && k === 0 }));
    const vms: PlannerVm[] = sizes.map((size, k) => ({ id: `v${String(k).padStart(2, '0')}`, memoryBytes: size * GIB, vcpus: 1 + (size % 4), hostId: hosts[k].id }));
    extra.forEach((e, k) => vms.push({ id: `x${k}`, memoryBytes: e.size * GIB, vcpus: 1, hostId: hosts[e.host % hosts.length].id }));
    anti.forEach((k, j) => {
      if (k < vms.length) vms[k].antiAffinity = [`t${j % 2}`];
    });
    const policy: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 0, minHostsOn: 0, vcpuOvercommit: 1, concurrentMigrations: 3 };
    return { hosts, vms, policy };
  });

describe('planSleep on tight packings', () => {
  it('keeps the rules, and with one VM per host never keeps more on than first-fit decreasing', () => {
    fc.assert(
      fc.property(tightPoolArb, (pool) => {
        const plan = planSleep(pool.hosts, pool.vms, pool.policy, { effort: 2 * EFFORT });
        expect(violations(pool, plan, { receiveOnly: true })).toEqual([]);
        // With one VM per host (and none on the master) the planner's start is first-fit decreasing
        // itself, and the search only improves on it. Kept hosts only receive, so where they hold
        // VMs of their own, FFD's re-pack (which moves those too) can do better.
        const oneVmPerHost = new Set(pool.vms.map((v) => v.hostId)).size === pool.vms.length;
        const masterIdle = pool.vms.every((v) => !pool.hosts.find((h) => h.id === v.hostId)?.isMaster);
        if (oneVmPerHost && masterIdle) expect(plan.hostsOn).toBeLessThanOrEqual(firstFitDecreasing(pool.hosts, pool.vms, pool.policy).hostsOn);
      }),
      { numRuns: runs(150), seed: seed(5) },
    );
  });
});

/**
 * Pools where HA is tight as a fit: small hosts, VMs that are large next to the room left, HA 1 or
 * 2. Here the memory sum often holds where whole VMs do not fit.
 */
const haTightPoolArb: fc.Arbitrary<Pool> = fc
  .record({
    hosts: fc.array(fc.record({ memGiB: fc.constantFrom(32, 48, 64), fixed: fc.integer({ min: 0, max: 3 }) }), { minLength: 3, maxLength: 9 }),
    vms: fc.array(fc.record({ memGiB: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 6, max: 24 })), host: fc.nat() }), { maxLength: 30 }),
    failures: fc.integer({ min: 1, max: 2 }),
    headroomPercent: fc.constantFrom(0, 10, 20),
  })
  .map(({ hosts, vms, failures, headroomPercent }) => {
    const planned: PlannerHost[] = hosts.map((h, k) => ({ id: `h${k}`, memoryBytes: h.memGiB * GIB, cpus: 64, state: 'on', isMaster: k === 0, neverSleep: h.fixed === 0 }));
    const placed: PlannerVm[] = vms.map((v, k) => ({ id: `vm-${k}`, memoryBytes: v.memGiB * GIB, vcpus: 1, hostId: planned[v.host % planned.length].id }));
    const policy: PlannerPolicy = { haFailuresToTolerate: failures, headroomPercent, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 2 };
    return { hosts: planned, vms: placed, policy };
  });

describe('planSleep where HA is tight as a fit', () => {
  it('keeps the rules: every plan that sleeps a host leaves a state where the failed hosts VMs fit', () => {
    fc.assert(
      fc.property(haTightPoolArb, (pool) => {
        const plan = planSleep(pool.hosts, pool.vms, pool.policy, { effort: EFFORT });
        expect(violations(pool, plan, { receiveOnly: true })).toEqual([]);
      }),
      { numRuns: runs(250), seed: seed(41) },
    );
  });

  it('the baseline keeps them too', () => {
    fc.assert(
      fc.property(haTightPoolArb, (pool) => {
        const plan = firstFitDecreasing(pool.hosts, pool.vms, pool.policy);
        fc.pre(!(plan.why ?? '').startsWith('baseline:'));
        expect(violations(pool, plan, { receiveOnly: false })).toEqual([]);
      }),
      { numRuns: runs(150), seed: seed(43) },
    );
  });
});

describe('firstFitDecreasing (the baseline) on random pools', () => {
  it('keeps the same rules, re-packing kept hosts too', () => {
    fc.assert(
      fc.property(poolArb, (pool) => {
        const plan = firstFitDecreasing(pool.hosts, pool.vms, pool.policy);
        // A cycle of full hosts is reported, not resolved, by the baseline: skip those rare pools.
        fc.pre(!(plan.why ?? '').startsWith('baseline:'));
        expect(violations(pool, plan, { receiveOnly: false })).toEqual([]);
      }),
      { numRuns: runs(150), seed: seed(3) },
    );
  });
});

/**
 * The HA fit written again from its rule, plainly: every set of `n` live hosts fails in turn, and
 * their VMs, largest first, each go to the survivor ('on') with the most free usable memory.
 * Returns the failure sets (host ids) whose VMs do not all find room.
 */
function referenceFitFailures({ hosts, vms, policy }: Pool): string[][] {
  const n = policy.haFailuresToTolerate;
  const live = hosts.filter((h) => h.state !== 'off').sort((a, b) => (a.id < b.id ? -1 : 1));
  const on = (id: string): PlannerVm[] => vms.filter((v) => v.hostId === id);
  if (n === 0) return [];
  if (n >= live.length) return vms.some((v) => live.some((h) => h.id === v.hostId)) ? [live.map((h) => h.id)] : [];
  const failing: string[][] = [];
  const choose = (start: number, picked: PlannerHost[]): void => {
    if (picked.length === n) {
      const failed = new Set(picked.map((h) => h.id));
      const room = live.filter((h) => !failed.has(h.id) && h.state === 'on').map((h) => usableMemory(h, policy) - on(h.id).reduce((s, v) => s + v.memoryBytes, 0));
      const restart = picked.flatMap((h) => on(h.id)).sort((a, b) => b.memoryBytes - a.memoryBytes);
      for (const v of restart) {
        let best = -1;
        for (let k = 0; k < room.length; k++) if (best < 0 || room[k] > room[best]) best = k;
        if (best < 0 || room[best] < v.memoryBytes) {
          failing.push([...failed].sort());
          return;
        }
        room[best] -= v.memoryBytes;
      }
      return;
    }
    for (let k = start; k < live.length; k++) choose(k + 1, [...picked, live[k]]);
  };
  choose(0, []);
  return failing;
}

/** "if a and b fail, ..." -> ['a', 'b'] */
function namedFailureSet(why: string): string[] | undefined {
  const match = /^if (.+?) fails?, VM /.exec(why);
  return match ? match[1].split(/, | and /).sort() : undefined;
}

describe('haFitHolds on random pools', () => {
  it('agrees with the plain rule (every failure set, biggest fit first), and names a set that really fails', () => {
    fc.assert(
      fc.property(poolArb, (pool) => {
        const failing = referenceFitFailures(pool);
        const answer = haFitHolds(pool.hosts, pool.vms, pool.policy);
        expect(answer.ok).toBe(failing.length === 0);
        if (answer.ok) return;
        const named = namedFailureSet(answer.why);
        if (named) expect(failing).toContainEqual(named);
        else expect(answer.why).toMatch(/cannot tolerate/);
      }),
      { numRuns: runs(250), seed: seed(31) },
    );
    fc.assert(
      fc.property(haTightPoolArb, (pool) => {
        const failing = referenceFitFailures(pool);
        const answer = haFitHolds(pool.hosts, pool.vms, pool.policy);
        expect(answer.ok).toBe(failing.length === 0);
        const named = answer.ok ? undefined : namedFailureSet(answer.why);
        if (named) expect(failing).toContainEqual(named);
      }),
      { numRuns: runs(250), seed: seed(32) },
    );
  });

  it('lets each sleeping host leave in turn, as lib/ops asks before each power-off', () => {
    // The operations disable the hosts to sleep, run the migrations, then power them off in the
    // plan's order: when host k goes, those before it are off and those after it are disabled and empty.
    const check = (pool: Pool): void => {
      const plan = planSleep(pool.hosts, pool.vms, pool.policy, { effort: EFFORT });
      const after = finalState(pool, plan);
      plan.sleep.forEach((id, k) => {
        const gone = new Set(plan.sleep.slice(0, k));
        const leaving = new Set(plan.sleep.slice(k));
        const hosts = pool.hosts.map((h) => (gone.has(h.id) ? { ...h, state: 'off' as const } : leaving.has(h.id) ? { ...h, state: 'disabled' as const } : h));
        expect(canLeavePool(hosts, after.vms, pool.policy, id)).toEqual({ ok: true });
      });
    };
    fc.assert(fc.property(poolArb, check), { numRuns: runs(100), seed: seed(37) });
    fc.assert(fc.property(haTightPoolArb, check), { numRuns: runs(200), seed: seed(38) });
  });
});
