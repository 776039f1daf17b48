/**
 * planSleep: which hosts can sleep tonight and which VMs move where. Only VMs on hosts that sleep
 * move, and kept hosts only receive, so every migration is valid whatever runs first. The search
 * keeps as few hosts on as HA, headroom, vCPU and anti-affinity allow, and moves as little memory
 * as that needs.
 */
import { haFailures } from './capacity.ts';
import { better, eliminateHosts, firstFitHomeStart, keepLargestStart, searchBound } from './consolidate.ts';
import { buildModel } from './model.ts';
import { toPlan } from './plan.ts';
import { seededRandom } from './prng.ts';
import { createContext } from './search.ts';
import type { PlannerHost, PlannerOptions, PlannerPolicy, PlannerVm, SleepPlan } from './types.ts';

/** Work budget of the search: about 0.3 s on a slow core for a 500-VM packing or a 1,000-host pool. */
export const DEFAULT_EFFORT = 4_000_000;

export function planSleep(hosts: PlannerHost[], vms: PlannerVm[], policy: PlannerPolicy, options: PlannerOptions = {}): SleepPlan {
  const model = buildModel(hosts, vms, policy);
  const failures = haFailures(policy);
  const ctx = createContext(model, options.effort ?? DEFAULT_EFFORT, seededRandom(options.seed ?? 1), failures);
  const bound = searchBound(model, failures);
  const start = better(keepLargestStart(model, ctx), firstFitHomeStart(model, ctx));
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
