/**
 * The HA fit as a check on a pool as it is (see ha-fit.ts for the rule): for lib/ops before a host
 * powers off, "does the pool keep its HA failures-to-tolerate and headroom without that host?".
 * Hosts 'on' are live and take restarted VMs; 'disabled' hosts are live, may fail and hold VMs, but
 * take none; 'off' hosts and VMs naming no live host are outside the pool.
 */
import { haFailures, usableMemory } from './capacity.ts';
import { describeFitFailure, findFitFailure, type FitView } from './ha-fit.ts';
import { validateInput } from './model.ts';
import type { PlannerHost, PlannerPolicy, PlannerVm } from './types.ts';

export type HaFit = { ok: true } | { ok: false; why: string };

export interface HaFitOptions {
  /** hosts leaving the pool: they count neither as room nor as hosts that may fail; they must hold no running VM */
  without?: readonly string[];
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Does the pool (less `without`) keep HA as a fit: for the failure sets of ha-fit.ts, every VM of
 * the failed hosts finds room in the free usable memory (headroom taken out) of the hosts left on?
 * `why` names the failed hosts and the VM that found no room ("if a fails, VM v (8.0 GiB) finds no
 * room: ..."), or a leaving host that still runs VMs; callers add what was being decided.
 *
 * @throws PlannerInputError on duplicate ids or negative / non-finite amounts
 */
export function haFitHolds(hosts: readonly PlannerHost[], vms: readonly PlannerVm[], policy: PlannerPolicy, o: HaFitOptions = {}): HaFit {
  validateInput(hosts, vms, policy);
  const leaving = new Set(o.without ?? []);
  const known = new Set(hosts.map((h) => h.id));
  for (const id of leaving) if (!known.has(id)) return { ok: false, why: `host ${id} is not in the pool` };
  const liveIds = new Set(hosts.filter((h) => h.state !== 'off').map((h) => h.id));
  for (const id of [...leaving].sort()) {
    if (!liveIds.has(id)) continue;
    const still = vms.filter((v) => v.hostId === id).sort(byId);
    if (still.length > 0) {
      const named = still.slice(0, 3).map((v) => v.id).join(', ') + (still.length > 3 ? ` and ${still.length - 3} more` : '');
      return { ok: false, why: `host ${id} still runs ${still.length} VM(s) (${named}): they must run elsewhere before it can leave` };
    }
  }
  const live = hosts.filter((h) => h.state !== 'off' && !leaving.has(h.id)).sort(byId);
  const view = poolView(live, vms, policy);
  const failures = haFailures(policy);
  const failure = findFitFailure(view, failures);
  return failure ? { ok: false, why: describeFitFailure(view, failure, failures) } : { ok: true };
}

/**
 * Can `hostId` leave the pool now (power off), given where the VMs run? It must run no VM, and the
 * hosts left must keep the HA fit. The minimum of hosts on is not this check's business.
 */
export function canLeavePool(hosts: readonly PlannerHost[], vms: readonly PlannerVm[], policy: PlannerPolicy, hostId: string): HaFit {
  const answer = haFitHolds(hosts, vms, policy, { without: [hostId] });
  if (answer.ok || answer.why.startsWith(`host ${hostId} `)) return answer;
  return { ok: false, why: `without ${hostId} the pool does not keep HA ${haFailures(policy)} at ${policy.headroomPercent} % headroom: ${answer.why}` };
}

function poolView(live: readonly PlannerHost[], vms: readonly PlannerVm[], policy: PlannerPolicy): FitView {
  const index = new Map(live.map((h, k) => [h.id, k]));
  const resident = vms.filter((v) => index.has(v.hostId)).sort(byId);
  const count = live.length;
  const load = new Float64Array(count);
  const largest = new Float64Array(count);
  const on: number[][] = Array.from({ length: count }, () => []);
  resident.forEach((v, k) => {
    const h = index.get(v.hostId) as number;
    load[h] += v.memoryBytes;
    largest[h] = Math.max(largest[h], v.memoryBytes);
    on[h].push(k);
  });
  const room = Float64Array.from(live, (h, k) => (h.state === 'on' ? usableMemory(h, policy) - load[k] : 0));
  const sizes: Array<Float64Array | undefined> = new Array(count).fill(undefined);
  return {
    count,
    room,
    load,
    largest,
    vmsOf: (h) => on[h],
    sizesOf: (h) => (sizes[h] ??= Float64Array.from(on[h], (k) => resident[k].memoryBytes).sort().reverse()),
    vmMem: (vm) => resident[vm].memoryBytes,
    hostName: (h) => live[h].id,
    vmName: (vm) => resident[vm].id,
  };
}
