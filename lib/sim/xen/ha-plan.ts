/**
 * The simulator's stand-in for xapi's HA failover planner (xapi_ha_vm_failover.ml), a capacity
 * model and nothing more: a plan exists for n failures when, for every set of n live hosts failing,
 * their protected VMs can be restarted in the free memory of the live, enabled hosts that remain
 * (largest VM first, each onto the host with the most room). Disabled hosts give no room but their
 * VMs still need it. xapi also weighs CPU flags, networks and storage; this model does not.
 */

export interface HaHost {
  id: string;
  live: boolean;
  enabled: boolean;
  /** Free memory for guests now (in-flight arrivals already taken out). */
  freeBytes: number;
  /** Memory of each protected VM that would have to restart elsewhere if this host failed. */
  vmBytes: number[];
}

/** Past this many failure sets, only the n hosts with the most VM memory are tried. */
const MAX_FAILURE_SETS = 5_000;

export function planExistsFor(hosts: HaHost[], failures: number): boolean {
  if (failures <= 0) return true;
  const live = hosts.filter((h) => h.live);
  if (failures >= live.length) return live.every((h) => h.vmBytes.length === 0);
  for (const failed of failureSets(live, failures)) {
    if (!restartFits(live, failed)) return false;
  }
  return true;
}

function restartFits(live: HaHost[], failed: Set<string>): boolean {
  const room = live.filter((h) => h.enabled && !failed.has(h.id)).map((h) => h.freeBytes);
  const vms = live.filter((h) => failed.has(h.id)).flatMap((h) => h.vmBytes).sort((a, b) => b - a);
  for (const size of vms) {
    let best = -1;
    for (let i = 0; i < room.length; i++) if (best < 0 || room[i] > room[best]) best = i;
    if (best < 0 || room[best] < size) return false;
    room[best] -= size;
  }
  return true;
}

function* failureSets(live: HaHost[], n: number): Generator<Set<string>> {
  if (binomial(live.length, n) > MAX_FAILURE_SETS) {
    const heaviest = [...live].sort((a, b) => sum(b.vmBytes) - sum(a.vmBytes)).slice(0, n);
    yield new Set(heaviest.map((h) => h.id));
    return;
  }
  const pick: number[] = [];
  function* choose(start: number): Generator<Set<string>> {
    if (pick.length === n) {
      yield new Set(pick.map((i) => live[i].id));
      return;
    }
    for (let i = start; i <= live.length - (n - pick.length); i++) {
      pick.push(i);
      yield* choose(i + 1);
      pick.pop();
    }
  }
  yield* choose(0);
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
