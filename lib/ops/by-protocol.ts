/**
 * One PowerDriver over several: each host goes to the driver of its `bmcProtocol` (IPMI when
 * absent), so operations never ask which protocol a host speaks. A host whose protocol has no
 * driver here gets a clear error, never another protocol's driver.
 */
import type { BmcIdentityRecord, BmcProtocol, Host } from '../store/index.ts';
import type { BmcHost, HostPowerAction, PowerDriver, PowerStatus, SelView, SensorView } from './power-driver.ts';

export class NoDriverError extends Error {
  constructor(
    readonly hostId: string,
    readonly protocol: BmcProtocol,
  ) {
    super(`${hostId}: no ${protocol} driver in this deployment`);
  }
}

export const protocolOf = (host: Pick<Host, 'bmcProtocol'>): BmcProtocol => host.bmcProtocol ?? 'ipmi';

export class DriversByProtocol implements PowerDriver {
  constructor(private readonly drivers: Partial<Record<BmcProtocol, PowerDriver>>) {}

  /** The driver for this host. */
  for(host: Pick<Host, 'hostId' | 'bmcProtocol'>): PowerDriver {
    const p = protocolOf(host);
    const d = this.drivers[p];
    if (!d) throw new NoDriverError(host.hostId, p);
    return d;
  }

  async readPower(host: Host): Promise<'on' | 'off'> {
    return this.for(host).readPower(host);
  }
  async status(host: Host): Promise<PowerStatus> {
    const d = this.drivers[protocolOf(host)];
    if (!d) return { power: 'unknown', observedAt: new Date().toISOString(), source: protocolOf(host), inferred: false, detail: new NoDriverError(host.hostId, protocolOf(host)).message };
    return d.status(host);
  }
  async sendOnce(host: Host, action: HostPowerAction): Promise<void> {
    return this.for(host).sendOnce(host, action);
  }
  async readWatts(host: Host): Promise<number | null> {
    return this.for(host).readWatts(host);
  }
  async sensors(host: Host): Promise<SensorView[]> {
    return this.for(host).sensors(host);
  }
  async eventLog(host: Host): Promise<SelView[]> {
    return this.for(host).eventLog(host);
  }
  async identity(host: BmcHost): Promise<BmcIdentityRecord> {
    return this.for(host).identity(host);
  }
  async guid(host: Host): Promise<string | undefined> {
    return this.for(host).guid(host);
  }
  async setRestorePolicy(host: Host, policy: 'previous' | 'always-off'): Promise<void> {
    return this.for(host).setRestorePolicy(host, policy);
  }
  async close(): Promise<void> {
    await Promise.all(Object.values(this.drivers).map((d) => d?.close()));
  }
}
