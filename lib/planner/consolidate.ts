/**
 * Choosing which hosts stay open: two greedy starts (keep the largest hosts and best-fit the rest
 * into them; and first-fit decreasing where a new bin is the VM's own host), and a third, minimum
 * bin slack (slack-start.ts), when those two leave hosts above the bound; the best one kept,
 * then rounds of host elimination with a growing step limit until the bound is reached, the step
 * limit outgrows the pool, or the work budget is spent.
 */
import { binPackingL2, haCapacity, tightHostBound } from './capacity.ts';
import type { PackModel } from './model.ts';
import { EPSILON, Packing } from './packing.ts';
import { minSlackFill } from './slack-start.ts';
import { fitHolds, haHolds, insertGreedy, mayClose, repairPool, tryClose, type SearchContext } from './search.ts';

const POOL = -1;
/** Exchanges per elimination attempt in the first round; doubled each round without progress. */
const FIRST_STEPS = 40;
/** Repair steps a start spends before it opens one more host. */
const START_REPAIR_STEPS = 200;
/** The start repairs a pool of at most this many VMs; a larger one opens the next host first. */
const START_REPAIR_POOL = 64;
/** The step limit stops growing at this many steps per VM (small pools give up early). */
const MAX_STEPS_PER_VM = 40;
/** Hosts a round tries to empty, the lightest first. */
const TRIES_PER_ROUND = 3;

/** The fewest open hosts any plan could reach: the search stops there. */
export function searchBound(model: PackModel, failures: number): number {
  const policy = { ...model.policy, haFailuresToTolerate: failures };
  const bySum = (caps: Float64Array, demand: number): number => {
    const fixed: number[] = [];
    const others: number[] = [];
    caps.forEach((cap, h) => (model.fixedReason[h] === undefined ? others : fixed).push(cap));
    return tightHostBound(demand, fixed, others, policy);
  };
  let bound = bySum(model.capMem, model.demandMem);
  if (model.coresActive) bound = Math.max(bound, bySum(model.capCores, model.demandCores));
  const caps = model.capMem;
  const identical = caps.length > 0 && caps.every((c) => c === caps[0]);
  if (identical) bound = Math.max(bound, binPackingL2(Array.from(model.mem), caps[0]));
  const fixedCount = model.fixedReason.filter((r) => r !== undefined).length;
  return Math.max(bound, fixedCount);
}

/**
 * Start A: keep the hosts that must stay plus the largest others (the fullest first among equals,
 * so less memory moves) until HA capacity and the minimum hold, best-fit every other VM into them
 * largest first, and open the next host in that order while something does not fit or the HA fit
 * does not hold.
 */
export function keepLargestStart(model: PackModel, ctx: SearchContext): Packing {
  const pk = new Packing(model);
  const order = candidates(model).sort((a, b) => model.capMem[b] - model.capMem[a] || model.baseMem[b] - model.baseMem[a] || a - b);
  const caps: number[] = [];
  const cores: number[] = [];
  model.capMem.forEach((cap, h) => {
    if (model.fixedReason[h] === undefined) return;
    caps.push(cap);
    cores.push(model.capCores[h]);
  });
  const short = (): boolean =>
    haCapacity(caps, ctx.failures) < model.demandMem - EPSILON ||
    (model.coresActive && haCapacity(cores, ctx.failures) < model.demandCores - EPSILON) ||
    caps.length < model.policy.minHostsOn;
  let kept = 0;
  while (kept < order.length && short()) {
    caps.push(model.capMem[order[kept]]);
    cores.push(model.capCores[order[kept++]]);
  }
  for (let k = kept; k < order.length; k++) pk.close(order[k]);
  insertGreedy(pk, ctx, false);
  // A repair may pass a bin to a closed host: the next host to open is the next one still closed.
  const openNext = (): boolean => {
    while (kept < order.length && pk.open[order[kept]] === 1) kept++;
    if (kept >= order.length) return false;
    pk.reopen(order[kept++]);
    insertGreedy(pk, ctx, false);
    return true;
  };
  for (;;) {
    if (pk.pool.length > 0) {
      // A repair cannot beat the sums, one step over a large pool costs millions of combinations,
      // and past the budget the start only opens hosts: with CPU binding, futile repairs here
      // took seconds on 1,000 hosts.
      if (ctx.work <= 0 || pk.pool.length > START_REPAIR_POOL || !coresCanFit(pk)) {
        if (!openNext()) break;
        continue;
      }
      const mark = pk.mark();
      if (!repairPool(pk, START_REPAIR_STEPS, ctx)) {
        pk.rollback(mark);
        if (!openNext()) break;
        continue;
      }
    }
    // Every VM has a place; the HA fit may still want another host's room.
    if (fitHolds(pk, ctx) || !openNext()) break;
  }
  pk.commit();
  return pk;
}

