/**
 * The behaviour of the simulated pool, with xapi's checks in xapi's order (message_forwarding.ml,
 * xapi_host.ml, xapi_vm_helpers.ml, xapi_vm_lifecycle.ml):
 * - liveness follows the power link: a host is live agentStartMs after its OS is seen running; when
 *   it stops being live every guest resident there is Halted with resident_on NULL (what a crash or
 *   a hard power-off leaves); when it comes back it is enabled again unless it was disabled with
 *   auto_enable=false, as xapi's consider_enabling_host does at boot;
 * - memory: host_metrics.memory_free is total − dom0 − resident running guests; an incoming
 *   migration reserves its VM's memory on the target (host.compute_free_memory subtracts it) and the
 *   VM stays on the source until the copy completes;
 * - host.shutdown only checks that the host is disabled, halts whatever guest still runs there
 *   (the trap) and asks the power link for a soft off;
 * - the faults of faults.ts that act on the pool (migration-fail, never-live, vm-start-during-drain)
 *   are applied here.
 */
import { XapiError } from '../../xen/errors.ts';
import { NULL_REF, xapiDateTime, type Ref, type VmRecord } from '../../xen/records.ts';
import { addGuest, type BuiltPool, type HostRuntime, type IdSource } from './build.ts';
import type { XapiDb } from './database.ts';
import type { XapiFaultEntry, XapiFaultSet } from './faults.ts';
import { planExistsFor, type HaHost } from './ha-plan.ts';
import { GiB } from './options.ts';

export interface PoolTimings {
  agentStartMs: number;
  migrateMsPerGiB: number;
  migrateMs?: number;
  /** Fault migration-fail: the time before a doomed migration fails (capped by its normal time). */
  migrationFailMs: number;
  /** Fault vm-start-during-drain: the time between host.disable and the late start. */
  drainStartDelayMs: number;
}

type Plan = { host: Ref } | { error: string[] };

interface Migration {
  vm: Ref;
  from: Ref;
  to: Ref;
  /** Date.now() at which the copy completes (timers are real, whatever the liveness clock). */
  dueAt: number;
  timer: NodeJS.Timeout;
  settle: (error?: XapiError) => void;
}

const VM_RUNNING_OPS = ['pool_migrate', 'migrate_send', 'clean_shutdown', 'hard_shutdown', 'clean_reboot', 'hard_reboot', 'suspend', 'snapshot', 'checkpoint', 'pause'];

export class PoolModel {
  private readonly migrations = new Map<Ref, Migration>();
  private readonly lateStarts = new Set<NodeJS.Timeout>();

  constructor(
    readonly db: XapiDb,
    private readonly built: BuiltPool,
    private readonly ids: IdSource,
    private readonly now: () => number,
    private readonly t: PoolTimings,
    private readonly faults: XapiFaultSet,
  ) {
    for (const h of built.hosts.values()) {
      if (h.link.osRunning) h.osUpSince = now() - t.agentStartMs;
      this.recomputeHost(h.ref);
    }
    this.recomputeVmOperations();
    this.recomputeHa();
  }

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

