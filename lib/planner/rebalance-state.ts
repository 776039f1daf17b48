/**
 * A pool's placement while a rebalance is planned, wave by wave. A wave's moves run at once, so a
 * move is checked against the wave in flight: every VM of the wave counted on its source AND its
 * target, as XAPI holds a live migration's memory on both until the copy ends. If memory (with the
 * policy's headroom), the vCPU overcommit, the CPU ceiling (when VMs carry a measured cpuDemand, as
 * the sleep plans), anti-affinity and the HA fit hold in that state, they
 * hold in whichever order the wave's moves end (each ended move only frees memory and leaves
 * fewer VMs to restart). A VM moves at most once per plan: no VM is bounced around.
 */
import { coreLimit, cpuCeilingPercent, gib, usableMemory, vcpuLimit, vmCores } from './capacity.ts';
import { haFitHolds } from './ha-check.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm } from './types.ts';

/** One move of a rebalance plan. */
export interface RebalanceMove {
  vmId: string;
  from: string;
  to: string;
  memoryBytes: number;
  /** Moves of a wave may run at once; waves run in order from 1. */
  wave: number;
}

/** How a ghost (the in-flight copy of a VM on its target) is named to the HA check. */
const IN_FLIGHT = ' (in flight)';

export class Placement {
  readonly hosts: ReadonlyMap<string, PlannerHost>;
  readonly vms: ReadonlyMap<string, PlannerVm>;
  readonly moves: RebalanceMove[] = [];
  /** Where each VM runs at the start of the wave being built. */
  private readonly at = new Map<string, string>();
  private readonly memAt = new Map<string, number>();
  private readonly vcpuAt = new Map<string, number>();
  /** CPU demand in cores, counted only under the CPU ceiling (some VM carries a measured cpuDemand), as the sleep plans. */
  private readonly coresAt = new Map<string, number>();
  private readonly coresActive: boolean;
  /** The wave being built: VM → target. */
  private readonly flight = new Map<string, string>();
  private readonly moved = new Set<string>();
  private wave = 1;
  private readonly perWave: number;

  constructor(
    hosts: readonly PlannerHost[],
    vms: readonly PlannerVm[],
    readonly policy: PlannerPolicy,
  ) {
    this.hosts = new Map(hosts.map((h) => [h.id, h]));
    this.vms = new Map(vms.map((v) => [v.id, v]));
    this.perWave = Math.max(1, Math.floor(policy.concurrentMigrations));
    this.coresActive = vms.some((v) => v.cpuDemand !== undefined);
    for (const v of vms) {
      this.at.set(v.id, v.hostId);
      this.memAt.set(v.hostId, (this.memAt.get(v.hostId) ?? 0) + v.memoryBytes);
      this.vcpuAt.set(v.hostId, (this.vcpuAt.get(v.hostId) ?? 0) + v.vcpus);
      this.coresAt.set(v.hostId, (this.coresAt.get(v.hostId) ?? 0) + vmCores(v));
    }
  }

  /** Where the VM runs once the wave being built has ended. */
  hostOf(vmId: string): string | undefined {
    return this.flight.get(vmId) ?? this.at.get(vmId);
  }

  /** The VMs on a host once the wave being built has ended. */
  vmsOn(hostId: string): PlannerVm[] {
    return [...this.vms.values()].filter((v) => this.hostOf(v.id) === hostId);
  }

  hasMoved(vmId: string): boolean {
    return this.moved.has(vmId);
  }

  /**
   * Why the VM may not move to the host now (undefined: it may). Checked against the wave in
   * flight; with `settled`, against the state once that wave has ended (would a new wave help?).
   */
  refusal(vmId: string, to: string, settled = false): string | undefined {
    const vm = this.vms.get(vmId);
    const host = this.hosts.get(to);
    if (!vm) return `VM ${vmId} does not run`;
    if (!host) return `${to} is not in the pool`;
    if (host.state !== 'on') return `${to} is ${host.state === 'off' ? 'not live (asleep or off)' : 'disabled in XAPI'}`;
    if (vm.pinned) return `it cannot move: ${vm.pinned}`;
    if (this.moved.has(vmId)) return `${vmId} moves once per plan`;
    const from = this.at.get(vmId) as string;
    if (from === to) return `it runs on ${to} already`;
    const mem = this.load(to, settled, (v) => v.memoryBytes, this.memAt) + vm.memoryBytes;
    const room = usableMemory(host, this.policy);
    if (mem > room) return `${to} lacks the memory: it needs ${gib(vm.memoryBytes)}, ${gib(Math.max(0, room - mem + vm.memoryBytes))} of its usable ${gib(room)} is free`;
    const vcpus = this.load(to, settled, (v) => v.vcpus, this.vcpuAt) + vm.vcpus;
    const limit = vcpuLimit(host, this.policy);
    if (vcpus > limit) return `${to} would carry ${vcpus} vCPUs, over its limit of ${limit} (${host.cpus} CPUs × ${this.policy.vcpuOvercommit})`;
    if (this.coresActive) {
      const cores = this.load(to, settled, vmCores, this.coresAt) + vmCores(vm);
      const most = coreLimit(host, this.policy);
      if (cores > most + 1e-9) return `${to} would carry ${cores.toFixed(1)} cores of CPU demand, over its ${cpuCeilingPercent(this.policy)} % ceiling of ${most.toFixed(1)}`;
    }
    const clash = this.antiClash(vm, to, settled ? new Set(this.flight.keys()) : undefined);
    if (clash) return `${to} runs ${clash.vm}, which shares the anti-affinity tag ${clash.tag}`;
    const ha = haFitHolds([...this.hosts.values()], this.inFlightVms(settled, { vmId, to }), this.policy);
    if (!ha.ok) return `the pool would not keep HA ${this.policy.haFailuresToTolerate} while it moves: ${ha.why.split(IN_FLIGHT).join('')}`;
    return undefined;
  }

