/** Capacity arithmetic shared by sleep and wake planning: usable memory, vCPU and CPU-demand limits, HA capacity, bounds. */
import type { PlannerHost, PlannerPolicy, PlannerVm } from './types.ts';

/**
 * Memory a host offers to VMs: (memory - reserved) * (1 - headroom), rounded down to whole bytes so
 * that sums compare exactly.
 */
export function usableMemory(host: PlannerHost, policy: PlannerPolicy): number {
  const raw = host.memoryBytes - (host.reservedMemoryBytes ?? 0);
  if (!(raw > 0)) return 0;
  const headroom = Math.min(Math.max(policy.headroomPercent, 0), 100);
  return Math.floor((raw * (100 - headroom)) / 100);
}

/** The CPU ceiling when the policy names none: what "a busy host" means to the planner. */
export const DEFAULT_CPU_CEILING_PERCENT = 80;

/** The policy's CPU ceiling in percent (default 80). */
export function cpuCeilingPercent(policy: PlannerPolicy): number {
  return policy.cpuCeilingPercent ?? DEFAULT_CPU_CEILING_PERCENT;
}

/** CPU demand a host may carry, in cores: its CPUs times the ceiling. */
export function coreLimit(host: PlannerHost, policy: PlannerPolicy): number {
  return (Math.max(host.cpus, 0) * cpuCeilingPercent(policy)) / 100;
}

/** A VM's CPU demand in cores: the measured one (at most its vCPUs), else its vCPUs. */
export function vmCores(vm: PlannerVm): number {
  return vm.cpuDemand === undefined ? vm.vcpus : Math.min(vm.cpuDemand, vm.vcpus);
}

/** vCPUs a host may carry: its CPUs times the overcommit ratio. */
export function vcpuLimit(host: PlannerHost, policy: PlannerPolicy): number {
  return Math.max(host.cpus, 0) * Math.max(policy.vcpuOvercommit, 0);
}

/**
 * Capacity left after losing the `failures` largest hosts: what HA can count on as a memory sum. It
 * is a necessary condition only (whole VMs must also fit: ha-fit.ts), used as the quick pre-check.
 */
export function haCapacity(capacities: readonly number[], failures: number): number {
  const sorted = [...capacities].sort((a, b) => b - a);
  let sum = 0;
  for (let i = Math.max(0, Math.floor(failures)); i < sorted.length; i++) sum += sorted[i];
  return sum;
}

/**
 * The documented lower bound: ceil(demand / largest usable host) + HA spare, at least minHostsOn.
 * It holds for every plan that sleeps anything: HA capacity counts at most the largest host per host.
 */
export function simpleLowerBound(demandBytes: number, capacities: readonly number[], policy: PlannerPolicy): number {
  const largest = capacities.reduce((a, b) => Math.max(a, b), 0);
  // With nothing running, HA needs no spare either.
  const forDemand = demandBytes > 0 && largest > 0 ? Math.ceil(demandBytes / largest) + haFailures(policy) : 0;
  return Math.max(policy.minHostsOn, forDemand);
}

export function haFailures(policy: PlannerPolicy): number {
  return Math.max(0, Math.floor(policy.haFailuresToTolerate));
}

/**
 * The fewest hosts any plan can keep on, given the hosts that must stay on anyway: those plus the
 * largest others, until HA capacity holds the demand (keeping the largest is never worse, host
 * for host). Returns Infinity when even every host cannot hold it.
 */
export function tightHostBound(
  demandBytes: number,
  fixedCapacities: readonly number[],
  otherCapacities: readonly number[],
  policy: PlannerPolicy,
): number {
  const failures = haFailures(policy);
  const chosen = [...fixedCapacities];
  const others = [...otherCapacities].sort((a, b) => b - a);
  let next = 0;
  while (haCapacity(chosen, failures) < demandBytes || chosen.length < policy.minHostsOn) {
    if (next >= others.length) return haCapacity(chosen, failures) < demandBytes ? Infinity : chosen.length;
    chosen.push(others[next++]);
  }
  return chosen.length;
}

/**
 * Martello and Toth's L2 bound for identical bins: items over half a bin each need their own, and
 * the small items must fit into what the large ones leave. Only meaningful for one dimension and
 * one bin size; used to stop the search early, never reported.
 */
export function binPackingL2(sizes: readonly number[], capacity: number): number {
  if (capacity <= 0 || sizes.length === 0) return 0;
  const sorted = [...sizes].sort((a, b) => b - a);
  let best = Math.ceil(sorted.reduce((a, b) => a + b, 0) / capacity);
  const candidates = new Set<number>([0]);
  for (const s of sorted) if (s <= capacity / 2) candidates.add(s);
  for (const k of candidates) {
    let n1 = 0;
    let n2 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (const s of sorted) {
      if (s > capacity - k) n1++;
      else if (s > capacity / 2) {
        n2++;
        sum2 += s;
      } else if (s >= k) sum3 += s;
    }
    const room = n2 * capacity - sum2;
    const bound = n1 + n2 + Math.max(0, Math.ceil((sum3 - room) / capacity));
    if (bound > best) best = bound;
  }
  return best;
}

/** Memory for people: `12.5 GiB`. */
export const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
