/**
 * Our client and `lowpower bmc` against the simulator over real UDP: identity (GUID and FRU
 * serials, with suites 3 and 17 and IPMI v1.5), a swapped identity, a BMC that allows only short
 * FRU reads or reads by words, and the power restore policy with a power feed outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, secretFile } from '../../support/peers.ts';
import { startSim } from './sim-support.ts';
import type { SimulatedBmc } from '../../../lib/sim/ipmi/server.ts';
import { openBmc, type BmcOptions } from '../../../lib/ipmi/client.ts';
import { simIdentityFor, SIM_MANUFACTURER, SIM_PRODUCT_NAME } from '../../../lib/sim/ipmi/identity.ts';
import { canonicalGuid, guidMatches } from '../../../lib/ipmi/guid.ts';

let sim: SimulatedBmc;
let pw: string;
const started: SimulatedBmc[] = [];

beforeAll(async () => {
  sim = await startSim({ name: 'host-042' });
  started.push(sim);
  pw = secretFile('password');
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

const connect = (s: SimulatedBmc, o: Partial<BmcOptions> = {}) => openBmc({ host: '127.0.0.1', port: s.port, username: 'admin', password: 'password', cipherSuite: 3, ...o });

describe.each([
  ['suite 3', { cipherSuite: 3 }],
  ['suite 17', { cipherSuite: 17 }],
  ['IPMI v1.5', { lan15: true }],
] as const)('Bmc.identity() with %s', (_label, o) => {
  it('gives the simulated machine\'s GUID and serials', async () => {
    const bmc = connect(sim, o);
    try {
      const id = await bmc.identity();
      const want = simIdentityFor('host-042');
      expect(id).toMatchObject({
        guid: canonicalGuid(want.guid),
        guidHex: want.guid.toString('hex'),
        chassisSerial: want.chassisSerial,
        boardSerial: want.boardSerial,
        productSerial: want.productSerial,
        manufacturer: SIM_MANUFACTURER,
        productName: SIM_PRODUCT_NAME,
      });
    } finally {
      await bmc.close();
    }
  });
});

describe('identity over UDP', () => {
  it('a swapped identity (bmc-foreign) shows on the next read through the same session', async () => {
    const s = await startSim({ name: 'host-043' });
    started.push(s);
    const bmc = connect(s);
    try {
      const mine = await bmc.identity();
      s.state.identity = simIdentityFor('host-099');
      const foreign = await bmc.identity();
      expect(foreign.productSerial).toBe('LPSIM-host-099');
      expect(foreign.boardSerial).toBe('LPSIMB-host-099');
      expect(guidMatches(mine.guid as string, Buffer.from(foreign.guidHex as string, 'hex'))).toBe(false);
    } finally {
      await bmc.close();
    }
  });

  it('a BMC that answers only 6-byte reads, by words, still gives the whole identity', async () => {
    const s = await startSim({ name: 'host-044', maxFruRead: 3, fruByWords: true });
    started.push(s);
    const bmc = connect(s);
    try {
      expect(await bmc.identity()).toMatchObject({ productSerial: 'LPSIM-host-044', boardSerial: 'LPSIMB-host-044', chassisSerial: 'LPSIMC-host-044' });
    } finally {
      await bmc.close();
    }
  });

  it('a BMC without FRU gives the GUID and no serials', async () => {
    const s = await startSim({ name: 'host-045', fru: false });
    started.push(s);
    const bmc = connect(s);
    try {
      const id = await bmc.identity();
      expect(id.guid).toBe(canonicalGuid(s.state.guid));
      expect([id.chassisSerial, id.boardSerial, id.productSerial, id.fru]).toEqual([undefined, undefined, undefined, undefined]);
    } finally {
      await bmc.close();
    }
  });
});

describe('power restore policy over UDP', () => {
  it('set, read back, and a power feed outage follows it', async () => {
    const bmc = connect(sim);
    try {
      for (const policy of ['always-off', 'always-on', 'previous'] as const) {
        expect(await bmc.setPowerRestorePolicy(policy)).toEqual({ supported: ['always-off', 'previous', 'always-on'] });
        expect(await bmc.powerRestorePolicy()).toBe(policy);
        expect(sim.state.restorePolicy).toBe(policy);
      }
      await bmc.setPowerRestorePolicy('always-off');
      expect((await bmc.power('status')).power).toBe('on');
      sim.state.powerFeedOutage();
      const st = await bmc.chassisStatus();
      expect(st.powerOn).toBe(false);
      expect(st.lastPowerEvent.acFailed).toBe(true);
      await bmc.setPowerRestorePolicy('always-on');
      sim.state.powerFeedOutage();
      expect((await bmc.chassisStatus()).powerOn).toBe(true);
      await bmc.setPowerRestorePolicy('previous');
    } finally {
      await bmc.close();
    }
  });
});

describe('lowpower bmc identity and power restore-policy', () => {
  const bmc = (args: string[]) => cli(['bmc', ...args, '-H', '127.0.0.1', '-p', String(sim.port), '-U', 'admin', '-f', pw, '-C', '3']);

  it('identity prints the GUID (canonical and raw) and the serials; --json prints the BmcIdentity', async () => {
    const want = simIdentityFor('host-042');
    const text = await bmc(['identity']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`System GUID\\s+: ${canonicalGuid(want.guid)}`));
    expect(text.stdout).toMatch(new RegExp(`System GUID \\(as sent\\)\\s+: ${want.guid.toString('hex')}`));
    expect(text.stdout).toMatch(/Chassis Serial\s+: LPSIMC-host-042/);
    expect(text.stdout).toMatch(/Board Serial\s+: LPSIMB-host-042/);
    expect(text.stdout).toMatch(/Product Serial\s+: LPSIM-host-042/);
    expect(text.stdout).toMatch(/Manufacturer\s+: lowpower-sim/);
    expect(text.stdout).toMatch(/Product Name\s+: lowpower simulated host/);
    const json = await bmc(['identity', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const id = JSON.parse(json.stdout) as Record<string, unknown> & { fru: { product: { serialNumber: { value: string } } } };
    expect(id).toMatchObject({ guid: canonicalGuid(want.guid), productSerial: want.productSerial, boardSerial: want.boardSerial, chassisSerial: want.chassisSerial });
    expect(id.fru.product.serialNumber.value).toBe(want.productSerial);
  });

  it('power restore-policy sets, shows, and refuses an unknown policy', async () => {
    const set = await bmc(['power', 'restore-policy', 'always-off']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/Power Restore Policy : always-off/);
    expect(sim.state.restorePolicy).toBe('always-off');
    const show = await bmc(['power', 'restore-policy', '--json']);
    expect(JSON.parse(show.stdout)).toEqual({ restorePolicy: 'always-off' });
    const setJson = await bmc(['power', 'restore-policy', 'previous', '--json']);
    expect(JSON.parse(setJson.stdout)).toEqual({ restorePolicy: 'previous', requested: 'previous', supported: ['always-off', 'previous', 'always-on'] });
    const bad = await bmc(['power', 'restore-policy', 'sometimes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/usage: lowpower bmc power restore-policy \[always-off\|previous\|always-on\]/);
    expect(sim.state.restorePolicy).toBe('previous');
  });

  it('the usage text names both verbs', async () => {
    const help = await cli(['bmc', '--help']);
    expect(help.stdout).toMatch(/identity/);
    expect(help.stdout).toMatch(/power restore-policy \[always-off\|previous\|always-on\]/);
  });
});
