/**
 * The Hypervisor port that operations use: what lowpower asks of a pool (its hosts and VMs, disable,
 * migrate, check empty, shut down, live) in its own names: hosts and VMs by their XAPI name_label
 * (lowpower's hostId / vmId). The XAPI adapter is in hypervisor.ts.
 */
import type { RefusalCursor, StartRefusal } from './start-refusals.ts';

export interface XenPoolInfo {
  name: string;
  masterHostId: string;
  haEnabled: boolean;
  haFailuresToTolerate: number;
}

/** What names the machine under a host: to bind a BMC to it before any power cut (serials against the BMC's FRU). */
export interface XenHostIdentity {
  hostId: string;
  uuid: string;
  /** host.address: the management interface's IP (what XAPI itself uses to reach the host). */
  address: string;
  /** bios_strings["system-serial-number"] (SMBIOS type 1), trimmed; undefined when absent or empty. */
  serial?: string;
  /** bios_strings["baseboard-serial-number"] (SMBIOS type 2), trimmed; undefined when absent or empty. */
  boardSerial?: string;
}

export interface XenHostInfo extends XenHostIdentity {
  enabled: boolean;
  live: boolean;
  memoryTotalBytes: number;
  memoryFreeBytes: number;
  cpus: number;
  isMaster: boolean;
  residentGuestVmIds: string[];
  allowedOperations: string[];
}

export interface XenVmInfo {
  vmId: string;
  uuid: string;
  powerState: 'Running' | 'Halted' | 'Paused' | 'Suspended';
  hostId: string | null;
  /** Memory it holds now when running (memory_target), what it may need to start otherwise (memory_static_max). */
  memoryBytes: number;
  vcpus: number;
  /** why it cannot live-migrate: 'local storage' (a VBD on an SR that is not shared), 'PCI device', 'vGPU'; undefined = movable */
  pinned?: string;
  tags: string[];
}

export interface Hypervisor {
  pool(): Promise<XenPoolInfo>;
  hosts(): Promise<XenHostInfo[]>;
  /** Guests only: no control domain, no templates, no snapshots. */
  vms(): Promise<XenVmInfo[]>;
  /** A fresh read of one host's address and serials (host.get_record). */
  hostIdentity(hostId: string): Promise<XenHostIdentity>;
  /** host.compute_free_memory: free memory less what pending starts and migrations reserved. */
  hostFreeMemory(hostId: string): Promise<number>;
  disableHost(hostId: string): Promise<void>;
  enableHost(hostId: string): Promise<void>;
  /** host.assert_can_evacuate: CANNOT_EVACUATE_HOST("code,params|code,params…") when some VM cannot leave. */
  assertCanEvacuate(hostId: string): Promise<void>;
  /** vmId → the ErrorDescription that keeps it on the host (host.get_vms_which_prevent_evacuation). */
  vmsPreventingEvacuation(hostId: string): Promise<Record<string, string[]>>;
  /**
   * What XAPI lets a client check before VM.pool_migrate: VM.assert_operation_valid(pool_migrate)
   * (power state, PCI, vGPU, another operation running) and VM.assert_can_boot_here on the target
   * (live, enabled, sees the VM's SRs, has the memory). The HA plan is checked by pool_migrate itself.
   */
  assertCanMigrate(vmId: string, toHostId: string): Promise<void>;
  /** Async.VM.pool_migrate(vm, host, {live: "true"}), waiting for its task. */
  migrateVm(vmId: string, toHostId: string): Promise<void>;
  /** Fresh read of the guests resident on the host (control domain excluded): the check right before shutdown. */
  residentGuestVms(hostId: string): Promise<string[]>;
  /**
   * Guests on their way to the host: scheduled_to_be_resident_on names it while they run (or are
   * about to) elsewhere (a pool_migrate copying, a start_on being placed). Read fresh.
   */
  incomingGuestVms(hostId: string): Promise<string[]>;
  /** host_metrics.live. */
  hostLive(hostId: string): Promise<boolean>;
  /**
   * Async.host.shutdown, waiting for its task.
   *
   * THE TRAP: XAPI's host.shutdown only checks that the host is disabled (HOST_NOT_DISABLED); then
   * it stops whatever still runs there (xapi's prepare_for_poweroff shuts remaining VMs down, hard
   * if need be) and powers the host off. It never refuses because guests are resident. Callers must
   * read residentGuestVms() right before and call this only when it is empty.
   */
  shutdownHost(hostId: string): Promise<void>;
  /**
   * Async.host.power_on: the pool powers the host on from inside its own network, the way its
   * power_on_mode says (Wake-on-LAN sent by a member, DRAC, iLO, a custom plug-in). HOST_IS_LIVE for
   * a live host; HOST_POWER_ON_MODE_DISABLED when no mode is set.
   */
  powerOnHost(hostId: string): Promise<void>;
  /** host.power_on_mode: "" (disabled), "wake-on-lan", "DRAC", "iLO", or a plug-in's name. */
  hostPowerOnMode(hostId: string): Promise<string>;
  /**
   * XAPI's refusals to start a VM for lack of memory from the cursor on (all without one): the
   * failed tasks of async starts still in task.get_all_records (start-refusals.ts).
   */
  startRefusals(since?: RefusalCursor): Promise<StartRefusal[]>;
  close(): Promise<void>;
}
