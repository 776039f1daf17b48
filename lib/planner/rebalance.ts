/**
 * The morning rebalance, planned (pure): after a wake, the VMs spread back over the hosts that are
 * on again, in waves within the pool's concurrent migrations, every wave safe while it runs
 * (memory with headroom, the vCPU overcommit, anti-affinity, the HA fit: rebalance-state.ts).
 * - restore: each VM back to the host it ran on before the sleep (its origin) where that host is
 *   live, enabled and has the room; a VM whose origin is not valid stays, with why.
 * - balance: from measured CPU (and memory), the fewest moves a greedy finds that bring every
 *   live host within `spreadPoints` of the pool's mean CPU and memory percentages; it plans to a
 *   margin below that, since measured load wanders. A host it cannot bring there stays, with why.
 */
import { usableMemory } from './capacity.ts';
import { PlannerInputError, validateInput } from './model.ts';
import { Placement, type RebalanceMove } from './rebalance-state.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm } from './types.ts';

export type { RebalanceMove } from './rebalance-state.ts';

export type RebalanceMode = 'restore' | 'balance';

export interface RebalanceVm extends PlannerVm {
  /** Measured CPU demand in physical CPUs (busy fraction × vCPUs); undefined counts it at its vCPUs. */
  cpuCores?: number;
}

export interface RebalanceHost extends PlannerHost {
  /** Measured CPU the host uses beside its guests (the control domain), in physical CPUs. */
  baseCpuCores?: number;
}

/** A VM (restore) or a host (balance) left as it is, with why. */
export interface RebalanceStay {
  vmId?: string;
  /** Where it stays; null for a VM that no longer runs. */
  hostId: string | null;
  why: string;
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

export interface RebalancePlan {
  mode: RebalanceMode;
  moves: RebalanceMove[];
  stays: RebalanceStay[];
  /** restore: the VMs on their origin already. */
  home: string[];
  before: LoadFigures;
  after: LoadFigures;
  /** Set when nothing moves: why. */
  why?: string;
}

export interface BalanceOptions {
  /** No host more than this many points above the pool's mean (default 15). */
  spreadPoints?: number;
  /** Planned this many points inside the spread (default 2). */
  marginPoints?: number;
  /** The greedy stops after this many moves (default: one per VM, at most 500). */
  maxMoves?: number;
  /** Targets tried per VM: the coolest hosts (default 8). */
  targetsPerVm?: number;
}

export const DEFAULT_SPREAD_POINTS = 15;
export const DEFAULT_MARGIN_POINTS = 2;
const EPSILON = 1e-9;

function check(hosts: readonly RebalanceHost[], vms: readonly RebalanceVm[], policy: PlannerPolicy): void {
  validateInput(hosts, vms, policy);
  for (const v of vms) if (v.cpuCores !== undefined && !(Number.isFinite(v.cpuCores) && v.cpuCores >= 0)) throw new PlannerInputError(`VM ${v.id} cpuCores must be a finite number >= 0, got ${v.cpuCores}`);
  for (const h of hosts) if (h.baseCpuCores !== undefined && !(Number.isFinite(h.baseCpuCores) && h.baseCpuCores >= 0)) throw new PlannerInputError(`host ${h.id} baseCpuCores must be a finite number >= 0, got ${h.baseCpuCores}`);
}

/** Per-host CPU (cores) and memory (bytes) sums, kept up to date as moves are planned. */
class Loads {
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

  /** Points above (mean + limit), summed over hosts, CPU and memory; with one VM moved when asked. */
  excess(limit: number, move?: { vm: RebalanceVm; from: string; to: string }): number {
    return this.excessByHost(limit, move).reduce((a, b) => a + b, 0);
  }

  /** Points above (mean + limit) of each host (in `on` order), CPU and memory summed; with one VM moved when asked. */
  excessByHost(limit: number, move?: { vm: RebalanceVm; from: string; to: string }): number[] {
    const at = (h: RebalanceHost): [number, number] => {
      const sign = move?.from === h.id ? -1 : move?.to === h.id ? 1 : 0;
      return sign === 0 || !move ? [this.cpuPercent(h), this.memoryPercent(h)] : [this.cpuPercent(h, sign * demand(move.vm)), this.memoryPercent(h, sign * move.vm.memoryBytes)];
    };
    const figures = this.on.map(at);
    const cpuMean = mean(figures.map((f) => f[0]));
    const memMean = mean(figures.map((f) => f[1]));
    return figures.map(([c, m]) => Math.max(0, c - cpuMean - limit) + Math.max(0, m - memMean - limit));
  }