  /** Follow the power links: hosts that went down or came up since the last look. */
  refresh(): void {
    const now = this.now();
    for (const h of this.built.hosts.values()) {
      const os = h.link.osRunning;
      const live = this.isLive(h.ref);
      if (!os) {
        h.osUpSince = undefined;
        if (live) this.hostWentDown(h);
      } else {
        if (h.osUpSince === undefined) h.osUpSince = now;
        if (!live && now - h.osUpSince >= this.t.agentStartMs) {
          const withheld = this.faults.active('never-live', h.name);
          if (!withheld) this.hostCameUp(h);
          else if (h.liveWithheldFor !== h.osUpSince) {
            h.liveWithheldFor = h.osUpSince;
            this.faults.hit(withheld);
          }
        }
      }
    }
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

  // ---------------------------------------------------------------- host operations

  disableHost(hostRef: Ref, autoEnable: boolean): void {
    const h = this.hostRuntime(hostRef);
    this.assertHaPreserved({ disable: hostRef });
    if (!this.isLive(hostRef)) throw new XapiError('HOST_OFFLINE', [hostRef]);
    h.autoEnable = autoEnable;
    const wasEnabled = this.db.require('host', hostRef).enabled;
    if (wasEnabled) this.db.update('host', hostRef, { enabled: false });
    this.recomputeHost(hostRef);
    this.recomputeHa();
    const late = wasEnabled ? this.faults.active('vm-start-during-drain', h.name) : undefined;
    if (late) this.scheduleLateStart(h, late);
  }

  enableHost(hostRef: Ref): void {
    const h = this.hostRuntime(hostRef);
    if (!this.isLive(hostRef)) throw new XapiError('HOST_OFFLINE', [hostRef]);
    if (h.disabledUntilReboot) throw new XapiError('HOST_DISABLED_UNTIL_REBOOT', [hostRef]);
    h.autoEnable = true;
    if (!this.db.require('host', hostRef).enabled) this.db.update('host', hostRef, { enabled: true });
    this.recomputeHost(hostRef);
    this.recomputeHa();
  }

  /**
   * host.shutdown: HOST_NOT_DISABLED unless disabled; then every guest still there is halted and
   * the machine is asked for a soft off. Real xapi (prepare_for_poweroff → Vm_evacuation.ensure_no_vms)
   * first tries host.evacuate, then clean-shuts-down and finally hard-shuts-down what is left; the
   * simulator skips straight to the outcome for VMs nobody moved: they stop running.
   */
  shutdownHost(hostRef: Ref): void {
    const h = this.hostRuntime(hostRef);
    if (this.db.require('host', hostRef).enabled) throw new XapiError('HOST_NOT_DISABLED', []);
    if (!this.isLive(hostRef)) throw new XapiError('HOST_OFFLINE', [hostRef]);
    h.disabledUntilReboot = true;
    for (const vm of this.residentGuests(hostRef)) this.haltVm(vm);
    this.recomputeHost(hostRef);
    this.recomputeHa();
    h.link.control('soft');
  }

  /** xapi's compute_evacuation_plan_no_wlb: a target host or the error that stops each guest. */
  evacuationPlan(hostRef: Ref): Map<Ref, Plan> {
    this.hostRuntime(hostRef);
    const plans = new Map<Ref, Plan>();
    const targets = [...this.built.hosts.keys()].filter((r) => r !== hostRef && this.db.require('host', r).enabled);
    const guests = this.residentGuests(hostRef);
    if (!targets.length) {
      for (const vm of guests) plans.set(vm, { error: ['NO_HOSTS_AVAILABLE', vm] });
      return plans;
    }
    const ha = this.db.require('pool', this.poolRef).ha_enabled;
    const movable: Ref[] = [];
    for (const vm of guests) {
      const rec = this.db.require('VM', vm);
      if (ha && rec.ha_restart_priority !== 'restart') {
        plans.set(vm, { error: ['HOST_EVACUATE_VM_NOT_HA_PROTECTED', vm] });
        continue;
      }
      try {
        for (const t of targets) this.assertCanBootHere(vm, t, false);
        movable.push(vm);
      } catch (e) {
        plans.set(vm, { error: describe(e) });
      }
    }
    for (const vm of guests) {
      const err = this.vmOperationError(vm, 'pool_migrate');
      if (err) plans.set(vm, { error: err });
    }
    const room = new Map(targets.filter((t) => this.isLive(t)).map((t) => [t, this.computeFreeMemory(t)]));
    const bySize = movable.filter((vm) => !plans.has(vm)).sort((a, b) => this.vmBytes(b) - this.vmBytes(a));
    for (const vm of bySize) {
      const need = this.vmBytes(vm);
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

  // ---------------------------------------------------------------- VM checks and migration

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

  /** Everything VM.pool_migrate checks before it moves a byte, in xapi's order. */
  precheckMigrate(vmRef: Ref, hostRef: Ref): void {
    this.assertOperationValid(vmRef, 'pool_migrate');
    this.assertCanBootHere(vmRef, hostRef);
    const vm = this.db.require('VM', vmRef);
    if (vm.resident_on !== hostRef) this.assertHaPreserved({ arriving: { host: hostRef, bytes: this.vmBytes(vmRef) } });
  }

  /**
   * VM.pool_migrate: the prechecks, then the memory copy for the simulated time; the VM is on the
   * source until it completes. A host that dies meanwhile fails the migration (VM_MIGRATE_FAILED).
   */
  migrate(vmRef: Ref, hostRef: Ref, taskRef: Ref | undefined): Promise<void> {
    this.precheckMigrate(vmRef, hostRef);
    const vm = this.db.require('VM', vmRef);
    const from = vm.resident_on;
    const opKey = taskRef ?? this.ids.ref();
    this.db.update('VM', vmRef, { scheduled_to_be_resident_on: hostRef, current_operations: { [opKey]: 'pool_migrate' } });
    this.recomputeVmOperations(vmRef);
    this.recomputeHost(hostRef);
    this.recomputeHa();
    const ms = this.t.migrateMs ?? Math.round((this.t.migrateMsPerGiB * this.vmBytes(vmRef)) / GiB);
    const doomed = this.migrationFault(from, hostRef) !== undefined;
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: XapiError): void => {
        if (this.migrations.get(vmRef) !== m) return;
        clearTimeout(m.timer);
        this.migrations.delete(vmRef);
        const rec = this.db.get('VM', vmRef);
        if (rec) {
          this.db.update('VM', vmRef, { scheduled_to_be_resident_on: NULL_REF, current_operations: {} });
          this.recomputeVmOperations(vmRef);
        }
        for (const h of [from, hostRef]) if (this.built.hosts.has(h)) this.recomputeHost(h);
        this.recomputeHa();
        if (error) reject(error);
        else resolve();
      };
      const m: Migration = { vm: vmRef, from, to: hostRef, settle, dueAt: Date.now() + ms, timer: setTimeout(() => this.finishMigration(m), doomed ? Math.min(ms, this.t.migrationFailMs) : ms) };
      this.migrations.set(vmRef, m);
    });
  }

