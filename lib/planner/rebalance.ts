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
import { PlannerInputError, validateInput } from './model.ts';
import { Placement, type RebalanceMove } from './rebalance-state.ts';
import { Loads, round, type LoadFigures, type RebalanceHost, type RebalanceVm } from './rebalance-load.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm } from './types.ts';

export type { RebalanceMove } from './rebalance-state.ts';
export type { HostFigure, LoadFigures, RebalanceHost, RebalanceVm } from './rebalance-load.ts';

export type RebalanceMode = 'restore' | 'balance';

/** A VM (restore) or a host (balance) left as it is, with why. */
export interface RebalanceStay {
  vmId?: string;
  /** Where it stays; null for a VM that no longer runs. */
  hostId: string | null;
  why: string;
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
  const blocked = new Map<string, string>();
  let capped = false;
  const index = new Map(loads.on.map((h, i) => [h.id, i]));
  for (let n = 0; ; n++) {
    const snap = loads.snapshot(limit);
    if (snap.total <= EPSILON) break;
    if (n >= maxMoves) {
      capped = true;
      break;
    }
    const residents = new Map<string, RebalanceVm[]>();
    for (const v of vms) {
      const at = placement.hostOf(v.id) as string;
      if (v.pinned || placement.hasMoved(v.id)) continue;
      const list = residents.get(at);
      if (list) list.push(v);
      else residents.set(at, [v]);
    }
    const cool = loads.on.map((h, i) => ({ h, i, load: snap.cpu[i] + snap.mem[i] })).sort((a, b) => a.load - b.load || byId(a.h, b.h));
    const ranked: Array<{ vm: RebalanceVm; from: number; to: number; after: number; heats: boolean }> = [];
    loads.on.forEach((h, from) => {
      if (snap.over[from] <= EPSILON) return;
      const movable = residents.get(h.id) ?? [];
      if (movable.length === 0) blocked.set(h.id, 'none of its VMs can move (pinned, or moved once already)');
      for (const vm of movable) {
        for (const t of cool.filter((x) => x.i !== from).slice(0, targets)) {
          const w = loads.withMove(snap, limit, from, t.i, vm, false);
          if (w.total < snap.total - EPSILON) ranked.push({ vm, from, to: t.i, after: w.total, heats: w.target > EPSILON });
        }
      }
    });
    // A move that makes its target hot is a last resort: the VM moves once, so it could not be undone.
    const order = (a: (typeof ranked)[number], b: (typeof ranked)[number]): number =>
      Number(a.heats) - Number(b.heats) || a.after - b.after || a.vm.memoryBytes - b.vm.memoryBytes || byId(a.vm, b.vm) || a.to - b.to;
    const candidates = ranked
      .sort(order)
      .slice(0, 64)
      .map((c) => {
        const w = loads.withMove(snap, limit, c.from, c.to, c.vm, true);
        return { ...c, after: w.total, heats: w.target > EPSILON };
      })
      .filter((c) => c.after < snap.total - EPSILON)
      .sort(order);
    let moved = false;
    for (const c of candidates) {
      const from = loads.on[c.from].id;
      const to = loads.on[c.to].id;
      const why = placement.tryMove(c.vm.id, to);
      if (why === undefined) {
        loads.shift(c.vm, from, to);
        moved = true;
        break;
      }
      if (!blocked.has(from)) blocked.set(from, `moving ${c.vm.id} to ${to} is refused: ${why}`);
    }
    if (!moved) break;
  }
  const stays: RebalanceStay[] = [];
  const end = loads.snapshot(spread);
  for (const h of loads.on) {
    const i = index.get(h.id) as number;
    const a = { cpu: end.cpu[i] - end.cpuMean - spread, memory: end.mem[i] - end.memMean - spread };
    if (a.cpu <= EPSILON && a.memory <= EPSILON) continue;
    const what = [a.cpu > EPSILON ? `CPU ${round(a.cpu + spread)}` : '', a.memory > EPSILON ? `memory ${round(a.memory + spread)}` : ''].filter(Boolean).join(' and ');
    const why = capped ? `the plan stops at ${maxMoves} moves` : (blocked.get(h.id) ?? 'no move to a host with room brings it closer to the mean');
    stays.push({ hostId: h.id, why: `${what} points above the pool's mean: ${why}` });
  }
  const moves = placement.moves;
  const why = moves.length ? undefined : stays.length ? 'no move brings the hot hosts closer to the mean (see the stays)' : `every live host is within ${spread} points of the pool's mean CPU and memory`;
  return { mode: 'balance', moves, stays, home: [], before, after: loads.figures(), ...(why ? { why } : {}) };
}
