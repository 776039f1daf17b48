/**
 * Emptying one more host. Its VMs go to the pool and best fit puts back what fits; when something
 * is left, a repair search (see exchange.ts) reshuffles guests between open hosts and the pool until
 * the pool fits into a few reserved hosts, within the attempt's step limit. A failed attempt is
 * rolled back exactly. Every closing is checked against HA capacity and the minimum hosts on, and
 * kept only if the HA fit (ha-fit.ts) holds once its VMs have found their places.
 */
import { repair } from './exchange.ts';
import { placementFitHolds } from './ha-placement.ts';
import type { PackModel } from './model.ts';
import { EPSILON, type Packing } from './packing.ts';
import type { Random } from '../util/index.ts';

/** Hosts that give up their guests and take the pool at the end of a repair. */
const RESERVED_HOSTS = 2;

export type { SearchContext } from './search-context.ts';
import type { SearchContext } from './search-context.ts';

export function createContext(model: PackModel, work: number, random: Random, failures: number): SearchContext {
  const n = model.hostIds.length;
  const order = Array.from({ length: n }, (_, h) => h).sort((a, b) => model.capMem[b] - model.capMem[a] || a - b);
  const byCores = model.coresActive ? Array.from({ length: n }, (_, h) => h).sort((a, b) => model.capCores[b] - model.capCores[a] || a - b) : [];
  return { work, random, byCapacity: Int32Array.from(order), byCores: Int32Array.from(byCores), failures };
}

/**
 * A capacity of the open hosts (memory or cores; `open` their sum, which Packing keeps), less the
 * `failures` largest of them, less host `without` if open; `byCap` orders the hosts by it, largest first.
 */
function haCapacityOpen(pk: Packing, ctx: SearchContext, open: number, cap: Float64Array, byCap: Int32Array, without: number): number {
  let sum = open;
  if (without >= 0 && pk.open[without]) sum -= cap[without];
  let dropped = 0;
  for (let k = 0; k < byCap.length && dropped < ctx.failures; k++) {
    const h = byCap[k];
    if (h === without || !pk.open[h]) continue;
    sum -= cap[h];
    dropped++;
  }
  return sum;
}

/**
 * HA as sums: after losing the `failures` largest open hosts (less `without`), the rest hold every
 * running VM's memory, and (with the CPU ceiling on) its CPU demand under the ceiling. The CPU sum
 * is the part of HA the planner can promise for CPU: XAPI restarts VMs by memory alone, so where a
 * restarted VM's CPU lands is XAPI's choice, not the plan's (see ha-fit.ts).
 */
export function haHolds(pk: Packing, ctx: SearchContext, without = -1): boolean {
  const m = pk.model;
  if (haCapacityOpen(pk, ctx, pk.openCapMem, m.capMem, ctx.byCapacity, without) < m.demandMem - EPSILON) return false;
  return !m.coresActive || haCapacityOpen(pk, ctx, pk.openCapCores, m.capCores, ctx.byCores, without) >= m.demandCores - EPSILON;
}

/**
 * The HA fit of the current state: every VM of the worst failed hosts finds room on the others. The
 * memory sum (haHolds) is its cheap necessary pre-check; this one is paid for only when a closing
 * has found its VMs places.
 */
export function fitHolds(pk: Packing, ctx: SearchContext): boolean {
  if (ctx.failures === 0) return true;
  // It looks at every VM once, then at the open hosts.
  ctx.work -= pk.model.itemIds.length + pk.openCount;
  return placementFitHolds(pk.model, pk, ctx.failures);
}

/** May host `h` close at all: a candidate, open, and the rest keep minimum hosts and HA capacity. */
export function mayClose(pk: Packing, ctx: SearchContext, h: number): boolean {
  const m = pk.model;
  return (
    pk.open[h] === 1 &&
    m.fixedReason[h] === undefined &&
    pk.openCount - 1 >= m.policy.minHostsOn &&
    haHolds(pk, ctx, h)
  );
}

