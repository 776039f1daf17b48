/**
 * The simulated pool's state and the reads and checks xapi makes on it, shared by the files that
 * change it (pool-derived, pool-liveness, pool-host-power, pool-migrations, pool-faults):
 * the database, each host's runtime, the migrations in flight and the late starts pending; host
 * liveness and free memory; the checks of xapi_vm_lifecycle and assert_can_boot_here. Nothing
 * here changes the pool.
 */
import { XapiError } from '../../xen/index.ts';
import { NULL_REF, type Ref } from '../../xen/index.ts';
import type { BuiltPool, HostRuntime, IdSource } from './build.ts';
import type { XapiDb } from './database.ts';
import type { XapiFaultSet } from './faults.ts';

export interface PoolTimings {
  agentStartMs: number;
  migrateMsPerGiB: number;
  migrateMs?: number;
  /** Fault migration-fail: the time before a doomed migration fails (capped by its normal time). */
  migrationFailMs: number;
  /** Fault vm-start-during-drain: the time between host.disable and the late start. */
  drainStartDelayMs: number;
}

export interface Migration {
  vm: Ref;
  from: Ref;
  to: Ref;
  /** Date.now() at which the copy completes (timers are real, whatever the liveness clock). */
  dueAt: number;
  timer: NodeJS.Timeout;
  settle: (error?: XapiError) => void;
}

export const VM_RUNNING_OPS = ['pool_migrate', 'migrate_send', 'clean_shutdown', 'hard_shutdown', 'clean_reboot', 'hard_reboot', 'suspend', 'snapshot', 'checkpoint', 'pause'];

export class PoolCore {
  /** VM.pool_migrate calls in flight, by VM. */
  readonly migrations = new Map<Ref, Migration>();
  /** Timers of the vm-start-during-drain fault not yet gone off. */
  readonly lateStarts = new Set<NodeJS.Timeout>();

  constructor(
    readonly db: XapiDb,
    readonly built: BuiltPool,
    readonly ids: IdSource,
    readonly now: () => number,
    readonly t: PoolTimings,
    readonly faults: XapiFaultSet,
  ) {}

  get poolRef(): Ref {
    return this.built.poolRef;
  }

  get masterRef(): Ref {
    return this.db.require('pool', this.built.poolRef).master;
  }

  hostRuntime(ref: unknown): HostRuntime {
    const h = typeof ref === 'string' ? this.built.hosts.get(ref) : undefined;
    if (!h) throw new XapiError('HANDLE_INVALID', ['host', String(ref)]);
    return h;
  }

  isLive(hostRef: Ref): boolean {
    return this.db.require('host_metrics', this.hostRuntime(hostRef).metricsRef).live;
  }

  residentGuests(hostRef: Ref): Ref[] {
    return this.db.all('VM').filter(([, vm]) => vm.resident_on === hostRef && !vm.is_control_domain).map(([ref]) => ref);
  }

  /** host.compute_free_memory: free memory less what in-flight migrations have reserved there. */
  computeFreeMemory(hostRef: Ref): number {
    const h = this.hostRuntime(hostRef);
    const reserved = this.db.all('VM').filter(([, vm]) => vm.scheduled_to_be_resident_on === hostRef && vm.resident_on !== hostRef).reduce((s, [, vm]) => s + vm.memory_target, 0);
    return this.db.require('host_metrics', h.metricsRef).memory_free - reserved;
  }

  vmBytes(vmRef: Ref): number {
    return this.db.require('VM', vmRef).memory_target;
  }

  srPluggedOn(sr: Ref, hostRef: Ref): boolean {
    return this.db.require('SR', sr).PBDs.some((p) => {
      const pbd = this.db.require('PBD', p);
      return pbd.host === hostRef && pbd.currently_attached;
    });
  }

  requiredSrs(vmRef: Ref): Ref[] {
    const srs = new Set<Ref>();
    for (const vbd of this.db.require('VM', vmRef).VBDs) {
      const rec = this.db.require('VBD', vbd);
      if (rec.empty || rec.VDI === NULL_REF) continue;
      srs.add(this.db.require('VDI', rec.VDI).SR);
    }
    return [...srs];
  }

  /** xapi_vm_lifecycle's check for an operation on a VM: the error that forbids it, if any. */
  vmOperationError(vmRef: Ref, op: string): string[] | undefined {
    const vm = this.db.require('VM', vmRef);
    if (vm.is_a_template || vm.is_a_snapshot) return ['VM_IS_TEMPLATE', vmRef];
    if (vm.is_control_domain) return ['OPERATION_NOT_ALLOWED', `${op} is not allowed on a control domain`];
    const running = op === 'pool_migrate' || VM_RUNNING_OPS.includes(op);
    if (running && vm.power_state !== 'Running') return ['VM_BAD_POWER_STATE', vmRef, 'running', vm.power_state.toLowerCase()];
    const [task, busy] = Object.entries(vm.current_operations)[0] ?? [];
    if (task) return ['OTHER_OPERATION_IN_PROGRESS', 'VM', vmRef, busy, task];
    if (op === 'pool_migrate' || op === 'migrate_send' || op === 'suspend' || op === 'checkpoint') {
      if (vm.attached_PCIs.length) return ['VM_HAS_PCI_ATTACHED', vmRef];
      if (vm.VGPUs.length) return ['VM_HAS_VGPU', vmRef];
    }
    return undefined;
  }

  assertOperationValid(vmRef: Ref, op: string): void {
    const err = this.vmOperationError(vmRef, op);
    if (err) throw new XapiError(err[0], err.slice(1));
  }

  /** xapi's assert_can_boot_here: live, enabled, sees the VM's SRs, has the memory. */
  assertCanBootHere(vmRef: Ref, hostRef: Ref, memoryCheck = true): void {
    const vm = this.db.require('VM', vmRef);
    this.hostRuntime(hostRef);
    if (!this.isLive(hostRef)) throw new XapiError('HOST_NOT_LIVE', []);
    const localMigration = vm.power_state === 'Running' && vm.resident_on === hostRef;
    if (!localMigration && !this.db.require('host', hostRef).enabled) throw new XapiError('HOST_DISABLED', [hostRef]);
    for (const sr of this.requiredSrs(vmRef)) {
      if (!this.srPluggedOn(sr, hostRef)) throw new XapiError('VM_REQUIRES_SR', [vmRef, sr]);
    }
    if (memoryCheck && !localMigration) {
      const needed = this.vmBytes(vmRef);
      const available = this.computeFreeMemory(hostRef);
      if (available < needed) throw new XapiError('HOST_NOT_ENOUGH_FREE_MEMORY', [String(needed), String(available)]);
    }
  }
}

/** The ErrorDescription of a thrown XAPI error. */
export function describe(e: unknown): string[] {
  if (e instanceof XapiError) return [e.code, ...e.params];
  return ['INTERNAL_ERROR', e instanceof Error ? e.message : String(e)];
}
