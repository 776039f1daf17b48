/**
 * The HA fit: when the hosts of a failure set fail, every VM that ran on them must find room, as a
 * whole VM, in the free usable memory of the hosts that survive. A memory sum cannot say that: two
 * 8 GiB VMs do not fit into three hosts with 6 GiB free each, though 16 <= 18.
 *
 * The placement rule is biggest fit decreasing: the largest VM first, each onto the survivor with
 * the most room. That is the rule of XAPI's HA failover planner as lib/sim/xen/ha-plan.ts models
 * it, so a pool that passes here passes the pool's own check for the same failure sets (and, with
 * headroom taken out of the room, with room to spare). Any greedy placement that succeeds is a
 * sufficient condition: a plan found here exists.
 *
 * Which failure sets: every set of `n` live hosts while there are at most MAX_EXHAUSTIVE_SETS of
 * them (every single host of a 5,000-host pool for n = 1; the same limit as the simulator's). Past
 * that, the sets drawn from the few worst hosts of four orders, each of which is what makes a
 * restart hard: the most VM memory to restart, the most capacity lost (VM memory plus room: the
 * memory sum's worst case), the most room lost, and the largest single VM. This is an
 * approximation: a set outside those could in principle be worse, but a set fails only when it has
 * more to restart, or takes more room away, or needs a larger hole, than the survivors offer, and
 * the sets built from the top of those orders are the ones that push each of those the hardest. The
 * n hosts with the most VM memory (what the simulator tries past its limit) are always among them.
 *
 * CPU is not part of the fit, on purpose: XAPI restarts VMs by memory alone, so which survivor a
 * VM's CPU lands on is XAPI's choice; the plan promises CPU for failures as a sum (search.ts haHolds).
 *
 * Most sets are cleared without placing anything: if a set's VM memory is at most its largest VM
 * plus the sum over the survivors of max(0, room - that VM), the placement succeeds (see checkSet).
 * A weaker form of that bound over every set at once clears a roomy pool in one step.
 */
import { gib } from './capacity.ts';
import { EPSILON } from './packing.ts';

/** Past this many failure sets only the sets of the worst hosts are tried (see above). */
export const MAX_EXHAUSTIVE_SETS = 5_000;
/** Hosts taken from the top of each order beyond the `n` that fail. */
const EXTRA_CANDIDATES = 2;

/** The live hosts (on or disabled) as the fit sees them, indexed 0..count-1. */
export interface FitView {
  readonly count: number;
  /** free usable memory of a host that may receive restarted VMs (0 for a disabled one) */
  readonly room: Float64Array;
  /** memory of the VMs running on the host */
  readonly load: Float64Array;
  /** its largest VM */
  readonly largest: Float64Array;
  /** the VMs running on the host (keys for vmMem and vmName) */
  vmsOf(h: number): readonly number[];
  /** the memory of those VMs, largest first */
  sizesOf(h: number): Float64Array;
  vmMem(vm: number): number;
  hostName(h: number): string;
  vmName(vm: number): string;
}

export interface FitFailure {
  /** the failure set, host indices ascending */
  failed: number[];
  /** the VM that found no room */
  vm: number;
  /** the most room a survivor had left when it found none */
  room: number;
}

/** The first failure set (and VM) for which the restart does not fit, or undefined when all fit. */
export function findFitFailure(view: FitView, failures: number): FitFailure | undefined {
  const n = Math.max(0, Math.floor(failures));
  const count = view.count;
  if (n === 0) return undefined;
  if (n >= count) return everyHostFails(view);
  const rooms = new RoomTable(view);
  if (clearsEverySet(view, rooms, n)) return undefined;
  for (const set of failureSets(view, n)) {
    const failure = checkSet(view, rooms, set);
    if (failure) return failure;
  }
  return undefined;
}

/** "if a and b fail, VM v (8.0 GiB) finds no room: ...", for a failure from findFitFailure. */
export function describeFitFailure(view: FitView, failure: FitFailure, failures: number): string {
  const size = gib(view.vmMem(failure.vm));
  if (failure.failed.length === view.count) {
    const home = failure.failed.find((h) => view.vmsOf(h).includes(failure.vm)) ?? failure.failed[0];
    return `${view.count} live host(s) cannot tolerate ${failures} failure(s): VM ${view.vmName(failure.vm)} (${size}) of ${view.hostName(home)} would have nowhere to restart`;
  }
  const names = failure.failed.map((h) => view.hostName(h)).sort();
  const who = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `if ${who} ${names.length === 1 ? 'fails' : 'fail'}, VM ${view.vmName(failure.vm)} (${size}) finds no room: the most free usable memory left on a surviving host is ${gib(failure.room)}`;
}

