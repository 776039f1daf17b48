/**
 * Exact small fills for the repair search: packing the whole pool into the reserved hosts, and
 * refilling one host from its guests and the pool as full as it can get. Both are depth-first
 * searches with a node limit, so a hard case costs a bounded amount of work.
 */
import { sharesAnti, type PackModel } from './model.ts';
import { EPSILON, type Packing } from './packing.ts';
import type { SearchContext } from './search-context.ts';

const NODE_LIMIT = 4000;
/** One descent refills 1/REFILL_SHARE of the hosts, from a random start: cheaper, and more varied. */
const REFILL_SHARE = 8;
/** A refill looks at this many candidates at most, the largest first. */
const REFILL_CANDIDATES = 24;

export interface ReservedSlot {
  host: number;
  /** the host was closed with its only VM: any VM of its class may reopen its own host to take the slot */
  virtual: boolean;
  freeMem: number;
  freeCpu: number;
  freeCores: number;
}

/** A VM that can reopen its own host to carry a virtual slot of host `h`'s class. */
function canCarry(pk: Packing, item: number, h: number): boolean {
  const m = pk.model;
  return m.floating[item] === 1 && pk.open[m.home[item]] === 0 && m.hostClass[m.home[item]] === m.hostClass[h];
}

/** Can the whole pool go into the reserved slots? If so, put it there. */
export function packIntoReserved(pk: Packing, slots: readonly ReservedSlot[], ctx: SearchContext): boolean {
  const m = pk.model;
  if (pk.pool.length === 0) return true;
  let poolMem = 0;
  let roomMem = 0;
  for (const i of pk.pool) poolMem += m.mem[i];
  for (const s of slots) roomMem += s.freeMem;
  if (poolMem > roomMem + EPSILON) return false;
  const items = [...pk.pool].sort((a, b) => m.mem[b] - m.mem[a] || a - b);
  const k = slots.length;
  const freeMem = slots.map((s) => s.freeMem);
  const freeCpu = slots.map((s) => s.freeCpu);
  const freeCores = slots.map((s) => s.freeCores);
  const placed: number[][] = slots.map(() => []);
  let nodes = 0;
  const carried = (): boolean => slots.every((s, b) => !s.virtual || placed[b].length === 0 || placed[b].some((i) => canCarry(pk, i, s.host)));
  const dfs = (j: number): boolean => {
    if (j === items.length) return carried();
    if (++nodes > NODE_LIMIT) return false;
    const i = items[j];
    for (let b = 0; b < k; b++) {
      if (m.mem[i] > freeMem[b] + EPSILON || m.cpu[i] > freeCpu[b] + EPSILON || m.cores[i] > freeCores[b] + EPSILON) continue;
      let twin = false; // an empty slot just like an earlier empty one: trying the first is enough
      for (let c = 0; c < b && !twin; c++) {
        twin = placed[c].length === 0 && placed[b].length === 0 && freeMem[c] === freeMem[b] && freeCpu[c] === freeCpu[b] && freeCores[c] === freeCores[b] && slots[c].virtual === slots[b].virtual && m.hostClass[slots[c].host] === m.hostClass[slots[b].host];
      }
      if (twin) continue;
      if (m.hasAnti && ((!slots[b].virtual && !pk.antiFree(i, slots[b].host)) || placed[b].some((o) => sharesAnti(m, o, i)))) continue;
      freeMem[b] -= m.mem[i];
      freeCpu[b] -= m.cpu[i];
      freeCores[b] -= m.cores[i];
      placed[b].push(i);
      if (dfs(j + 1)) return true;
      placed[b].pop();
      freeMem[b] += m.mem[i];
      freeCpu[b] += m.cpu[i];
      freeCores[b] += m.cores[i];
    }
    return false;
  };
  const ok = dfs(0);
  ctx.work -= nodes;
  if (!ok) return false;
  slots.forEach((s, b) => {
    if (placed[b].length === 0) return;
    let host = s.host;
    if (s.virtual) {
      let carrier = -1;
      for (const i of placed[b]) {
        if (!canCarry(pk, i, s.host)) continue;
        if (carrier < 0 || m.home[i] === s.host || (m.home[carrier] !== s.host && m.mem[i] > m.mem[carrier])) carrier = i;
      }
      host = m.home[carrier];
      pk.reopen(host);
    }
    for (const i of placed[b]) if (pk.pos[i] !== host) pk.move(i, host);
  });
  return true;
}

/** State of one refill search, kept outside the recursion so that no closure is made per host. */
interface Fill {
  pk: Packing;
  m: PackModel;
  h: number;
  own: number;
  cand: number[];
  suffix: Float64Array;
  roomMem: number;
  roomCpu: number;
  roomCores: number;
  staying: number[];
  chosen: number[];
  best: number;
  bestSet: number[] | undefined;
  nodes: number;
}

function fillValid(f: Fill): boolean {
  if (f.own < 0) return true;
  for (const i of f.chosen) if (i === f.own || f.pk.canHost(i, f.h)) return true;
  return false;
}

