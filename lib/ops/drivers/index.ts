/**
 * The power drivers and the one every deployment wires: IPMI and Redfish side by side, each host
 * sent to the driver of its BMC protocol. A Redfish certificate pinned on first use is stored
 * with its host here, so the next process refuses any other.
 */
import type { Store } from '../../store/store.ts';
import type { Secrets } from '../../store/secrets.ts';
import type { BmcHost, PowerDriver } from '../power-driver.ts';
import { DriversByProtocol } from './by-protocol.ts';
import { IpmiPowerDriver } from './ipmi-driver.ts';
import { RedfishPowerDriver } from './redfish-driver.ts';
import { XapiPowerDriver } from './xapi-driver.ts';
import type { Hypervisor } from '../../xen/hypervisor-port.ts';
import type { Pool } from '../../store/types.ts';

export { DriversByProtocol, NoDriverError, protocolOf } from './by-protocol.ts';
export { IpmiPowerDriver, openHostBmc } from './ipmi-driver.ts';
export { RedfishPowerDriver, type RedfishDriverOptions } from './redfish-driver.ts';
export { XapiPowerDriver, XapiPowerNotSupportedError } from './xapi-driver.ts';

export interface HostDriverOptions {
  /** Deadline of one BMC exchange (IPMI: the whole exchange with its retransmissions). */
  timeoutMs?: number;
  /** IPMI retransmissions. */
  retries?: number;
  /** Redfish: between two state reads. */
  pollMs?: number;
  log?: (line: string) => void;
  /** The pools' XAPI: hosts without a usable BMC are powered through it. */
  hypervisorFor?: (pool: Pool) => Promise<Hypervisor>;
}

/** Store a certificate pinned on first use, unless the host has a pin already (the first one stays). */
export function pinStore(store: Pick<Store, 'getHost' | 'updateHost'>, log?: (line: string) => void): (host: BmcHost, fingerprint256: string) => Promise<void> {
  return async (host, fingerprint256) => {
    const fresh = await store.getHost(host.poolId, host.hostId);
    if (!fresh || fresh.tlsPin?.fingerprint256 || fresh.tlsPin?.ca) return;
    await store.updateHost(host.poolId, host.hostId, fresh.version, { tlsPin: { fingerprint256, pinnedAt: new Date().toISOString() } });
    log?.(`${host.hostId}: BMC certificate pinned on first use (SHA-256 ${fingerprint256})`);
  };
}

/** IPMI and Redfish drivers by protocol, with pins stored in the store. */
export function hostDrivers(store: Pick<Store, 'getHost' | 'updateHost' | 'getPool'>, secrets: Secrets, o: HostDriverOptions = {}): DriversByProtocol & PowerDriver {
  return new DriversByProtocol({
    ipmi: new IpmiPowerDriver(secrets, { timeoutMs: o.timeoutMs, retries: o.retries }),
    redfish: new RedfishPowerDriver(secrets, { timeoutMs: o.timeoutMs === undefined ? undefined : Math.max(o.timeoutMs * 3, 5000), pollMs: o.pollMs, onPinned: pinStore(store, o.log) }),
    xapi: o.hypervisorFor ? new XapiPowerDriver(store, o.hypervisorFor) : undefined,
  });
}
