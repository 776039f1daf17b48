/**
 * The repair search behind a host elimination, after consistent neighbourhood search for bin
 * packing (Buljubašić and Vasquez): every host stays within its limits at every step, the VMs
 * without a place wait in a pool, and a few reserved hosts give up their guests to the pool too;
 * the repair succeeds once the pool fits into the reserved hosts. Each step takes the exchange
 * between one host's guests and the pool (up to 2 out, 3 in) that shrinks the pool's memory most,
 * or grows it least, never putting a VM back on a host it has just left; when nothing shrinks the
 * pool, a descent refills single hosts as full as they can get.
 */
import { ComboList } from './combos.ts';
import { EPSILON, type Packing } from './packing.ts';
import { packIntoReserved, refillDescent, type ReservedSlot } from './refill.ts';
import type { SearchContext } from './search-context.ts';

const POOL = -1;
/** Exchanges consider pairs of a host's guests only while it has this many (pools move few VMs per host). */
const PAIR_GUEST_LIMIT = 12;
/** Triples of pool VMs are tried while the pool is this small (exact-fit packings need them). */
const TRIPLE_POOL_LIMIT = 12;
/** A VM that leaves a host may not come back to it for TABU_MIN + [0, TABU_SPREAD) steps. */
const TABU_MIN = 2;
const TABU_SPREAD = 4;

/** When the own VM leaves host h, some VM staying or arriving must be able to take over the bin. */
function heirExists(pk: Packing, h: number, outs: ComboList, o: number, ins: ComboList, k: number): boolean {
  for (const g of pk.guests[h]) if (!outs.has(o, g) && pk.canHost(g, h)) return true;
  return (ins.a[k] >= 0 && pk.canHost(ins.a[k], h)) || (ins.b[k] >= 0 && pk.canHost(ins.b[k], h)) || (ins.c[k] >= 0 && pk.canHost(ins.c[k], h));
}

/** Turn the reserved hosts into slots: their guests (and a floating own VM, with the host) go to the pool. */
function reserve(pk: Packing, reserved: readonly number[]): ReservedSlot[] {
  const m = pk.model;
  return reserved.map((r) => {
    if (pk.ownFloating(r) >= 0) {
      pk.close(r);
      return { host: r, virtual: true, freeMem: m.capMem[r], freeCpu: m.capCpu[r], freeCores: m.capCores[r] };
    }
    const g = pk.guests[r];
    while (g.length > 0) pk.move(g[g.length - 1], POOL);
    return { host: r, virtual: false, freeMem: m.capMem[r] - pk.loadMem[r], freeCpu: m.capCpu[r] - pk.loadCpu[r], freeCores: m.capCores[r] - pk.loadCores[r] };
  });
}

