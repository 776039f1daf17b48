/**
 * The rebalance plans (lib/planner/rebalance.ts), pure: a few cases by hand, then properties on
 * random pools (mixed hosts, off and disabled ones, pinned VMs, anti-affinity, HA 0..2, headroom,
 * overcommit, concurrent migrations 1..4, measured CPU, a night CPU demand under a ceiling). The
 * checker replays the moves wave by wave from the rules, apart from the planner's code: memory with
 * headroom, the vCPU limit and the CPU ceiling with the wave in flight (a moving VM counted on its
 * source and its target), anti-affinity, the HA fit in flight and once each wave has landed, the
 * wave limit, one move per VM, no pinned VM moved.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coreLimit, haFitHolds, PlannerInputError, usableMemory, vcpuLimit, vmCores, type PlannerHost, type PlannerPolicy, type PlannerVm } from '../../lib/planner/index.ts';
import { planBalance, planRestore, type RebalanceHost, type RebalancePlan, type RebalanceVm } from '../../lib/planner/rebalance.ts';

const GIB = 1024 ** 3;
const policy: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 10, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 2 };
const host = (id: string, o: Partial<RebalanceHost> = {}): RebalanceHost => ({ id, memoryBytes: 64 * GIB, cpus: 16, state: 'on', isMaster: id === 'h1', ...o });
const vm = (id: string, hostId: string, gib: number, o: Partial<RebalanceVm> = {}): RebalanceVm => ({ id, hostId, memoryBytes: gib * GIB, vcpus: 2, ...o });

describe('planRestore by hand', () => {
  it('moves each VM home when it can; says why for each that stays', () => {
    const hosts = [host('h1'), host('h2'), host('h3', { state: 'disabled' }), host('h4', { state: 'off' })];
    const vms = [vm('a', 'h1', 8), vm('b', 'h1', 8), vm('c', 'h1', 4), vm('d', 'h1', 4, { pinned: 'local storage' }), vm('e', 'h1', 4), vm('f', 'h2', 4), vm('g', 'h2', 1)];
    const origins = { a: 'h2', b: 'h2', c: 'h3', d: 'h2', e: 'h4', f: 'h2', gone: 'h2', g: 'h9' };
    const p = planRestore(hosts, vms, policy, origins);
    expect(p.moves.map((m) => [m.vmId, m.to, m.wave])).toEqual([
      ['a', 'h2', 1],
      ['b', 'h2', 1],
    ]);
    expect(p.home).toEqual(['f']);
    expect(Object.fromEntries(p.stays.map((s) => [s.vmId, s.why]))).toEqual({
      c: 'its origin h3 is disabled in XAPI',
      d: 'it cannot move: local storage',
      e: 'its origin h4 is not live (asleep or off)',
      gone: 'it no longer runs',
      g: 'its origin h9 is no longer in the pool',
    });
  });

  it('a third move waits for a wave of its own (concurrentMigrations 2); one that does not fit says so', () => {
    const p = planRestore([host('h1'), host('h2', { memoryBytes: 24 * GIB })], [vm('a', 'h1', 4), vm('b', 'h1', 4), vm('c', 'h1', 4), vm('big', 'h1', 30)], policy, { a: 'h2', b: 'h2', c: 'h2', big: 'h2' });
    expect(p.moves.map((m) => [m.vmId, m.wave])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 2],
    ]);
    expect(p.stays).toEqual([{ vmId: 'big', hostId: 'h1', why: expect.stringMatching(/^not moved back to h2: h2 lacks the memory/) }]);
  });

  it('nothing to restore says why', () => {
    expect(planRestore([host('h1')], [vm('a', 'h1', 1)], policy, {}).why).toBe('no VM moved in the last sleep: there is nothing to restore');
    expect(planRestore([host('h1')], [vm('a', 'h1', 1)], policy, { a: 'h1' }).why).toBe('every VM is on its origin already');
  });

  it('bad input is refused with a clear error', () => {
    expect(() => planBalance([host('h1')], [vm('a', 'h1', 1, { cpuCores: -1 })], policy)).toThrow(PlannerInputError);
    expect(() => planBalance([host('h1', { baseCpuCores: Number.NaN })], [], policy)).toThrow(/baseCpuCores/);
    expect(() => planRestore([host('h1'), host('h1')], [], policy, {})).toThrow(PlannerInputError);
  });
});

describe('planBalance by hand', () => {
  it('a hot host gives up VMs until every host is within 15 points of the mean; fewest moves', () => {
    const hosts = [host('h1'), host('h2'), host('h3'), host('h4')];
    const vms = [vm('a', 'h1', 4, { vcpus: 4, cpuCores: 4 }), vm('b', 'h1', 4, { vcpus: 4, cpuCores: 4 }), vm('c', 'h1', 4, { vcpus: 4, cpuCores: 4 }), vm('d', 'h2', 4, { cpuCores: 0.2 })];
    const p = planBalance(hosts, vms, policy);
    // h1 at 75 %, the mean 19: two of its VMs leave, to different hosts.
    expect(p.before.hosts.find((h) => h.hostId === 'h1')?.cpuPercent).toBe(75);
    expect(p.moves).toHaveLength(2);
    expect(new Set(p.moves.map((m) => m.to)).size).toBe(2);
    expect(p.stays).toEqual([]);
    for (const h of p.after.hosts) expect(h.cpuPercent - p.after.meanCpuPercent).toBeLessThanOrEqual(15);
  });

  it('a balanced pool moves nothing, and says so', () => {
    const p = planBalance([host('h1'), host('h2')], [vm('a', 'h1', 4, { cpuCores: 1 }), vm('b', 'h2', 4, { cpuCores: 1 })], policy);
    expect(p.moves).toEqual([]);
    expect(p.why).toBe("every live host is within 15 points of the pool's mean CPU and memory");
  });

  it('a hot host whose VMs cannot move stays, with why', () => {
    const p = planBalance([host('h1'), host('h2')], [vm('a', 'h1', 4, { vcpus: 16, cpuCores: 16, pinned: 'PCI device' })], policy);
    expect(p.moves).toEqual([]);
    expect(p.stays).toEqual([{ hostId: 'h1', why: expect.stringMatching(/^CPU 50 points above the pool's mean: none of its VMs can move/) }]);
  });
});

// ---- properties ----

interface Pool {
  hosts: RebalanceHost[];
  vms: RebalanceVm[];
  policy: PlannerPolicy;
  origins: Record<string, string>;
}

const poolArb: fc.Arbitrary<Pool> = fc
  .record({
    hosts: fc.array(
      fc.record({ memGiB: fc.constantFrom(32, 64, 128, 256), reservedGiB: fc.integer({ min: 0, max: 4 }), cpus: fc.integer({ min: 4, max: 32 }), state: fc.constantFrom<PlannerHost['state']>('on', 'on', 'on', 'on', 'disabled', 'off'), base: fc.double({ min: 0, max: 1, noNaN: true }) }),
      { minLength: 2, maxLength: 8 },
    ),
    vms: fc.array(
      fc.record({
        memGiB: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 8 }), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 48 }), weight: 1 }),
        vcpus: fc.integer({ min: 1, max: 8 }),
        busy: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        nightDemand: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 4 }),
        host: fc.nat(),
        origin: fc.option(fc.nat(), { freq: 2 }),
        pinned: fc.integer({ min: 0, max: 14 }).map((x) => (x === 0 ? 'local storage' : undefined)),
        anti: fc.oneof({ arbitrary: fc.constant<string[]>([]), weight: 3 }, { arbitrary: fc.subarray(['db', 'web'], { minLength: 1 }), weight: 1 }),
      }),
      { maxLength: 30 },
    ),
    policy: fc.record({
      haFailuresToTolerate: fc.constantFrom(0, 0, 1, 1, 2),
      headroomPercent: fc.integer({ min: 0, max: 30 }),
      minHostsOn: fc.constant(1),
      vcpuOvercommit: fc.integer({ min: 1, max: 4 }),
      concurrentMigrations: fc.integer({ min: 1, max: 4 }),
      cpuCeilingPercent: fc.constantFrom(50, 80, 100),
    }),
  })
  .map(({ hosts, vms, policy: p }) => {
    const hs: RebalanceHost[] = hosts.map((h, k) => ({ id: `h${k}`, memoryBytes: h.memGiB * GIB, reservedMemoryBytes: h.reservedGiB * GIB, cpus: h.cpus, state: h.state, isMaster: k === 0, baseCpuCores: h.base }));
    const running = hs.filter((h) => h.state !== 'off');
    const on = running.length ? running : hs;
    const origins: Record<string, string> = {};
    const vs: RebalanceVm[] = vms.map((v, k) => {
      const x: RebalanceVm = { id: `vm${k}`, memoryBytes: v.memGiB * GIB, vcpus: v.vcpus, hostId: on[v.host % on.length].id };
      if (v.busy !== null) x.cpuCores = v.busy * v.vcpus;
      if (v.nightDemand !== null) x.cpuDemand = v.nightDemand * v.vcpus;
      if (v.pinned) x.pinned = v.pinned;
      if (v.anti.length) x.antiAffinity = v.anti;
      if (v.origin !== null) origins[x.id] = hs[v.origin % hs.length].id;
      return x;
    });
    return { hosts: hs, vms: vs, policy: p, origins };
  });

/** Every rule of a wave-by-wave replay that the plan breaks (empty: none). */
function broken(pool: Pool, plan: RebalancePlan): string[] {
  const bad: string[] = [];
  const hostById = new Map(pool.hosts.map((h) => [h.id, h]));
  const vmById = new Map(pool.vms.map((v) => [v.id, v]));
  const at = new Map(pool.vms.map((v) => [v.id, v.hostId]));
  const seen = new Set<string>();
  const waves = [...new Set(plan.moves.map((m) => m.wave))].sort((a, b) => a - b);
  if (waves.some((w, i) => w !== i + 1)) bad.push(`waves are not 1..n: ${waves.join(',')}`);
  const ceilingOn = pool.vms.some((v) => v.cpuDemand !== undefined);
  const placed = (where: Map<string, string>): PlannerVm[] => pool.vms.map((v) => ({ ...v, hostId: where.get(v.id) as string }));
  for (const w of waves) {
    const wave = plan.moves.filter((m) => m.wave === w);
    if (wave.length > pool.policy.concurrentMigrations) bad.push(`wave ${w} has ${wave.length} moves, over ${pool.policy.concurrentMigrations}`);
    for (const m of wave) {
      const v = vmById.get(m.vmId);
      const to = hostById.get(m.to);
      if (!v || !to) {
        bad.push(`${m.vmId} -> ${m.to}: unknown`);
        continue;
      }
      if (seen.has(m.vmId)) bad.push(`${m.vmId} moves twice`);
      seen.add(m.vmId);
      if (v.pinned) bad.push(`${m.vmId} is pinned`);
      if (to.state !== 'on') bad.push(`${m.vmId} to ${m.to}, which is ${to.state}`);
      if (at.get(m.vmId) !== m.from) bad.push(`${m.vmId} moves from ${m.from} but runs on ${at.get(m.vmId)}`);
    }
    // In flight: the residents at the wave's start plus everything arriving.
    for (const h of pool.hosts) {
      const residents = pool.vms.filter((v) => at.get(v.id) === h.id);
      const incoming = wave.filter((m) => m.to === h.id).map((m) => vmById.get(m.vmId) as RebalanceVm);
      if (incoming.length === 0) continue;
      const all = [...residents, ...incoming];
      const mem = all.reduce((s, v) => s + v.memoryBytes, 0);
      if (mem > usableMemory(h, pool.policy)) bad.push(`wave ${w}: ${h.id} holds ${mem} bytes in flight, over ${usableMemory(h, pool.policy)}`);
      const vcpus = all.reduce((s, v) => s + v.vcpus, 0);
      if (vcpus > vcpuLimit(h, pool.policy)) bad.push(`wave ${w}: ${h.id} carries ${vcpus} vCPUs in flight, over ${vcpuLimit(h, pool.policy)}`);
      // The CPU ceiling, as the sleep plans: once any VM carries a measured night demand.
      const cores = all.reduce((s, v) => s + vmCores(v), 0);
      if (ceilingOn && cores > coreLimit(h, pool.policy) + 1e-9) bad.push(`wave ${w}: ${h.id} carries ${cores} cores in flight, over its ceiling ${coreLimit(h, pool.policy)}`);
      for (const v of incoming) {
        const clash = all.find((o) => o.id !== v.id && o.antiAffinity?.some((t) => v.antiAffinity?.includes(t)));
        if (clash) bad.push(`wave ${w}: ${v.id} lands on ${h.id} with ${clash.id} (anti-affinity)`);
      }
    }
    const ghosts = wave.map((m) => ({ ...(vmById.get(m.vmId) as RebalanceVm), id: `${m.vmId}~`, hostId: m.to }));
    const flight = haFitHolds(pool.hosts, [...placed(at), ...ghosts], pool.policy);
    if (!flight.ok) bad.push(`wave ${w}: HA in flight: ${flight.why}`);
    for (const m of wave) at.set(m.vmId, m.to);
    const landed = haFitHolds(pool.hosts, placed(at), pool.policy);
    if (!landed.ok) bad.push(`after wave ${w}: HA: ${landed.why}`);
  }
  return bad;
}

