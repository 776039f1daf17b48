/**
 * The pool turned into a packing problem: capacity hosts (state 'on') indexed 0..n-1 in id order,
 * the VMs resident on them as items with their home host, constraint tags as small integers, and
 * the hosts that may not sleep with the reason why. Sorting by id makes plans independent of the
 * input's order.
 */
import { coreLimit, usableMemory, vcpuLimit, vmCores } from './capacity.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm } from './types.ts';

export class PlannerInputError extends Error {
  override name = 'PlannerInputError';
}

export interface PackModel {
  policy: PlannerPolicy;
  hostIds: string[];
  capMem: Float64Array;
  /** vCPUs each host may carry (the overcommit limit) */
  capCpu: Float64Array;
  /** CPU demand each host may carry, in cores (the ceiling); Infinity while the ceiling is off */
  capCores: Float64Array;
  /** why a host may not sleep (master, never-sleep, pinned VM); undefined = candidate */
  fixedReason: Array<string | undefined>;
  homeItems: number[][];
  /** memory, vCPUs and CPU demand of the VMs each host starts with */
  baseMem: Float64Array;
  baseCpu: Float64Array;
  baseCores: Float64Array;
  itemIds: string[];
  mem: Float64Array;
  /** vCPUs */
  cpu: Float64Array;
  /** CPU demand in cores (0 for every VM while the ceiling is off) */
  cores: Float64Array;
  home: Int32Array;
  /** 1 for a VM that cannot move */
  pinned: Uint8Array;
  anti: Array<Int32Array | undefined>;
  aff: Array<Int32Array | undefined>;
  hasAnti: boolean;
  hasAff: boolean;
  /**
   * 1 for the only VM of a host that may sleep: its bin may be handed to another host of the same
   * class (the host whose VM joins it stays on instead), which leaves the count of hosts unchanged
   */
  floating: Uint8Array;
  /** hosts with the same usable memory and vCPU limit share a class */
  hostClass: Int32Array;
  /** memory of every running VM (on hosts 'on' or 'disabled'): what the hosts left on must hold */
  demandMem: number;
  /**
   * The CPU ceiling applies: some running VM carries a measured cpuDemand. Then every VM counts in
   * cores (by its vCPUs when it has no history); otherwise CPU demand plays no part.
   */
  coresActive: boolean;
  /** CPU demand of every running VM, in cores (0 while the ceiling is off) */
  demandCores: number;
  /** disabled hosts, in id order: outside the packing, but they may fail and their VMs then need room */
  disabledIds: string[];
  /** the VMs of each disabled host, as indices into disabledVmIds / disabledVmMem */
  disabledItems: number[][];
  disabledVmIds: string[];
  disabledVmMem: Float64Array;
}

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function checkUnique(ids: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new PlannerInputError(`duplicate ${what} id ${id}`);
    seen.add(id);
  }
}

function checkAmount(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) throw new PlannerInputError(`${what} must be a finite number >= 0, got ${value}`);
}

export function validateInput(hosts: readonly PlannerHost[], vms: readonly PlannerVm[], policy: PlannerPolicy): void {
  checkUnique(
    hosts.map((h) => h.id),
    'host',
  );
  checkUnique(
    vms.map((v) => v.id),
    'VM',
  );
  for (const h of hosts) {
    checkAmount(h.memoryBytes, `host ${h.id} memoryBytes`);
    checkAmount(h.reservedMemoryBytes ?? 0, `host ${h.id} reservedMemoryBytes`);
    checkAmount(h.cpus, `host ${h.id} cpus`);
  }
  for (const v of vms) {
    checkAmount(v.memoryBytes, `VM ${v.id} memoryBytes`);
    checkAmount(v.vcpus, `VM ${v.id} vcpus`);
    if (v.cpuDemand !== undefined) checkAmount(v.cpuDemand, `VM ${v.id} cpuDemand`);
  }
  for (const key of ['haFailuresToTolerate', 'headroomPercent', 'minHostsOn', 'vcpuOvercommit', 'concurrentMigrations'] as const) {
    checkAmount(policy[key], `policy.${key}`);
  }
  const ceiling = policy.cpuCeilingPercent;
  if (ceiling !== undefined && !(Number.isFinite(ceiling) && ceiling > 0 && ceiling <= 100)) {
    throw new PlannerInputError(`policy.cpuCeilingPercent must be a number > 0 and <= 100, got ${ceiling}`);
  }
}

class TagTable {
  private readonly ids = new Map<string, number>();
  encode(tags: readonly string[] | undefined): Int32Array | undefined {
    if (!tags || tags.length === 0) return undefined;
    const out = new Set<number>();
    for (const tag of tags) {
      let id = this.ids.get(tag);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(tag, id);
      }
      out.add(id);
    }
    return Int32Array.from(out);
  }
}