  private finishMigration(m: Migration): void {
    this.refresh();
    if (this.migrations.get(m.vm) !== m) return; // already settled: the refresh halted the VM
    const vm = this.db.get('VM', m.vm);
    const failed = (why: string): void => m.settle(new XapiError('VM_MIGRATE_FAILED', [m.vm, m.from, m.to, why]));
    if (!vm || vm.power_state !== 'Running' || vm.resident_on !== m.from) return failed('the VM stopped during the migration');
    if (!this.isLive(m.to)) return failed('the destination host went offline');
    const fault = this.migrationFault(m.from, m.to);
    if (fault) {
      this.faults.hit(fault);
      return failed('simulated fault: migration-fail');
    }
    // Doomed when it started, the fault went off meanwhile: the copy runs its full time.
    const left = m.dueAt - Date.now();
    if (left > 0) {
      m.timer = setTimeout(() => this.finishMigration(m), left);
      return;
    }
    if (m.from !== m.to) this.db.update('VM', m.vm, { resident_on: m.to, affinity: m.to, domid: vm.domid + 1 });
    m.settle();
  }

  /** host.evacuate: every guest to its planned host, one after the other. */
  async evacuate(hostRef: Ref): Promise<void> {
    const plans = this.evacuationPlan(hostRef);
    for (const plan of plans.values()) if ('error' in plan) throw new XapiError(plan.error[0], plan.error.slice(1));
    for (const [vm, plan] of plans) if ('host' in plan) await this.migrate(vm, plan.host, undefined);
  }

  /** Cancel timers; in-flight migrations fail, late starts never land. */
  stop(): void {
    for (const m of [...this.migrations.values()]) m.settle(new XapiError('VM_MIGRATE_FAILED', [m.vm, m.from, m.to, 'the pool simulator stopped']));
    for (const t of this.lateStarts) clearTimeout(t);
    this.lateStarts.clear();
  }

  // ---------------------------------------------------------------- faults

  /** The migration-fail entry for a move from `from` to `to` (either host's own, else pool-wide). */
  private migrationFault(from: Ref, to: Ref): XapiFaultEntry | undefined {
    for (const ref of [from, to]) {
      const name = this.built.hosts.get(ref)?.name;
      const own = name === undefined ? undefined : this.faults.active('migration-fail', name);
      if (own?.host !== undefined) return own;
    }
    return this.faults.active('migration-fail');
  }

  /**
   * Fault vm-start-during-drain: drainStartDelayMs after the disable, a halted guest that can run
   * there (its SRs plugged, its memory free; the host's own first) starts on the host, or a new
   * 1 GiB guest on the shared SR when none can. The start was scheduled before the disable, so
   * the host being disabled does not stop it.
   */
  private scheduleLateStart(h: HostRuntime, entry: XapiFaultEntry): void {
    const timer = setTimeout(() => {
      this.lateStarts.delete(timer);
      this.refresh();
      if (!this.isLive(h.ref)) return;
      const vm = this.haltedGuestFor(h.ref) ?? this.newGuest(h);
      this.startOn(vm, h.ref);
      this.faults.hit(entry);
    }, this.t.drainStartDelayMs);
    this.lateStarts.add(timer);
  }

