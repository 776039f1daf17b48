/**
 * A finished consolidation turned into the plan the operations carry out: hosts to sleep in the
 * order they empty, migrations in waves, one reason for every host that stays on, and why nothing
 * sleeps when nothing does.
 */
import { gib, haFailures, simpleLowerBound } from './capacity.ts';
import { placementFitFailure, type Placement } from './ha-placement.ts';
import type { PackModel } from './model.ts';
import type { Packing } from './packing.ts';
import type { KeepReason, Migration, SleepPlan } from './types.ts';
import { intoWaves } from './waves.ts';

export const REASON_CAPACITY = 'needed for capacity';
export const REASON_HA = 'HA spare';
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
  const keep = keepReasons(model, pk.open, pk.loadMem, pk.totalMem, pk);
  const plan: SleepPlan = {
    sleep: asleep.map((h) => model.hostIds[h]),
    migrations,
    keep,
    hostsOn: keep.length,
    lowerBound: simpleLowerBound(model.demandMem, Array.from(model.capMem), model.policy),
    migratedBytes: migrations.reduce((sum, m) => sum + m.memoryBytes, 0),
  };
  if (asleep.length === 0) plan.why = whyNothingSleeps(model, keep);
  return plan;
}

/**
 * One reason per open host. Hosts that must stay name their own reason; the others are counted
 * from the largest down: first those the VMs need, then the HA spares, then those the minimum
 * keeps on; any left over stayed because their VMs found no room elsewhere. Then the HA fit: a
 * roomy host whose free memory the failed hosts' VMs need is an HA spare, saying which failure
 * would not fit without it (see fitReasons).
 */
export function keepReasons(model: PackModel, open: Uint8Array, loadMem: Float64Array, vmMem: number, at?: Placement): KeepReason[] {
  const failures = haFailures(model.policy);
  const reasons = new Map<number, string>();
  const top: number[] = [];
  let sum = 0;
  let count = 0;
  const add = (cap: number): void => {
    sum += cap;
    count++;
    if (failures === 0) return;
    if (top.length < failures) top.push(cap);
    else if (cap > top[top.length - 1]) top[top.length - 1] = cap;
    else return;
    top.sort((a, b) => b - a);
  };
  const haCap = (): number => sum - top.reduce((a, b) => a + b, 0);
  const others: number[] = [];
  for (let h = 0; h < model.hostIds.length; h++) {
    if (open[h] === 0) continue;
    const fixed = model.fixedReason[h];
    if (fixed === undefined) others.push(h);
    else {
      reasons.set(h, fixed);
      add(model.capMem[h]);
    }
  }
  others.sort((a, b) => model.capMem[b] - model.capMem[a] || loadMem[b] - loadMem[a] || a - b);
  const leftover: number[] = [];
  for (const h of others) {
    let reason = REASON_CAPACITY;
    if (sum >= vmMem) {
      if (haCap() < model.demandMem) reason = REASON_HA;
      else if (count < model.policy.minHostsOn) reason = REASON_MIN_HOSTS;
      else leftover.push(h);
    }
    reasons.set(h, reason);
    add(model.capMem[h]);
  }
  if (at && failures > 0) fitReasons(model, at, failures, reasons, leftover, loadMem);
  return [...reasons.entries()]
    .sort((a, b) => (model.hostIds[a[0]] < model.hostIds[b[0]] ? -1 : 1))
    .map(([h, reason]) => ({ hostId: model.hostIds[h], reason }));
}

/**
 * The HA fit's part in the reasons. When the fit fails as it stands (only when nothing sleeps), the
 * hosts the memory sum does not need are kept for HA room. Otherwise the roomiest hosts kept for
 * capacity are asked whether the fit holds without their free memory: where it does not, the failed
 * hosts' VMs need that room, and the host is an HA spare, with the failure that would not fit.
 */
function fitReasons(model: PackModel, at: Placement, failures: number, reasons: Map<number, string>, leftover: readonly number[], loadMem: Float64Array): void {
  const now = placementFitFailure(model, at, failures);
  if (now !== undefined) {
    for (const h of leftover) reasons.set(h, `${REASON_HA}: the pool lacks HA room: ${now}`);
    return;
  }
  const room = (h: number): number => model.capMem[h] - loadMem[h];
  const candidates = [...reasons.keys()]
    .filter((h) => reasons.get(h) === REASON_CAPACITY)
    .sort((a, b) => room(b) - room(a) || a - b)
    .slice(0, failures + FIT_REASON_EXTRA);
  for (const h of candidates) {
    const without = placementFitFailure(model, at, failures, h);
    if (without !== undefined) reasons.set(h, `${REASON_HA}: without its free memory, ${without}`);
  }
}

/** Is this keep reason one of HA (by the memory sum, or by the fit with its details)? */
export const isHaReason = (reason: string): boolean => reason === REASON_HA || reason.startsWith(`${REASON_HA}: `);

/**
 * Why nothing sleeps, as the reason alone ("of 3 hosts on, ..."): the dashboard, the CLI and Slack
 * each say "nothing can sleep" in their own words before it, so it must not say so itself.
 */
export function whyNothingSleeps(model: PackModel, keep: readonly KeepReason[]): string {
  if (keep.length === 0) return 'no host is on and enabled';
  const policy = model.policy;
  const failures = haFailures(policy);
  const isAre = (k: number): string => (k === 1 ? '1 is' : `${k} are`);
  const fixed = keep.filter((k) => ![REASON_CAPACITY, REASON_MIN_HOSTS].includes(k.reason) && !isHaReason(k.reason));
  const tally = (reason: string): number => keep.filter((k) => k.reason === reason).length;
  const parts: string[] = [];
  if (fixed.length > 0) {
    const kinds = [...new Set(fixed.map((k) => (/^VM \S+ is pinned: /.test(k.reason) ? 'pinned VMs' : k.reason)))];
    parts.push(`${fixed.length === 1 ? '1 must' : `${fixed.length} must`} stay on (${kinds.join(', ')})`);
  }
  if (keep.length <= policy.minHostsOn) parts.push(`the policy keeps at least ${policy.minHostsOn} hosts on`);
  const capacity = tally(REASON_CAPACITY);
  if (capacity > 0) parts.push(`${isAre(capacity)} needed for capacity (the VMs need ${gib(model.demandMem)})`);
  const ha = tally(REASON_HA);
  if (ha > 0) {
    parts.push(`${isAre(ha)} needed as HA spare (the VMs need ${gib(model.demandMem)} with ${failures} host failure(s) tolerated at ${policy.headroomPercent} % headroom)`);
  }
  const haFit = keep.filter((k) => k.reason !== REASON_HA && isHaReason(k.reason));
  if (haFit.length > 0) {
    parts.push(`${isAre(haFit.length)} needed as HA spare for the VMs of failed hosts to fit (${haFit[0].reason.slice(REASON_HA.length + 2)})`);
  }
  const minimum = tally(REASON_MIN_HOSTS);
  if (minimum > 0 && keep.length > policy.minHostsOn) parts.push(`${isAre(minimum)} kept by the minimum of ${policy.minHostsOn} hosts on`);
  return `of ${keep.length} hosts on, ${parts.join('; ')}`;
}
