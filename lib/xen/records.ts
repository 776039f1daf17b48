/**
 * XAPI objects as they travel over JSON-RPC: field names and value shapes from the XAPI data model
 * (ints are JSON numbers over JSON-RPC, strings over XML-RPC; refs are opaque strings; datetimes are
 * "YYYYMMDDTHH:MM:SSZ"). Only the fields lowpower reads or the pool simulator serves are listed;
 * the reader side treats every field as possibly missing, since XAPI versions differ.
 */

export type Ref = string;
export const NULL_REF = 'OpaqueRef:NULL';

export type XapiValue = string | number | boolean | null | XapiValue[] | { [key: string]: XapiValue };
export type StringMap = Record<string, string>;

export type VmPowerState = 'Running' | 'Halted' | 'Paused' | 'Suspended';
export type TaskStatus = 'pending' | 'success' | 'failure' | 'cancelling' | 'cancelled';

export interface PoolRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  master: Ref;
  default_SR: Ref;
  ha_enabled: boolean;
  ha_host_failures_to_tolerate: number;
  ha_plan_exists_for: number;
  ha_allow_overcommit: boolean;
  ha_overcommitted: boolean;
  other_config: StringMap;
  tags: string[];
  allowed_operations: string[];
  current_operations: StringMap;
}

export interface HostRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  hostname: string;
  address: string;
  enabled: boolean;
  metrics: Ref;
  resident_VMs: Ref[];
  host_CPUs: Ref[];
  cpu_info: StringMap;
  memory_overhead: number;
  allowed_operations: string[];
  current_operations: StringMap;
  software_version: StringMap;
  API_version_major: number;
  API_version_minor: number;
  API_version_vendor: string;
  PBDs: Ref[];
  PIFs: Ref[];
  PCIs: Ref[];
  PGPUs: Ref[];
  power_on_mode: string;
  power_on_config: StringMap;
  external_auth_type: string;
  /**
   * SMBIOS strings read by xapi at start-up (xapi's bios_strings.ml): bios-vendor, bios-version,
   * system-manufacturer, system-product-name, system-version, system-serial-number,
   * baseboard-manufacturer, baseboard-product-name, baseboard-version, baseboard-serial-number,
   * oem-N, hp-rombios. A field the firmware leaves "Not Specified" is "".
   */
  bios_strings: StringMap;
  other_config: StringMap;
  tags: string[];
}

export interface HostMetricsRecord {
  uuid: string;
  live: boolean;
  memory_total: number;
  memory_free: number;
  last_updated: string;
  other_config: StringMap;
}

export interface VmRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  power_state: VmPowerState;
  resident_on: Ref;
  scheduled_to_be_resident_on: Ref;
  affinity: Ref;
  memory_static_max: number;
  memory_static_min: number;
  memory_dynamic_max: number;
  memory_dynamic_min: number;
  memory_target: number;
  memory_overhead: number;
  VCPUs_max: number;
  VCPUs_at_startup: number;
  /** Its VM_metrics object. */
  metrics: Ref;
  is_a_template: boolean;
  is_default_template: boolean;
  is_control_domain: boolean;
  is_a_snapshot: boolean;
  snapshot_of: Ref;
  snapshots: Ref[];
  domid: number;
  domain_type: string;
  VBDs: Ref[];
  VIFs: Ref[];
  VGPUs: Ref[];
  attached_PCIs: Ref[];
  ha_restart_priority: string;
  ha_always_run: boolean;
  allowed_operations: string[];
  current_operations: StringMap;
  blocked_operations: StringMap;
  tags: string[];
  other_config: StringMap;
}

/**
 * A VM's metrics object. lowpower reads per-vCPU load from the RRD export (rrd-updates.ts), not
 * from VCPUs_utilisation; its keys are vCPU numbers, as strings over JSON-RPC.
 */
export interface VmMetricsRecord {
  uuid: string;
  memory_actual: number;
  VCPUs_number: number;
  VCPUs_utilisation: Record<string, number>;
  state: string[];
  start_time: string;
  install_time: string;
  last_updated: string;
  other_config: StringMap;
}

export interface VbdRecord {
  uuid: string;
  VM: Ref;
  VDI: Ref;
  device: string;
  userdevice: string;
  bootable: boolean;
  mode: 'RO' | 'RW';
  type: 'Disk' | 'CD' | 'Floppy';
  empty: boolean;
  currently_attached: boolean;
  other_config: StringMap;
}

export interface VdiRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  SR: Ref;
  VBDs: Ref[];
  virtual_size: number;
  physical_utilisation: number;
  type: string;
  sharable: boolean;
  read_only: boolean;
  managed: boolean;
  is_a_snapshot: boolean;
  other_config: StringMap;
  tags: string[];
}

export interface SrRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  type: string;
  content_type: string;
  shared: boolean;
  PBDs: Ref[];
  VDIs: Ref[];
  physical_size: number;
  physical_utilisation: number;
  other_config: StringMap;
  tags: string[];
}

export interface PbdRecord {
  uuid: string;
  host: Ref;
  SR: Ref;
  currently_attached: boolean;
  device_config: StringMap;
  other_config: StringMap;
}

export interface NetworkRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  bridge: string;
  VIFs: Ref[];
  PIFs: Ref[];
  other_config: StringMap;
  tags: string[];
}

export interface VifRecord {
  uuid: string;
  VM: Ref;
  network: Ref;
  device: string;
  MAC: string;
  currently_attached: boolean;
  other_config: StringMap;
}

export interface PciRecord {
  uuid: string;
  class_name: string;
  vendor_name: string;
  device_name: string;
  pci_id: string;
  host: Ref;
  dependencies: Ref[];
  other_config: StringMap;
}

export interface VgpuRecord {
  uuid: string;
  VM: Ref;
  GPU_group: Ref;
  device: string;
  currently_attached: boolean;
  resident_on: Ref;
  other_config: StringMap;
}

export interface TaskRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  status: TaskStatus;
  progress: number;
  created: string;
  finished: string;
  /** XML-RPC encoding of the result value ("<value>OpaqueRef:…</value>"), or "" for void. */
  result: string;
  error_info: string[];
  resident_on: Ref;
  subtask_of: Ref;
  allowed_operations: string[];
  current_operations: StringMap;
  type: string;
  other_config: StringMap;
}

export interface XapiEvent {
  id: number;
  timestamp: string;
  /** Lower-case class name, as event.from sends it ("vm", "host_metrics"). */
  class: string;
  operation: 'add' | 'mod' | 'del';
  ref: Ref;
  snapshot?: { [field: string]: XapiValue };
}

export interface EventFromResult {
  events: XapiEvent[];
  valid_ref_counts: Record<string, number>;
  token: string;
}

/** XAPI's datetime format: 20261125T22:00:00Z. */
export function xapiDateTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-25T22:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}Z`;
}

/** A guest: not the control domain, a template or a snapshot. */
export function isGuest(v: Partial<Pick<VmRecord, 'is_control_domain' | 'is_a_template' | 'is_a_snapshot'>>): boolean {
  return v.is_control_domain !== true && v.is_a_template !== true && v.is_a_snapshot !== true;
}
