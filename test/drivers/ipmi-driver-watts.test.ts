/**
 * The IPMI driver's readWatts is powerDraw's figure, against our simulated BMC in its DCMI quirk
 * modes: a deactivated meter is no reading (null), not a host drawing 0 W (the planner would take
 * it for asleep), and the SDR's watts sensor gives the draw where DCMI gives none.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpmiPowerDriver } from '../../lib/drivers/index.ts';
import { FileSecrets, type Host } from '../../lib/store/index.ts';
import { WATTS_SENSOR } from '../../lib/sim/ipmi/quirk-modes.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import type { SimQuirks } from '../../lib/sim/ipmi/quirk-modes.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';

const PASSWORD = 'driver-watts-1';
const sims: SimulatedBmc[] = [];
let driver: IpmiPowerDriver;

async function sim(name: string, quirks: SimQuirks = {}): Promise<SimulatedBmc> {
  const s = await startSim({ name, adminPassword: PASSWORD, quirks });
  s.state.host.control('on');
  sims.push(s);
  return s;
}

/** The fields of a store host the driver reads. */
const hostOf = (s: SimulatedBmc, hostId: string): Host => ({ poolId: 'pool-w', hostId, bmcAddress: '127.0.0.1', bmcPort: s.port, bmcUser: 'admin', secretRef: 'bmc-w', cipherSuite: 17 }) as Host;

beforeAll(async () => {
  const secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-driver-watts-')));
  await secrets.put('bmc-w', PASSWORD);
  driver = new IpmiPowerDriver(secrets, { timeoutMs: 1000, retries: 2 });
});
afterAll(async () => {
  await driver?.close();
  await Promise.all(sims.map((s) => s.stop()));
});

describe('IpmiPowerDriver.readWatts', () => {
  it('DCMI watts when the meter is active', async () => {
    const s = await sim('plain');
    const watts = await driver.readWatts(hostOf(s, 'plain'));
    expect(watts).toBeGreaterThan(100);
    expect(watts).toBeCloseTo(s.state.host.power().watts, -1);
  });

  it('a deactivated meter or a 0 W reading is no reading, not 0 W', async () => {
    expect(await driver.readWatts(hostOf(await sim('deactivated', { dcmiReadingState: 'deactivated' }), 'deactivated'))).toBeNull();
    expect(await driver.readWatts(hostOf(await sim('zero', { dcmiReadingState: 'zero' }), 'zero'))).toBeNull();
  });

  it('the SDR\'s watts sensor where DCMI gives no reading', async () => {
    const s = await sim('metered', { dcmiReadingState: 'deactivated' });
    s.state.addSensor({
      spec: { recordId: WATTS_SENSOR, sensorNumber: WATTS_SENSOR, entityId: 0x07, entityInstance: 1, sensorType: 0x03, unit: 6, name: 'System Level', conversion: { m: 2, b: 0, rExp: 0, bExp: 0, format: 'unsigned', linearization: 0 }, thresholdsRaw: {} },
      read: (h) => h.power().watts,
    });
    expect(await driver.readWatts(hostOf(s, 'metered'))).toBeCloseTo(s.state.host.power().watts, -1);
    const noDcmi = await sim('no-dcmi', { noDcmiWithWattsSensor: true });
    expect(await driver.readWatts(hostOf(noDcmi, 'no-dcmi'))).toBeCloseTo(noDcmi.state.host.power().watts, -1);
  });
});
