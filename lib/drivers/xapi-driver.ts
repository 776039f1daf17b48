/**
 * Power for hosts without a usable BMC, through the pool itself: on by XAPI's host.power_on, which
 * the pool carries out from inside its network with the host's power_on_mode (Wake-on-LAN sent by
 * a member, DRAC, iLO, a custom plug-in): a Lambda in a VPC cannot broadcast a magic packet, so
 * lowpower never sends one. Off is a clean host.shutdown only (disabled and empty first: the
 * operations' steps see to that); there is no hard off and no cycle. The power state is XAPI's
 * `live`, marked inferred; when XAPI cannot be asked it is unknown. The identity is the XAPI host
 * itself (its uuid and bios_strings serials), so the binding is the host's own record.
 */
import type { Hypervisor } from '../xen/index.ts';
import type { BmcIdentityRecord, Host, Pool } from '../store/index.ts';
import type { Store } from '../store/index.ts';
import type { BmcHost, HostPowerAction, PowerDriver, PowerStatus, SelView, SensorView } from '../ops/index.ts';

export class XapiPowerNotSupportedError extends Error {
  constructor(hostId: string, what: string) {
    super(`${hostId} has no usable BMC (power through XAPI only): ${what}`);
  }
}

export class XapiPowerDriver implements PowerDriver {
  constructor(
    private readonly store: Pick<Store, 'getPool'>,
    private readonly hypervisorFor: (pool: Pool) => Promise<Hypervisor>,
  ) {}

  private async hv(host: Pick<Host, 'poolId' | 'hostId'>): Promise<Hypervisor> {
    const pool = await this.store.getPool(host.poolId);
    if (!pool) throw new Error(`${host.hostId}: pool ${host.poolId} is not in the store`);
    return this.hypervisorFor(pool);
  }

  async status(host: Host): Promise<PowerStatus> {
    const at = new Date().toISOString();
    try {
      const live = await (await this.hv(host)).hostLive(host.hostId);
      return { power: live ? 'on' : 'off', observedAt: at, source: 'xapi', inferred: true, detail: `XAPI says the host is ${live ? '' : 'not '}live` };
    } catch (e) {
      // XAPI's silence is never read as "off".
      return { power: 'unknown', observedAt: at, source: 'xapi', inferred: true, detail: e instanceof Error ? e.message : String(e) };
    }
  }

  async readPower(host: Host): Promise<'on' | 'off'> {
    return (await (await this.hv(host)).hostLive(host.hostId)) ? 'on' : 'off';
  }

  async sendOnce(host: Host, action: HostPowerAction): Promise<void> {
    const hv = await this.hv(host);
    if (action === 'on') {
      if (await hv.hostLive(host.hostId)) return;
      await hv.powerOnHost(host.hostId);
      return;
    }
    if (action === 'soft' || action === 'off') {
      // XAPI shuts a host down cleanly or not at all: "off" here is the same clean shutdown.
      await hv.shutdownHost(host.hostId);
      return;
    }
    throw new XapiPowerNotSupportedError(host.hostId, 'a power cycle needs a BMC');
  }

  async readWatts(): Promise<number | null> {
    return null;
  }

  async sensors(): Promise<SensorView[]> {
    return [];
  }

  async eventLog(): Promise<SelView[]> {
    return [];
  }

  async identity(host: BmcHost): Promise<BmcIdentityRecord> {
    const id = await (await this.hv(host)).hostIdentity(host.hostId);
    return { protocol: 'xapi', guid: id.uuid, productSerial: id.serial, boardSerial: id.boardSerial };
  }

  async guid(host: Host): Promise<string | undefined> {
    return (await (await this.hv(host)).hostIdentity(host.hostId)).uuid;
  }

  async setRestorePolicy(host: Host): Promise<void> {
    throw new XapiPowerNotSupportedError(host.hostId, 'the chassis restore policy is set on a BMC');
  }

  async close(): Promise<void> {}
}
