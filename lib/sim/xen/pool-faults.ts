/**
 * The faults of faults.ts that act inside the simulated pool, apart from never-live (which
 * pool-liveness.ts applies): migration-fail picks the migrations it dooms, and
 * vm-start-during-drain starts a guest on a host just disabled.
 */
import { NULL_REF, type Ref } from '../../xen/index.ts';
import { addGuest, type HostRuntime } from './build.ts';
import type { XapiFaultEntry } from './faults.ts';
import { GiB } from './options.ts';
import type { PoolCore } from './pool-core.ts';
import { refreshLiveness } from './pool-liveness.ts';
import { bootOn } from './pool-vm-start.ts';

/** The migration-fail entry for a move from `from` to `to` (either host's own, else pool-wide). */
export function migrationFault(pool: PoolCore, from: Ref, to: Ref): XapiFaultEntry | undefined {
  for (const ref of [from, to]) {
    const name = pool.built.hosts.get(ref)?.name;
    const own = name === undefined ? undefined : pool.faults.active('migration-fail', name);
    if (own?.host !== undefined) return own;
  }
  return pool.faults.active('migration-fail');
}

/**
 * Fault vm-start-during-drain, for a host just disabled: drainStartDelayMs later, a halted guest
 * that can run there (its SRs plugged, its memory free; the host's own first) starts on the host,
 * or a new 1 GiB guest on the shared SR when none can. The start was scheduled before the
 * disable, so the host being disabled does not stop it.
 */
export function scheduleLateStartIfFaulted(pool: PoolCore, h: HostRuntime): void {
  const entry = pool.faults.active('vm-start-during-drain', h.name);
  if (!entry) return;
  const timer = setTimeout(() => {
    pool.lateStarts.delete(timer);
    refreshLiveness(pool);
    if (!pool.isLive(h.ref)) return;
    const vm = haltedGuestFor(pool, h.ref) ?? newGuest(pool, h);
    bootOn(pool, vm, h.ref);
    pool.faults.hit(entry);
  }, pool.t.drainStartDelayMs);
  pool.lateStarts.add(timer);
}

/** Late starts that have not gone off never will. */
export function cancelLateStarts(pool: PoolCore): void {
  for (const t of pool.lateStarts) clearTimeout(t);
  pool.lateStarts.clear();
}

function haltedGuestFor(pool: PoolCore, hostRef: Ref): Ref | undefined {
  const free = pool.computeFreeMemory(hostRef);
  const fits = pool.db.all('VM').filter(([ref, vm]) =>
    !vm.is_control_domain && !vm.is_a_template && !vm.is_a_snapshot && vm.power_state === 'Halted' && !Object.keys(vm.current_operations).length &&
    vm.memory_target <= free && pool.requiredSrs(ref).every((sr) => pool.srPluggedOn(sr, hostRef)));
  fits.sort(([, a], [, b]) => Number(b.affinity === hostRef) - Number(a.affinity === hostRef) || a.memory_target - b.memory_target);
  return fits[0]?.[0];
}

function newGuest(pool: PoolCore, h: HostRuntime): Ref {
  const { db } = pool;
  const names = new Set(db.all('VM').map(([, vm]) => vm.name_label));
  let n = 1;
  while (names.has(`late-start-${n}`)) n++;
  const network = db.all('network')[0]?.[0] ?? NULL_REF;
  const haEnabled = db.require('pool', pool.poolRef).ha_enabled;
  return addGuest(db, pool.ids, { name: `late-start-${n}`, memoryBytes: GiB, vcpus: 1, host: h.name, running: false }, h.ref, pool.built.sharedSrRef, network, haEnabled);
}
