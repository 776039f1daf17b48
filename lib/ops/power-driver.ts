/**
 * The power port of operations: read a host's chassis state, send one chassis command without
 * retransmission, read the BMC's identity (for the binding), set the restore policy. The IPMI
 * adapter reads the BMC password through the Secrets port.
 */
import { openBmc, type Bmc } from '../ipmi/client.ts';
import { chassisControl, ChassisAction, getChassisStatus } from '../ipmi/commands/chassis.ts';
import { getSystemGuid } from '../ipmi/commands/get-system-guid.ts';
import { canonicalGuid } from '../ipmi/guid.ts';
import type { BmcIdentityRecord, Host } from '../store/types.ts';
import type { Secrets } from '../store/secrets.ts';
import { IpmiNotSupportedError } from '../ipmi/errors.ts';

export type HostPowerAction = 'on' | 'off' | 'soft' | 'cycle';

const CODE = { on: ChassisAction.powerUp, off: ChassisAction.powerDown, soft: ChassisAction.softShutdown, cycle: ChassisAction.powerCycle } as const;

export interface PowerDriver {
  readPower(host: Host): Promise<'on' | 'off'>;
  /** Exactly one Chassis Control: never repeated here, whatever happens to its answer. */
  sendOnce(host: Host, action: HostPowerAction): Promise<void>;
  /** The host's power draw (DCMI), or null when the BMC cannot tell. */
  readWatts(host: Host): Promise<number | null>;
  /** The BMC's identity (GUID, FRU serials), read afresh over a session of its own. */
  identity(host: Pick<Host, 'poolId' | 'hostId' | 'bmcAddress' | 'bmcPort' | 'bmcUser' | 'secretRef' | 'cipherSuite'>): Promise<BmcIdentityRecord>;
  /** The BMC's GUID as it answers now (canonical), or undefined when it has none: the check before a cut. */
  guid(host: Host): Promise<string | undefined>;
  /** Chassis power restore policy after a power-feed outage. */
  setRestorePolicy(host: Host, policy: 'previous' | 'always-off'): Promise<void>;
  close(): Promise<void>;
}

/** A BMC handle for a host of the store, its password read through the Secrets port. */
export async function openHostBmc(host: Pick<Host, 'bmcAddress' | 'bmcPort' | 'bmcUser' | 'secretRef' | 'cipherSuite'>, secrets: Secrets, o: { timeoutMs?: number; retries?: number } = {}): Promise<Bmc> {
  return openBmc({ host: host.bmcAddress, port: host.bmcPort, username: host.bmcUser, password: await secrets.get(host.secretRef), cipherSuite: host.cipherSuite, timeoutMs: o.timeoutMs, retries: o.retries });
}

export class IpmiPowerDriver implements PowerDriver {
  private readonly handles = new Map<string, Promise<Bmc>>();

  constructor(
    private readonly secrets: Secrets,
    private readonly o: { timeoutMs?: number; retries?: number } = {},
  ) {}

  private bmc(host: Host): Promise<Bmc> {
    // The BMC's address and credentials are part of the key: a changed address is a new BMC.
    const key = `${host.poolId}/${host.hostId}@${host.bmcAddress}:${host.bmcPort}/${host.bmcUser}/${host.secretRef}/${host.cipherSuite}`;
    let b = this.handles.get(key);
    if (!b) {
      // The promise is kept, not the handle: two calls at once share one session.
      b = openHostBmc(host, this.secrets, this.o);
      this.handles.set(key, b);
      b.catch(() => this.handles.delete(key));
    }
    return b;
  }

  async readPower(host: Host): Promise<'on' | 'off'> {
    return (await (await this.bmc(host)).run(getChassisStatus, undefined)).powerOn ? 'on' : 'off';
  }

  async sendOnce(host: Host, action: HostPowerAction): Promise<void> {
    await (await this.bmc(host)).run(chassisControl, { action: CODE[action] }, { once: true });
  }

  async readWatts(host: Host): Promise<number | null> {
    try {
      return (await (await this.bmc(host)).powerReading()).watts;
    } catch {
      return null;
    }
  }

  async identity(host: Pick<Host, 'poolId' | 'hostId' | 'bmcAddress' | 'bmcPort' | 'bmcUser' | 'secretRef' | 'cipherSuite'>): Promise<BmcIdentityRecord> {
    const bmc = await openHostBmc(host, this.secrets, this.o);
    try {
      const id = await bmc.identity();
      return { protocol: 'ipmi', guid: id.guid, productSerial: id.productSerial, chassisSerial: id.chassisSerial, boardSerial: id.boardSerial };
    } finally {
      await bmc.close().catch(() => undefined);
    }
  }

  async guid(host: Host): Promise<string | undefined> {
    try {
      return canonicalGuid((await (await this.bmc(host)).run(getSystemGuid, undefined)).guid);
    } catch (e) {
      if (e instanceof IpmiNotSupportedError) return undefined;
      throw e;
    }
  }

  async setRestorePolicy(host: Host, policy: 'previous' | 'always-off'): Promise<void> {
    await (await this.bmc(host)).setPowerRestorePolicy(policy);
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles.values()].map(async (b) => (await b).close()));
    this.handles.clear();
  }
}
