/**
 * HA as a fit: haFitHolds / canLeavePool on hand-made pools, and planSleep keeping on a host that
 * the memory sum would let sleep but whose room the failed host's VMs need.
 */
import { describe, expect, it } from 'vitest';
import { canLeavePool, haCapacity, haFitHolds, planSleep, usableMemory, type PlannerHost, type PlannerPolicy, type PlannerVm } from '../../lib/planner/index.ts';

const GIB = 1024 ** 3;

function host(id: string, memGiB: number, extra: Partial<PlannerHost> = {}): PlannerHost {
  return { id, memoryBytes: memGiB * GIB, cpus: 64, state: 'on', isMaster: false, ...extra };
}

function vm(id: string, hostId: string, memGiB: number, extra: Partial<PlannerVm> = {}): PlannerVm {
  return { id, hostId, memoryBytes: memGiB * GIB, vcpus: 1, ...extra };
}

/** `count` VMs of 1 GiB on a host. */
const smallVms = (hostId: string, count: number): PlannerVm[] => Array.from({ length: count }, (_, k) => vm(`${hostId}-${k}`, hostId, 1));

const policy = (extra: Partial<PlannerPolicy> = {}): PlannerPolicy => ({
  haFailuresToTolerate: 1,
  headroomPercent: 0,
  minHostsOn: 1,
  vcpuOvercommit: 4,
  concurrentMigrations: 4,
  ...extra,
});

/**
 * x (the master) holds two 8 GiB VMs; a, b and c (never-sleep) hold 26 GiB of 1 GiB VMs each, so
 * 6 GiB free; s is empty. Without s the memory sum holds (4 x 32 - 32 = 96 >= 94 GiB), but if x
 * fails its 8 GiB VMs find no host with 8 GiB free.
 */
function counterexample(freeGiB = 6): { hosts: PlannerHost[]; vms: PlannerVm[] } {
  const hosts = [host('x', 32, { isMaster: true }), host('a', 32, { neverSleep: true }), host('b', 32, { neverSleep: true }), host('c', 32, { neverSleep: true }), host('s', 32)];
  const vms = [vm('x-big-1', 'x', 8), vm('x-big-2', 'x', 8), ...smallVms('a', 32 - freeGiB), ...smallVms('b', 32 - freeGiB), ...smallVms('c', 32 - freeGiB)];
  return { hosts, vms };
}

describe('haFitHolds', () => {
  it('fails where the memory sum holds but whole VMs do not fit, naming the failed host and the VM', () => {
    const { hosts, vms } = counterexample();
    const without = hosts.filter((h) => h.id !== 's');
    const demand = vms.reduce((sum, v) => sum + v.memoryBytes, 0);
    // The precondition of the counterexample: the sum says yes.
    expect(haCapacity(without.map((h) => usableMemory(h, policy())), 1)).toBeGreaterThanOrEqual(demand);
    const answer = haFitHolds(hosts, vms, policy(), { without: ['s'] });
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.why).toMatch(/^if x fails, VM x-big-\d \(8\.0 GiB\) finds no room/);
    expect(answer.why).toContain('6.0 GiB');
    // With s in the pool (32 GiB free), both VMs restart there.
    expect(haFitHolds(hosts, vms, policy())).toEqual({ ok: true });
  });

  it('counts headroom out of the free memory', () => {
    // a has 8 GiB free with 0 % headroom; with 10 % of 32 GiB held back, 4.8 GiB (and x 20.8).
    const hosts = [host('x', 32), host('a', 32)];
    const vms = [vm('big', 'x', 8), ...smallVms('a', 24)];
    expect(haFitHolds(hosts, vms, policy()).ok).toBe(true);
    const tight = haFitHolds(hosts, vms, policy({ headroomPercent: 10 }));
    expect(tight.ok).toBe(false);
    // a is tried first: its 24 GiB of 1 GiB VMs meet 28.8 - 8 = 20.8 GiB free on x; the 21st finds 0.8.
    expect(tight.ok ? '' : tight.why).toMatch(/if a fails, VM a-\d+ \(1\.0 GiB\) finds no room: the most free usable memory left on a surviving host is 0\.8 GiB$/);
  });

  it('tests every pair for two failures, not only the two heaviest hosts', () => {
    // a, b and c hold the most VM memory (20 GiB, 12 free); d and e one 16 GiB VM each (16 free).
    // By memory 2 failures are fine (160 - 64 = 96 >= 92 GiB), but d and e failing needs two 16 GiB holes.
    const hosts = ['a', 'b', 'c', 'd', 'e'].map((id) => host(id, 32));
    const vms = [...smallVms('a', 20), ...smallVms('b', 20), ...smallVms('c', 20), vm('d-big', 'd', 16), vm('e-big', 'e', 16)];
    const answer = haFitHolds(hosts, vms, policy({ haFailuresToTolerate: 2 }));
    expect(answer.ok ? '' : answer.why).toMatch(/^if d and e fail, VM [de]-big \(16\.0 GiB\) finds no room/);
    // Tolerating one failure, it fits: d's VM goes to e, which has 16 GiB free.
    expect(haFitHolds(hosts, vms, policy())).toEqual({ ok: true });
  });

  it('past the exhaustive limit still finds the pair with the largest VMs among 120 hosts', () => {
    // C(120, 2) = 7,140 pairs: more than are tried one by one. 118 hosts hold 24 GiB of small VMs
    // (8 GiB free), p and q a 16 GiB VM each: only the pair {p, q} fails, and it is not the heaviest.
    const hosts = Array.from({ length: 118 }, (_, k) => host(`h${String(k).padStart(3, '0')}`, 32)).concat(host('p', 32), host('q', 32));
    const vms = hosts.slice(0, 118).flatMap((h) => smallVms(h.id, 24));
    vms.push(vm('p-big', 'p', 16), vm('q-big', 'q', 16));
    const answer = haFitHolds(hosts, vms, policy({ haFailuresToTolerate: 2 }));
    expect(answer.ok ? '' : answer.why).toMatch(/if p and q fail, VM [pq]-big \(16\.0 GiB\) finds no room/);
    expect(haFitHolds(hosts, vms, policy())).toEqual({ ok: true });
  });

  it('lets disabled hosts fail (their VMs need room) but gives them no room', () => {
    const hosts = [host('m', 32), host('d', 64, { state: 'disabled' }), host('off', 512, { state: 'off' })];
    // d has 54 GiB free but takes nothing: if m fails, its 10 GiB VM has nowhere to go.
    expect(haFitHolds(hosts, [vm('v', 'm', 10), vm('w', 'd', 10)], policy()).ok).toBe(false);
    // With m roomy enough, d failing restarts its VM on m.
    const answer = haFitHolds(hosts, [vm('w', 'd', 10)], policy());
    expect(answer).toEqual({ ok: true });
    expect(haFitHolds(hosts, [vm('w', 'd', 40)], policy()).ok).toBe(false);
  });

  it('needs more live hosts than failures to tolerate whenever VMs run', () => {
    const hosts = [host('a', 64), host('b', 64)];
    const two = haFitHolds(hosts, [vm('v', 'a', 1)], policy({ haFailuresToTolerate: 2 }));
    expect(two.ok ? '' : two.why).toMatch(/^2 live host\(s\) cannot tolerate 2 failure\(s\): VM v \(1\.0 GiB\) of a/);
    expect(haFitHolds(hosts, [], policy({ haFailuresToTolerate: 2 }))).toEqual({ ok: true });
    expect(haFitHolds(hosts, [vm('v', 'a', 60)], policy({ haFailuresToTolerate: 0 }))).toEqual({ ok: true });
  });
});

