/**
 * Start C, minimum bin slack (after Gupta and Ho's MBS'): hosts that must stay on are filled first;
 * then, while VMs wait, the largest opens its own host (its host's other VMs come home too) and the
 * host is filled with the set of waiting VMs that leaves it the least free memory, found by a
 * depth-first search in size order under a node limit (an exact fill ends it). First-fit fills a
 * host with whatever comes first and is weakest where bins only close exactly (Falkenauer's
 * triplets, zero-slack packings); this start looks for the exact fill. Every VM it places keeps
 * every limit (memory, vCPUs, CPU demand, anti-affinity).
 */
import { sharesAnti, type PackModel } from './model.ts';
import { EPSILON, Packing } from './packing.ts';

const POOL = -1;
/** Search nodes per host filled: bounds the start at about this many steps per open host. */
const FILL_NODES = 3000;
/** At most this many VMs join a host in one fill. */
const FILL_DEPTH = 64;
/**
 * Search nodes for the whole start. The hardest generated packings (1,000 items) take about 250,000;
 * a pool of 20,000 VMs would take millions, and there the other starts do as well: past this, the
 * start gives up.
 */
const START_NODES = 500_000;

class Filler {
  private readonly m: PackModel;
  private readonly pk: Packing;
  /** the waiting VMs, largest first; placed ones are dropped now and then (compact) */
  private order: Int32Array;
  /** the smallest of them: a host with less room than this takes nothing more */
  private smallest: number;
  /** VMs placed since the last compaction */
  private placed = 0;
  private readonly chosen: number[] = [];
  private best: number[] = [];
  private bestRest = Infinity;
  private nodes = 0;
  /** nodes spent by every fill so far */
  total = 0;
  private host = 0;
  private cpuRoom = 0;
  private coresRoom = 0;

  constructor(m: PackModel, pk: Packing, order: Int32Array) {
    this.m = m;
    this.pk = pk;
    this.order = order;
    this.smallest = order.length > 0 ? m.mem[order[order.length - 1]] : Infinity;
  }

  /** The first position in `order` whose VM has at most `room` memory. */
  private firstAtMost(room: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.m.mem[this.order[mid]] > room + EPSILON) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Fill open host `h` with the waiting VMs that leave it the least free memory. */
  fill(h: number): void {
    const m = this.m;
    const rest = m.capMem[h] - this.pk.loadMem[h];
    if (rest < this.smallest - EPSILON) return;
    this.host = h;
    this.cpuRoom = m.capCpu[h] - this.pk.loadCpu[h];
    this.coresRoom = m.capCores[h] - this.pk.loadCores[h];
    this.best = [];
    this.bestRest = rest;
    this.nodes = 0;
    this.search(0, rest, 0, 0);
    this.total += Math.min(this.nodes, FILL_NODES);
    for (const i of this.best) this.pk.move(i, h);
    this.placed += this.best.length;
  }

  /** Drop the placed VMs from the order once they are half of it, so the search does not wade through them. */
  compact(): void {
    if (2 * this.placed < this.order.length) return;
    this.order = this.order.filter((i) => this.pk.pos[i] === POOL);
    this.smallest = this.order.length > 0 ? this.m.mem[this.order[this.order.length - 1]] : Infinity;
    this.placed = 0;
  }

  private fits(i: number, cpu: number, cores: number): boolean {
    const m = this.m;
    if (cpu + m.cpu[i] > this.cpuRoom + EPSILON || cores + m.cores[i] > this.coresRoom + EPSILON) return false;
    if (!m.hasAnti) return true;
    return this.pk.antiFree(i, this.host) && this.chosen.every((o) => !sharesAnti(m, o, i));
  }

  private search(from: number, rest: number, cpu: number, cores: number): void {
    if (rest < this.bestRest - EPSILON) {
      this.bestRest = rest;
      this.best = [...this.chosen];
    }
    if (this.bestRest <= EPSILON || this.chosen.length >= FILL_DEPTH || rest < this.smallest - EPSILON) return;
    const m = this.m;
    let tried = -1;
    for (let k = Math.max(from, this.firstAtMost(rest)); k < this.order.length; k++) {
      const i = this.order[k];
      if (this.pk.pos[i] !== POOL) continue;
      if (++this.nodes > FILL_NODES) return;
      if (tried >= 0) {
        // One of the same size and load was tried here already: the same subtree again.
        if (m.mem[i] === m.mem[tried] && m.cpu[i] === m.cpu[tried] && m.cores[i] === m.cores[tried]) continue;
        // A smaller VM after a larger one helps only if another still fits beside it: skip to those.
        if (rest - m.mem[i] < this.smallest - EPSILON) {
          k = Math.max(k, this.firstAtMost(rest - this.smallest)) - 1;
          continue;
        }
      }
      if (!this.fits(i, cpu, cores)) continue;
      tried = i;
      this.chosen.push(i);
      this.search(k + 1, rest - m.mem[i], cpu + m.cpu[i], cores + m.cores[i]);
      this.chosen.pop();
      if (this.bestRest <= EPSILON) return;
    }
  }
}

/**
 * The packing of start C, before HA and the minimum of hosts on (the caller opens hosts for those),
 * or undefined when it outgrows START_NODES. Every VM ends on an open host: the largest waiting one
 * always fits on its own, reopened host.
 */
export function minSlackFill(model: PackModel): Packing | undefined {
  const pk = new Packing(model);
  const n = model.hostIds.length;
  for (let h = 0; h < n; h++) if (model.fixedReason[h] === undefined) pk.close(h);
  const order = Int32Array.from([...pk.pool].sort((a, b) => model.mem[b] - model.mem[a] || model.cpu[b] - model.cpu[a] || a - b));
  const filler = new Filler(model, pk, order);
  for (let h = 0; h < n; h++) if (pk.open[h] === 1) filler.fill(h);
  for (const i of order) {
    if (pk.pos[i] !== POOL) continue;
    const h = model.home[i];
    pk.reopen(h);
    filler.fill(h);
    filler.compact();
    if (filler.total >= START_NODES) return undefined;
  }
  return pk;
}
