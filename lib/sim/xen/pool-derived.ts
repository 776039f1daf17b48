/**
 * What xapi keeps up to date after every change to the simulated pool: a host's resident_VMs,
 * memory_free, allowed_operations (and its machine's load, through the power link), each VM's
 * allowed_operations, and the pool's HA plan; and xapi's refusal of a change that would break
 * the HA failover plan.
 */
import { XapiError } from '../../xen/index.ts';
import { xapiDateTime, type Ref, type VmRecord } from '../../xen/index.ts';
import { planExistsFor, type HaHost } from './ha-plan.ts';
import { VM_RUNNING_OPS, type PoolCore } from './pool-core.ts';

/** A change whose effect on the HA plan is asked: a host disabled, or a VM arriving on a host. */
export interface HaChange {
  disable?: Ref;
  arriving?: { host: Ref; bytes: number };
}

/** resident_VMs, memory_free, allowed_operations and the power link's load of one host. */
export function recomputeHost(pool: PoolCore, hostRef: Ref): void {
  const { db } = pool;
  const h = pool.hostRuntime(hostRef);
  const host = db.require('host', hostRef);
  const metrics = db.require('host_metrics', h.metricsRef);
  const resident = db.all('VM').filter(([, vm]) => vm.resident_on === hostRef);
  const guestBytes = resident.filter(([, vm]) => !vm.is_control_domain && vm.power_state !== 'Halted').reduce((s, [, vm]) => s + vm.memory_target, 0);
  const free = metrics.memory_total - h.dom0Bytes - guestBytes;
  const residentRefs = resident.map(([r]) => r);
  const ops = !metrics.live ? ['power_on'] : host.enabled ? ['provision', 'evacuate', 'reboot', 'shutdown', 'vm_start', 'vm_resume', 'vm_migrate'] : ['provision', 'evacuate', 'reboot', 'shutdown', 'enable'];
  if (JSON.stringify(host.resident_VMs) !== JSON.stringify(residentRefs) || JSON.stringify(host.allowed_operations) !== JSON.stringify(ops)) {
    db.update('host', hostRef, { resident_VMs: residentRefs, allowed_operations: ops });
  }
  if (metrics.memory_free !== free) db.update('host_metrics', h.metricsRef, { memory_free: free, last_updated: xapiDateTime(pool.now()) });
  const load = 0.05 + (0.9 * guestBytes) / Math.max(1, metrics.memory_total - h.dom0Bytes);
  if (Math.abs(h.link.load - load) > 1e-9) h.link.load = load;
}

/** allowed_operations of one VM, or of every VM. */
export function recomputeVmOperations(pool: PoolCore, only?: Ref): void {
  for (const [ref, vm] of pool.db.all('VM')) {
    if (only && ref !== only) continue;
    const ops = vm.is_a_template || vm.is_a_snapshot ? ['clone', 'copy', 'export'] : vm.is_control_domain ? [] : allowedOps(pool, ref, vm);
    if (JSON.stringify(ops) !== JSON.stringify(vm.allowed_operations)) pool.db.update('VM', ref, { allowed_operations: ops });
  }
}

function allowedOps(pool: PoolCore, ref: Ref, vm: VmRecord): string[] {
  if (Object.keys(vm.current_operations).length) return [];
  if (vm.power_state === 'Halted') return ['start', 'start_on', 'clone', 'copy', 'export', 'destroy', 'snapshot'];
  return VM_RUNNING_OPS.filter((op) => !pool.vmOperationError(ref, op));
}

function haHosts(pool: PoolCore, change: HaChange = {}): HaHost[] {
  const { db } = pool;
  return [...pool.built.hosts.values()].map((h) => {
    const vms = db.all('VM').filter(([, vm]) => !vm.is_control_domain && vm.ha_restart_priority === 'restart' && (vm.resident_on === h.ref || vm.scheduled_to_be_resident_on === h.ref));
    const vmBytes = vms.map(([, vm]) => vm.memory_target);
    let freeBytes = pool.isLive(h.ref) ? pool.computeFreeMemory(h.ref) : 0;
    if (change.arriving?.host === h.ref) {
      vmBytes.push(change.arriving.bytes);
      freeBytes -= change.arriving.bytes;
    }
    const enabled = db.require('host', h.ref).enabled && change.disable !== h.ref;
    return { id: h.ref, live: pool.isLive(h.ref), enabled, freeBytes, vmBytes };
  });
}

/** xapi blocks a change only if a plan exists now and would not after it. */
export function assertHaPreserved(pool: PoolCore, change: HaChange): void {
  const p = pool.db.require('pool', pool.poolRef);
  if (!p.ha_enabled || p.ha_allow_overcommit) return;
  const n = p.ha_host_failures_to_tolerate;
  if (!planExistsFor(haHosts(pool), n)) return;
  if (!planExistsFor(haHosts(pool, change), n)) throw new XapiError('HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN', []);
}

/** The pool's ha_plan_exists_for and ha_overcommitted. */
export function recomputeHa(pool: PoolCore): void {
  const p = pool.db.require('pool', pool.poolRef);
  if (!p.ha_enabled) return;
  const holds = planExistsFor(haHosts(pool), p.ha_host_failures_to_tolerate);
  const planFor = holds ? p.ha_host_failures_to_tolerate : 0;
  if (p.ha_plan_exists_for !== planFor || p.ha_overcommitted === holds) pool.db.update('pool', pool.poolRef, { ha_plan_exists_for: planFor, ha_overcommitted: !holds });
}
