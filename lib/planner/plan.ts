/**
 * A finished consolidation turned into the plan the operations carry out: hosts to sleep in the
 * order they empty, migrations in waves, one reason for every host that stays on, and why nothing
 * sleeps when nothing does.
 */
import { cpuCeilingPercent, gib, haFailures, simpleLowerBound } from './capacity.ts';
import { placementFitFailure, type Placement } from './ha-placement.ts';
import { blockingLimit, finalLoads, type Blocking } from './keep-limits.ts';
import type { PackModel } from './model.ts';
import { EPSILON, type Packing } from './packing.ts';
import type { KeepLimit, KeepReason, Migration, SleepPlan } from './types.ts';
import { intoWaves } from './waves.ts';

export const REASON_CAPACITY = 'needed for capacity';
export const REASON_CPU = 'needed for CPU';
export const REASON_VCPUS = 'needed for vCPUs';
export const REASON_HA = 'HA spare';
export const REASON_HA_CPU = 'HA spare for CPU';
export const REASON_MIN_HOSTS = 'minimum hosts on';
/** Hosts kept for capacity asked whether the HA fit needs their room: the roomiest, failures + this many. */
const FIT_REASON_EXTRA = 2;

export function toPlan(model: PackModel, pk: Packing): SleepPlan {
  if (pk.pool.length > 0) throw new Error(`planner: ${pk.pool.length} VMs left without a host`);
  const n = model.hostIds.length;
  const outgoing = new Float64Array(n);
  const moved: number[] = [];
  for (let i = 0; i < model.itemIds.length; i++) {
    if (pk.pos[i] === model.home[i]) continue;
    outgoing[model.home[i]] += model.mem[i];
    moved.push(i);
  }
  const asleep: number[] = [];
  for (let h = 0; h < n; h++) if (pk.open[h] === 0) asleep.push(h);
  const byId = (a: number, b: number): number => (model.hostIds[a] < model.hostIds[b] ? -1 : 1);
  asleep.sort((a, b) => outgoing[a] - outgoing[b] || byId(a, b));
  const rank = new Int32Array(n);
  asleep.forEach((h, k) => (rank[h] = k));
  moved.sort((a, b) => rank[model.home[a]] - rank[model.home[b]] || model.mem[b] - model.mem[a] || (model.itemIds[a] < model.itemIds[b] ? -1 : 1));
  const migrations: Migration[] = intoWaves(
    moved.map((i) => ({
      vmId: model.itemIds[i],
      from: model.hostIds[model.home[i]],
      to: model.hostIds[pk.pos[i]],
      memoryBytes: model.mem[i],
    })),
    model.policy.concurrentMigrations,
  );
  const keep = keepReasons(model, pk, pk.loadMem, pk.totalMem);
  const plan: SleepPlan = {
    sleep: asleep.map((h) => model.hostIds[h]),
    migrations,
    keep,
    hostsOn: keep.length,
    lowerBound: planLowerBound(model),
    migratedBytes: migrations.reduce((sum, m) => sum + m.memoryBytes, 0),
  };
  if (asleep.length === 0) plan.why = whyNothingSleeps(model, keep);
  return plan;
}

/**
 * The documented lower bound (simpleLowerBound) of memory and, with the CPU ceiling on, of CPU
 * demand: a plan that sleeps anything keeps at least the larger of the two on.
 */
export function planLowerBound(model: PackModel): number {
  const byMemory = simpleLowerBound(model.demandMem, Array.from(model.capMem), model.policy);
  return model.coresActive ? Math.max(byMemory, simpleLowerBound(model.demandCores, Array.from(model.capCores), model.policy)) : byMemory;
}

/** A host kept on: the reason in words, and the limit behind it. */
interface Kept {
  reason: string;
  limit: KeepLimit;
}

/** The keep of a host no sum needs, by what its VMs ran into elsewhere (keep-limits.ts). */
const BLOCKING: Readonly<Record<Blocking, Kept>> = {
  memory: { reason: REASON_CAPACITY, limit: 'memory' },
  ceiling: { reason: REASON_CPU, limit: 'cpu' },
  vcpus: { reason: REASON_VCPUS, limit: 'cpu' },
  'anti-affinity': { reason: REASON_CAPACITY, limit: 'rules' },
};

/** Running sums of the capacities counted so far, and of their `failures` largest (for HA). */
class Tally {
  sum = 0;
  private readonly top: number[] = [];
  private readonly failures: number;

