/**
 * Lays out a simulated pool's objects the way XAPI shows a real one: a pool, per host a host (with
 * its management address and SMBIOS bios_strings), host_metrics, control domain (dom0) and local
 * SR with its PBD; one shared SR plugged on every host; one network; per VM its disk (VBD → VDI →
 * SR), an empty CD drive, a VIF, and PCI / vGPU records when asked; two default templates;
 * snapshots when asked.
 */
import { seededRandom } from '../../util/index.ts';
import { NULL_REF, xapiDateTime, type Ref, type StringMap, type VmRecord } from '../../xen/index.ts';
import type { XapiDb } from './database.ts';
import { GiB, type HostPowerLink, type SimHostSpec, type SimVmSpec, type XapiSimOptions } from './options.ts';

/** What the pool model keeps per host beside its records. */
export interface HostRuntime {
  ref: Ref;
  name: string;
  metricsRef: Ref;
  dom0Ref: Ref;
  dom0Bytes: number;
  link: HostPowerLink;
  /** When the sim first saw the OS running (the agent counts live agentStartMs later). */
  osUpSince?: number;
  /** host.disable(host, false) keeps it disabled across a reboot (xapi's host_auto_enable). */
  autoEnable: boolean;
  /** Set by host.shutdown until the next boot: host.enable refuses (HOST_DISABLED_UNTIL_REBOOT). */
  disabledUntilReboot: boolean;
  /** Fault "never-live": the osUpSince of the boot whose liveness was last withheld (counted once per boot). */
  liveWithheldFor?: number;
}

export interface BuiltPool {
  poolRef: Ref;
  sharedSrRef: Ref;
  hosts: Map<Ref, HostRuntime>;
  /** Guests that run no guest agent (their RRD lacks memory_internal_free). */
  noAgent: Set<Ref>;
  /** Hosts whose spec set host.address (the simulator does not move them to an endpoint of their own). */
  fixedAddress: Set<Ref>;
}

export type IdSource = { ref(): Ref; uuid(): string };