  private haltedGuestFor(hostRef: Ref): Ref | undefined {
    const free = this.computeFreeMemory(hostRef);
    const fits = this.db.all('VM').filter(([ref, vm]) =>
      !vm.is_control_domain && !vm.is_a_template && !vm.is_a_snapshot && vm.power_state === 'Halted' && !Object.keys(vm.current_operations).length &&
      vm.memory_target <= free && this.requiredSrs(ref).every((sr) => this.srPluggedOn(sr, hostRef)));
    fits.sort(([, a], [, b]) => Number(b.affinity === hostRef) - Number(a.affinity === hostRef) || a.memory_target - b.memory_target);
    return fits[0]?.[0];
  }

  private newGuest(h: HostRuntime): Ref {
    const names = new Set(this.db.all('VM').map(([, vm]) => vm.name_label));
    let n = 1;
    while (names.has(`late-start-${n}`)) n++;
    const network = this.db.all('network')[0]?.[0] ?? NULL_REF;
    const haEnabled = this.db.require('pool', this.poolRef).ha_enabled;
    return addGuest(this.db, this.ids, { name: `late-start-${n}`, memoryBytes: GiB, vcpus: 1, host: h.name, running: false }, h.ref, this.built.sharedSrRef, network, haEnabled);
  }

  /** A halted guest begins running on the host (what VM.start_on leaves). */
  private startOn(vmRef: Ref, hostRef: Ref): void {
    const vm = this.db.require('VM', vmRef);
    const domid = 1 + Math.max(0, ...this.db.all('VM').filter(([, v]) => v.resident_on === hostRef).map(([, v]) => v.domid));
    this.db.update('VM', vmRef, { power_state: 'Running', resident_on: hostRef, domid, scheduled_to_be_resident_on: NULL_REF });
    for (const vbd of vm.VBDs) this.db.update('VBD', vbd, { currently_attached: true });
    for (const vif of vm.VIFs) this.db.update('VIF', vif, { currently_attached: true });
    this.recomputeVmOperations(vmRef);
    this.recomputeHost(hostRef);
    this.recomputeHa();
  }

  // ---------------------------------------------------------------- state changes

  private hostWentDown(h: HostRuntime): void {
    this.db.update('host_metrics', h.metricsRef, { live: false, last_updated: xapiDateTime(this.now()) });
    for (const vm of this.residentGuests(h.ref)) this.haltVm(vm);
    this.db.update('host', h.ref, { current_operations: {} });
    this.recomputeHost(h.ref);
    this.recomputeHa();
  }

  private hostCameUp(h: HostRuntime): void {
    h.disabledUntilReboot = false;
    this.db.update('host_metrics', h.metricsRef, { live: true, last_updated: xapiDateTime(this.now()) });
    this.db.update('host', h.ref, { enabled: h.autoEnable });
    this.recomputeHost(h.ref);
    this.recomputeHa();
  }

  private haltVm(vmRef: Ref): void {
    const vm = this.db.require('VM', vmRef);
    this.migrations.get(vmRef)?.settle(new XapiError('VM_MIGRATE_FAILED', [vmRef, vm.resident_on, vm.scheduled_to_be_resident_on, 'the VM was halted']));
    this.db.update('VM', vmRef, { power_state: 'Halted', resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, domid: -1, current_operations: {} });
    for (const vbd of vm.VBDs) this.db.update('VBD', vbd, { currently_attached: false });
    for (const vif of vm.VIFs) this.db.update('VIF', vif, { currently_attached: false });
    this.recomputeVmOperations(vmRef);
  }

  /** resident_VMs, memory_free, allowed_operations and the power link's load of one host. */
  recomputeHost(hostRef: Ref): void {
    const h = this.hostRuntime(hostRef);
    const host = this.db.require('host', hostRef);
    const metrics = this.db.require('host_metrics', h.metricsRef);
    const resident = this.db.all('VM').filter(([, vm]) => vm.resident_on === hostRef);
    const guestBytes = resident.filter(([, vm]) => !vm.is_control_domain && vm.power_state !== 'Halted').reduce((s, [, vm]) => s + vm.memory_target, 0);
    const free = metrics.memory_total - h.dom0Bytes - guestBytes;
    const residentRefs = resident.map(([r]) => r);
    const ops = !metrics.live ? ['power_on'] : host.enabled ? ['provision', 'evacuate', 'reboot', 'shutdown', 'vm_start', 'vm_resume', 'vm_migrate'] : ['provision', 'evacuate', 'reboot', 'shutdown', 'enable'];
    if (JSON.stringify(host.resident_VMs) !== JSON.stringify(residentRefs) || JSON.stringify(host.allowed_operations) !== JSON.stringify(ops)) {
      this.db.update('host', hostRef, { resident_VMs: residentRefs, allowed_operations: ops });
    }
    if (metrics.memory_free !== free) this.db.update('host_metrics', h.metricsRef, { memory_free: free, last_updated: xapiDateTime(this.now()) });
    const load = 0.05 + (0.9 * guestBytes) / Math.max(1, metrics.memory_total - h.dom0Bytes);
    if (Math.abs(h.link.load - load) > 1e-9) h.link.load = load;
  }

