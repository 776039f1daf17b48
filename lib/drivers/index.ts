/**
 * lib/drivers: the implementations of lib/ops's power port (IPMI, Redfish, and XAPI for hosts
 * without a usable BMC), and the one every deployment wires: IPMI and Redfish side by side, each
 * host sent to the driver of its BMC protocol. Its own folder, apart from the core, so a Lambda
 * bundle loads the BMC clients only when a request needs one (lib/ops/lazy-driver.ts). A Redfish certificate pinned on first use is stored
 * with its host here, so the next process refuses any other.
 */
import type { Store } from '../store/index.ts';
import type { Secrets } from '../store/index.ts';
import type { BmcHost, PowerDriver } from '../ops/index.ts';
import { DriversByProtocol } from '../ops/index.ts';
import { IpmiPowerDriver } from './ipmi-driver.ts';
import { RedfishPowerDriver } from './redfish-driver.ts';
import { XapiPowerDriver } from './xapi-driver.ts';
import type { Hypervisor } from '../xen/index.ts';
import type { Pool } from '../store/index.ts';
import type { Log } from '../util/index.ts';
import { LayeredSdrCache, processSdrCache } from '../ipmi/index.ts';
import type { SdrCacheRepository } from '../store/index.ts';

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
  log?: Log;
  /** The pools' XAPI: hosts without a usable BMC are powered through it. */
  hypervisorFor?: (pool: Pool) => Promise<Hypervisor>;
}

/** Store a certificate pinned on first use, unless the host has a pin already (the first one stays). */
export function pinStore(store: Pick<Store, 'getHost' | 'updateHost'>, log?: Log): (host: BmcHost, fingerprint256: string) => Promise<void> {
  return async (host, fingerprint256) => {
    const fresh = await store.getHost(host.poolId, host.hostId);
    if (!fresh || fresh.tlsPin?.fingerprint256 || fresh.tlsPin?.ca) return;
    await store.updateHost(host.poolId, host.hostId, fresh.version, { tlsPin: { fingerprint256, pinnedAt: new Date().toISOString() } });
    log?.('bmc-certificate-pinned', { host: host.hostId, sha256: fingerprint256, why: 'first use' });
  };
}

/**
 * IPMI and Redfish drivers by protocol, with pins stored in the store; IPMI's sensor records
 * (SDRs) cached in this process and, where the store has one, in the store, so a cold Lambda reads
 * a BMC's sensors without walking its repository again.
 */
export function hostDrivers(store: Pick<Store, 'getHost' | 'updateHost' | 'getPool'> & Partial<SdrCacheRepository>, secrets: Secrets, o: HostDriverOptions = {}): DriversByProtocol & PowerDriver {
  const sdrCache = store.sdrCache ? new LayeredSdrCache(processSdrCache, store.sdrCache) : processSdrCache;
  return new DriversByProtocol({
    ipmi: new IpmiPowerDriver(secrets, { timeoutMs: o.timeoutMs, retries: o.retries, sdrCache }),
    redfish: new RedfishPowerDriver(secrets, { timeoutMs: o.timeoutMs === undefined ? undefined : Math.max(o.timeoutMs * 3, 5000), pollMs: o.pollMs, onPinned: pinStore(store, o.log) }),
    xapi: o.hypervisorFor ? new XapiPowerDriver(store, o.hypervisorFor) : undefined,
  });
}
