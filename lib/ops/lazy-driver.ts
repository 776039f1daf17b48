/**
 * A power driver loaded on first use. The drivers bring the IPMI and Redfish clients (~140 KB of
 * bundled code); a Lambda invocation that never talks to a BMC (most API requests) then neither
 * loads nor compiles them. The first call loads them once; a failed load is tried again on the
 * next call. Every call waits for the same driver, so nothing is opened twice.
 */
import type { PowerDriver } from './power-driver.ts';

export function lazyPowerDriver(load: () => Promise<PowerDriver>): PowerDriver {
  let loading: Promise<PowerDriver> | undefined;
  const driver = (): Promise<PowerDriver> => {
    loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
    return loading;
  };
  return {
    readPower: async (host) => (await driver()).readPower(host),
    status: async (host) => (await driver()).status(host),
    sendOnce: async (host, action) => (await driver()).sendOnce(host, action),
    readWatts: async (host) => (await driver()).readWatts(host),
    sensors: async (host) => (await driver()).sensors(host),
    eventLog: async (host) => (await driver()).eventLog(host),
    identity: async (host) => (await driver()).identity(host),
    guid: async (host) => (await driver()).guid(host),
    setRestorePolicy: async (host, policy) => (await driver()).setRestorePolicy(host, policy),
    // Nothing loaded means nothing open: closing must not load the drivers just to close them.
    close: async () => {
      if (loading) await (await loading).close();
    },
  };
}