export function idSource(seed: number): IdSource {
  const rnd = seededRandom(seed);
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rnd() * 4)]}${hex(3)}-${hex(12)}`;
  return { uuid, ref: () => `OpaqueRef:${uuid()}` };
}

const DEFAULT_DOM0 = 4 * GiB;

export function buildPool(db: XapiDb, o: XapiSimOptions, ids: IdSource, now: number): BuiltPool {
  if (!o.hosts.length) throw new Error('a pool needs at least one host');
  const names = new Set(o.hosts.map((h) => h.name));
  if (names.size !== o.hosts.length) throw new Error('host names must be unique');
  const masterSpec = o.hosts.find((h) => h.master) ?? o.hosts[0];
  const poolRef = ids.ref();
  const networkRef = ids.ref();
  const sharedSrRef = ids.ref();
  const hosts = new Map<Ref, HostRuntime>();
  const hostRefByName = new Map<string, Ref>();
  const localSrByHost = new Map<Ref, Ref>();
  const addresses = new Set<string>();
  const noAgent = new Set<Ref>();
  const fixedAddress = new Set<Ref>();

  db.insert('network', networkRef, {
    uuid: ids.uuid(), name_label: 'Pool-wide network associated with eth0', name_description: '', bridge: 'xenbr0', VIFs: [], PIFs: [], other_config: {}, tags: [],
  });
  db.insert('SR', sharedSrRef, {
    uuid: ids.uuid(), name_label: 'NFS virtual disk storage', name_description: 'shared by every host', type: 'nfs', content_type: 'user', shared: true,
    PBDs: [], VDIs: [], physical_size: 20 * 1024 * GiB, physical_utilisation: 0, other_config: {}, tags: [],
  });

  for (const [i, spec] of o.hosts.entries()) {
    const address = spec.address ?? (spec === masterSpec ? '127.0.0.1' : `127.0.1.${i + 1}`);
    if (addresses.has(address)) throw new Error(`host addresses must be unique: ${address}`);
    addresses.add(address);
    const ref = ids.ref();
    const metricsRef = ids.ref();
    const dom0Ref = ids.ref();
    const localSrRef = ids.ref();
    const dom0Bytes = spec.controlDomainMemoryBytes ?? DEFAULT_DOM0;
    const live = spec.power.osRunning;
    hostRefByName.set(spec.name, ref);
    localSrByHost.set(ref, localSrRef);
    db.insert('host_metrics', metricsRef, {
      uuid: ids.uuid(), live, memory_total: spec.memoryBytes, memory_free: spec.memoryBytes - dom0Bytes, last_updated: xapiDateTime(now), other_config: {},
    });
    db.insert('host', ref, {
      uuid: ids.uuid(), name_label: spec.name, name_description: 'Default install', hostname: spec.name, address, enabled: live,
      metrics: metricsRef, resident_VMs: [], host_CPUs: [],
      cpu_info: { cpu_count: String(spec.cpus), socket_count: '2', vendor: 'GenuineIntel', speed: '2900.000', modelname: 'Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz' },
      memory_overhead: 0, allowed_operations: [], current_operations: {},
      software_version: { product_brand: 'XCP-ng', product_version: '8.3.0', platform_name: 'XCP', xapi: '24.19', xen: '4.17.4', hostname: spec.name },
      API_version_major: 2, API_version_minor: 21, API_version_vendor: 'XenSource',
      PBDs: [], PIFs: [], PCIs: [], PGPUs: [], power_on_mode: spec.powerOnMode ?? 'IPMI', power_on_config: {}, external_auth_type: '',
      bios_strings: biosStrings(spec), other_config: {}, tags: [],
    });
    db.insert('VM', dom0Ref, vmRecord(ids, {
      name_label: `Control domain on host: ${spec.name}`, power_state: 'Running', resident_on: ref, affinity: ref, memory: dom0Bytes, vcpus: Math.min(16, spec.cpus),
      is_control_domain: true, domid: 0,
    }));
    db.insert('SR', localSrRef, {
      uuid: ids.uuid(), name_label: `Local storage`, name_description: `on ${spec.name}`, type: 'lvm', content_type: 'user', shared: false,
      PBDs: [], VDIs: [], physical_size: 2 * 1024 * GiB, physical_utilisation: 0, other_config: {}, tags: [],
    });
    for (const sr of [sharedSrRef, localSrRef]) {
      const pbd = ids.ref();
      db.insert('PBD', pbd, { uuid: ids.uuid(), host: ref, SR: sr, currently_attached: true, device_config: {}, other_config: {} });
      db.require('SR', sr).PBDs.push(pbd);
      db.require('host', ref).PBDs.push(pbd);
    }
    hosts.set(ref, { ref, name: spec.name, metricsRef, dom0Ref, dom0Bytes, link: spec.power, autoEnable: true, disabledUntilReboot: false });
    if (spec.address !== undefined) fixedAddress.add(ref);
  }

  db.insert('pool', poolRef, {
    uuid: ids.uuid(), name_label: o.pool.name, name_description: '', master: hostRefByName.get(masterSpec.name) as Ref, default_SR: sharedSrRef,
    ha_enabled: o.pool.haEnabled ?? false, ha_host_failures_to_tolerate: o.pool.haEnabled ? (o.pool.haFailuresToTolerate ?? 1) : 0,
    ha_plan_exists_for: 0, ha_allow_overcommit: false, ha_overcommitted: false, other_config: {}, tags: [], allowed_operations: [], current_operations: {},
  });

  for (const name of ['Debian Bookworm 12', 'Windows Server 2022 (64-bit)']) {
    db.insert('VM', ids.ref(), vmRecord(ids, { name_label: name, power_state: 'Halted', resident_on: NULL_REF, affinity: NULL_REF, memory: 2 * GiB, vcpus: 2, is_a_template: true, is_default_template: true }));
  }

  const vmNames = new Set<string>();
  for (const spec of o.vms) {
    if (vmNames.has(spec.name)) throw new Error(`VM names must be unique: ${spec.name}`);
    vmNames.add(spec.name);
    const hostRef = hostRefByName.get(spec.host);
    if (!hostRef) throw new Error(`VM ${spec.name}: no host named ${spec.host}`);
    const vmRef = addGuest(db, ids, spec, hostRef, spec.localStorage ? (localSrByHost.get(hostRef) as Ref) : sharedSrRef, networkRef, o.pool.haEnabled ?? false);
    if (spec.guestAgent === false) noAgent.add(vmRef);
  }
  return { poolRef, sharedSrRef, hosts, noAgent, fixedAddress };
}

/**
 * bios_strings as xapi's bios_strings.ml fills them from dmidecode (types 0, 1, 2 and 11): the
 * keys every host has, "" for a field the firmware leaves "Not Specified", xapi's two standard OEM
 * strings first, and hp-rombios ("" off HP machines). The serials are stored as the spec gives
 * them (xapi trims what dmidecode prints; a spec may not, to exercise readers).
 */
function biosStrings(spec: SimHostSpec): StringMap {
  const vendor = 'Simulated Systems';
  return {
    'bios-vendor': vendor,
    'bios-version': '2.19.1',
    'system-manufacturer': vendor,
    'system-product-name': 'SimServer R1',
    'system-version': '',
    'system-serial-number': spec.serial ?? '',
    'baseboard-manufacturer': vendor,
    'baseboard-product-name': 'SimBoard 0A1B',
    'baseboard-version': 'A01',
    'baseboard-serial-number': spec.boardSerial ?? '',
    'oem-1': 'Xen',
    'oem-2': 'MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d',
    'hp-rombios': '',
  };
}

/** A guest with its disk, CD drive and VIF (and PCI, vGPU, snapshot when asked); its ref. */
export function addGuest(db: XapiDb, ids: IdSource, spec: SimVmSpec, hostRef: Ref, srRef: Ref, networkRef: Ref, haEnabled: boolean): Ref {
  const host = db.require('host', hostRef);
  const running = (spec.running ?? true) && db.require('host_metrics', host.metrics).live;
  const vmRef = ids.ref();
  const vm = vmRecord(ids, {
    name_label: spec.name, power_state: running ? 'Running' : 'Halted', resident_on: running ? hostRef : NULL_REF, affinity: hostRef,
    memory: spec.memoryBytes, vcpus: spec.vcpus, domid: running ? 1 : -1,
  });
  vm.tags = [...(spec.tags ?? [])];
  vm.ha_restart_priority = haEnabled && (spec.haProtected ?? true) ? 'restart' : '';
  vm.ha_always_run = vm.ha_restart_priority === 'restart';
  db.insert('VM', vmRef, vm);

  const vdiRef = ids.ref();
  const diskRef = ids.ref();
  const cdRef = ids.ref();
  db.insert('VDI', vdiRef, {
    uuid: ids.uuid(), name_label: `${spec.name} 0`, name_description: 'system disk', SR: srRef, VBDs: [diskRef], virtual_size: 32 * GiB, physical_utilisation: 12 * GiB,
    type: 'user', sharable: false, read_only: false, managed: true, is_a_snapshot: false, other_config: {}, tags: [],
  });
  db.require('SR', srRef).VDIs.push(vdiRef);
  db.insert('VBD', diskRef, { uuid: ids.uuid(), VM: vmRef, VDI: vdiRef, device: 'xvda', userdevice: '0', bootable: true, mode: 'RW', type: 'Disk', empty: false, currently_attached: running, other_config: {} });
  db.insert('VBD', cdRef, { uuid: ids.uuid(), VM: vmRef, VDI: NULL_REF, device: 'xvdd', userdevice: '3', bootable: false, mode: 'RO', type: 'CD', empty: true, currently_attached: running, other_config: {} });
  const vifRef = ids.ref();
  const mac = `96:3e:${ids.uuid().slice(0, 8).match(/../g)?.join(':')}`;
  db.insert('VIF', vifRef, { uuid: ids.uuid(), VM: vmRef, network: networkRef, device: '0', MAC: mac, currently_attached: running, other_config: {} });
  db.require('network', networkRef).VIFs.push(vifRef);
  vm.VBDs.push(diskRef, cdRef);
  vm.VIFs.push(vifRef);

  if (spec.pci) {
    const pciRef = ids.ref();
    db.insert('PCI', pciRef, {
      uuid: ids.uuid(), class_name: 'Network controller', vendor_name: 'Intel Corporation', device_name: 'Ethernet Controller X710 for 10GbE SFP+',
      pci_id: `0000:3b:00.${host.PCIs.length}`, host: hostRef, dependencies: [], other_config: {},
    });
    host.PCIs.push(pciRef);
    vm.attached_PCIs.push(pciRef);
    vm.other_config.pci = `0/0000:3b:00.${host.PCIs.length - 1}`;
  }
  if (spec.vgpu) {
    const vgpuRef = ids.ref();
    db.insert('VGPU', vgpuRef, { uuid: ids.uuid(), VM: vmRef, GPU_group: NULL_REF, device: '0', currently_attached: running, resident_on: NULL_REF, other_config: {} });
    vm.VGPUs.push(vgpuRef);
  }
  if (spec.snapshot) {
    const snapRef = ids.ref();
    const snap = vmRecord(ids, { name_label: spec.name, power_state: 'Halted', resident_on: NULL_REF, affinity: hostRef, memory: spec.memoryBytes, vcpus: spec.vcpus });
    snap.is_a_snapshot = true;
    snap.snapshot_of = vmRef;
    snap.tags = [...vm.tags];
    db.insert('VM', snapRef, snap);
    vm.snapshots.push(snapRef);
  }
  db.touch(vmRef);
  return vmRef;
}

interface VmBasics {
  name_label: string;
  power_state: VmRecord['power_state'];
  resident_on: Ref;
  affinity: Ref;
  memory: number;
  vcpus: number;
  is_control_domain?: boolean;
  is_a_template?: boolean;
  is_default_template?: boolean;
  domid?: number;
}

function vmRecord(ids: IdSource, b: VmBasics): VmRecord {
  return {
    uuid: ids.uuid(), name_label: b.name_label, name_description: '', power_state: b.power_state, resident_on: b.resident_on, scheduled_to_be_resident_on: NULL_REF,
    affinity: b.affinity, memory_static_max: b.memory, memory_static_min: b.memory, memory_dynamic_max: b.memory, memory_dynamic_min: b.memory,
    memory_target: b.memory, memory_overhead: 0, VCPUs_max: b.vcpus, VCPUs_at_startup: b.vcpus, metrics: NULL_REF, is_a_template: b.is_a_template ?? false,
    is_default_template: b.is_default_template ?? false, is_control_domain: b.is_control_domain ?? false, is_a_snapshot: false, snapshot_of: NULL_REF,
    snapshots: [], domid: b.domid ?? -1, domain_type: b.is_control_domain ? 'pv' : 'hvm', VBDs: [], VIFs: [], VGPUs: [], attached_PCIs: [],
    ha_restart_priority: '', ha_always_run: false, allowed_operations: [], current_operations: {}, blocked_operations: {}, tags: [], other_config: {},
  };
}