  constructor(failures: number) {
    this.failures = failures;
  }

  add(cap: number): void {
    this.sum += cap;
    if (this.failures === 0) return;
    if (this.top.length < this.failures) this.top.push(cap);
    else if (cap > this.top[this.top.length - 1]) this.top[this.top.length - 1] = cap;
    else return;
    this.top.sort((a, b) => b - a);
  }

  /** What is left after losing the largest. */
  ha(): number {
    return this.sum - this.top.reduce((a, b) => a + b, 0);
  }
}

/**
 * One reason per open host, with its limit. Hosts that must stay name their own reason ('rules');
 * the others are counted from the largest down: first those the VMs' memory needs ('memory'), then
 * those their CPU demand needs under the ceiling ('cpu'), then the HA spares by memory and by CPU
 * ('ha'), then those the minimum keeps on ('rules'); any left over stayed because their VMs found
 * no room elsewhere. Then the HA fit: a roomy host whose free memory the failed hosts' VMs need is
 * an HA spare, saying which failure would not fit without it (see fitReasons). Last, each host
 * still left over is asked which limit its VMs run into elsewhere (keep-limits.ts).
 */
export function keepReasons(model: PackModel, at: Placement, loadMem: Float64Array, vmMem: number): KeepReason[] {
  const failures = haFailures(model.policy);
  const open = at.open;
  const reasons = new Map<number, Kept>();
  const mem = new Tally(failures);
  const cores = new Tally(failures);
  let count = 0;
  const add = (h: number): void => {
    mem.add(model.capMem[h]);
    if (model.coresActive) cores.add(model.capCores[h]);
    count++;
  };
  let vmCores = 0;
  if (model.coresActive) for (let i = 0; i < model.itemIds.length; i++) if (at.pos[i] >= 0) vmCores += model.cores[i];
  const others: number[] = [];
  for (let h = 0; h < model.hostIds.length; h++) {
    if (open[h] === 0) continue;
    const fixed = model.fixedReason[h];
    if (fixed === undefined) others.push(h);
    else {
      reasons.set(h, { reason: fixed, limit: 'rules' });
      add(h);
    }
  }
  others.sort((a, b) => model.capMem[b] - model.capMem[a] || loadMem[b] - loadMem[a] || a - b);
  const leftover: number[] = [];
  const cpuShort = (tally: number, need: number): boolean => model.coresActive && tally < need - EPSILON;
  for (const h of others) {
    let kept: Kept = { reason: REASON_CAPACITY, limit: 'memory' };
    if (mem.sum >= vmMem) {
      if (cpuShort(cores.sum, vmCores)) kept = { reason: REASON_CPU, limit: 'cpu' };
      else if (mem.ha() < model.demandMem) kept = { reason: REASON_HA, limit: 'ha' };
      else if (cpuShort(cores.ha(), model.demandCores)) kept = { reason: REASON_HA_CPU, limit: 'ha' };
      else if (count < model.policy.minHostsOn) kept = { reason: REASON_MIN_HOSTS, limit: 'rules' };
      else leftover.push(h);
    }
    reasons.set(h, kept);
    add(h);
  }
  if (failures > 0) fitReasons(model, at, failures, reasons, leftover, loadMem);
  const stillLeft = leftover.filter((h) => reasons.get(h)?.reason === REASON_CAPACITY);
  if (stillLeft.length > 0) {
    const loads = finalLoads(model, at);
    for (const h of stillLeft) reasons.set(h, BLOCKING[blockingLimit(model, loads, h)]);
  }
  return [...reasons.entries()]
    .sort((a, b) => (model.hostIds[a[0]] < model.hostIds[b[0]] ? -1 : 1))
    .map(([h, kept]) => ({ hostId: model.hostIds[h], reason: kept.reason, limit: kept.limit }));
}

/**
 * The HA fit's part in the reasons. When the fit fails as it stands (only when nothing sleeps), the
 * hosts the sums do not need are kept for HA room. Otherwise the roomiest hosts kept for memory are
 * asked whether the fit holds without their free memory: where it does not, the failed hosts' VMs
 * need that room, and the host is an HA spare, with the failure that would not fit.
 */
