/**
 * A consolidation in progress: which hosts stay open and where each VM is. A VM whose home host is
 * open stays there (kept hosts only receive, so every migration order is valid); a VM whose home is
 * closed is a guest on another open host, or waits in the pool while the search finds it one.
 * Every change is journalled so that a failed attempt can be rolled back exactly.
 */
import type { PackModel } from './model.ts';

const POOL = -1;
const CLOSE_MARK = -2;
const REOPEN_MARK = -3;
/** Slack in capacity comparisons (memory is in bytes; vCPU limits may be fractional). */
export const EPSILON = 1e-9;

export class Packing {
  readonly model: PackModel;
  readonly open: Uint8Array;
  /** host index of each item, or -1 while it waits in the pool */
  readonly pos: Int32Array;
  readonly loadMem: Float64Array;
  readonly loadCpu: Float64Array;
  /** CPU demand on each host, in cores */
  readonly loadCores: Float64Array;
  /** items on a host that is not their home: the ones a search may move again */
  readonly guests: number[][];
  readonly pool: number[] = [];
  /** bumped whenever a host's contents change: lets the search cache per-host move lists */
  readonly version: Uint32Array;
  openCount: number;
  openCapMem = 0;
  /** summed CPU-demand limits of the open hosts (0 while the ceiling is off) */
  openCapCores = 0;
  /** memory of every item (pool included) */
  readonly totalMem: number;
  private readonly slot: Int32Array;
  private readonly antiCount: Array<Map<number, number> | undefined>;
  private readonly affCount: Array<Map<number, number> | undefined>;
  private journal: number[] = [];

  constructor(model: PackModel) {
    this.model = model;
    const n = model.hostIds.length;
    const m = model.itemIds.length;
    this.open = new Uint8Array(n).fill(1);
    this.pos = Int32Array.from(model.home);
    this.loadMem = Float64Array.from(model.baseMem);
    this.loadCpu = Float64Array.from(model.baseCpu);
    this.loadCores = Float64Array.from(model.baseCores);
    this.guests = Array.from({ length: n }, () => []);
    this.version = new Uint32Array(n);
    this.slot = new Int32Array(m).fill(-1);
    this.openCount = n;
    for (let h = 0; h < n; h++) this.openCapMem += model.capMem[h];
    if (model.coresActive) for (let h = 0; h < n; h++) this.openCapCores += model.capCores[h];
    let totalMem = 0;
    for (let i = 0; i < m; i++) totalMem += model.mem[i];
    this.totalMem = totalMem;
    this.antiCount = new Array(n).fill(undefined);
    this.affCount = new Array(n).fill(undefined);
    for (let i = 0; i < m; i++) this.countTags(i, model.home[i], 1);
  }

  /** The journal position to roll back to. */
  mark(): number {
    return this.journal.length;
  }

  /** Forget the journal: the current state becomes the one nothing rolls back past. */
  commit(): void {
    this.journal = [];
  }

  rollback(mark: number): void {
    const j = this.journal;
    while (j.length > mark) {
      const prev = j.pop() as number;
      const item = j.pop() as number;
      if (prev === CLOSE_MARK) this.reopenRaw(item);
      else if (prev === REOPEN_MARK) this.closeRaw(item);
      else this.moveRaw(item, prev);
    }
  }

  /** Close an open host: everything on it (its own VMs and its guests) goes to the pool. */
  close(h: number): void {
    this.journal.push(h, CLOSE_MARK);
    this.closeRaw(h);
    for (const i of this.model.homeItems[h]) if (this.pos[i] === h) this.move(i, POOL);
    const g = this.guests[h];
    while (g.length > 0) this.move(g[g.length - 1], POOL);
  }

  /** Reopen a closed host: its own VMs come home from wherever they are. */
  reopen(h: number): void {
    this.journal.push(h, REOPEN_MARK);
    this.reopenRaw(h);
    for (const i of this.model.homeItems[h]) if (this.pos[i] !== h) this.move(i, h);
  }

  private closeRaw(h: number): void {
    this.open[h] = 0;
    this.openCount--;
    this.openCapMem -= this.model.capMem[h];
    if (this.model.coresActive) this.openCapCores -= this.model.capCores[h];
  }

  private reopenRaw(h: number): void {
    this.open[h] = 1;
    this.openCount++;
    this.openCapMem += this.model.capMem[h];
    if (this.model.coresActive) this.openCapCores += this.model.capCores[h];
  }

  /** The items on an open host: its own VMs and its guests. */
  itemsAt(h: number): number[] {
    const own = this.model.homeItems[h].filter((i) => this.pos[i] === h);
    return own.concat(this.guests[h]);
  }

  /** The host's own VM when its bin may pass to another host of its class (see `floating`), else -1. */
  ownFloating(h: number): number {
    const own = this.model.homeItems[h];
    return own.length === 1 && this.model.floating[own[0]] === 1 && this.pos[own[0]] === h ? own[0] : -1;
  }

  /** Could `item` (away from home) take over the bin on host `h`: its home is closed and of h's class. */
  canHost(item: number, h: number): boolean {
    const m = this.model;
    const home = m.home[item];
    return m.floating[item] === 1 && home !== h && this.open[home] === 0 && m.hostClass[home] === m.hostClass[h];
  }

