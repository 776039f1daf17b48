/**
 * The local runner's pool: six hosts of 256 GiB (host-001 the master), thirty VMs using about
 * 360 GiB, HA on with one failure to tolerate. One VM lives on host-003's local storage (so
 * host-003 cannot sleep), vm-07 and vm-17 form an anti-affinity pair. Consolidated onto four
 * hosts it still holds every VM with one host failure to spare and 10 % headroom, so at least two
 * hosts can sleep. Hosts carry distinct management addresses (host-001, the master, 127.0.0.1 where
 * the simulator listens; the others "127.0.0.1:<port>" of their own endpoints, where each serves
 * its RRD export) and, when asked, the serials of their BMCs. vm-14 runs no guest agent, so its
 * RRD lacks memory_internal_free as such a VM's does.
 */
import { GiB, type HostPowerLink, type SimHostIdentity, type SimHostSpec, type SimVmSpec, type XapiSimOptions } from './options.ts';

const HOSTS: Array<{ name: string; cpus: number }> = [
  { name: 'host-001', cpus: 32 },
  { name: 'host-002', cpus: 24 },
  { name: 'host-003', cpus: 32 },
  { name: 'host-004', cpus: 24 },
  { name: 'host-005', cpus: 28 },
  { name: 'host-006', cpus: 24 },
];

/** [GiB, vCPUs, host number, extras] per VM, vm-01 … vm-30. */
const VMS: Array<[number, number, number, Partial<SimVmSpec>?]> = [
  [16, 4, 1, { tags: ['env:prod'], snapshot: true }],
  [8, 2, 1],
  [32, 8, 1, { tags: ['env:prod', 'backup:nightly'] }],
  [4, 2, 1],
  [8, 2, 1, { tags: ['env:test'] }],
  [16, 4, 2, { tags: ['env:prod'] }],
  [32, 8, 2, { tags: ['anti-affinity:db', 'env:prod', 'backup:nightly'] }],
  [8, 2, 2],
  [4, 1, 2],
  [8, 2, 2, { tags: ['env:test'] }],
  [16, 4, 3],
  [8, 2, 3, { tags: ['env:prod'] }],
  [16, 4, 3, { localStorage: true, tags: ['backup:nightly'] }],
  [4, 2, 3, { guestAgent: false }],
  [8, 2, 3],
  [32, 8, 4, { tags: ['env:prod'] }],
  [32, 8, 4, { tags: ['anti-affinity:db', 'env:prod', 'backup:nightly'] }],
  [8, 2, 4],
  [4, 1, 4, { tags: ['env:test'] }],
  [4, 2, 4],
  [16, 4, 5, { tags: ['env:prod'] }],
  [8, 2, 5],
  [8, 4, 5, { tags: ['env:test'] }],
  [4, 1, 5],
  [16, 4, 5],
  [8, 2, 6],
  [16, 4, 6, { tags: ['env:prod'] }],
  [4, 2, 6],
  [8, 2, 6, { tags: ['env:test'] }],
  [4, 1, 6],
];

export const DEMO_CREDENTIALS = { user: 'root', password: 'lowpower-demo' };

export interface DemoPoolOptions {
  /**
   * The serials of each host's machine, so XAPI's bios_strings match what the host's simulated BMC
   * reports (the local runner passes the IPMI simulator's identities). Without it, or for a host
   * it returns undefined for, the serials are "" as xapi stores a field the firmware leaves empty.
   */
  serialOf?: (hostName: string) => SimHostIdentity | undefined;
}

export function demoPool(links: Map<string, HostPowerLink>, credentials = DEMO_CREDENTIALS, o: DemoPoolOptions = {}): XapiSimOptions {
  return {
    credentials,
    pool: { name: 'demo-pool', haEnabled: true, haFailuresToTolerate: 1 },
    hostEndpoints: true,
    hosts: HOSTS.map((h, i) => {
      const power = links.get(h.name);
      if (!power) throw new Error(`demoPool: no power link for ${h.name}`);
      const id = o.serialOf?.(h.name);
      const spec: SimHostSpec = { name: h.name, memoryBytes: 256 * GiB, cpus: h.cpus, controlDomainMemoryBytes: 4 * GiB, power, master: i === 0 };
      if (id?.serial !== undefined) spec.serial = id.serial;
      if (id?.boardSerial !== undefined) spec.boardSerial = id.boardSerial;
      return spec;
    }),
    vms: VMS.map(([gib, vcpus, host, extra], i) => ({
      name: `vm-${String(i + 1).padStart(2, '0')}`,
      memoryBytes: gib * GiB,
      vcpus,
      host: `host-${String(host).padStart(3, '0')}`,
      ...extra,
    })),
  };
}
