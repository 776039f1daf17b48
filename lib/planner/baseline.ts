/**
 * The plain baseline the planner is measured against: first-fit decreasing of every movable VM
 * onto the fewest hosts, under the same rules (pinned VMs stay, hosts that must stay on are opened
 * first, vCPU limits, the CPU ceiling, anti-affinity, HA spare by memory sum and by fit, minimum hosts on). Unlike
 * the planner it re-packs VMs of kept hosts too, so kept hosts both send and receive; its waves are
 * scheduled so that each migration finds room when it starts.
 */
import { haCapacity, haFailures } from './capacity.ts';
import { placementFitHolds } from './ha-placement.ts';
import { buildModel, sharesAnti, type PackModel } from './model.ts';
import { EPSILON } from './packing.ts';
import { keepReasons, planLowerBound, whyNothingSleeps } from './plan.ts';
import type { Migration, PlannerHost, PlannerPolicy, PlannerVm, SleepPlan } from './types.ts';

/**
 * First-fit decreasing consolidation, as a SleepPlan to compare with planSleep's. When a cycle of
 * full hosts keeps migrations waiting on each other it does not resolve it: it runs them last, one
 * per wave, and says so in `why` (such a plan breaks the room rule; the planner's never do).
 */
export function firstFitDecreasing(hosts: PlannerHost[], vms: PlannerVm[], policy: PlannerPolicy): SleepPlan {
  const model = buildModel(hosts, vms, policy);
  const n = model.hostIds.length;
  const m = model.itemIds.length;
  const open = new Uint8Array(n);
  const loadMem = new Float64Array(n);
  const loadCpu = new Float64Array(n);
  const loadCores = new Float64Array(n);
  const onHost: number[][] = Array.from({ length: n }, () => []);
  const target = new Int32Array(m).fill(-1);
  const opened: number[] = [];
  const place = (i: number, h: number): void => {
    target[i] = h;
    loadMem[h] += model.mem[i];
    loadCpu[h] += model.cpu[i];
    loadCores[h] += model.cores[i];
    onHost[h].push(i);
  };
  const unplace = (i: number): void => {
    const h = target[i];
    loadMem[h] -= model.mem[i];
    loadCpu[h] -= model.cpu[i];
    loadCores[h] -= model.cores[i];
    onHost[h].splice(onHost[h].indexOf(i), 1);
    target[i] = -1;
  };
  const openHost = (h: number): void => {
    open[h] = 1;
    opened.push(h);
  };
  const pinned = model.pinned;
  for (let h = 0; h < n; h++) if (model.fixedReason[h] !== undefined) openHost(h);
  for (let i = 0; i < m; i++) if (pinned[i]) place(i, model.home[i]);
  const fits = (i: number, h: number): boolean =>
    loadMem[h] + model.mem[i] <= model.capMem[h] + EPSILON &&
    loadCpu[h] + model.cpu[i] <= model.capCpu[h] + EPSILON &&
    loadCores[h] + model.cores[i] <= model.capCores[h] + EPSILON &&
    (!model.hasAnti || onHost[h].every((o) => !sharesAnti(model, o, i)));
  const bySize = Array.from({ length: m }, (_, i) => i)
    .filter((i) => !pinned[i])
    .sort((a, b) => model.mem[b] - model.mem[a] || model.cpu[b] - model.cpu[a] || a - b);
  const byCapacity = Array.from({ length: n }, (_, h) => h).sort((a, b) => model.capMem[b] - model.capMem[a] || a - b);
  for (const i of bySize) {
    const h = opened.find((o) => fits(i, o));
    if (h !== undefined) {
      place(i, h);
      continue;
    }
    // A new bin: the VM's own host when free, else the largest closed host it fits.
    const home = model.home[i];
    const fresh = open[home] === 0 && fits(i, home) ? home : byCapacity.find((c) => open[c] === 0 && fits(i, c));
    const bin = fresh ?? home; // fits nowhere: it stays where it is
    if (open[bin] === 0) openHost(bin);
    place(i, bin);
  }
  // HA spare (sum and fit) and minimum: open the largest closed hosts, and their own VMs stay at home.
  for (const h of [...byCapacity].sort((a, b) => model.capMem[b] - model.capMem[a] || model.baseMem[b] - model.baseMem[a] || a - b)) {
    if (haHoldsFor(model, open) && opened.length >= policy.minHostsOn && placementFitHolds(model, { open, pos: target }, haFailures(policy))) break;
    if (open[h] === 1) continue;
    openHost(h);
    for (const i of model.homeItems[h]) {
      if (target[i] >= 0) unplace(i);
      place(i, h);
    }
  }
  // Nothing sleeps: a re-pack would only shuffle VMs around.
  if (opened.length === n) for (let i = 0; i < m; i++) target[i] = model.home[i];
  const migrations = scheduleWaves(model, target, policy.concurrentMigrations);
  const keep = keepReasons(model, { open, pos: target }, loadMem, loadMem.reduce((a, b) => a + b, 0));
  const plan: SleepPlan = {
    sleep: model.hostIds.filter((_, h) => open[h] === 0),
    migrations: migrations.moves,
    keep,
    hostsOn: keep.length,
    lowerBound: planLowerBound(model),
    migratedBytes: migrations.moves.reduce((s, mv) => s + mv.memoryBytes, 0),
  };
  if (plan.sleep.length === 0) plan.why = whyNothingSleeps(model, keep);
  else if (migrations.stuck > 0) plan.why = `baseline: ${migrations.stuck} migrations wait on each other; they run last, one at a time`;
  return plan;
}