  /**
   * Add the move to the wave being built, or to a new wave when only the wave in flight stands in
   * its way. Undefined when added; otherwise why not (nothing changes).
   */
  tryMove(vmId: string, to: string): string | undefined {
    const now = this.refusal(vmId, to);
    if (now === undefined) {
      this.add(vmId, to);
      return undefined;
    }
    if (this.flight.size === 0) return now;
    const later = this.refusal(vmId, to, true);
    if (later !== undefined) return later;
    this.closeWave();
    this.add(vmId, to);
    return undefined;
  }

  /** End the wave being built: its moves have landed. */
  closeWave(): void {
    if (this.flight.size === 0) return;
    for (const [vmId, to] of this.flight) {
      const vm = this.vms.get(vmId) as PlannerVm;
      const from = this.at.get(vmId) as string;
      this.memAt.set(from, (this.memAt.get(from) ?? 0) - vm.memoryBytes);
      this.vcpuAt.set(from, (this.vcpuAt.get(from) ?? 0) - vm.vcpus);
      this.memAt.set(to, (this.memAt.get(to) ?? 0) + vm.memoryBytes);
      this.vcpuAt.set(to, (this.vcpuAt.get(to) ?? 0) + vm.vcpus);
      this.coresAt.set(from, (this.coresAt.get(from) ?? 0) - vmCores(vm));
      this.coresAt.set(to, (this.coresAt.get(to) ?? 0) + vmCores(vm));
      this.at.set(vmId, to);
    }
    this.flight.clear();
    this.wave++;
  }

  private add(vmId: string, to: string): void {
    const vm = this.vms.get(vmId) as PlannerVm;
    this.moves.push({ vmId, from: this.at.get(vmId) as string, to, memoryBytes: vm.memoryBytes, wave: this.wave });
    this.flight.set(vmId, to);
    this.moved.add(vmId);
    if (this.flight.size >= this.perWave) this.closeWave();
  }

  /** What the host holds with the wave in flight (incoming counted, outgoing still there), or once it ended. */
  private load(hostId: string, settled: boolean, amount: (v: PlannerVm) => number, base: Map<string, number>): number {
    let total = base.get(hostId) ?? 0;
    for (const [vmId, to] of this.flight) {
      const vm = this.vms.get(vmId) as PlannerVm;
      if (to === hostId) total += amount(vm);
      else if (settled && this.at.get(vmId) === hostId) total -= amount(vm);
    }
    return total;
  }

  private antiClash(vm: PlannerVm, to: string, leaving?: Set<string>): { vm: string; tag: string } | undefined {
    if (!vm.antiAffinity?.length) return undefined;
    for (const other of this.vms.values()) {
      if (other.id === vm.id || !other.antiAffinity?.length) continue;
      const there = this.at.get(other.id) === to ? !leaving?.has(other.id) : this.flight.get(other.id) === to;
      if (!there) continue;
      const tag = other.antiAffinity.find((t) => vm.antiAffinity?.includes(t));
      if (tag) return { vm: other.id, tag };
    }
    return undefined;
  }

  /**
   * The VMs as the HA fit sees them with the wave in flight and one more move: each moving VM on
   * its source and, as a ghost of the same memory, on its target. Settled: the wave has ended.
   */
  private inFlightVms(settled: boolean, extra: { vmId: string; to: string }): PlannerVm[] {
    const out: PlannerVm[] = [];
    const flying = new Map(this.flight);
    if (settled) {
      for (const v of this.vms.values()) out.push({ ...v, hostId: this.hostOf(v.id) as string });
      flying.clear();
    } else for (const v of this.vms.values()) out.push({ ...v, hostId: this.at.get(v.id) as string });
    flying.set(extra.vmId, extra.to);
    for (const [vmId, to] of flying) {
      const vm = this.vms.get(vmId) as PlannerVm;
      out.push({ id: `${vmId}${IN_FLIGHT}`, memoryBytes: vm.memoryBytes, vcpus: vm.vcpus, hostId: to });
    }
    return out;
  }
}