  private recomputeVmOperations(only?: Ref): void {
    for (const [ref, vm] of this.db.all('VM')) {
      if (only && ref !== only) continue;
      const ops = vm.is_a_template || vm.is_a_snapshot ? ['clone', 'copy', 'export'] : vm.is_control_domain ? [] : this.allowedOps(ref, vm);
      if (JSON.stringify(ops) !== JSON.stringify(vm.allowed_operations)) this.db.update('VM', ref, { allowed_operations: ops });
    }
  }

  private allowedOps(ref: Ref, vm: VmRecord): string[] {
    if (Object.keys(vm.current_operations).length) return [];
    if (vm.power_state === 'Halted') return ['start', 'start_on', 'clone', 'copy', 'export', 'destroy', 'snapshot'];
    return VM_RUNNING_OPS.filter((op) => !this.vmOperationError(ref, op));
  }

  // ---------------------------------------------------------------- HA

  private haHosts(change: { disable?: Ref; arriving?: { host: Ref; bytes: number } } = {}): HaHost[] {
    return [...this.built.hosts.values()].map((h) => {
      const vms = this.db.all('VM').filter(([, vm]) => !vm.is_control_domain && vm.ha_restart_priority === 'restart' && (vm.resident_on === h.ref || vm.scheduled_to_be_resident_on === h.ref));
      const vmBytes = vms.map(([, vm]) => vm.memory_target);
      let freeBytes = this.isLive(h.ref) ? this.computeFreeMemory(h.ref) : 0;
      if (change.arriving?.host === h.ref) {
        vmBytes.push(change.arriving.bytes);
        freeBytes -= change.arriving.bytes;
      }
      const enabled = this.db.require('host', h.ref).enabled && change.disable !== h.ref;
      return { id: h.ref, live: this.isLive(h.ref), enabled, freeBytes, vmBytes };
    });
  }

  /** xapi blocks a change only if a plan exists now and would not after it. */
  private assertHaPreserved(change: { disable?: Ref; arriving?: { host: Ref; bytes: number } }): void {
    const pool = this.db.require('pool', this.poolRef);
    if (!pool.ha_enabled || pool.ha_allow_overcommit) return;
    const n = pool.ha_host_failures_to_tolerate;
    if (!planExistsFor(this.haHosts(), n)) return;
    if (!planExistsFor(this.haHosts(change), n)) throw new XapiError('HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN', []);
  }

  private recomputeHa(): void {
    const pool = this.db.require('pool', this.poolRef);
    if (!pool.ha_enabled) return;
    const holds = planExistsFor(this.haHosts(), pool.ha_host_failures_to_tolerate);
    const planFor = holds ? pool.ha_host_failures_to_tolerate : 0;
    if (pool.ha_plan_exists_for !== planFor || pool.ha_overcommitted === holds) this.db.update('pool', this.poolRef, { ha_plan_exists_for: planFor, ha_overcommitted: !holds });
  }

  // ---------------------------------------------------------------- helpers

  vmBytes(vmRef: Ref): number {
    return this.db.require('VM', vmRef).memory_target;
  }

  private srPluggedOn(sr: Ref, hostRef: Ref): boolean {
    return this.db.require('SR', sr).PBDs.some((p) => {
      const pbd = this.db.require('PBD', p);
      return pbd.host === hostRef && pbd.currently_attached;
    });
  }

  private requiredSrs(vmRef: Ref): Ref[] {
    const srs = new Set<Ref>();
    for (const vbd of this.db.require('VM', vmRef).VBDs) {
      const rec = this.db.require('VBD', vbd);
      if (rec.empty || rec.VDI === NULL_REF) continue;
      srs.add(this.db.require('VDI', rec.VDI).SR);
    }
    return [...srs];
  }
}

/** The ErrorDescription of a thrown XAPI error. */
export function describe(e: unknown): string[] {
  if (e instanceof XapiError) return [e.code, ...e.params];
  return ['INTERNAL_ERROR', e instanceof Error ? e.message : String(e)];
}