describe('canLeavePool', () => {
  it('refuses a host that still runs VMs, naming them', () => {
    const { hosts, vms } = counterexample(8);
    const answer = canLeavePool(hosts, vms, policy(), 'a');
    expect(answer.ok).toBe(false);
    expect(answer.ok ? '' : answer.why).toBe('host a still runs 24 VM(s) (a-0, a-1, a-10 and 21 more): they must run elsewhere before it can leave');
  });

  it('refuses an empty host whose room HA needs, and lets one go whose room it does not', () => {
    const tight = counterexample(6);
    const answer = canLeavePool(tight.hosts, tight.vms, policy(), 's');
    expect(answer.ok ? '' : answer.why).toMatch(/^without s the pool does not keep HA 1 at 0 % headroom: if x fails, VM x-big-\d \(8\.0 GiB\) finds no room/);
    const roomy = counterexample(8);
    expect(canLeavePool(roomy.hosts, roomy.vms, policy(), 's')).toEqual({ ok: true });
  });

  it('says so for a host it does not know', () => {
    const { hosts, vms } = counterexample();
    expect(canLeavePool(hosts, vms, policy(), 'nope')).toEqual({ ok: false, why: 'host nope is not in the pool' });
  });
});

describe('planSleep keeps HA as a fit', () => {
  it('keeps on the host the memory sum would sleep, as HA spare, saying which VM would find no room', () => {
    const { hosts, vms } = counterexample(6);
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep).toEqual([]);
    const reason = plan.keep.find((k) => k.hostId === 's')?.reason ?? '';
    expect(reason).toMatch(/^HA spare: without its free memory, if x fails, VM x-big-\d \(8\.0 GiB\) finds no room/);
    expect(plan.why).toMatch(/^of \d+ hosts on, .*1 is needed as HA spare for the VMs of failed hosts to fit \(without its free memory, if x fails/);
  });

  it('sleeps that host when the others have room for the failed host VMs', () => {
    const { hosts, vms } = counterexample(8);
    const plan = planSleep(hosts, vms, policy());
    expect(plan.sleep).toEqual(['s']);
    expect(plan.migrations).toEqual([]);
  });

  it('returns a plan whose final state keeps the fit', () => {
    // m (master) holds a 12 GiB VM; k (never-sleep) is nearly full; t and u hold small VMs. One of
    // t and u may sleep (the sum allows no more), and m's 12 GiB VM must still find 12 GiB free after.
    const hosts = [host('m', 32, { isMaster: true }), host('k', 32, { neverSleep: true }), host('t', 32), host('u', 32)];
    const vms = [vm('m-big', 'm', 12), ...smallVms('k', 30), ...smallVms('t', 6), ...smallVms('u', 8)];
    const plan = planSleep(hosts, vms, policy());
    expect(plan.hostsOn).toBe(3);
    const where = new Map(vms.map((v) => [v.id, v.hostId]));
    for (const m of plan.migrations) where.set(m.vmId, m.to);
    const asleep = new Set(plan.sleep);
    const after = hosts.map((h) => (asleep.has(h.id) ? { ...h, state: 'off' as const } : h));
    expect(haFitHolds(after, vms.map((v) => ({ ...v, hostId: where.get(v.id) as string })), policy())).toEqual({ ok: true });
  });
});
