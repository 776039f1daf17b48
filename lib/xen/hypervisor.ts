/**
 * The XAPI adapter of the Hypervisor port (hypervisor-port.ts). Hosts and VMs are named by their
 * XAPI name_label (lowpower's hostId / vmId), looked up fresh on every call: refs are never kept,
 * so a reconnect or a master change cannot leave a stale one behind.
 */
import { XapiClient, type XapiClientOptions } from './client.ts';
import { XenLookupError } from './errors.ts';
import { isGuest, type HostMetricsRecord, type HostRecord, type PoolRecord, type Ref, type SrRecord, type TaskRecord, type VbdRecord, type VdiRecord, type VmRecord } from './records.ts';
import { startRefusals, type RefusalCursor, type StartRefusal } from './start-refusals.ts';
import type { Hypervisor, XenHostIdentity, XenHostInfo, XenPoolInfo, XenVmInfo } from './hypervisor-port.ts';

export type { Hypervisor, XenHostIdentity, XenHostInfo, XenPoolInfo, XenVmInfo } from './hypervisor-port.ts';

type Records<T> = Record<Ref, Partial<T>>;

export class XapiHypervisor implements Hypervisor {
  /** `<class>.get_all_records` requests in flight: callers asking at once share one answer. */
  private readonly reading = new Map<string, Promise<unknown>>();

  constructor(readonly client: XapiClient) {}

  private allRecords<T>(cls: string): Promise<Records<T>> {
    let p = this.reading.get(cls);
    if (!p) {
      p = this.client.call<Records<T>>(`${cls}.get_all_records`).finally(() => this.reading.delete(cls));
      this.reading.set(cls, p);
    }
    return p as Promise<Records<T>>;
  }

  static connect(o: XapiClientOptions): XapiHypervisor {
    return new XapiHypervisor(new XapiClient(o));
  }

  async pool(): Promise<XenPoolInfo> {
    const p = await this.poolRecord();
    return {
      name: p.name_label ?? '',
      masterHostId: await this.client.call<string>('host.get_name_label', p.master),
      haEnabled: p.ha_enabled === true,
      haFailuresToTolerate: num(p.ha_host_failures_to_tolerate),
    };
  }

  async hosts(): Promise<XenHostInfo[]> {
    const [p, hosts, metrics, vms] = await Promise.all([
      this.poolRecord(),
      this.allRecords<HostRecord>('host'),
      this.allRecords<HostMetricsRecord>('host_metrics'),
      this.allRecords<VmRecord>('VM'),
    ]);
    return Object.entries(hosts)
      .map(([ref, h]) => {
        const m = h.metrics ? metrics[h.metrics] : undefined;
        const guests = Object.values(vms).filter((v) => v.resident_on === ref && isGuest(v));
        return {
          ...identity(ref, h),
          enabled: h.enabled === true,
          live: m?.live === true,
          memoryTotalBytes: num(m?.memory_total),
          memoryFreeBytes: num(m?.memory_free),
          cpus: h.cpu_info?.cpu_count !== undefined ? num(h.cpu_info.cpu_count) : (h.host_CPUs?.length ?? 0),
          isMaster: ref === p.master,
          residentGuestVmIds: guests.map((v) => v.name_label ?? '').sort(),
          allowedOperations: [...(h.allowed_operations ?? [])],
        };
      })
      .sort((a, b) => a.hostId.localeCompare(b.hostId));
  }

  async vms(): Promise<XenVmInfo[]> {
    const [vms, hosts, vbds, vdis, srs] = await Promise.all([
      this.allRecords<VmRecord>('VM'),
      this.allRecords<HostRecord>('host'),
      this.allRecords<VbdRecord>('VBD'),
      this.allRecords<VdiRecord>('VDI'),
      this.allRecords<SrRecord>('SR'),
    ]);
    const onLocalStorage = (v: Partial<VmRecord>): boolean =>
      (v.VBDs ?? []).some((b) => {
        const vbd = vbds[b];
        const vdi = vbd && !vbd.empty && vbd.VDI ? vdis[vbd.VDI] : undefined;
        const sr = vdi?.SR ? srs[vdi.SR] : undefined;
        return sr !== undefined && sr.shared !== true;
      });
    return Object.values(vms)
      .filter(isGuest)
      .map((v) => {
        const powerState = v.power_state ?? 'Halted';
        const active = powerState === 'Running' || powerState === 'Paused';
        const host = v.resident_on ? hosts[v.resident_on] : undefined;
        const pinned = onLocalStorage(v) ? 'local storage' : v.attached_PCIs?.length ? 'PCI device' : v.VGPUs?.length ? 'vGPU' : undefined;
        const info: XenVmInfo = {
          vmId: v.name_label ?? '',
          uuid: v.uuid ?? '',
          powerState,
          hostId: host?.name_label ?? null,
          memoryBytes: active ? num(v.memory_target) || num(v.memory_dynamic_max) : num(v.memory_static_max),
          vcpus: num(v.VCPUs_at_startup),
          tags: [...(v.tags ?? [])],
        };
        if (pinned) info.pinned = pinned;
        return info;
      })
      .sort((a, b) => a.vmId.localeCompare(b.vmId));
  }

  async hostIdentity(hostId: string): Promise<XenHostIdentity> {
    const ref = await this.hostRef(hostId);
    return identity(ref, await this.client.call<Partial<HostRecord>>('host.get_record', ref));
  }

  async hostFreeMemory(hostId: string): Promise<number> {
    return num(await this.client.call<number | string>('host.compute_free_memory', await this.hostRef(hostId)));
  }

