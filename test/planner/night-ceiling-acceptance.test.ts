/**
 * Acceptance: without a spike, the plan keeps every awake host under the CPU ceiling at every
 * sample of the simulated night. A pool whose CPU (not memory) is what limits the night carries the
 * pool simulator's seeded day/night load model. Seven nights of history are taken as the load poll
 * stores them (5-minute averages per VM, each the mean of the minute points the RRD export
 * consolidates); the planner plans the next night from them (cpu-demand.ts, then planSleep under
 * the ceiling); then every 5-minute sample of that next night, read from the same model the same
 * way, is summed per awake host over the VMs the plan leaves there, and must stay at or under
 * the ceiling of that host's CPUs.
 */
import { describe, expect, it } from 'vitest';
import { cpuDemands, planSleep, withCpuDemands, type PlannerHost, type PlannerPolicy, type PlannerVm, type VmCpuHistory } from '../../lib/planner/index.ts';
import { LoadModel } from '../../lib/sim/xen/index.ts';

const GiB = 2 ** 30;
const MINUTE = 60_000;
const BUCKET = 5 * MINUTE;
const NIGHT = { start: '22:00', end: '06:00', timeZone: 'UTC' };
const CEILING = 80;

/** One 5-minute row as the export gives it (and the load poll keeps): the mean of its minute points, in busy cores. */
function bucketCores(model: LoadModel, vm: PlannerVm, from: number): number {
  let cores = 0;
  for (let j = 0; j < 5; j++) cores += model.vcpuBusy(vm.id, vm.vcpus, from + (j + 0.5) * MINUTE).reduce((a, b) => a + b, 0);
  return cores / 5;
}

/** The night's buckets from its start (22:00) to its end (06:00 the next day), epoch ms. */
function nightBuckets(nightStart: number): number[] {
  return Array.from({ length: (8 * 60) / 5 }, (_, i) => nightStart + i * BUCKET);
}

/** A pool of `hosts` 16-core hosts with room in memory for everything many times over, and VMs of 2 to 8 vCPUs. */
function generatedPool(seed: number, hostCount: number, vmCount: number): { hosts: PlannerHost[]; vms: PlannerVm[] } {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const hosts = Array.from({ length: hostCount }, (_, i): PlannerHost => ({ id: `h${i + 1}`, memoryBytes: 512 * GiB, reservedMemoryBytes: 4 * GiB, cpus: 16, state: 'on', isMaster: i === 0 }));
  const vms = Array.from({ length: vmCount }, (_, i): PlannerVm => ({ id: `s${seed}-vm${i + 1}`, memoryBytes: (2 + Math.floor(rnd() * 6)) * GiB, vcpus: [2, 4, 4, 8][Math.floor(rnd() * 4)], hostId: hosts[i % hostCount].id }));
  return { hosts, vms };
}

interface NightCheck {
  hostsOn: number;
  cpuKept: number;
  worst: { hostId: string; at: string; percent: number };
  over: Array<{ hostId: string; at: string; percent: number }>;
}

function planAndWalk(seed: number, hostCount: number, vmCount: number, policyExtra: Partial<PlannerPolicy> = {}): NightCheck {
  const model = new LoadModel({ seed });
  const { hosts, vms } = generatedPool(seed, hostCount, vmCount);
  // Plan at 21:30 on 2026-03-10 from the seven nights before; walk the night that begins at 22:00.
  const now = Date.parse('2026-03-10T21:30:00Z');
  const histories: VmCpuHistory[] = vms.map((v) => ({
    vmId: v.id,
    vcpus: v.vcpus,
    samples: Array.from({ length: 7 }, (_, n) => nightBuckets(Date.parse('2026-03-09T22:00:00Z') - n * 24 * 3_600_000))
      .flat()
      .map((at) => ({ at, cpuPercent: (100 * bucketCores(model, v, at)) / v.vcpus })),
  }));
  const demands = cpuDemands(histories, { night: NIGHT, now });
  expect(demands.every((d) => d.cpuDemand !== undefined)).toBe(true);
  const policy: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 10, minHostsOn: 1, vcpuOvercommit: 16, concurrentMigrations: 4, cpuCeilingPercent: CEILING, ...policyExtra };
  const plan = planSleep(hosts, withCpuDemands(vms, demands), policy);
  const where = new Map(vms.map((v) => [v.id, v.hostId]));
  for (const m of plan.migrations) where.set(m.vmId, m.to);
  const awake = hosts.filter((h) => !plan.sleep.includes(h.id));
  const over: NightCheck['over'] = [];
  let worst = { hostId: '', at: '', percent: 0 };
  for (const at of nightBuckets(Date.parse('2026-03-10T22:00:00Z'))) {
    for (const h of awake) {
      const cores = vms.filter((v) => where.get(v.id) === h.id).reduce((a, v) => a + bucketCores(model, v, at), 0);
      const percent = (100 * cores) / h.cpus;
      const sample = { hostId: h.id, at: new Date(at).toISOString(), percent: Math.round(percent * 10) / 10 };
      if (percent > worst.percent) worst = sample;
      if (percent > (policy.cpuCeilingPercent ?? CEILING)) over.push(sample);
    }
  }
  return { hostsOn: awake.length, cpuKept: plan.keep.filter((k) => k.limit === 'cpu').length, worst, over };
}

describe('acceptance: the night under the CPU ceiling', () => {
  // NIGHT_SEEDS=40 walks forty generated nights (with a p95 of all the night's samples pooled, 2 of 40 went over).
  const SEEDS = process.env.NIGHT_SEEDS ? Array.from({ length: Number(process.env.NIGHT_SEEDS) }, (_, i) => i + 1) : [1, 2, 3, 4, 5];
  it.each(SEEDS)('seed %i: every awake host stays at or under the ceiling at every 5-minute sample of the night', (seed) => {
    const r = planAndWalk(seed, 12, 90);
    // CPU is what limits this night: some host stays on for it, and the pool still sleeps some.
    expect(r.cpuKept).toBeGreaterThan(0);
    expect(r.hostsOn).toBeLessThan(12);
    expect(r.over).toEqual([]);
    expect(r.worst.percent).toBeLessThanOrEqual(CEILING);
  });
});
