/**
 * lazyPowerDriver: the drivers are loaded on the first call, once, whatever calls come at the same
 * time; a failed load is tried again; closing a driver never loaded loads nothing. Behind it, a
 * real IPMI driver and a simulated BMC over UDP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpmiPowerDriver } from '../../lib/drivers/index.ts';
import { lazyPowerDriver, type PowerDriver } from '../../lib/ops/index.ts';
import { FileSecrets, type Host } from '../../lib/store/index.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';

const PASSWORD = 'lazy-driver-1';
let bmc: SimulatedBmc;
let secrets: FileSecrets;
let host: Host;

beforeAll(async () => {
  bmc = await startSim({ name: 'lazy', adminPassword: PASSWORD });
  bmc.state.host.control('on');
  secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-lazy-driver-')));
  await secrets.put('bmc-lazy', PASSWORD);
  host = { poolId: 'pool-l', hostId: 'lazy', bmcAddress: '127.0.0.1', bmcPort: bmc.port, bmcUser: 'admin', secretRef: 'bmc-lazy', cipherSuite: 17 } as Host;
});
afterAll(async () => {
  await bmc?.stop();
});

/** A loader that counts its calls and hands out a real IPMI driver (or fails the first `failures` times). */
function loader(failures = 0): { load: () => Promise<PowerDriver>; calls: () => number; drivers: IpmiPowerDriver[] } {
  let calls = 0;
  const drivers: IpmiPowerDriver[] = [];
  return {
    calls: () => calls,
    drivers,
    load: async () => {
      calls++;
      if (calls <= failures) throw new Error(`load ${calls} failed`);
      const d = new IpmiPowerDriver(secrets, { timeoutMs: 1000, retries: 2 });
      drivers.push(d);
      return d;
    },
  };
}

describe('lazyPowerDriver', () => {
  it('loads nothing until the first call, then once for every call at the same time', async () => {
    const l = loader();
    const driver = lazyPowerDriver(l.load);
    expect(l.calls()).toBe(0);
    const [a, b, status] = await Promise.all([driver.readPower(host), driver.readPower(host), driver.status(host)]);
    expect([a, b, status.power]).toEqual(['on', 'on', 'on']);
    expect(l.calls()).toBe(1);
    await driver.sendOnce(host, 'off');
    await expect.poll(() => driver.readPower(host), { timeout: 5000 }).toBe('off');
    expect(bmc.state.host.powerOn).toBe(false);
    expect(l.calls()).toBe(1);
    await driver.close();
  });

  it('a load that fails fails the call, and the next call loads again', async () => {
    const l = loader(1);
    const driver = lazyPowerDriver(l.load);
    await expect(driver.readPower(host)).rejects.toThrow('load 1 failed');
    expect(typeof (await driver.readWatts(host))).toBe('number');
    expect(l.calls()).toBe(2);
    await driver.close();
  });

  it('closing a driver never used loads nothing', async () => {
    const l = loader();
    await lazyPowerDriver(l.load).close();
    expect(l.calls()).toBe(0);
  });
});