  async disableHost(hostId: string): Promise<void> {
    await this.client.call('host.disable', await this.hostRef(hostId));
  }

  async enableHost(hostId: string): Promise<void> {
    await this.client.call('host.enable', await this.hostRef(hostId));
  }

  async assertCanEvacuate(hostId: string): Promise<void> {
    await this.client.call('host.assert_can_evacuate', await this.hostRef(hostId));
  }

  async vmsPreventingEvacuation(hostId: string): Promise<Record<string, string[]>> {
    const byRef = await this.client.call<Record<Ref, string[]>>('host.get_vms_which_prevent_evacuation', await this.hostRef(hostId));
    const out: Record<string, string[]> = {};
    for (const [ref, description] of Object.entries(byRef)) {
      out[await this.client.call<string>('VM.get_name_label', ref)] = description.map(String);
    }
    return out;
  }

  async assertCanMigrate(vmId: string, toHostId: string): Promise<void> {
    const [vm, host] = await Promise.all([this.vmRef(vmId), this.hostRef(toHostId)]);
    await this.client.call('VM.assert_operation_valid', vm, 'pool_migrate');
    await this.client.call('VM.assert_can_boot_here', vm, host);
  }

  async migrateVm(vmId: string, toHostId: string): Promise<void> {
    const [vm, host] = await Promise.all([this.vmRef(vmId), this.hostRef(toHostId)]);
    await this.client.callAsync('VM.pool_migrate', vm, host, { live: 'true' });
  }

  async residentGuestVms(hostId: string): Promise<string[]> {
    const refs = await this.client.call<Ref[]>('host.get_resident_VMs', await this.hostRef(hostId));
    const records = await Promise.all(refs.map((r) => this.client.call<Partial<VmRecord>>('VM.get_record', r)));
    return records.filter(isGuest).map((v) => v.name_label ?? '').sort();
  }

  async incomingGuestVms(hostId: string): Promise<string[]> {
    const [ref, vms] = await Promise.all([this.hostRef(hostId), this.client.call<Records<VmRecord>>('VM.get_all_records')]);
    return Object.values(vms)
      .filter((v) => v.scheduled_to_be_resident_on === ref && v.resident_on !== ref && isGuest(v))
      .map((v) => v.name_label ?? '')
      .sort();
  }

  async hostLive(hostId: string): Promise<boolean> {
    const metrics = await this.client.call<Ref>('host.get_metrics', await this.hostRef(hostId));
    return (await this.client.call<boolean>('host_metrics.get_live', metrics)) === true;
  }

  async shutdownHost(hostId: string): Promise<void> {
    await this.client.callAsync('host.shutdown', await this.hostRef(hostId));
  }

  async powerOnHost(hostId: string): Promise<void> {
    await this.client.callAsync('host.power_on', await this.hostRef(hostId));
  }

  async hostPowerOnMode(hostId: string): Promise<string> {
    return String((await this.client.call<string>('host.get_power_on_mode', await this.hostRef(hostId))) ?? '');
  }

  async startRefusals(since?: RefusalCursor): Promise<StartRefusal[]> {
    const [tasks, vms] = await Promise.all([this.allRecords<TaskRecord>('task'), this.allRecords<VmRecord>('VM')]);
    return startRefusals(tasks, vms, since);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async poolRecord(): Promise<Partial<PoolRecord>> {
    const pools = await this.allRecords<PoolRecord>('pool');
    const first = Object.values(pools)[0];
    if (!first) throw new Error('XAPI returned no pool record');
    return first;
  }

  private async hostRef(hostId: string): Promise<Ref> {
    const refs = await this.client.call<Ref[]>('host.get_by_name_label', hostId);
    if (refs.length !== 1) throw new XenLookupError('host', hostId, refs.length);
    return refs[0];
  }

  /** The guest of that name: snapshots often share it, templates may. */
  private async vmRef(vmId: string): Promise<Ref> {
    const refs = await this.client.call<Ref[]>('VM.get_by_name_label', vmId);
    const records = await Promise.all(refs.map(async (r) => [r, await this.client.call<Partial<VmRecord>>('VM.get_record', r)] as const));
    const guests = records.filter(([, v]) => isGuest(v));
    if (guests.length !== 1) throw new XenLookupError('VM', vmId, guests.length);
    return guests[0][0];
  }
}

/** XAPI ints are JSON numbers over JSON-RPC and decimal strings over XML-RPC. */
function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

function identity(ref: Ref, h: Partial<HostRecord>): XenHostIdentity {
  const id: XenHostIdentity = { hostId: h.name_label ?? ref, uuid: h.uuid ?? '', address: typeof h.address === 'string' ? h.address.trim() : '' };
  const serial = biosString(h.bios_strings, 'system-serial-number');
  const boardSerial = biosString(h.bios_strings, 'baseboard-serial-number');
  if (serial !== undefined) id.serial = serial;
  if (boardSerial !== undefined) id.boardSerial = boardSerial;
  return id;
}

/**
 * One SMBIOS string of a host, trimmed; undefined when missing or empty. xapi fills bios_strings
 * from dmidecode at start-up and stores "" for a field the firmware reports as "Not Specified".
 */
function biosString(strings: unknown, key: string): string | undefined {
  if (typeof strings !== 'object' || strings === null) return undefined;
  const v = (strings as Record<string, unknown>)[key];
  const s = typeof v === 'string' ? v.trim() : '';
  return s === '' ? undefined : s;
}