/** Every live host fails: fine only with nothing running. */
function everyHostFails(view: FitView): FitFailure | undefined {
  let worst = -1;
  for (let h = 0; h < view.count; h++) for (const vm of view.vmsOf(h)) if (worst < 0 || view.vmMem(vm) > view.vmMem(worst)) worst = vm;
  if (worst < 0) return undefined;
  return { failed: Array.from({ length: view.count }, (_, h) => h), vm: worst, room: 0 };
}

/** The survivors' rooms, largest first, with prefix sums: the room bound in O(log hosts). */
class RoomTable {
  /** host indices by room, largest first */
  readonly order: Int32Array;
  readonly sorted: Float64Array;
  private readonly prefix: Float64Array;

  constructor(view: FitView) {
    const order = Array.from({ length: view.count }, (_, h) => h).sort((a, b) => view.room[b] - view.room[a] || a - b);
    this.order = Int32Array.from(order);
    this.sorted = Float64Array.from(order, (h) => Math.max(0, view.room[h]));
    this.prefix = new Float64Array(order.length + 1);
    for (let k = 0; k < order.length; k++) this.prefix[k + 1] = this.prefix[k] + this.sorted[k];
  }

  /** Sum over every host of max(0, room - s). */
  above(s: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] > s) lo = mid + 1;
      else hi = mid;
    }
    return this.prefix[lo] - s * lo;
  }
}

/**
 * The room bound for every set at once: no set restarts more than the n largest (load + room), and
 * no set's survivors offer less than max(0, room - s) summed with s the largest VM of all.
 */
function clearsEverySet(view: FitView, rooms: RoomTable, n: number): boolean {
  const top: number[] = [];
  let largest = 0;
  for (let h = 0; h < view.count; h++) {
    largest = Math.max(largest, view.largest[h]);
    const cost = view.load[h] + Math.max(0, view.room[h]);
    if (top.length < n) top.push(cost);
    else if (cost > top[top.length - 1]) top[top.length - 1] = cost;
    else continue;
    top.sort((a, b) => b - a);
  }
  return top.reduce((a, b) => a + b, 0) <= rooms.above(largest) + EPSILON;
}

/**
 * One failure set. Cleared without placing anything when its VM memory is at most g(s) = s + the
 * survivors' sum of max(0, room - s), s its largest VM: a VM of size t <= s finds no room only when
 * every survivor has less than t left, i.e. after more than max(0, room - t) went to each, so the
 * memory placed before it plus t exceeds g(t) >= g(s) (g only falls while some room exceeds s).
 * Failed at once when the largest VM exceeds the largest room: the first VM placed finds none.
 */
function checkSet(view: FitView, rooms: RoomTable, set: readonly number[]): FitFailure | undefined {
  let largest = 0;
  let total = 0;
  for (const f of set) {
    largest = Math.max(largest, view.largest[f]);
    total += view.load[f];
  }
  if (total === 0) return undefined;
  const best = largestSurvivorRoom(rooms, set);
  if (largest > best + EPSILON) return { failed: [...set].sort((a, b) => a - b), vm: vmOfSize(view, set, largest), room: best };
  let offered = rooms.above(largest);
  for (const f of set) offered -= Math.max(0, view.room[f] - largest);
  if (total <= largest + offered + EPSILON) return undefined;
  return biggestFitDecreasing(view, rooms, set);
}

function largestSurvivorRoom(rooms: RoomTable, set: readonly number[]): number {
  for (let k = 0; k < rooms.order.length; k++) if (!set.includes(rooms.order[k])) return rooms.sorted[k];
  return 0;
}

/** The first VM (in the view's order) of the failed hosts with this memory. */
function vmOfSize(view: FitView, set: readonly number[], size: number): number {
  for (const f of [...set].sort((a, b) => a - b)) for (const vm of view.vmsOf(f)) if (view.vmMem(vm) === size) return vm;
  throw new Error('planner: no VM of the failed hosts has the size that found no room');
}

