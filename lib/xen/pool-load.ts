/**
 * A pool's measured load, at the Hypervisor level: the live members as XAPI lists them, each
 * asked for its RRD export at its own address with the adapter's session (rrd-reader.ts), the
 * host and VM load of each answer (load.ts), VMs named by lowpower's vmId. A member that is not
 * live is not asked (`notLive`); one that does not answer is a named failure (`failed`), never
 * an empty load.
 *
 * For a 5-minute bucket ask start = the bucket's start and interval = 60, and average the window
 * { after: start, upTo: start + 300 }: xcp-rrdd keeps 5 s, 1 min, 1 h and 1 day archives, so an
 * interval of 300 gets hourly rows. A member's report goes into the store's putLoadSamples as it
 * is ({ poolId, hostId, at, rows: host.rows, host, vms }).
 */
import type { XapiHypervisor } from './hypervisor.ts';
import { loadFromUpdates, type HostLoad, type LoadWindow, type VmLoad } from './load.ts';
import { RrdReader, type RrdFailure, type RrdQuery } from './rrd-reader.ts';
import type { TlsOptions } from './transport.ts';

export interface PoolLoadOptions extends RrdQuery {
  /** The rows to average (default: every row of each answer). */
  window?: LoadWindow;
  /** The pool's TLS options (the XAPI client's). */
  tls?: TlsOptions;
  timeoutMs?: number;
  concurrency?: number;
}

export interface MemberLoadReport {
  hostId: string;
  uuid: string;
  address: string;
  /** Undefined when the member's export has no host object (which host=true should prevent). */
  host?: HostLoad;
  /** Its resident VMs as its export shows them; vmId is the VM's name_label when XAPI knows the uuid. */
  vms: Array<VmLoad & { vmId?: string }>;
  ms: number;
}

export interface MemberLoadFailure {
  hostId: string;
  address: string;
  /** The reader's failure, or wrong-host: the address answered with another host's export. */
  kind: RrdFailure | 'wrong-host';
  reason: string;
}

export interface PoolLoadRead {
  members: MemberLoadReport[];
  failed: MemberLoadFailure[];
  /** Members XAPI does not show live: not asked. */
  notLive: string[];
}

/** Every live member's load, read at once (with the bound of `concurrency`). */
export async function readPoolLoad(hv: XapiHypervisor, o: PoolLoadOptions): Promise<PoolLoadRead> {
  const [hosts, vms, sessionId] = await Promise.all([hv.hosts(), hv.vms(), hv.client.sessionId()]);
  const live = hosts.filter((h) => h.live);
  const vmIdOf = new Map(vms.map((v) => [v.uuid.toLowerCase(), v.vmId]));
  const reader = new RrdReader(o.tls);
  try {
    const results = await reader.read(
      live.map((h) => ({ hostId: h.hostId, address: h.address })),
      { ...o, baseUrl: hv.client.url, sessionId },
    );
    const out: PoolLoadRead = { members: [], failed: [], notLive: hosts.filter((h) => !h.live).map((h) => h.hostId) };
    results.forEach((r, i) => {
      if (!r.ok) {
        out.failed.push({ hostId: r.hostId, address: r.address, kind: r.error.kind, reason: r.error.message });
        return;
      }
      const load = loadFromUpdates(r.updates, { window: o.window, hostCpus: live[i].cpus });
      const expected = live[i].uuid.toLowerCase();
      if (load.host && expected && load.host.uuid !== expected) {
        // The address answers for another machine: its figures are not this member's.
        out.failed.push({ hostId: r.hostId, address: r.address, kind: 'wrong-host', reason: `the export at ${r.address} is host ${load.host.uuid}'s, not ${r.hostId}'s (${expected})` });
        return;
      }
      const report: MemberLoadReport = {
        hostId: r.hostId,
        uuid: live[i].uuid,
        address: r.address,
        vms: load.vms.map((v) => {
          const vmId = vmIdOf.get(v.uuid);
          return vmId === undefined ? v : { ...v, vmId };
        }),
        ms: r.ms,
      };
      if (load.host) report.host = load.host;
      out.members.push(report);
    });
    return out;
  } finally {
    reader.close();
  }
}
