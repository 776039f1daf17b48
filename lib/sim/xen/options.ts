/** What a simulated pool is made of: its credentials, hosts (each wired to a power model), VMs and timings. */
import type { Clock } from '../ipmi/clock.ts';
import type { LoadModelOptions } from './load-model.ts';

/**
 * The simulated machine under a host: chassis power and whether its OS runs. The simulated BMC's
 * HostModel (lib/sim/ipmi/host-model.ts) satisfies it, so IPMI and XAPI see the same machine.
 */
export interface HostPowerLink {
  readonly powerOn: boolean;
  readonly osRunning: boolean;
  control(action: 'on' | 'off' | 'soft'): void;
  /** CPU load 0..1; the pool sets it from the memory its VMs use, so power draw follows consolidation. */
  load: number;
}

export interface SimHostSpec {
  /** name_label; lowpower's hostId. */
  name: string;
  memoryBytes: number;
  cpus: number;
  /** dom0's memory. Default 4 GiB. */
  controlDomainMemoryBytes?: number;
  power: HostPowerLink;
  /** The pool master (exactly one host; the first when none says so). */
  master?: boolean;
  /**
   * host.address, the management IP. Default: 127.0.0.1 for the master (where the simulator
   * listens) and 127.0.1.<n> for the n-th host of the list otherwise (record values only: nothing
   * listens there), or, with `hostEndpoints`, "127.0.0.1:<port>" of the host's own endpoint.
   */
  address?: string;
  /** bios_strings["system-serial-number"] as stored (the product serial a BMC's FRU shows too). Default "" (xapi's "Not Specified"). */
  serial?: string;
  /** bios_strings["baseboard-serial-number"]. Default "". */
  boardSerial?: string;
  /**
   * host.power_on_mode: how the pool powers the host on from inside its network ("" disabled,
   * "wake-on-lan", "DRAC", "iLO", or a plug-in's name). Default "IPMI", as the simulator always had.
   */
  powerOnMode?: string;
}

/** The serials of the machine under a host, as its BMC reports them: what demoPool asks per host. */
export interface SimHostIdentity {
  serial?: string;
  boardSerial?: string;
}

export interface SimVmSpec {
  /** name_label; lowpower's vmId. */
  name: string;
  memoryBytes: number;
  vcpus: number;
  /** The host it runs on (or, when halted, its affinity). */
  host: string;
  /** Its disk is on the host's local SR (shared=false): it cannot live-migrate. */
  localStorage?: boolean;
  /** A PCI device is passed through: pool_migrate fails with VM_HAS_PCI_ATTACHED. */
  pci?: boolean;
  /** It has a vGPU: pool_migrate fails with VM_HAS_VGPU. */
  vgpu?: boolean;
  tags?: string[];
  /** Default true. A halted VM has no resident host. */
  running?: boolean;
  /** Protected by HA (ha_restart_priority "restart") when the pool has HA on. Default true. */
  haProtected?: boolean;
  /** Also create a snapshot of it (is_a_snapshot, same name_label, as users often leave it). */
  snapshot?: boolean;
  /** It runs a guest agent, so its RRD has memory_internal_free. Default true. */
  guestAgent?: boolean;
}

export interface XapiSimOptions {
  credentials: { user: string; password: string };
  pool: { name: string; haEnabled?: boolean; haFailuresToTolerate?: number };
  hosts: SimHostSpec[];
  vms: SimVmSpec[];
  /** Live-migration time per GiB of VM memory. Default 1000 ms (about 1 GiB/s). */
  migrateMsPerGiB?: number;
  /** A fixed migration time, whatever the VM's size (overrides migrateMsPerGiB). */
  migrateMs?: number;
  /** How long after the OS is up before xapi answers and the host counts live. Default 2000 ms. */
  agentStartMs?: number;
  /** 127.0.0.1 port; 0 (default) picks a free one. */
  port?: number;
  /** Time for liveness; migrations use real timers. Default: the system clock. */
  clock?: Clock;
  /** How often the pool looks at its hosts' power, so changes show without a call. Default 50 ms. */
  tickMs?: number;
  /**
   * Act as a pool supporter: every call, login included, fails with HOST_IS_SLAVE naming this
   * address (a real pool names a bare IP; on one loopback address, name "127.0.0.1:<port>").
   */
  slaveOf?: string;
  /** Delay before answering a failed login. Real xapi waits 5 s; default 0 for tests. */
  authFailureDelayMs?: number;
  /** Seed of the object UUIDs and refs, so a pool looks the same on every run. Default 1. */
  seed?: number;
  /** Fault "migration-fail": how long a doomed migration runs before VM_MIGRATE_FAILED. Default 100 ms (or the migration time, if shorter). */
  migrationFailMs?: number;
  /** Fault "vm-start-during-drain": how long after host.disable the late start lands. Default 100 ms. */
  drainStartDelayMs?: number;
  /**
   * Give every host but the master an HTTP endpoint of its own (GET /rrd_updates) on a free
   * 127.0.0.1 port, and make its host.address "127.0.0.1:<port>" (unless its spec sets an
   * address), so that readers ask each member where XAPI says it is. The master serves
   * /rrd_updates beside /jsonrpc either way. Default false.
   */
  hostEndpoints?: boolean;
  /** The daily load model behind /rrd_updates and VM_metrics (seed defaults to `seed`). */
  load?: LoadModelOptions;
}

export const GiB = 1024 ** 3;