/** Could the open hosts take the pool's CPU demand at all, by the sum of their room under the ceiling? */
function coresCanFit(pk: Packing): boolean {
  const m = pk.model;
  if (!m.coresActive) return true;
  let need = 0;
  for (const i of pk.pool) need += m.cores[i];
  let room = 0;
  for (let h = 0; h < m.hostIds.length; h++) if (pk.open[h] === 1) room += m.capCores[h] - pk.loadCores[h];
  return need <= room + EPSILON;
}

/**
 * Start B: first-fit decreasing over the VMs of all candidate hosts, where a VM that fits nowhere
 * opens its own home host (so it does not move, and its host's other VMs come home too). With one
 * VM per host this is exactly classic FFD.
 */
export function firstFitHomeStart(model: PackModel, ctx: SearchContext): Packing {
  const pk = new Packing(model);
  const n = model.hostIds.length;
  const opened: number[] = [];
  for (let h = 0; h < n; h++) {
    if (model.fixedReason[h] === undefined) pk.close(h);
    else opened.push(h);
  }
  const items = [...pk.pool].sort((a, b) => model.mem[b] - model.mem[a] || model.cpu[b] - model.cpu[a] || a - b);
  for (const i of items) {
    if (pk.pos[i] !== POOL) continue;
    let placed = false;
    for (const h of opened) {
      if (pk.fits(i, h)) {
        pk.move(i, h);
        placed = true;
        break;
      }
    }
    if (!placed) {
      pk.reopen(model.home[i]);
      opened.push(model.home[i]);
    }
  }
  openForSafety(pk, ctx);
  return pk;
}

/**
 * Start C: minimum bin slack (slack-start.ts), then hosts for HA and the minimum as in start B;
 * undefined when its search outgrew its limit.
 */
export function minSlackStart(model: PackModel, ctx: SearchContext): Packing | undefined {
  const pk = minSlackFill(model);
  if (pk) openForSafety(pk, ctx);
  return pk;
}

/** HA spare (sum and fit) and minimum hosts: open the largest, fullest closed hosts (their VMs come home). */
function openForSafety(pk: Packing, ctx: SearchContext): void {
  const model = pk.model;
  const closed = candidates(model)
    .filter((h) => pk.open[h] === 0)
    .sort((a, b) => model.capMem[b] - model.capMem[a] || model.baseMem[b] - model.baseMem[a] || a - b);
  for (const h of closed) {
    if (haHolds(pk, ctx) && pk.openCount >= model.policy.minHostsOn && fitHolds(pk, ctx)) break;
    pk.reopen(h);
  }
  pk.commit();
}

function candidates(model: PackModel): number[] {
  const out: number[] = [];
  for (let h = 0; h < model.hostIds.length; h++) if (model.fixedReason[h] === undefined) out.push(h);
  return out;
}

/** Fewer open hosts first, then less memory moved. */
export function better(a: Packing, b: Packing): Packing {
  if (a.openCount !== b.openCount) return a.openCount < b.openCount ? a : b;
  return b.migratedMem() < a.migratedMem() ? b : a;
}

/**
 * Rounds of elimination, lightest open host first, with a move limit that doubles when a round fails.
 * A host whose VMs found room but broke the HA fit is not tried again until some other host closes:
 * longer repairs look for room, not for HA holes, so they would only fail the same way.
 */
export function eliminateHosts(pk: Packing, bound: number, ctx: SearchContext): void {
  const m = pk.model;
  let steps = FIRST_STEPS;
  const maxSteps = Math.max(FIRST_STEPS, MAX_STEPS_PER_VM * m.itemIds.length);
  const breaksFit = new Set<number>();
  while (ctx.work > 0 && pk.openCount > bound) {
    const order = candidates(m)
      .filter((h) => pk.open[h] === 1 && !breaksFit.has(h))
      .sort((a, b) => pk.loadMem[a] - pk.loadMem[b] || m.capMem[a] - m.capMem[b] || a - b);
    let tried = 0;
    let progress = false;
    for (const h of order) {
      if (pk.openCount <= bound || ctx.work <= 0 || tried >= TRIES_PER_ROUND) break;
      if (!mayClose(pk, ctx, h)) continue;
      tried++;
      const outcome = tryClose(pk, h, steps, ctx);
      if (outcome === 'closed') {
        pk.commit();
        progress = true;
        breaksFit.clear();
      } else if (outcome === 'HA fit') breaksFit.add(h);
    }
    if (tried === 0) return;
    if (!progress) {
      if (steps >= maxSteps) return;
      steps *= 2;
    }
  }
}