  /**
   * Make `wanted` the contents of open host `h`: guests not wanted go to the pool, wanted items come
   * in. When h's own floating VM is not wanted, the bin passes to the home of a wanted VM that can
   * host it (the largest, so the most memory stays put), and h closes. Returns the bin's host.
   */
  setContents(h: number, wanted: readonly number[]): number {
    const want = new Set(wanted);
    const own = this.ownFloating(h);
    for (const g of [...this.guests[h]]) if (!want.has(g)) this.move(g, POOL);
    for (const i of wanted) if (this.pos[i] !== h) this.move(i, h);
    if (own < 0 || want.has(own)) return h;
    let heir = -1;
    for (const i of wanted) if (this.canHost(i, h) && (heir < 0 || this.model.mem[i] > this.model.mem[heir])) heir = i;
    if (heir < 0) throw new Error(`planner: no VM can take over the bin of host ${this.model.hostIds[h]}`);
    this.move(own, POOL);
    const rest = this.itemsAt(h).filter((i) => i !== heir);
    const g = this.model.home[heir];
    this.close(h);
    this.reopen(g);
    for (const i of rest) this.move(i, g);
    return g;
  }

  /** Move an item to a host (or the pool, -1), journalled. Fit is the caller's business. */
  move(item: number, dest: number): void {
    this.journal.push(item, this.pos[item]);
    this.moveRaw(item, dest);
  }

  private moveRaw(item: number, dest: number): void {
    const m = this.model;
    const from = this.pos[item];
    if (from === dest) return;
    if (from === POOL) this.removeAt(this.pool, item);
    else {
      this.loadMem[from] -= m.mem[item];
      this.loadCpu[from] -= m.cpu[item];
      this.loadCores[from] -= m.cores[item];
      this.countTags(item, from, -1);
      this.version[from]++;
      if (m.home[item] !== from) this.removeAt(this.guests[from], item);
    }
    this.pos[item] = dest;
    if (dest === POOL) this.addAt(this.pool, item);
    else {
      this.loadMem[dest] += m.mem[item];
      this.loadCpu[dest] += m.cpu[item];
      this.loadCores[dest] += m.cores[item];
      this.countTags(item, dest, 1);
      this.version[dest]++;
      if (m.home[item] !== dest) this.addAt(this.guests[dest], item);
    }
  }

  private addAt(list: number[], item: number): void {
    this.slot[item] = list.length;
    list.push(item);
  }

  private removeAt(list: number[], item: number): void {
    const k = this.slot[item];
    const last = list.pop() as number;
    if (last !== item) {
      list[k] = last;
      this.slot[last] = k;
    }
    this.slot[item] = -1;
  }

  private countTags(item: number, h: number, delta: number): void {
    const anti = this.model.anti[item];
    if (anti) this.antiCount[h] = bump(this.antiCount[h], anti, delta);
    const aff = this.model.aff[item];
    if (aff) this.affCount[h] = bump(this.affCount[h], aff, delta);
  }

  /** Could `item` join open host `h` as it stands? */
  fits(item: number, h: number): boolean {
    const m = this.model;
    return (
      this.open[h] === 1 &&
      this.loadMem[h] + m.mem[item] <= m.capMem[h] + EPSILON &&
      this.loadCpu[h] + m.cpu[item] <= m.capCpu[h] + EPSILON &&
      this.loadCores[h] + m.cores[item] <= m.capCores[h] + EPSILON &&
      this.antiFree(item, h)
    );
  }

  /** No VM on `h` shares an anti-affinity tag with `item` (which is not on `h`). */
  antiFree(item: number, h: number): boolean {
    const tags = this.model.anti[item];
    const counts = this.antiCount[h];
    if (!tags || !counts) return true;
    for (let k = 0; k < tags.length; k++) if ((counts.get(tags[k]) ?? 0) > 0) return false;
    return true;
  }

  /** Anti-affinity of swapping `out` (items on `h`) for `into` (items in the pool) on host `h`. */
  antiFreeExchange(h: number, out: readonly number[], into: readonly number[]): boolean {
    const m = this.model;
    const counts = this.antiCount[h];
    for (let a = 0; a < into.length; a++) {
      const tags = m.anti[into[a]];
      if (!tags) continue;
      for (let k = 0; k < tags.length; k++) {
        const tag = tags[k];
        let c = counts?.get(tag) ?? 0;
        for (const o of out) if (hasTag(m.anti[o], tag)) c--;
        for (let b = 0; b < into.length; b++) if (b !== a && hasTag(m.anti[into[b]], tag)) c++;
        if (c > 0) return false;
      }
    }
    return true;
  }

  /** How many VMs on `h` share an affinity tag with `item`: the soft preference. */
  affinityScore(item: number, h: number): number {
    const tags = this.model.aff[item];
    const counts = this.affCount[h];
    if (!tags || !counts) return 0;
    let score = 0;
    for (let k = 0; k < tags.length; k++) score += counts.get(tags[k]) ?? 0;
    return score;
  }

  /** Memory of the VMs that leave their home host in the current state. */
  migratedMem(): number {
    const m = this.model;
    let sum = 0;
    for (let i = 0; i < m.home.length; i++) if (this.pos[i] !== m.home[i]) sum += m.mem[i];
    return sum;
  }
}

function bump(counts: Map<number, number> | undefined, tags: Int32Array, delta: number): Map<number, number> {
  const map = counts ?? new Map<number, number>();
  for (let k = 0; k < tags.length; k++) map.set(tags[k], (map.get(tags[k]) ?? 0) + delta);
  return map;
}

function hasTag(tags: Int32Array | undefined, tag: number): boolean {
  if (!tags) return false;
  for (let k = 0; k < tags.length; k++) if (tags[k] === tag) return true;
  return false;
}

