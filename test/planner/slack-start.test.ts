/**
 * The third start, minimum bin slack, on its own: it must keep every limit whatever it is given
 * (planSleep only uses it when the other starts leave hosts above the bound, so the properties of
 * planSleep alone would rarely reach it), and it must find the exact fills first-fit misses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstFitDecreasing, type PlannerHost, type PlannerPolicy, type PlannerVm } from '../../lib/planner/index.ts';
import { buildModel, sharesAnti } from '../../lib/planner/model.ts';
import { minSlackFill } from '../../lib/planner/slack-start.ts';

const GIB = 1024 ** 3;
const SLACK = 1e-6;

interface Pool {
  hosts: PlannerHost[];
  vms: PlannerVm[];
  policy: PlannerPolicy;
}

/** Small pools whose hosts start within their limits: memory, vCPUs, CPU demand under the ceiling. */
const poolArb: fc.Arbitrary<Pool> = fc
  .record({
    hosts: fc.array(fc.record({ memGiB: fc.constantFrom(8, 16, 32), cpus: fc.integer({ min: 1, max: 8 }), fixed: fc.integer({ min: 0, max: 5 }).map((x) => x === 0) }), { minLength: 1, maxLength: 8 }),
    vms: fc.array(
      fc.record({
        memGiB: fc.integer({ min: 1, max: 12 }),
        vcpus: fc.integer({ min: 1, max: 4 }),
        busy: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        host: fc.nat(),
        anti: fc.constantFrom<string[]>([], [], ['db'], ['web']),
      }),
      { maxLength: 40 },
    ),
    overcommit: fc.integer({ min: 1, max: 3 }),
    ceiling: fc.integer({ min: 30, max: 100 }),
  })
  .map(({ hosts, vms, overcommit, ceiling }) => {
    const planned = hosts.map((h, k): PlannerHost => ({ id: `h${k}`, memoryBytes: h.memGiB * GIB, cpus: h.cpus, state: 'on', isMaster: false, neverSleep: h.fixed }));
    const measured = vms.some((v) => v.busy !== undefined);
    const used = planned.map(() => ({ mem: 0, cpu: 0, cores: 0 }));
    const placed: PlannerVm[] = [];
    vms.forEach((v, k) => {
      const h = v.host % planned.length;
      const cores = measured ? (v.busy === undefined ? v.vcpus : v.busy * v.vcpus) : 0;
      const u = used[h];
      const host = planned[h];
      if (u.mem + v.memGiB * GIB > host.memoryBytes || u.cpu + v.vcpus > host.cpus * overcommit || u.cores + cores > (host.cpus * ceiling) / 100) return;
      u.mem += v.memGiB * GIB;
      u.cpu += v.vcpus;
      u.cores += cores;
      const vm: PlannerVm = { id: `v${k}`, hostId: host.id, memoryBytes: v.memGiB * GIB, vcpus: v.vcpus, antiAffinity: v.anti };
      if (v.busy !== undefined) vm.cpuDemand = v.busy * v.vcpus;
      placed.push(vm);
    });
    const policy: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 0, minHostsOn: 0, vcpuOvercommit: overcommit, concurrentMigrations: 4, cpuCeilingPercent: ceiling };
    return { hosts: planned, vms: placed, policy };
  });

describe('minimum bin slack start', () => {
  it('places every VM on an open host, keeps every limit where VMs arrive, never breaks anti-affinity, and keeps the hosts that must stay', () => {
    fc.assert(
      fc.property(poolArb, ({ hosts, vms, policy }) => {
        const model = buildModel(hosts, vms, policy);
        const pk = minSlackFill(model);
        expect(pk).toBeDefined();
        if (!pk) return;
        const n = model.hostIds.length;
        const load = Array.from({ length: n }, () => ({ mem: 0, cpu: 0, cores: 0, guests: 0 }));
        model.itemIds.forEach((_, i) => {
          const h = pk.pos[i];
          expect(h).toBeGreaterThanOrEqual(0);
          expect(pk.open[h]).toBe(1);
          load[h].mem += model.mem[i];
          load[h].cpu += model.cpu[i];
          load[h].cores += model.cores[i];
          if (h !== model.home[i]) {
            load[h].guests++;
            model.itemIds.forEach((__, o) => {
              if (o !== i && pk.pos[o] === h) expect(sharesAnti(model, o, i)).toBe(false);
            });
          }
        });
        for (let h = 0; h < n; h++) {
          if (model.fixedReason[h] !== undefined) expect(pk.open[h]).toBe(1);
          if (load[h].guests === 0) continue;
          expect(load[h].mem).toBeLessThanOrEqual(model.capMem[h] + SLACK);
          expect(load[h].cpu).toBeLessThanOrEqual(model.capCpu[h] + SLACK);
          expect(load[h].cores).toBeLessThanOrEqual(model.capCores[h] + SLACK);
        }
      }),
      { numRuns: 300, seed: 1701 },
    );
  });

  it('fills bins exactly where first-fit decreasing cannot: 6 triplets of 1000', () => {
    // Every bin of the optimum is exactly full; FFD puts the six large items apart, then runs out of room for the last 260s.
    const triplets = [
      [480, 260, 260],
      [470, 270, 260],
      [460, 280, 260],
      [450, 290, 260],
      [440, 300, 260],
      [430, 310, 260],
    ];
    const items = triplets.flat();
    const hosts = items.map((_, k): PlannerHost => ({ id: `h${String(k).padStart(2, '0')}`, memoryBytes: 1000, cpus: 1, state: 'on', isMaster: false }));
    const vms = items.map((size, k): PlannerVm => ({ id: `v${k}`, hostId: hosts[k].id, memoryBytes: size, vcpus: 0 }));
    const policy: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 0, minHostsOn: 0, vcpuOvercommit: 1, concurrentMigrations: 4 };
    const pk = minSlackFill(buildModel(hosts, vms, policy));
    expect(pk?.openCount).toBe(6);
    expect(firstFitDecreasing(hosts, vms, policy).hostsOn).toBeGreaterThan(6);
  });
});
