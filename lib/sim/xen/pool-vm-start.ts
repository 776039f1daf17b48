/**
 * VM.start and VM.start_on, with xapi's checks in xapi's order (message_forwarding.ml,
 * xapi_vm_helpers.ml): the VM may start (not a template, a snapshot or the control domain, no
 * other operation, Halted), then a host. start_on asks assert_can_boot_here of the host named
 * (live, enabled, sees the VM's SRs, has the memory). start lets the pool choose: a live enabled
 * host that sees the SRs and has the memory (its affinity host first); when none has the memory,
 * xapi chooses again ignoring memory and the boot on that host fails with
 * HOST_NOT_ENOUGH_FREE_MEMORY [needed; available] (both in bytes), which is what a client sees
 * when no awake host has room. With no live enabled host at all: NO_HOSTS_AVAILABLE.
 * A VM protected by HA must not break the failover plan where it lands.
 */
import { XapiError } from '../../xen/index.ts';
import { NULL_REF, type Ref } from '../../xen/index.ts';
import type { PoolCore } from './pool-core.ts';
import { assertHaPreserved, recomputeHa, recomputeHost, recomputeVmOperations } from './pool-derived.ts';

function assertCanStart(pool: PoolCore, vmRef: Ref): void {
  const err = pool.vmOperationError(vmRef, 'start');
  if (err) throw new XapiError(err[0], err.slice(1));
  const vm = pool.db.require('VM', vmRef);
  if (vm.power_state !== 'Halted') throw new XapiError('VM_BAD_POWER_STATE', [vmRef, 'halted', vm.power_state.toLowerCase()]);
}

function assertKeepsHaPlan(pool: PoolCore, vmRef: Ref, hostRef: Ref): void {
  if (pool.db.require('VM', vmRef).ha_restart_priority !== 'restart') return;
  assertHaPreserved(pool, { arriving: { host: hostRef, bytes: pool.vmBytes(vmRef) } });
}

/** VM.start_on(vm, host). */
export function startVmOn(pool: PoolCore, vmRef: Ref, hostRef: Ref): void {
  assertCanStart(pool, vmRef);
  pool.assertCanBootHere(vmRef, hostRef);
  assertKeepsHaPlan(pool, vmRef, hostRef);
  bootOn(pool, vmRef, hostRef);
}

/** VM.start(vm): the pool picks the host; the host it ran on. */
export function startVm(pool: PoolCore, vmRef: Ref): Ref {
  assertCanStart(pool, vmRef);
  const vm = pool.db.require('VM', vmRef);
  const bootable = (memoryCheck: boolean): Ref[] =>
    [...pool.built.hosts.keys()].filter((h) => {
      try {
        pool.assertCanBootHere(vmRef, h, memoryCheck);
        return true;
      } catch {
        return false;
      }
    });
  // The affinity host first, then the one with the most free memory (the one most likely to hold it).
  const pick = (hosts: Ref[]): Ref | undefined =>
    hosts.find((h) => h === vm.affinity) ?? [...hosts].sort((a, b) => pool.computeFreeMemory(b) - pool.computeFreeMemory(a))[0];
  const fits = pick(bootable(true));
  if (fits) {
    assertKeepsHaPlan(pool, vmRef, fits);
    bootOn(pool, vmRef, fits);
    return fits;
  }
  const anyHost = pick(bootable(false));
  if (!anyHost) throw new XapiError('NO_HOSTS_AVAILABLE', []);
  // The boot there meets the memory check: HOST_NOT_ENOUGH_FREE_MEMORY [needed; available].
  pool.assertCanBootHere(vmRef, anyHost);
  throw new XapiError('INTERNAL_ERROR', ['the chosen host had the memory after all']);
}

/** A halted guest begins running on the host (what a successful start leaves). */
export function bootOn(pool: PoolCore, vmRef: Ref, hostRef: Ref): void {
  const { db } = pool;
  const vm = db.require('VM', vmRef);
  const domid = 1 + Math.max(0, ...db.all('VM').filter(([, v]) => v.resident_on === hostRef).map(([, v]) => v.domid));
  db.update('VM', vmRef, { power_state: 'Running', resident_on: hostRef, domid, scheduled_to_be_resident_on: NULL_REF });
  for (const vbd of vm.VBDs) db.update('VBD', vbd, { currently_attached: true });
  for (const vif of vm.VIFs) db.update('VIF', vif, { currently_attached: true });
  recomputeVmOperations(pool, vmRef);
  recomputeHost(pool, hostRef);
  recomputeHa(pool);
}