function fillDfs(f: Fill, j: number, mem: number, cpu: number, cores: number): void {
  if (mem > f.best + EPSILON && fillValid(f)) {
    f.best = mem;
    f.bestSet = [...f.chosen];
  }
  if (j === f.cand.length || f.best >= f.roomMem - EPSILON || mem + f.suffix[j] <= f.best + EPSILON || ++f.nodes > NODE_LIMIT) return;
  const i = f.cand[j];
  const m = f.m;
  if (
    mem + m.mem[i] <= f.roomMem + EPSILON &&
    cpu + m.cpu[i] <= f.roomCpu + EPSILON &&
    cores + m.cores[i] <= f.roomCores + EPSILON &&
    (!m.hasAnti || antiOk(m, i, f.chosen, f.staying))
  ) {
    f.chosen.push(i);
    fillDfs(f, j + 1, mem + m.mem[i], cpu + m.cpu[i], cores + m.cores[i]);
    f.chosen.pop();
  }
  fillDfs(f, j + 1, mem, cpu, cores);
}

/**
 * Refill open hosts (a share of them, from a random start) from their guests and the pool, each
 * with the subset that fills it most. A host's
 * floating own VM may leave too if another VM of the subset can carry the bin. Returns true when
 * some host got fuller, i.e. the pool shrank.
 */
export function refillDescent(pk: Packing, isReserved: Uint8Array, ctx: SearchContext): boolean {
  const m = pk.model;
  const n = m.hostIds.length;
  let improved = false;
  const bySize = (a: number, b: number): number => m.mem[b] - m.mem[a] || a - b;
  let pool = [...pk.pool].sort(bySize);
  const f: Fill = {
    pk,
    m,
    h: -1,
    own: -1,
    cand: [],
    suffix: new Float64Array(REFILL_CANDIDATES + 1),
    roomMem: 0,
    roomCpu: 0,
    roomCores: 0,
    staying: [],
    chosen: [],
    best: 0,
    bestSet: undefined,
    nodes: 0,
  };
  const movable: number[] = [];
  const startAt = Math.floor(ctx.random() * n);
  const span = Math.ceil(n / REFILL_SHARE);
  ctx.work -= span;
  for (let s = 0; s < span && pool.length > 0; s++) {
    const h = (startAt + s) % n;
    if (pk.open[h] === 0 || isReserved[h] === 1) continue;
    const own = pk.ownFloating(h);
    movable.length = 0;
    for (const g of pk.guests[h]) movable.push(g);
    if (own >= 0) movable.push(own);
    // Nothing can get fuller unless a pool VM fits the slack plus what may leave.
    let movableMem = 0;
    let movableCpu = 0;
    let movableCores = 0;
    for (const g of movable) {
      movableMem += m.mem[g];
      movableCpu += m.cpu[g];
      movableCores += m.cores[g];
    }
    const slack = m.capMem[h] - pk.loadMem[h];
    if (slack <= EPSILON || slack + movableMem < m.mem[pool[pool.length - 1]] - EPSILON) continue;
    movable.sort(bySize);
    mergeLargest(movable, pool, REFILL_CANDIDATES, f.cand, bySize);
    const cand = f.cand;
    f.suffix[cand.length] = 0;
    for (let j = cand.length - 1; j >= 0; j--) f.suffix[j] = f.suffix[j + 1] + m.mem[cand[j]];
    f.h = h;
    f.own = own;
    f.roomMem = slack + movableMem;
    f.roomCpu = m.capCpu[h] - pk.loadCpu[h] + movableCpu;
    f.roomCores = m.capCores[h] - pk.loadCores[h] + movableCores;
    f.staying = m.hasAnti ? m.homeItems[h].filter((i) => i !== own && pk.pos[i] === h) : f.staying;
    f.chosen.length = 0;
    f.best = movableMem;
    f.bestSet = undefined;
    f.nodes = 0;
    fillDfs(f, 0, 0, 0, 0);
    ctx.work -= f.nodes + 2 * cand.length;
    if (!f.bestSet) continue;
    const host = pk.setContents(h, f.bestSet);
    if (host !== h) isReserved[host] = 0;
    improved = true;
    pool = [...pk.pool].sort(bySize);
  }
  return improved;
}

/** The `limit` largest of two lists already sorted largest first, into `out`. */
function mergeLargest(x: readonly number[], y: readonly number[], limit: number, out: number[], order: (a: number, b: number) => number): void {
  out.length = 0;
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < x.length || j < y.length)) {
    if (j >= y.length || (i < x.length && order(x[i], y[j]) <= 0)) out.push(x[i++]);
    else out.push(y[j++]);
  }
}

function antiOk(m: PackModel, item: number, chosen: readonly number[], staying: readonly number[]): boolean {
  for (const c of chosen) if (sharesAnti(m, c, item)) return false;
  for (const s of staying) if (sharesAnti(m, s, item)) return false;
  return true;
}
