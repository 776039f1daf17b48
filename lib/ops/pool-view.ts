/**
 * A pool as the planner sees it: XAPI's hosts and guest VMs joined with what the store knows
 * (never-sleep flags, last temperatures, last wakes) and the pool's policy. Reading it does no
 * harm; everything that acts lives in the sleep and wake operations.
 */
import type { Hypervisor, XenHostInfo, XenPoolInfo, XenVmInfo } from '../xen/index.ts';
import type { HostRepository, ReadingRepository } from '../store/index.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm } from '../planner/index.ts';
import type { Host, Pool } from '../store/index.ts';

export interface PoolView {
  pool: Pool;
  xen: XenPoolInfo;
  xenHosts: XenHostInfo[];
  vms: XenVmInfo[];
  stored: Host[];
  hosts: PlannerHost[];
  plannerVms: PlannerVm[];
  policy: PlannerPolicy;
}

const TAG_AFFINITY = 'affinity:';
const TAG_ANTI = 'anti-affinity:';

/** The policy the planner gets: the stricter of the pool's HA setting and lowpower's own. */
export function plannerPolicy(pool: Pool, xen: XenPoolInfo): PlannerPolicy {
  const p = pool.policy ?? {};
  return {
    haFailuresToTolerate: Math.max(xen.haEnabled ? xen.haFailuresToTolerate : 0, p.haFailuresToTolerate ?? 0),
    headroomPercent: p.headroomPercent ?? 10,
    minHostsOn: Math.max(1, p.minHostsOn ?? 1),
    vcpuOvercommit: p.vcpuOvercommit ?? 4,
    concurrentMigrations: Math.max(1, p.concurrentMigrations ?? 2),
    ...(p.cpuCeilingPercent !== undefined ? { cpuCeilingPercent: p.cpuCeilingPercent } : {}),
  };
}

export async function readPoolView(store: HostRepository & ReadingRepository, hv: Hypervisor, pool: Pool): Promise<PoolView> {
  const [xen, xenHosts, vms, stored] = await Promise.all([hv.pool(), hv.hosts(), hv.vms(), store.listHosts(pool.poolId)]);
  const byId = new Map(stored.map((h) => [h.hostId, h]));
  const never = new Set(pool.policy?.neverSleep ?? []);
  const running = vms.filter((v) => v.powerState === 'Running' && v.hostId !== null);
  const guestMemory = new Map<string, number>();
  for (const v of running) guestMemory.set(v.hostId as string, (guestMemory.get(v.hostId as string) ?? 0) + v.memoryBytes);
  const temps = await Promise.all(
    xenHosts.map(async (h) => {
      const last = (await store.listReadings(h.hostId, { since: new Date(Date.now() - 3600_000).toISOString() })).at(-1);
      const t = last?.temperatures?.map((x) => x.celsius) ?? [];
      return t.length ? Math.max(...t) : undefined;
    }),
  );
  const hosts: PlannerHost[] = xenHosts.map((h, i) => {
    const s = byId.get(h.hostId);
    // What the hypervisor itself uses (control domain, overheads) is not there for guests.
    const reserved = Math.max(0, h.memoryTotalBytes - h.memoryFreeBytes - (guestMemory.get(h.hostId) ?? 0));
    return {
      id: h.hostId,
      memoryBytes: h.memoryTotalBytes,
      reservedMemoryBytes: h.live ? reserved : 0,
      cpus: h.cpus,
      state: !h.live ? 'off' : h.enabled ? 'on' : 'disabled',
      isMaster: h.isMaster,
      neverSleep: never.has(h.hostId) || s?.neverSleep === true || !s,
      temperatureC: temps[i],
      lastWokenAt: s?.lastWokenAt ? Date.parse(s.lastWokenAt) : undefined,
    };
  });
  const plannerVms: PlannerVm[] = running.map((v) => ({
    id: v.vmId,
    memoryBytes: v.memoryBytes,
    vcpus: v.vcpus,
    hostId: v.hostId as string,
    pinned: v.pinned,
    affinity: v.tags.filter((t) => t.startsWith(TAG_AFFINITY)).map((t) => t.slice(TAG_AFFINITY.length)),
    antiAffinity: v.tags.filter((t) => t.startsWith(TAG_ANTI)).map((t) => t.slice(TAG_ANTI.length)),
  }));
  return { pool, xen, xenHosts, vms, stored, hosts, plannerVms, policy: plannerPolicy(pool, xen) };
}
