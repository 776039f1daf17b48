/**
 * The simulated pool's load control and its metrics objects: push a VM (by name or uuid) or all
 * to a fixed load and reset to the model (load-model.ts), checked before anything changes; and
 * the VM_metrics objects (memory_actual, VCPUs_number, VCPUs_utilisation), created for every VM
 * and refreshed from the model when read, in place and without an event (figures that move every
 * minute would otherwise keep every event.from watcher busy).
 */
import { isGuest, NULL_REF, xapiDateTime, type VmRecord } from '../../xen/index.ts';
import type { IdSource } from './build.ts';
import type { XapiDb } from './database.ts';
import type { LoadModel } from './load-model.ts';

/** A push: `vm` is a guest's name_label or uuid, or "all". */
export interface SimLoadPush {
  vm: string;
  cpuPercent: number;
  memoryPercent?: number;
}

export class SimLoad {
  constructor(
    private readonly db: XapiDb,
    readonly model: LoadModel,
    private readonly now: () => number,
    private readonly metricsIds: IdSource,
  ) {}

  /** Push the load from now on; the names of the guests it applies to. Throws, changing nothing, on a bad request. */
  set(p: SimLoadPush): string[] {
    if (typeof p !== 'object' || p === null) throw new Error('load: expected {vm, cpuPercent, memoryPercent?}');
    if (typeof p.vm !== 'string' || p.vm === '') throw new Error('load: vm must be a VM name, a VM uuid or "all"');
    const guests = this.db.all('VM').filter(([, v]) => isGuest(v));
    const chosen = p.vm === 'all' ? guests : guests.filter(([, v]) => v.name_label === p.vm || v.uuid === p.vm);
    if (chosen.length === 0) throw new Error(`load: no VM named ${JSON.stringify(p.vm)} in the pool`);
    if (chosen.length > 1 && p.vm !== 'all') throw new Error(`load: ${chosen.length} VMs are named ${JSON.stringify(p.vm)}; give its uuid`);
    const push = p.memoryPercent === undefined ? { cpuPercent: p.cpuPercent } : { cpuPercent: p.cpuPercent, memoryPercent: p.memoryPercent };
    // The model checks the figures before it changes anything.
    this.model.push(chosen.map(([, v]) => v.uuid), push, this.now());
    return chosen.map(([, v]) => v.name_label).sort();
  }

  /** Every VM follows the model again, from now on. */
  reset(): void {
    this.model.reset(this.now());
  }

  /** A VM_metrics object for every VM that has none yet (its own id source, so other refs stay as they were). */
  attachMetrics(): void {
    const stamp = xapiDateTime(this.now());
    for (const [ref, vm] of this.db.all('VM')) {
      if (vm.metrics !== NULL_REF && this.db.get('VM_metrics', vm.metrics)) continue;
      const metricsRef = this.metricsIds.ref();
      this.db.insert('VM_metrics', metricsRef, {
        uuid: this.metricsIds.uuid(), memory_actual: 0, VCPUs_number: vm.VCPUs_at_startup, VCPUs_utilisation: {}, state: [],
        start_time: stamp, install_time: stamp, last_updated: stamp, other_config: {},
      });
      vm.metrics = metricsRef;
      this.db.touch(ref);
    }
    this.refreshMetrics();
  }

  /** The figures of every VM_metrics object, from the model at this moment. */
  refreshMetrics(): void {
    const t = this.now();
    const stamp = xapiDateTime(t);
    for (const [, vm] of this.db.all('VM')) {
      const m = this.db.get('VM_metrics', vm.metrics);
      if (!m) continue;
      const running = vm.power_state === 'Running' || vm.power_state === 'Paused';
      m.memory_actual = running ? vm.memory_target : 0;
      m.VCPUs_number = running ? vm.VCPUs_at_startup : 0;
      m.VCPUs_utilisation = running && !vm.is_control_domain ? utilisation(this.model, vm, t) : {};
      m.last_updated = stamp;
    }
  }
}

function utilisation(model: LoadModel, vm: VmRecord, t: number): Record<string, number> {
  return Object.fromEntries(model.vcpuBusy(vm.uuid, vm.VCPUs_at_startup, t).map((b, i) => [String(i), b]));
}
