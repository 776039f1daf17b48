/**
 * The power drivers of an AWS deployment, imported on first use by wiring.ts (see
 * lib/ops/lazy-driver.ts): a separate module, so the bundler can leave the IPMI and Redfish clients
 * out of a function's first chunk.
 */
import { hostDrivers, type HostDriverOptions } from '../drivers/index.ts';
import type { PowerDriver } from '../ops/index.ts';
import type { Secrets, Store } from '../store/index.ts';

export function awsDrivers(store: Store, secrets: Secrets, o: HostDriverOptions): PowerDriver {
  return hostDrivers(store, secrets, o);
}