/**
 * Place the failed hosts' VMs, largest first, each onto the survivor with the most room. Only the
 * V roomiest survivors can be chosen for V VMs (the k-th choice is always among the k roomiest at
 * the start), so a heap of those is all it needs. Only sizes matter; the VM is named at the end.
 */
function biggestFitDecreasing(view: FitView, rooms: RoomTable, set: readonly number[]): FitFailure | undefined {
  let sizes: Float64Array;
  if (set.length === 1) sizes = view.sizesOf(set[0]);
  else {
    const parts = set.map((f) => view.sizesOf(f));
    sizes = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      sizes.set(part, at);
      at += part.length;
    }
    sizes.sort().reverse();
  }
  const heap = new RoomHeap(sizes.length);
  for (let k = 0; k < rooms.order.length && heap.size < sizes.length; k++) if (!set.includes(rooms.order[k])) heap.push(rooms.sorted[k], k);
  for (let k = 0; k < sizes.length; k++) {
    const need = sizes[k];
    const best = heap.size > 0 ? heap.topRoom() : 0;
    if (best < need - EPSILON) return { failed: [...set].sort((a, b) => a - b), vm: vmOfSize(view, set, need), room: best };
    heap.takeFromTop(need);
  }
  return undefined;
}

/** A max-heap of survivors' rooms; ties go to the earlier rank. */
class RoomHeap {
  size = 0;
  private readonly room: Float64Array;
  private readonly rank: Int32Array;

  constructor(capacity: number) {
    this.room = new Float64Array(capacity);
    this.rank = new Int32Array(capacity);
  }

  private above(a: number, b: number): boolean {
    return this.room[a] > this.room[b] || (this.room[a] === this.room[b] && this.rank[a] < this.rank[b]);
  }

  private swap(a: number, b: number): void {
    const r = this.room[a];
    this.room[a] = this.room[b];
    this.room[b] = r;
    const k = this.rank[a];
    this.rank[a] = this.rank[b];
    this.rank[b] = k;
  }

  push(room: number, rank: number): void {
    let k = this.size++;
    this.room[k] = room;
    this.rank[k] = rank;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.above(k, parent)) break;
      this.swap(k, parent);
      k = parent;
    }
  }

  topRoom(): number {
    return this.room[0];
  }

  takeFromTop(amount: number): void {
    this.room[0] -= amount;
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let best = k;
      if (l < this.size && this.above(l, best)) best = l;
      if (r < this.size && this.above(r, best)) best = r;
      if (best === k) return;
      this.swap(k, best);
      k = best;
    }
  }
}

/** Every set of n live hosts when there are few enough, else the sets of the worst hosts (see top). */
function failureSets(view: FitView, n: number): Iterable<number[]> {
  const all = Array.from({ length: view.count }, (_, h) => h);
  if (binomial(view.count, n) <= MAX_EXHAUSTIVE_SETS) return combinations(all, n);
  const orders: Array<(h: number) => number> = [
    (h) => view.load[h],
    (h) => view.load[h] + Math.max(0, view.room[h]),
    (h) => view.room[h],
    (h) => view.largest[h],
  ];
  const ranked = orders.map((score) => [...all].sort((a, b) => score(b) - score(a) || a - b));
  for (let extra = EXTRA_CANDIDATES; extra >= 0; extra--) {
    const pool = [...new Set(ranked.flatMap((r) => r.slice(0, n + extra)))].sort((a, b) => a - b);
    if (binomial(pool.length, n) <= MAX_EXHAUSTIVE_SETS) return combinations(pool, n);
  }
  // Very many failures to tolerate: the n worst of each order, as four sets.
  return ranked.map((r) => r.slice(0, n).sort((a, b) => a - b));
}

function* combinations(items: readonly number[], n: number): Generator<number[]> {
  const pick = Array.from({ length: n }, (_, k) => k);
  const last = items.length - n;
  for (;;) {
    yield pick.map((k) => items[k]);
    let k = n - 1;
    while (k >= 0 && pick[k] === last + k) k--;
    if (k < 0) return;
    pick[k]++;
    for (let j = k + 1; j < n; j++) pick[j] = pick[j - 1] + 1;
  }
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}
