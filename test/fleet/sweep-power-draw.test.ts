/**
 * The sweep's watts are powerDraw's, against our simulated BMC in its DCMI quirk modes: a meter
 * the BMC calls deactivated, or one that reads 0 W, is no reading (it was swept as 0 W, a host
 * that draws nothing), and a watts sensor in the SDR gives the draw instead.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInventory, writeInventory } from '../../lib/fleet/inventory.ts';
import { sweepFleet, type HostReading } from '../../lib/fleet/sweep.ts';
import { WATTS_SENSOR } from '../../lib/sim/ipmi/quirk-modes.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';

const PASSWORD = 'draw-password';
const sims: SimulatedBmc[] = [];
let inventory: string;

beforeAll(async () => {
  sims.push(await startSim({ name: 'plain', adminPassword: PASSWORD }));
  sims.push(await startSim({ name: 'deactivated', adminPassword: PASSWORD, quirks: { dcmiReadingState: 'deactivated' } }));
  sims.push(await startSim({ name: 'zero', adminPassword: PASSWORD, quirks: { dcmiReadingState: 'zero' } }));
  const metered = await startSim({ name: 'metered', adminPassword: PASSWORD, quirks: { dcmiReadingState: 'deactivated' } });
  metered.state.addSensor({
    spec: { recordId: WATTS_SENSOR, sensorNumber: WATTS_SENSOR, entityId: 0x07, entityInstance: 1, sensorType: 0x03, unit: 6, name: 'System Level', conversion: { m: 2, b: 0, rExp: 0, bExp: 0, format: 'unsigned', linearization: 0 }, thresholdsRaw: {} },
    read: (h) => h.power().watts,
  });
  sims.push(metered);
  const dir = mkdtempSync(join(tmpdir(), 'lowpower-sweep-draw-'));
  writeFileSync(join(dir, 'pw'), `${PASSWORD}\n`, { mode: 0o600 });
  inventory = join(dir, 'fleet.json');
  writeInventory(inventory, sims.map((s, i) => ({ name: ['plain', 'deactivated', 'zero', 'metered'][i], host: '127.0.0.1', port: s.port, user: 'admin', passwordFile: 'pw' })));
}, 20_000);
afterAll(async () => Promise.all(sims.map((s) => s.stop())));

describe('the sweep reads the draw through powerDraw', () => {
  it('DCMI when its meter is active; a deactivated or 0 W meter is no reading; an SDR watts sensor stands in', async () => {
    for (const s of sims) s.state.host.control('on');
    const r = await sweepFleet(readInventory(inventory), { timeoutMs: 1000, retries: 2 });
    expect([r.ok, r.failed]).toEqual([4, 0]);
    const [plain, deactivated, zero, metered] = r.hosts as HostReading[];
    expect(plain.watts).toBeGreaterThan(100);
    expect(plain.notes).toEqual([]);
    expect(deactivated.watts).toBeNull();
    expect(deactivated.notes).toEqual(['the BMC reports DCMI power measurement as deactivated: no reading']);
    expect(zero.watts).toBeNull();
    expect(zero.notes).toEqual(['the BMC reports 0 W over DCMI: not taken as a reading']);
    expect(metered.watts).toBeCloseTo(sims[3].state.host.power().watts, -1);
    expect(metered.notes[0]).toMatch(/deactivated.*watts from the SDR: System Level/);
    for (const h of [plain, deactivated, zero, metered]) expect(h.temperatures.length).toBeGreaterThan(0);
  });
});
