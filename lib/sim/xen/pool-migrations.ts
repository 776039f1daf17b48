/**
 * Moving guests in the simulated pool, as xapi does: the evacuation plan
 * (compute_evacuation_plan_no_wlb), VM.pool_migrate's prechecks, the memory copy for the
 * simulated time, and host.evacuate. An incoming migration reserves its VM's memory on the target
 * (host.compute_free_memory subtracts it) and the VM stays on the source until the copy completes;
 * a host that dies meanwhile fails the migration (VM_MIGRATE_FAILED).
 */
import { XapiError } from '../../xen/index.ts';
import { NULL_REF, type Ref } from '../../xen/index.ts';
import { GiB } from './options.ts';
import { describe, type Migration, type PoolCore } from './pool-core.ts';
import { assertHaPreserved, recomputeHa, recomputeHost, recomputeVmOperations } from './pool-derived.ts';
import { migrationFault } from './pool-faults.ts';
import { refreshLiveness } from './pool-liveness.ts';

/** Where a guest would go, or the error that stops it. */
export type Plan = { host: Ref } | { error: string[] };

/** xapi's compute_evacuation_plan_no_wlb: a target host or the error that stops each guest. */
export function evacuationPlan(pool: PoolCore, hostRef: Ref): Map<Ref, Plan> {
  pool.hostRuntime(hostRef);
  const { db } = pool;
  const plans = new Map<Ref, Plan>();
  const targets = [...pool.built.hosts.keys()].filter((r) => r !== hostRef && db.require('host', r).enabled);
  const guests = pool.residentGuests(hostRef);
  if (!targets.length) {
    for (const vm of guests) plans.set(vm, { error: ['NO_HOSTS_AVAILABLE', vm] });
    return plans;
  }
  const ha = db.require('pool', pool.poolRef).ha_enabled;
  const movable: Ref[] = [];
  for (const vm of guests) {
    const rec = db.require('VM', vm);
    if (ha && rec.ha_restart_priority !== 'restart') {
      plans.set(vm, { error: ['HOST_EVACUATE_VM_NOT_HA_PROTECTED', vm] });
      continue;
    }
    try {
      for (const t of targets) pool.assertCanBootHere(vm, t, false);
      movable.push(vm);
    } catch (e) {
      plans.set(vm, { error: describe(e) });
    }
  }
  for (const vm of guests) {
    const err = pool.vmOperationError(vm, 'pool_migrate');
    if (err) plans.set(vm, { error: err });
  }
  const room = new Map(targets.filter((t) => pool.isLive(t)).map((t) => [t, pool.computeFreeMemory(t)]));
  const bySize = movable.filter((vm) => !plans.has(vm)).sort((a, b) => pool.vmBytes(b) - pool.vmBytes(a));
  for (const vm of bySize) {
    const need = pool.vmBytes(vm);
    const best = [...room].sort((a, b) => b[1] - a[1])[0];
    if (!best || best[1] < need) {
      plans.set(vm, { error: ['HOST_NOT_ENOUGH_FREE_MEMORY', vm] });
      continue;
    }
    room.set(best[0], best[1] - need);
    plans.set(vm, { host: best[0] });
  }
  return plans;
}

/** Everything VM.pool_migrate checks before it moves a byte, in xapi's order. */
export function precheckMigrate(pool: PoolCore, vmRef: Ref, hostRef: Ref): void {
  pool.assertOperationValid(vmRef, 'pool_migrate');
  pool.assertCanBootHere(vmRef, hostRef);
  const vm = pool.db.require('VM', vmRef);
  if (vm.resident_on !== hostRef) assertHaPreserved(pool, { arriving: { host: hostRef, bytes: pool.vmBytes(vmRef) } });
}

/**
 * VM.pool_migrate: the prechecks, then the memory copy for the simulated time; the VM is on the
 * source until it completes. A host that dies meanwhile fails the migration (VM_MIGRATE_FAILED).
 */
export function migrate(pool: PoolCore, vmRef: Ref, hostRef: Ref, taskRef: Ref | undefined): Promise<void> {
  precheckMigrate(pool, vmRef, hostRef);
  const { db } = pool;
  const vm = db.require('VM', vmRef);
  const from = vm.resident_on;
  const opKey = taskRef ?? pool.ids.ref();
  db.update('VM', vmRef, { scheduled_to_be_resident_on: hostRef, current_operations: { [opKey]: 'pool_migrate' } });
  recomputeVmOperations(pool, vmRef);
  recomputeHost(pool, hostRef);
  recomputeHa(pool);
  const ms = pool.t.migrateMs ?? Math.round((pool.t.migrateMsPerGiB * pool.vmBytes(vmRef)) / GiB);
  const doomed = migrationFault(pool, from, hostRef) !== undefined;
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: XapiError): void => {
      if (pool.migrations.get(vmRef) !== m) return;
      clearTimeout(m.timer);
      pool.migrations.delete(vmRef);
      const rec = db.get('VM', vmRef);
      if (rec) {
        db.update('VM', vmRef, { scheduled_to_be_resident_on: NULL_REF, current_operations: {} });
        recomputeVmOperations(pool, vmRef);
      }
      for (const h of [from, hostRef]) if (pool.built.hosts.has(h)) recomputeHost(pool, h);
      recomputeHa(pool);
      if (error) reject(error);
      else resolve();
    };
    const m: Migration = { vm: vmRef, from, to: hostRef, settle, dueAt: Date.now() + ms, timer: setTimeout(() => finishMigration(pool, m), doomed ? Math.min(ms, pool.t.migrationFailMs) : ms) };
    pool.migrations.set(vmRef, m);
  });
}

function finishMigration(pool: PoolCore, m: Migration): void {
  refreshLiveness(pool);
  if (pool.migrations.get(m.vm) !== m) return; // already settled: the refresh halted the VM
  const vm = pool.db.get('VM', m.vm);
  const failed = (why: string): void => m.settle(new XapiError('VM_MIGRATE_FAILED', [m.vm, m.from, m.to, why]));
  if (!vm || vm.power_state !== 'Running' || vm.resident_on !== m.from) return failed('the VM stopped during the migration');
  if (!pool.isLive(m.to)) return failed('the destination host went offline');
  const fault = migrationFault(pool, m.from, m.to);
  if (fault) {
    pool.faults.hit(fault);
    return failed('simulated fault: migration-fail');
  }
  // Doomed when it started, the fault went off meanwhile: the copy runs its full time.
  const left = m.dueAt - Date.now();
  if (left > 0) {
    m.timer = setTimeout(() => finishMigration(pool, m), left);
    return;
  }
  if (m.from !== m.to) pool.db.update('VM', m.vm, { resident_on: m.to, affinity: m.to, domid: vm.domid + 1 });
  m.settle();
}

/** host.evacuate: every guest to its planned host, one after the other. */
export async function evacuate(pool: PoolCore, hostRef: Ref): Promise<void> {
  const plans = evacuationPlan(pool, hostRef);
  for (const plan of plans.values()) if ('error' in plan) throw new XapiError(plan.error[0], plan.error.slice(1));
  for (const [vm, plan] of plans) if ('host' in plan) await migrate(pool, vm, plan.host, undefined);
}

/** In-flight migrations fail: the pool simulator stops. */
export function failMigrations(pool: PoolCore): void {
  for (const m of [...pool.migrations.values()]) m.settle(new XapiError('VM_MIGRATE_FAILED', [m.vm, m.from, m.to, 'the pool simulator stopped']));
}
