/** A read-only window on the simulated pool's records, by name, for tests and the local runner. */
import { isGuest, NULL_REF, type HostMetricsRecord, type HostRecord, type PoolRecord, type Ref, type TaskRecord, type VmRecord } from '../../xen/index.ts';
import type { ClassName, RecordsOf, XapiDb } from './database.ts';
import type { PoolModel } from './pool-model.ts';

export class SimState {
  constructor(
    private readonly db: XapiDb,
    private readonly model: PoolModel,
  ) {}

  pool(): Readonly<PoolRecord> {
    return this.db.require('pool', this.model.poolRef);
  }

  hostRef(name: string): Ref {
    const hit = this.db.all('host').find(([, h]) => h.name_label === name);
    if (!hit) throw new Error(`no host named ${name}`);
    return hit[0];
  }

  host(name: string): Readonly<HostRecord> {
    return this.db.require('host', this.hostRef(name));
  }

  hostMetrics(name: string): Readonly<HostMetricsRecord> {
    return this.db.require('host_metrics', this.host(name).metrics);
  }

  hostName(ref: Ref): string | undefined {
    return ref === NULL_REF ? undefined : this.db.get('host', ref)?.name_label;
  }

  /** The guest VM (not a template, snapshot or control domain) of that name. */
  vmRef(name: string): Ref {
    const hit = this.db.all('VM').find(([, v]) => v.name_label === name && isGuest(v));
    if (!hit) throw new Error(`no VM named ${name}`);
    return hit[0];
  }

  vm(name: string): Readonly<VmRecord> {
    return this.db.require('VM', this.vmRef(name));
  }

  /** Where the VM runs, by host name (undefined when it runs nowhere). */
  vmHost(name: string): string | undefined {
    return this.hostName(this.vm(name).resident_on);
  }

  /** Names of the guests resident on a host. */
  residentGuests(hostName: string): string[] {
    return this.model.residentGuests(this.hostRef(hostName)).map((r) => this.db.require('VM', r).name_label);
  }

  guests(): Array<Readonly<VmRecord>> {
    return this.db.all('VM').map(([, v]) => v).filter(isGuest);
  }

  tasks(): Array<Readonly<TaskRecord>> {
    return this.db.all('task').map(([, t]) => t);
  }

  records<C extends ClassName>(cls: C): Array<[Ref, Readonly<RecordsOf[C]>]> {
    return this.db.all(cls);
  }

  /** host.compute_free_memory of a host. */
  freeMemory(hostName: string): number {
    return this.model.computeFreeMemory(this.hostRef(hostName));
  }
}