function haHoldsFor(model: PackModel, open: Uint8Array): boolean {
  const caps: number[] = [];
  const cores: number[] = [];
  model.capMem.forEach((c, h) => {
    if (open[h] === 0) return;
    caps.push(c);
    cores.push(model.capCores[h]);
  });
  const failures = haFailures(model.policy);
  if (haCapacity(caps, failures) < model.demandMem - EPSILON) return false;
  return !model.coresActive || haCapacity(cores, failures) >= model.demandCores - EPSILON;
}

/**
 * Waves for a re-pack: a migration joins a wave when its target has room for it and for everything
 * else arriving in that wave, with the VMs still on the target counted as present (any subset of a
 * wave may finish first), and no anti-affinity clash with them.
 */
function scheduleWaves(model: PackModel, target: Int32Array, concurrent: number): { moves: Migration[]; stuck: number } {
  const perWave = Math.max(1, Math.floor(concurrent));
  const loadMem = Float64Array.from(model.baseMem);
  const loadCpu = Float64Array.from(model.baseCpu);
  const loadCores = Float64Array.from(model.baseCores);
  const present: Array<Set<number>> = model.homeItems.map((items) => new Set(items));
  const pending = Array.from({ length: model.itemIds.length }, (_, i) => i).filter((i) => target[i] >= 0 && target[i] !== model.home[i]);
  const done = new Uint8Array(model.itemIds.length);
  const moves: Migration[] = [];
  let head = 0;
  let wave = 0;
  let stuck = 0;
  while (head < pending.length) {
    wave++;
    const incoming = new Map<number, { mem: number; cpu: number; cores: number; items: number[] }>();
    const chosen: number[] = [];
    for (let k = head; k < pending.length && chosen.length < perWave; k++) {
      const i = pending[k];
      if (done[i]) continue;
      const t = target[i];
      const inc = incoming.get(t) ?? { mem: 0, cpu: 0, cores: 0, items: [] };
      if (loadMem[t] + inc.mem + model.mem[i] > model.capMem[t] + EPSILON) continue;
      if (loadCpu[t] + inc.cpu + model.cpu[i] > model.capCpu[t] + EPSILON) continue;
      if (loadCores[t] + inc.cores + model.cores[i] > model.capCores[t] + EPSILON) continue;
      if (model.hasAnti && ([...present[t]].some((o) => sharesAnti(model, o, i)) || inc.items.some((o) => sharesAnti(model, o, i)))) continue;
      inc.mem += model.mem[i];
      inc.cpu += model.cpu[i];
      inc.cores += model.cores[i];
      inc.items.push(i);
      incoming.set(t, inc);
      chosen.push(i);
    }
    if (chosen.length === 0) {
      // A cycle of full hosts: the baseline does not resolve it, it just runs the first one.
      while (done[pending[head]]) head++;
      chosen.push(pending[head]);
      stuck++;
    }
    for (const i of chosen) {
      const from = model.home[i];
      const to = target[i];
      loadMem[from] -= model.mem[i];
      loadCpu[from] -= model.cpu[i];
      loadCores[from] -= model.cores[i];
      loadMem[to] += model.mem[i];
      loadCpu[to] += model.cpu[i];
      loadCores[to] += model.cores[i];
      present[from].delete(i);
      present[to].add(i);
      done[i] = 1;
      moves.push({ vmId: model.itemIds[i], from: model.hostIds[from], to: model.hostIds[to], memoryBytes: model.mem[i], wave });
    }
    while (head < pending.length && done[pending[head]]) head++;
  }
  return { moves, stuck };
}
