/** The planner's vocabulary: the pool as it is, the policy, and the plans it answers with. */

export interface PlannerHost {
  id: string;
  memoryBytes: number;
  /** memory reserved for the control domain / overhead, not usable by VMs */
  reservedMemoryBytes?: number;
  cpus: number;
  /** 'on' = live and enabled; 'disabled' = on but disabled (receives no VMs); 'off' = asleep or down */
  state: 'on' | 'disabled' | 'off';
  isMaster: boolean;
  neverSleep?: boolean;
  /** for wake ordering */
  temperatureC?: number;
  /** for wake ordering: when the host was last woken (any monotonic unit, e.g. epoch ms) */
  lastWokenAt?: number;
}

export interface PlannerVm {
  id: string;
  memoryBytes: number;
  vcpus: number;
  hostId: string;
  /** why it cannot move, e.g. 'local storage', 'PCI device', 'vGPU'; absent = movable */
  pinned?: string;
  /** soft: VMs sharing a tag are kept together when that costs nothing */
  affinity?: string[];
  /** hard: a VM is never moved onto a host holding another VM that shares one of these tags */
  antiAffinity?: string[];
}

export interface PlannerPolicy {
  haFailuresToTolerate: number;
  headroomPercent: number;
  minHostsOn: number;
  vcpuOvercommit: number;
  concurrentMigrations: number;
}

export interface Migration {
  vmId: string;
  from: string;
  to: string;
  memoryBytes: number;
  /** migrations in the same wave may run at the same time; waves run in order, starting at 1 */
  wave: number;
}

export interface KeepReason {
  hostId: string;
  reason: string;
}

export interface SleepPlan {
  /** hosts to put to sleep, in the order they become empty */
  sleep: string[];
  migrations: Migration[];
  /** every host in state 'on' that stays on, each with one reason */
  keep: KeepReason[];
  /** hosts in state 'on' that stay on after the plan (disabled hosts are outside the plan) */
  hostsOn: number;
  /** ceil(total VM demand / largest usable host capacity) + HA spare, at least minHostsOn */
  lowerBound: number;
  /** total memory the migrations move */
  migratedBytes: number;
  /** set when nothing can sleep: why, as the reason alone (readers put "nothing can sleep" before it) */
  why?: string;
}

export type WakeDemand = { all: true } | { extraMemoryBytes: number } | { hosts: number };

export interface WakePlan {
  /** hosts to wake, in the order to wake them */
  wake: string[];
  /** one line per woken host (same order), then possibly a note; one line saying why when nothing wakes */
  why: string[];
}

export interface PlannerOptions {
  /** seed of the search's tie-breaking; the same seed gives the same plan */
  seed?: number;
  /**
   * Budget of the improvement search, in units of work (about one evaluated placement each):
   * deterministic, unlike a clock, so the same input always gives the same plan. The default
   * (DEFAULT_EFFORT) keeps a 1,000-host pool and the hardest BPPLIB packings well under half a
   * second; less makes planning faster and plans no worse than the greedy starts.
   */
  effort?: number;
}