export function repair(pk: Packing, maxSteps: number, ctx: SearchContext, reserved: readonly number[]): boolean {
  const m = pk.model;
  const n = m.hostIds.length;
  const isReserved = new Uint8Array(n);
  for (const r of reserved) isReserved[r] = 1;
  const slots = reserve(pk, reserved);
  const tabu = new Map<number, number>();
  const outCache: Array<{ version: number; list: ComboList } | undefined> = new Array(n).fill(undefined);
  const ins = new ComboList();
  for (let step = 0; step < maxSteps && ctx.work > 0; step++) {
    if (packIntoReserved(pk, slots, ctx)) return true;
    const poolSize = pk.pool.length;
    ins.build(m, pk.pool, poolSize <= TRIPLE_POOL_LIMIT ? 3 : 2, false).sortByMemory();
    ctx.work -= 4 * ins.count + n;
    let bestHost = -1;
    let bestOut = -1;
    let bestIn = -1;
    let bestOuts: ComboList | undefined;
    let bestDelta = -Infinity;
    let bestCount = -Infinity;
    let ties = 0;
    for (let h = 0; h < n; h++) {
      if (pk.open[h] === 0 || isReserved[h] === 1) continue;
      let cached = outCache[h];
      if (!cached || cached.version !== pk.version[h]) {
        const own = pk.ownFloating(h);
        const movable = own >= 0 ? [...pk.guests[h], own] : pk.guests[h];
        const list = (cached?.list ?? new ComboList()).build(m, movable, movable.length <= PAIR_GUEST_LIMIT ? 2 : 1, true, own);
        cached = { version: pk.version[h], list };
        outCache[h] = cached;
      }
      const slackMem = m.capMem[h] - pk.loadMem[h];
      const slackCpu = m.capCpu[h] - pk.loadCpu[h];
      const slackCores = m.capCores[h] - pk.loadCores[h];
      const outs = cached.list;
      ctx.work -= outs.count;
      for (let o = 0; o < outs.count; o++) {
        const outMem = outs.mem[o];
        // Sets in memory order: the first allowed one is the best exchange for this `out`.
        for (let pos = ins.firstAtMost(slackMem + outMem, EPSILON); pos < ins.count; pos++) {
          const k = ins.order[pos];
          const delta = ins.mem[k] - outMem;
          if (delta < bestDelta - EPSILON) break;
          // Sets too busy for the host's CPU are passed over without the memory order's early stop:
          // each is work, or a pool where CPU binds runs far past its budget.
          if (ins.cores[k] - outs.cores[o] > slackCores + EPSILON) {
            ctx.work--;
            continue;
          }
          if (!allowed(pk, ins, k, outs, o, h, slackCpu, poolSize, tabu, step)) continue;
          const count = ins.size[k] - outs.size[o];
          let better = false;
          if (delta > bestDelta + EPSILON || count > bestCount) {
            better = true;
            ties = 1;
          } else if (count === bestCount) {
            ties++;
            better = ctx.random() * ties < 1;
          }
          if (better) {
            bestHost = h;
            bestOut = o;
            bestOuts = outs;
            bestIn = k;
            bestDelta = delta;
            bestCount = count;
          }
          break;
        }
      }
    }
    if (bestDelta <= EPSILON && refillDescent(pk, isReserved, ctx)) continue;
    if (bestHost < 0 || !bestOuts) return false;
    const tenure = TABU_MIN + Math.floor(ctx.random() * TABU_SPREAD);
    const leaving = bestOuts.items(bestOut);
    const arriving = ins.items(bestIn);
    const own = pk.ownFloating(bestHost);
    const stay = (own >= 0 ? [...pk.guests[bestHost], own] : pk.guests[bestHost]).filter((i) => !leaving.includes(i));
    for (const o of leaving) tabu.set(o * n + bestHost, step + tenure);
    const host = pk.setContents(bestHost, stay.concat(arriving));
    if (host !== bestHost) isReserved[host] = 0;
  }
  return packIntoReserved(pk, slots, ctx);
}

/** May the pool set `k` replace the host's set `o` on host `h`? vCPUs, no-op, tabu, anti-affinity, heir (CPU demand: the caller). */
function allowed(pk: Packing, ins: ComboList, k: number, outs: ComboList, o: number, h: number, slackCpu: number, poolSize: number, tabu: Map<number, number>, step: number): boolean {
  if (ins.cpu[k] - outs.cpu[o] > slackCpu + EPSILON) return false;
  // Swapping VMs for VMs of the same sizes changes nothing; on a plateau it would be all the search does.
  if (sameSizes(pk, ins, k, outs, o)) return false;
  const emptiesPool = ins.size[k] === poolSize && outs.size[o] === 0;
  const n = pk.model.hostIds.length;
  if (!emptiesPool && isTabu(tabu, ins, k, h, n, step)) return false;
  if (pk.model.hasAnti && !pk.antiFreeExchange(h, outs.items(o), ins.items(k))) return false;
  return outs.own[o] === 0 || heirExists(pk, h, outs, o, ins, k);
}

/** Would the exchange swap VMs for VMs of exactly the same sizes (changing nothing that matters)? */
function sameSizes(pk: Packing, ins: ComboList, k: number, outs: ComboList, o: number): boolean {
  if (ins.size[k] !== outs.size[o] || ins.mem[k] !== outs.mem[o] || ins.cpu[k] !== outs.cpu[o] || ins.cores[k] !== outs.cores[o]) return false;
  if (ins.size[k] === 1) return true;
  const mem = pk.model.mem;
  const cores = pk.model.cores;
  const x = Math.min(mem[ins.a[k]], mem[ins.b[k]]);
  const y = Math.min(mem[outs.a[o]], mem[outs.b[o]]);
  // With CPU demand, two pairs of the same memory may still differ in how it is split.
  return x === y && (!pk.model.coresActive || Math.min(cores[ins.a[k]], cores[ins.b[k]]) === Math.min(cores[outs.a[o]], cores[outs.b[o]]));
}

function isTabu(tabu: Map<number, number>, list: ComboList, k: number, h: number, n: number, step: number): boolean {
  if (tabu.size === 0) return false;
  return tabuFor(tabu, list.a[k], h, n, step) || tabuFor(tabu, list.b[k], h, n, step) || tabuFor(tabu, list.c[k], h, n, step);
}

function tabuFor(tabu: Map<number, number>, item: number, h: number, n: number, step: number): boolean {
  if (item < 0) return false;
  const until = tabu.get(item * n + h);
  return until !== undefined && until >= step;
}
