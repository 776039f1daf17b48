/**
 * The PowerDriver port over Redfish, against our own Redfish simulator over HTTPS with sessions:
 * the power round trip (off, confirmed off, on, confirmed on), identity like the IPMI side's,
 * the certificate pinned on first use and a changed one refused, sensors, watts and the event log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedfishPowerDriver } from '../../lib/drivers/redfish-driver.ts';
import { DriversByProtocol, NoDriverError } from '../../lib/ops/index.ts';
import { createSelfSignedCertificate, startRedfishBmc, type RedfishBmc } from '../../lib/sim/redfish/index.ts';
import { simIdentityFor } from '../../lib/sim/ipmi/identity.ts';
import { RedfishCertificateChangedError } from '../../lib/redfish/index.ts';
import type { Secrets } from '../../lib/store/secrets.ts';
import type { Host } from '../../lib/store/types.ts';

const PASSWORD = 'rf-test-password';
const secrets: Secrets = { get: async () => PASSWORD, put: async () => undefined };

function hostOf(bmc: RedfishBmc, extra: Partial<Host> = {}): Host {
  return {
    poolId: 'p',
    hostId: 'rf-host-1',
    bmcAddress: '127.0.0.1',
    bmcPort: bmc.port,
    bmcUser: 'admin',
    secretRef: 'bmc.p.rf-host-1',
    cipherSuite: 17,
    bmcProtocol: 'redfish',
    power: 'unknown',
    version: 1,
    createdAt: '2026-12-05T00:00:00.000Z',
    updatedAt: '2026-12-05T00:00:00.000Z',
    ...extra,
  } as Host;
}

const waitFor = async (what: () => Promise<boolean>, ms: number): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('the Redfish power driver against our Redfish simulator (HTTPS, sessions)', () => {
  let bmc: RedfishBmc;
  const pins: string[] = [];
  let driver: RedfishPowerDriver;

  beforeAll(async () => {
    bmc = await startRedfishBmc({ name: 'rf-host-1', password: PASSWORD, host: { initiallyOn: true } });
    driver = new RedfishPowerDriver(secrets, { pollMs: 50, onPinned: (_h, fp) => void pins.push(fp) });
  });
  afterAll(async () => {
    await driver.close();
    await bmc.stop();
  });

  it('round trip: off, confirmed off, on, confirmed on; each reset sent once, through a session', async () => {
    const host = hostOf(bmc);
    expect(await driver.readPower(host)).toBe('on');
    await driver.sendOnce(host, 'off');
    await waitFor(async () => (await driver.status(host)).power === 'off', 10_000);
    const off = await driver.status(host);
    expect(off).toMatchObject({ power: 'off', source: 'redfish', inferred: false });
    // An off for a host that is off sends nothing.
    const requestsBefore = bmc.counters.requests;
    await driver.sendOnce(host, 'off');
    expect(bmc.counters.requests - requestsBefore).toBe(1);
    await driver.sendOnce(host, 'on');
    await waitFor(async () => (await driver.status(host)).power === 'on', 10_000);
    expect(await driver.readPower(host)).toBe('on');
    // Every request after the login carried the session token; Basic auth was never used.
    expect(bmc.counters.byToken).toBeGreaterThan(4);
    expect(bmc.counters.byBasic).toBe(0);
  });

  it('the certificate was pinned on first use, and reported once', () => {
    expect(pins).toEqual([bmc.fingerprint256]);
  });

  it('identity: the same serial and GUID the IPMI simulator gives this machine', async () => {
    const id = await driver.identity(hostOf(bmc));
    const ipmi = simIdentityFor('rf-host-1');
    expect(id.protocol).toBe('redfish');
    expect(id.productSerial).toBe(ipmi.productSerial);
    expect(id.guid).toBe(await driver.guid(hostOf(bmc)));
    expect(id.guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('sensors with thresholds, watts and the event log through the port', async () => {
    const host = hostOf(bmc);
    const sensors = await driver.sensors(host);
    const temps = sensors.filter((s) => s.type === 'temperature');
    expect(temps.length).toBeGreaterThan(0);
    expect(temps.every((t) => typeof t.value === 'number' && t.unit === 'degrees C')).toBe(true);
    expect(temps.some((t) => t.thresholds.ucr !== undefined)).toBe(true);
    const watts = await driver.readWatts(host);
    expect(watts).toBeGreaterThan(0);
    const log = await driver.eventLog(host);
    // The off and on of the round trip above are in the log.
    expect(log.length).toBeGreaterThanOrEqual(2);
  });

  it('a BMC that presents another certificate than the pinned one is refused, naming both', async () => {
    const other = await startRedfishBmc({ name: 'rf-host-1', password: PASSWORD, certificate: createSelfSignedCertificate({ commonName: 'another-bmc' }) });
    try {
      const pinned = hostOf(bmc, { bmcPort: other.port, tlsPin: { fingerprint256: bmc.fingerprint256 } });
      const fresh = new RedfishPowerDriver(secrets);
      try {
        const e = await fresh.readPower(pinned).then(() => undefined, (x: unknown) => x);
        expect(e).toBeInstanceOf(RedfishCertificateChangedError);
        expect(String((e as Error).message)).toContain(other.fingerprint256);
        // Nothing was asked of the BMC: the refusal comes before a request is written.
        expect(other.counters.requests).toBe(0);
        expect((await fresh.status(pinned)).power).toBe('unknown');
      } finally {
        await fresh.close();
      }
    } finally {
      await other.stop();
    }
  });

  it('drivers by protocol: each host to its driver; a protocol without one is a clear error', async () => {
    const byProtocol = new DriversByProtocol({ redfish: driver });
    expect(await byProtocol.readPower(hostOf(bmc))).toBe('on');
    await expect(byProtocol.readPower(hostOf(bmc, { bmcProtocol: undefined }))).rejects.toBeInstanceOf(NoDriverError);
    expect((await byProtocol.status(hostOf(bmc, { bmcProtocol: 'xapi' }))).power).toBe('unknown');
  });
});