/** Best fit of every pool VM, largest first; those that fit nowhere stay in the pool. */
export function insertGreedy(pk: Packing, ctx: SearchContext, charge = true): boolean {
  const m = pk.model;
  const n = m.hostIds.length;
  const items = [...pk.pool].sort((a, b) => m.mem[b] - m.mem[a] || m.cpu[b] - m.cpu[a] || a - b);
  for (const i of items) {
    let best = -1;
    let bestAff = -1;
    let bestRest = Infinity;
    const need = m.mem[i];
    const needCpu = m.cpu[i];
    const needCores = m.cores[i];
    for (let h = 0; h < n; h++) {
      if (pk.open[h] === 0) continue;
      const rest = m.capMem[h] - pk.loadMem[h] - need;
      if (rest < -EPSILON || pk.loadCpu[h] + needCpu > m.capCpu[h] + EPSILON || pk.loadCores[h] + needCores > m.capCores[h] + EPSILON) continue;
      if (m.hasAnti && !pk.antiFree(i, h)) continue;
      const aff = m.hasAff ? pk.affinityScore(i, h) : 0;
      if (aff > bestAff || (aff === bestAff && rest < bestRest)) {
        best = h;
        bestAff = aff;
        bestRest = rest;
      }
    }
    if (charge) ctx.work -= n;
    if (best >= 0) pk.move(i, best);
  }
  return pk.pool.length === 0;
}

/** What became of an attempt to close a host: closed, its VMs found no room, or they did but the HA fit failed. */
export type CloseOutcome = 'closed' | 'no room' | 'HA fit';

/**
 * Try to close host `h`: its VMs must all find room elsewhere within `maxSteps` repair steps, and
 * the HA fit must hold where they land. A failed attempt is rolled back.
 */
export function tryClose(pk: Packing, h: number, maxSteps: number, ctx: SearchContext): CloseOutcome {
  const mark = pk.mark();
  ctx.work -= pk.model.hostIds.length;
  pk.close(h);
  let outcome: CloseOutcome = 'no room';
  if (insertGreedy(pk, ctx) || (maxSteps > 0 && repairPool(pk, maxSteps, ctx))) {
    if (fitHolds(pk, ctx)) return 'closed';
    outcome = 'HA fit';
  }
  pk.rollback(mark);
  return outcome;
}

/**
 * Find every pool VM a place within `maxSteps` repair steps, then make sure HA and the minimum
 * still hold (a repair may leave a reserved host empty and closed). On failure the state is
 * consistent but partly changed: callers roll back to their own mark.
 */
export function repairPool(pk: Packing, maxSteps: number, ctx: SearchContext): boolean {
  return repair(pk, maxSteps, ctx, pickReserved(pk, ctx)) && restoreSafety(pk, ctx);
}

/** The open hosts with the least load hold the pool at the end of a repair. */
function pickReserved(pk: Packing, ctx: SearchContext): number[] {
  const m = pk.model;
  const open: number[] = [];
  for (let h = 0; h < m.hostIds.length; h++) if (pk.open[h] === 1) open.push(h);
  const tie = new Map(open.map((h) => [h, ctx.random()]));
  open.sort((a, b) => pk.loadMem[a] - pk.loadMem[b] || (tie.get(a) as number) - (tie.get(b) as number));
  return open.slice(0, Math.min(RESERVED_HOSTS, Math.max(0, open.length - 1)));
}

/**
 * A repair may leave a reserved host empty, closing one host more than asked: fine while HA and
 * the minimum hold; otherwise reopen the largest closed host (its VMs come home, which only frees room).
 */
function restoreSafety(pk: Packing, ctx: SearchContext): boolean {
  const m = pk.model;
  for (const h of ctx.byCapacity) {
    if (haHolds(pk, ctx) && pk.openCount >= m.policy.minHostsOn) return true;
    if (pk.open[h] === 0) pk.reopen(h);
  }
  return haHolds(pk, ctx) && pk.openCount >= m.policy.minHostsOn;
}