  /** How far the host is above (mean + limit), in CPU and in memory points. */
  above(h: RebalanceHost, limit: number): { cpu: number; memory: number } {
    const cpuMean = mean(this.on.map((x) => this.cpuPercent(x)));
    const memMean = mean(this.on.map((x) => this.memoryPercent(x)));
    return { cpu: this.cpuPercent(h) - cpuMean - limit, memory: this.memoryPercent(h) - memMean - limit };
  }
}

const demand = (v: RebalanceVm): number => v.cpuCores ?? v.vcpus;
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (x: number): number => Math.round(x * 100) / 100;
const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Restore: each VM of `origins` (VM → the host it ran on before the sleep) back home, biggest
 * first, in as few waves as the checks allow.
 *
 * @throws PlannerInputError on duplicate ids or negative / non-finite amounts
 */
export function planRestore(hosts: readonly RebalanceHost[], vms: readonly RebalanceVm[], policy: PlannerPolicy, origins: Readonly<Record<string, string>>): RebalancePlan {
  check(hosts, vms, policy);
  const loads = new Loads(hosts, vms, policy);
  const before = loads.figures();
  const placement = new Placement(hosts, vms, policy);
  const hostById = new Map(hosts.map((h) => [h.id, h]));
  const vmById = new Map(vms.map((v) => [v.id, v]));
  const stays: RebalanceStay[] = [];
  const home: string[] = [];
  const pending: RebalanceVm[] = [];
  for (const [vmId, origin] of Object.entries(origins).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const vm = vmById.get(vmId);
    if (!vm) {
      stays.push({ vmId, hostId: null, why: 'it no longer runs' });
      continue;
    }
    if (vm.hostId === origin) {
      home.push(vmId);
      continue;
    }
    const host = hostById.get(origin);
    const why = !host
      ? `its origin ${origin} is no longer in the pool`
      : host.state === 'off'
        ? `its origin ${origin} is not live (asleep or off)`
        : host.state === 'disabled'
          ? `its origin ${origin} is disabled in XAPI`
          : vm.pinned
            ? `it cannot move: ${vm.pinned}`
            : undefined;
    if (why) stays.push({ vmId, hostId: vm.hostId, why });
    else pending.push(vm);
  }
  // Biggest first: they are the hardest to place; a VM refused now may fit once others moved.
  pending.sort((a, b) => b.memoryBytes - a.memoryBytes || byId(a, b));
  const refused = new Map<string, string>();
  for (let progress = true; pending.length && progress; ) {
    progress = false;
    for (const vm of [...pending]) {
      const why = placement.tryMove(vm.id, origins[vm.id]);
      if (why === undefined) {
        pending.splice(pending.indexOf(vm), 1);
        loads.shift(vm, vm.hostId, origins[vm.id]);
        progress = true;
      } else refused.set(vm.id, why);
    }
  }
  for (const vm of pending) stays.push({ vmId: vm.id, hostId: vm.hostId, why: `not moved back to ${origins[vm.id]}: ${refused.get(vm.id) ?? 'no room'}` });
  const moves = placement.moves;
  const why = moves.length
    ? undefined
    : Object.keys(origins).length === 0
      ? 'no VM moved in the last sleep: there is nothing to restore'
      : stays.length === 0
        ? 'every VM is on its origin already'
        : 'no VM can go back to its origin (see the stays)';
  return { mode: 'restore', moves, stays, home, before, after: loads.figures(), ...(why ? { why } : {}) };
}

/**
 * Balance: while some live host is more than (spread − margin) points above the pool's mean CPU
 * or memory, the one move that lowers the total excess most (ties: the smaller VM), among each
 * hot host's VMs and the coolest hosts, that passes the wave checks; a move that leaves its
 * target hot only when no other helps.
 *
 * @throws PlannerInputError on duplicate ids or negative / non-finite amounts
 */
export function planBalance(hosts: readonly RebalanceHost[], vms: readonly RebalanceVm[], policy: PlannerPolicy, o: BalanceOptions = {}): RebalancePlan {
  check(hosts, vms, policy);
  const spread = o.spreadPoints ?? DEFAULT_SPREAD_POINTS;
  const limit = Math.max(0, spread - (o.marginPoints ?? DEFAULT_MARGIN_POINTS));
  const maxMoves = o.maxMoves ?? Math.min(vms.length, 500);
  const targets = Math.max(1, o.targetsPerVm ?? 8);
  const loads = new Loads(hosts, vms, policy);
  const before = loads.figures();
  const placement = new Placement(hosts, vms, policy);
  const vmById = new Map(vms.map((v) => [v.id, v]));
  const blocked = new Map<string, string>();
  let capped = false;
  for (let n = 0; ; n++) {
    const now = loads.excess(limit);
    if (now <= EPSILON) break;
    if (n >= maxMoves) {
      capped = true;
      break;
    }
    const hot = loads.on.filter((h) => {
      const a = loads.above(h, limit);
      return a.cpu > EPSILON || a.memory > EPSILON;
    });
    const cool = [...loads.on].sort((a, b) => loads.cpuPercent(a) + loads.memoryPercent(a) - loads.cpuPercent(b) - loads.memoryPercent(b) || byId(a, b));
    const candidates: Array<{ vm: RebalanceVm; from: string; to: string; after: number; heats: boolean }> = [];
    const index = new Map(loads.on.map((h, i) => [h.id, i]));
    for (const h of hot) {
      const movable = placement.vmsOn(h.id).filter((v) => !v.pinned && !placement.hasMoved(v.id));
      if (movable.length === 0) blocked.set(h.id, 'none of its VMs can move (pinned, or moved once already)');
      for (const v of movable) {
        const vm = vmById.get(v.id) as RebalanceVm;
        for (const t of cool.filter((x) => x.id !== h.id).slice(0, targets)) {
          const byHost = loads.excessByHost(limit, { vm, from: h.id, to: t.id });
          const after = byHost.reduce((a, b) => a + b, 0);
          // A move that makes its target hot is a last resort: the VM moves once, so it could not be undone.
          if (after < now - EPSILON) candidates.push({ vm, from: h.id, to: t.id, after, heats: byHost[index.get(t.id) as number] > EPSILON });
        }
      }
    }
    candidates.sort((a, b) => Number(a.heats) - Number(b.heats) || a.after - b.after || a.vm.memoryBytes - b.vm.memoryBytes || byId(a.vm, b.vm) || (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
    let moved = false;
    for (const c of candidates.slice(0, 64)) {
      const why = placement.tryMove(c.vm.id, c.to);
      if (why === undefined) {
        loads.shift(c.vm, c.from, c.to);
        moved = true;
        break;
      }
      if (!blocked.has(c.from)) blocked.set(c.from, `moving ${c.vm.id} to ${c.to} is refused: ${why}`);
    }
    if (!moved) break;
  }
  const stays: RebalanceStay[] = [];
  for (const h of loads.on) {
    const a = loads.above(h, spread);
    if (a.cpu <= EPSILON && a.memory <= EPSILON) continue;
    const what = [a.cpu > EPSILON ? `CPU ${round(a.cpu + spread)}` : '', a.memory > EPSILON ? `memory ${round(a.memory + spread)}` : ''].filter(Boolean).join(' and ');
    const why = capped ? `the plan stops at ${maxMoves} moves` : (blocked.get(h.id) ?? 'no move to a host with room brings it closer to the mean');
    stays.push({ hostId: h.id, why: `${what} points above the pool's mean: ${why}` });
  }
  const moves = placement.moves;
  const why = moves.length ? undefined : stays.length ? 'no move brings the hot hosts closer to the mean (see the stays)' : `every live host is within ${spread} points of the pool's mean CPU and memory`;
  return { mode: 'balance', moves, stays, home: [], before, after: loads.figures(), ...(why ? { why } : {}) };
}