/** Do VMs (items) a and b share an anti-affinity tag? */
export function sharesAnti(m: PackModel, a: number, b: number): boolean {
  const ta = m.anti[a];
  const tb = m.anti[b];
  if (!ta || !tb) return false;
  for (let x = 0; x < ta.length; x++) for (let y = 0; y < tb.length; y++) if (ta[x] === tb[y]) return true;
  return false;
}

function fixedReasonOf(host: PlannerHost, pinnedVm: PlannerVm | undefined): string | undefined {
  if (host.isMaster) return 'pool master';
  if (host.neverSleep) return 'marked never-sleep';
  if (pinnedVm) return `VM ${pinnedVm.id} is pinned: ${pinnedVm.pinned}`;
  return undefined;
}

export function buildModel(hosts: readonly PlannerHost[], vms: readonly PlannerVm[], policy: PlannerPolicy): PackModel {
  validateInput(hosts, vms, policy);
  const onHosts = hosts.filter((h) => h.state === 'on').sort(byId);
  const index = new Map(onHosts.map((h, i) => [h.id, i]));
  const disabledHosts = hosts.filter((h) => h.state === 'disabled').sort(byId);
  const disabled = new Map(disabledHosts.map((h, k) => [h.id, k]));
  const n = onHosts.length;
  const resident = vms.filter((v) => index.has(v.hostId)).sort(byId);
  let demandMem = 0;
  let coresActive = false;
  for (const v of vms) {
    if (!index.has(v.hostId) && !disabled.has(v.hostId)) continue;
    demandMem += v.memoryBytes;
    if (v.cpuDemand !== undefined) coresActive = true;
  }
  let demandCores = 0;
  if (coresActive) for (const v of vms) if (index.has(v.hostId) || disabled.has(v.hostId)) demandCores += vmCores(v);

  const homeItems: number[][] = Array.from({ length: n }, () => []);
  const baseMem = new Float64Array(n);
  const baseCpu = new Float64Array(n);
  const baseCores = new Float64Array(n);
  const firstPinned: Array<PlannerVm | undefined> = new Array(n).fill(undefined);
  const antiTags = new TagTable();
  const affTags = new TagTable();
  const m = resident.length;
  const mem = new Float64Array(m);
  const cpu = new Float64Array(m);
  const cores = new Float64Array(m);
  const home = new Int32Array(m);
  const pinned = new Uint8Array(m);
  const anti: Array<Int32Array | undefined> = [];
  const aff: Array<Int32Array | undefined> = [];
  resident.forEach((v, i) => {
    const h = index.get(v.hostId) as number;
    mem[i] = v.memoryBytes;
    cpu[i] = v.vcpus;
    cores[i] = coresActive ? vmCores(v) : 0;
    home[i] = h;
    homeItems[h].push(i);
    baseMem[h] += v.memoryBytes;
    baseCpu[h] += v.vcpus;
    baseCores[h] += cores[i];
    if (v.pinned !== undefined) {
      pinned[i] = 1;
      if (firstPinned[h] === undefined) firstPinned[h] = v;
    }
    anti.push(antiTags.encode(v.antiAffinity));
    aff.push(affTags.encode(v.affinity));
  });
  const capMem = Float64Array.from(onHosts, (h) => usableMemory(h, policy));
  const capCpu = Float64Array.from(onHosts, (h) => vcpuLimit(h, policy));
  const capCores = Float64Array.from(onHosts, (h) => (coresActive ? coreLimit(h, policy) : Infinity));
  const fixedReason = onHosts.map((h, i) => fixedReasonOf(h, firstPinned[i]));
  const classes = new Map<string, number>();
  const hostClass = Int32Array.from(onHosts, (_, h) => {
    const key = `${capMem[h]}/${capCpu[h]}/${capCores[h]}`;
    if (!classes.has(key)) classes.set(key, classes.size);
    return classes.get(key) as number;
  });
  const floating = new Uint8Array(m);
  for (let h = 0; h < n; h++) if (fixedReason[h] === undefined && homeItems[h].length === 1) floating[homeItems[h][0]] = 1;
  const onDisabled = vms.filter((v) => disabled.has(v.hostId)).sort(byId);
  const disabledItems: number[][] = disabledHosts.map(() => []);
  onDisabled.forEach((v, k) => disabledItems[disabled.get(v.hostId) as number].push(k));
  return {
    policy,
    hostIds: onHosts.map((h) => h.id),
    capMem,
    capCpu,
    capCores,
    fixedReason,
    homeItems,
    baseMem,
    baseCpu,
    baseCores,
    itemIds: resident.map((v) => v.id),
    mem,
    cpu,
    cores,
    home,
    pinned,
    anti,
    aff,
    hasAnti: anti.some((t) => t !== undefined),
    hasAff: aff.some((t) => t !== undefined),
    floating,
    hostClass,
    demandMem,
    coresActive,
    demandCores,
    disabledIds: disabledHosts.map((h) => h.id),
    disabledItems,
    disabledVmIds: onDisabled.map((v) => v.id),
    disabledVmMem: Float64Array.from(onDisabled, (v) => v.memoryBytes),
  };
}