function fitReasons(model: PackModel, at: Placement, failures: number, reasons: Map<number, Kept>, leftover: readonly number[], loadMem: Float64Array): void {
  const now = placementFitFailure(model, at, failures);
  if (now !== undefined) {
    for (const h of leftover) reasons.set(h, { reason: `${REASON_HA}: the pool lacks HA room: ${now}`, limit: 'ha' });
    return;
  }
  const room = (h: number): number => model.capMem[h] - loadMem[h];
  const candidates = [...reasons.keys()]
    .filter((h) => reasons.get(h)?.reason === REASON_CAPACITY)
    .sort((a, b) => room(b) - room(a) || a - b)
    .slice(0, failures + FIT_REASON_EXTRA);
  for (const h of candidates) {
    const without = placementFitFailure(model, at, failures, h);
    if (without !== undefined) reasons.set(h, { reason: `${REASON_HA}: without its free memory, ${without}`, limit: 'ha' });
  }
}

/** Is this keep reason one of HA (by the memory or CPU sum, or by the fit with its details)? */
export const isHaReason = (reason: string): boolean => reason === REASON_HA || reason === REASON_HA_CPU || reason.startsWith(`${REASON_HA}: `);

/**
 * Why nothing sleeps, as the reason alone ("of 3 hosts on, ..."): the dashboard, the CLI and Slack
 * each say "nothing can sleep" in their own words before it, so it must not say so itself.
 */
export function whyNothingSleeps(model: PackModel, keep: readonly KeepReason[]): string {
  if (keep.length === 0) return 'no host is on and enabled';
  const policy = model.policy;
  const failures = haFailures(policy);
  const isAre = (k: number): string => (k === 1 ? '1 is' : `${k} are`);
  const fixed = keep.filter((k) => ![REASON_CAPACITY, REASON_CPU, REASON_VCPUS, REASON_MIN_HOSTS].includes(k.reason) && !isHaReason(k.reason));
  const tally = (reason: string): number => keep.filter((k) => k.reason === reason).length;
  const parts: string[] = [];
  if (fixed.length > 0) {
    const kinds = [...new Set(fixed.map((k) => (/^VM \S+ is pinned: /.test(k.reason) ? 'pinned VMs' : k.reason)))];
    parts.push(`${fixed.length === 1 ? '1 must' : `${fixed.length} must`} stay on (${kinds.join(', ')})`);
  }
  if (keep.length <= policy.minHostsOn) parts.push(`the policy keeps at least ${policy.minHostsOn} hosts on`);
  const capacity = tally(REASON_CAPACITY);
  if (capacity > 0) parts.push(`${isAre(capacity)} needed for capacity (the VMs need ${gib(model.demandMem)})`);
  const ceiling = `under the ${cpuCeilingPercent(policy)} % CPU ceiling`;
  const cpu = tally(REASON_CPU);
  if (cpu > 0) parts.push(`${isAre(cpu)} needed for CPU (the VMs need ${inCores(model.demandCores)} ${ceiling})`);
  const vcpus = tally(REASON_VCPUS);
  if (vcpus > 0) parts.push(`${isAre(vcpus)} needed for vCPUs (at most ${policy.vcpuOvercommit} per CPU)`);
  const ha = tally(REASON_HA);
  if (ha > 0) {
    parts.push(`${isAre(ha)} needed as HA spare (the VMs need ${gib(model.demandMem)} with ${failures} host failure(s) tolerated at ${policy.headroomPercent} % headroom)`);
  }
  const haCpu = tally(REASON_HA_CPU);
  if (haCpu > 0) parts.push(`${isAre(haCpu)} needed as HA spare for CPU (the VMs need ${inCores(model.demandCores)} with ${failures} host failure(s) tolerated ${ceiling})`);
  const haFit = keep.filter((k) => k.reason !== REASON_HA && k.reason !== REASON_HA_CPU && isHaReason(k.reason));
  if (haFit.length > 0) {
    parts.push(`${isAre(haFit.length)} needed as HA spare for the VMs of failed hosts to fit (${haFit[0].reason.slice(REASON_HA.length + 2)})`);
  }
  const minimum = tally(REASON_MIN_HOSTS);
  if (minimum > 0 && keep.length > policy.minHostsOn) parts.push(`${isAre(minimum)} kept by the minimum of ${policy.minHostsOn} hosts on`);
  return `of ${keep.length} hosts on, ${parts.join('; ')}`;
}

/** CPU demand for people: `41.5 cores`. */
const inCores = (n: number): string => `${n.toFixed(1)} cores`;
