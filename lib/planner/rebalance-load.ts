/**
 * The load a rebalance evens out, per live host: measured CPU (cores: dom0's base plus each VM's
 * demand, its vCPUs when unmeasured) and guest memory (of the host's usable memory), as
 * percentages, with the pool's means and each host's points above (mean + a limit). Kept up to
 * date as moves are planned (rebalance.ts).
 */
import { usableMemory } from './capacity.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm } from './types.ts';

export interface RebalanceVm extends PlannerVm {
  /** Measured CPU demand in physical CPUs (busy fraction × vCPUs); undefined counts it at its vCPUs. */
  cpuCores?: number;
}

export interface RebalanceHost extends PlannerHost {
  /** Measured CPU the host uses beside its guests (the control domain), in physical CPUs. */
  baseCpuCores?: number;
}

export interface HostFigure {
  hostId: string;
  /** CPU in use, percent of the host's CPUs. */
  cpuPercent: number;
  /** Guest memory, percent of the host's usable memory (headroom taken out). */
  memoryPercent: number;
}

/** The live, enabled hosts' load, with the pool's means over them. */
export interface LoadFigures {
  hosts: HostFigure[];
  meanCpuPercent: number;
  meanMemoryPercent: number;
}

/** Per-host CPU (cores) and memory (bytes) sums, kept up to date as moves are planned. */
export class Loads {
  readonly on: RebalanceHost[];
  private readonly cpu = new Map<string, number>();
  private readonly mem = new Map<string, number>();
  private readonly room = new Map<string, number>();

  constructor(hosts: readonly RebalanceHost[], vms: readonly RebalanceVm[], policy: PlannerPolicy) {
    this.on = hosts.filter((h) => h.state === 'on').sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const h of this.on) {
      this.cpu.set(h.id, h.baseCpuCores ?? 0);
      this.mem.set(h.id, 0);
      this.room.set(h.id, usableMemory(h, policy));
    }
    for (const v of vms) this.shift(v, undefined, v.hostId);
  }

  shift(v: RebalanceVm, from: string | undefined, to: string): void {
    const cores = demand(v);
    if (from !== undefined && this.cpu.has(from)) {
      this.cpu.set(from, (this.cpu.get(from) as number) - cores);
      this.mem.set(from, (this.mem.get(from) as number) - v.memoryBytes);
    }
    if (this.cpu.has(to)) {
      this.cpu.set(to, (this.cpu.get(to) as number) + cores);
      this.mem.set(to, (this.mem.get(to) as number) + v.memoryBytes);
    }
  }

  cpuPercent(h: RebalanceHost, delta = 0): number {
    return h.cpus > 0 ? (((this.cpu.get(h.id) as number) + delta) / h.cpus) * 100 : 0;
  }

  memoryPercent(h: RebalanceHost, delta = 0): number {
    const room = this.room.get(h.id) as number;
    return room > 0 ? (((this.mem.get(h.id) as number) + delta) / room) * 100 : 0;
  }

  figures(): LoadFigures {
    const hosts = this.on.map((h) => ({ hostId: h.id, cpuPercent: round(this.cpuPercent(h)), memoryPercent: round(this.memoryPercent(h)) }));
    return { hosts, meanCpuPercent: round(mean(this.on.map((h) => this.cpuPercent(h)))), meanMemoryPercent: round(mean(this.on.map((h) => this.memoryPercent(h)))) };
  }

  /** The live hosts' percentages (in `on` order), their means, and each host's points above (mean + limit), CPU and memory summed. */
  snapshot(limit: number): Snapshot {
    const cpu = this.on.map((h) => this.cpuPercent(h));
    const mem = this.on.map((h) => this.memoryPercent(h));
    const cpuMean = mean(cpu);
    const memMean = mean(mem);
    const over = cpu.map((c, i) => Math.max(0, c - cpuMean - limit) + Math.max(0, mem[i] - memMean - limit));
    return { cpu, mem, cpuMean, memMean, over, total: over.reduce((a, b) => a + b, 0) };
  }

  /**
   * The total excess with one VM moved, and its target's part. `exact` recomputes the means over
   * the pool (O(hosts)); otherwise they are held as they are (O(1)), which a move shifts by a
   * fraction of a point: good enough to rank candidates, which are then scored exactly.
   */
  withMove(s: Snapshot, limit: number, from: number, to: number, vm: RebalanceVm, exact: boolean): { total: number; target: number } {
    const f = this.on[from];
    const t = this.on[to];
    const cpuF = this.cpuPercent(f, -demand(vm));
    const memF = this.memoryPercent(f, -vm.memoryBytes);
    const cpuT = this.cpuPercent(t, demand(vm));
    const memT = this.memoryPercent(t, vm.memoryBytes);
    const n = Math.max(1, this.on.length);
    const cpuMean = exact ? s.cpuMean + (cpuF - s.cpu[from] + cpuT - s.cpu[to]) / n : s.cpuMean;
    const memMean = exact ? s.memMean + (memF - s.mem[from] + memT - s.mem[to]) / n : s.memMean;
    const over = (c: number, m: number): number => Math.max(0, c - cpuMean - limit) + Math.max(0, m - memMean - limit);
    const target = over(cpuT, memT);
    if (!exact) return { total: s.total - s.over[from] - s.over[to] + over(cpuF, memF) + target, target };
    let total = 0;
    for (let i = 0; i < this.on.length; i++) total += i === from ? over(cpuF, memF) : i === to ? target : over(s.cpu[i], s.mem[i]);
    return { total, target };
  }
}

export interface Snapshot {
  cpu: number[];
  mem: number[];
  cpuMean: number;
  memMean: number;
  over: number[];
  total: number;
}

export const demand = (v: RebalanceVm): number => v.cpuCores ?? v.vcpus;
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
export const round = (x: number): number => Math.round(x * 100) / 100;