const PROPERTY_RUNS = 300;

describe('rebalance plan properties', () => {
  it('restore: never breaks memory, vCPUs, the CPU ceiling, anti-affinity, HA or the wave limit; every origin VM is moved home, home already, or stays with why', () => {
    let moving = 0;
    fc.assert(
      fc.property(poolArb, (pool) => {
        const plan = planRestore(pool.hosts, pool.vms, pool.policy, pool.origins);
        if (plan.moves.length > 1) moving++;
        expect(broken(pool, plan)).toEqual([]);
        for (const m of plan.moves) expect(m.to).toBe(pool.origins[m.vmId]);
        const accounted = [...plan.moves.map((m) => m.vmId), ...plan.home, ...plan.stays.map((s) => s.vmId as string)].sort();
        expect(accounted).toEqual(Object.keys(pool.origins).sort());
        for (const s of plan.stays) expect(s.why.length).toBeGreaterThan(0);
      }),
      { numRuns: PROPERTY_RUNS, seed: 17 },
    );
    // The rules were put to work: a good share of the pools had several moves to check.
    expect(moving).toBeGreaterThan(PROPERTY_RUNS / 10);
    console.log(`restore: ${moving} of ${PROPERTY_RUNS} pools with 2+ moves`);
  });

  it('balance: never breaks memory, vCPUs, the CPU ceiling, anti-affinity, HA or the wave limit; with no stays, every live host ends within 15 points of the mean CPU', () => {
    let moving = 0;
    let balanced = 0;
    fc.assert(
      fc.property(poolArb, (pool) => {
        const plan = planBalance(pool.hosts, pool.vms, pool.policy);
        expect(broken(pool, plan)).toEqual([]);
        if (plan.moves.length > 1) moving++;
        if (plan.stays.length) return;
        if (plan.moves.length) balanced++;
        // The pool's CPU after the moves, recomputed here: base + measured demand (vCPUs without a measure).
        const where = new Map(pool.vms.map((v) => [v.id, v.hostId]));
        for (const m of plan.moves) where.set(m.vmId, m.to);
        const on = pool.hosts.filter((h) => h.state === 'on');
        const pct = on.map((h) => ((h.baseCpuCores ?? 0) + pool.vms.filter((v) => where.get(v.id) === h.id).reduce((s, v) => s + (v.cpuCores ?? v.vcpus), 0)) / h.cpus * 100);
        const mean = pct.reduce((a, b) => a + b, 0) / Math.max(1, pct.length);
        for (const p of pct) expect(p - mean).toBeLessThanOrEqual(15 + 1e-6);
      }),
      { numRuns: PROPERTY_RUNS, seed: 29 },
    );
    expect(moving).toBeGreaterThan(PROPERTY_RUNS / 10);
    expect(balanced).toBeGreaterThan(PROPERTY_RUNS / 20);
    console.log(`balance: ${moving} of ${PROPERTY_RUNS} pools with 2+ moves, ${balanced} brought within 15 points`);
  });
});
