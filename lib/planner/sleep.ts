/**
 * planSleep: which hosts can sleep tonight and which VMs move where. Only VMs on hosts that sleep
 * move, and kept hosts only receive, so every migration is valid whatever runs first. The search
 * keeps as few hosts on as HA, headroom, vCPU and anti-affinity allow, and moves as little memory
 * as that needs. HA holds as a fit, not only as a memory sum: in the plan's final state, every VM
 * of the worst failed hosts finds room on the others (ha-fit.ts); the sum is its quick pre-check.
 */
import { haFailures } from './capacity.ts';
import { better, eliminateHosts, firstFitHomeStart, keepLargestStart, minSlackStart, searchBound } from './consolidate.ts';
import { buildModel } from './model.ts';
import { toPlan } from './plan.ts';
import { seededRandom } from '../util/index.ts';
import { createContext } from './search.ts';
import type { PlannerHost, PlannerOptions, PlannerPolicy, PlannerVm, SleepPlan } from './types.ts';

/** Work budget of the search: about 0.15 s on one core for the hardest 200-VM packings. */
export const DEFAULT_EFFORT = 3_000_000;

/**
 * Plan a pool's night. Only hosts in state 'on' count as capacity, receive VMs or may sleep;
 * disabled hosts stay as they are (their VMs count in what HA must hold) and off hosts are ignored,
 * as are VMs that name no host that is on or disabled. The master, never-sleep hosts and hosts with
 * a pinned VM never sleep. Every host that stays on is in `keep` with one reason; when nothing can
 * sleep, `why` says why. A plan that sleeps anything passes haFitHolds in its final state (hosts
 * that sleep off, VMs where the migrations put them). The same input (in any order) and seed give
 * the same plan.
 *
 * @throws PlannerInputError on duplicate ids or negative / non-finite amounts
 */
export function planSleep(hosts: PlannerHost[], vms: PlannerVm[], policy: PlannerPolicy, options: PlannerOptions = {}): SleepPlan {
  const model = buildModel(hosts, vms, policy);
  const failures = haFailures(policy);
  const ctx = createContext(model, options.effort ?? DEFAULT_EFFORT, seededRandom(options.seed ?? 1), failures);
  const bound = searchBound(model, failures);
  let start = better(keepLargestStart(model, ctx), firstFitHomeStart(model, ctx));
  // The third start pays where the first two leave room above the bound (hard packings).
  const slack = start.openCount > bound ? minSlackStart(model, ctx) : undefined;
  if (slack) start = better(start, slack);
  eliminateHosts(start, bound, ctx);
  return toPlan(model, start);
}

/**
 * The fewest hosts any plan could keep on: the hosts that must stay plus the largest others until
 * HA capacity holds the VMs (and, with identical hosts, Martello and Toth's packing bound).
 */
export function bestCaseHostsOn(hosts: PlannerHost[], vms: PlannerVm[], policy: PlannerPolicy): number {
  const model = buildModel(hosts, vms, policy);
  return searchBound(model, haFailures(policy));
}
