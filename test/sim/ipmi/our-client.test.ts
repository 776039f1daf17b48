/**
 * Every verb of `lowpower bmc` against our simulator, with cipher suites 3 and 17 and IPMI v1.5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, secretFile } from '../../support/peers.ts';
import { startSim } from './sim-support.ts';
import type { SimulatedBmc } from '../../../lib/sim/ipmi/server.ts';
import { openBmc } from '../../../lib/ipmi/client.ts';

let sim: SimulatedBmc;
let pw: string;

beforeAll(async () => {
  sim = await startSim();
  pw = secretFile('password');
});
afterAll(async () => {
  await sim?.stop();
});

const modes = [
  ['suite 3', ['-C', '3']],
  ['suite 17', ['-C', '17']],
  ['IPMI v1.5', ['--lan15']],
] as const;

describe.each(modes)('lowpower bmc with %s', (_label, mode) => {
  const bmc = async (args: string[]) => {
    const r = await cli(['bmc', ...args, '-H', '127.0.0.1', '-p', String(sim.port), '-U', 'admin', '-f', pw, ...mode, '--json']);
    expect(r.stderr, args.join(' ')).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as unknown;
  };

  it('power verbs', async () => {
    expect(await bmc(['power', 'status'])).toEqual({ power: 'on' });
    expect(await bmc(['power', 'off'])).toMatchObject({ power: 'off', changed: true });
    expect(await bmc(['power', 'off'])).toMatchObject({ power: 'off', changed: false });
    expect(await bmc(['power', 'on'])).toMatchObject({ power: 'on', changed: true });
    const cycles = sim.state.host.controlCounts.cycle;
    expect(await bmc(['power', 'cycle'])).toMatchObject({ changed: true });
    expect(sim.state.host.controlCounts.cycle).toBe(cycles + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await bmc(['power', 'reset'])).toMatchObject({ changed: true });
    expect(await bmc(['power', 'soft'])).toMatchObject({ changed: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(await bmc(['power', 'status'])).toEqual({ power: 'off' });
    await bmc(['power', 'on']);
  });

  it('chassis status, mc info, identify, bootdev', async () => {
    expect(await bmc(['chassis', 'status'])).toMatchObject({ powerOn: true, restorePolicy: 'previous' });
    expect(await bmc(['mc', 'info'])).toMatchObject({ firmwareMajor: 1, firmwareMinor: 42, ipmiVersion: '2.0' });
    await bmc(['identify', '10']);
    expect(sim.state.identifyUntil).toBeGreaterThan(Date.now());
    await bmc(['bootdev', 'pxe']);
    expect(sim.state.bootFlags[1]).toBe(0x04);
  });

  it('sensors, sel, dcmi power', async () => {
    const sensors = (await bmc(['sensors'])) as Array<{ name: string; value: number; unit: string; status: string }>;
    expect(sensors.map((s) => s.name)).toEqual(['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'System Temp', 'Fan1', 'Fan2', '12V', '3.3V']);
    const t = sim.state.host.temperatures();
    // The thermal model moves between the two reads: allow a degree.
    expect(Math.abs(sensors[0].value - t.cpu1)).toBeLessThanOrEqual(1);
    expect(Math.abs(sensors[2].value - t.inlet)).toBeLessThanOrEqual(0.5);
    expect(sensors[6]).toMatchObject({ value: 12, unit: 'Volts', status: 'ok' });
    const temps = (await bmc(['sensors', '--type', 'temperature'])) as unknown[];
    expect(temps).toHaveLength(4);
    const sel = (await bmc(['sel', 'list'])) as Array<{ sensorType: string }>;
    expect(sel.length).toBe(sim.state.sel.length);
    const power = (await bmc(['dcmi', 'power'])) as { watts: number; minWatts: number; maxWatts: number; averageWatts: number };
    const now = sim.state.host.power();
    expect(power.watts).toBe(now.watts);
    expect(power.minWatts).toBeLessThanOrEqual(power.watts);
    expect(power.maxWatts).toBeGreaterThanOrEqual(power.watts);
  });

  it('lan print and lan set, user list and set-password, setup', async () => {
    await bmc(['lan', 'set', '1', 'ipaddr', '192.0.2.99']);
    expect(await bmc(['lan', 'print'])).toMatchObject({ ipAddress: '192.0.2.99', ipSource: 'static' });
    const users = (await bmc(['user', 'list'])) as Array<{ id: number; name: string }>;
    expect(users.find((u) => u.id === 2)?.name).toBe('admin');
    const userPw = secretFile('setup-pass-1');
    const steps = (await bmc(['setup', '--user-id', '7', '--user-name', 'lowpower', '--user-password-file', userPw, '--netmask', '255.255.255.0'])) as Array<{ result: string }>;
    expect(steps.length).toBeGreaterThan(3);
    const again = (await bmc(['setup', '--user-id', '7', '--user-name', 'lowpower', '--user-password-file', userPw, '--netmask', '255.255.255.0'])) as Array<{ result: string }>;
    expect(again.every((s) => s.result === 'already')).toBe(true);
    const b = openBmc({ host: '127.0.0.1', port: sim.port, username: 'lowpower', password: 'setup-pass-1' });
    expect((await b.chassisStatus()).powerOn).toBe(true);
    await b.close();
  });

  it('sel clear', async () => {
    await bmc(['sel', 'clear']);
    expect(sim.state.sel).toHaveLength(0);
  });
});

describe('sessions on the simulator', () => {
  it('every CLI call closes its session', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await cli(['bmc', 'power', 'status', '-H', '127.0.0.1', '-p', String(sim.port), '-U', 'admin', '-f', pw]);
      expect(r.code, r.stderr).toBe(0);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.engine.activeSessions).toBe(0);
  });

  it('40 handshakes at once on one socket: one-byte message tags collide, answers still find their session', async () => {
    const roomy = await startSim({ name: 'roomy', sessionSlots: 64 });
    const handles = Array.from({ length: 40 }, () => openBmc({ host: '127.0.0.1', port: roomy.port, username: 'admin', password: 'password', cipherSuite: 17, timeoutMs: 4000, retries: 0 }));
    const results = await Promise.allSettled(handles.map((h) => h.connect()));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    await Promise.all(handles.map((h) => h.close()));
    await roomy.stop();
  });

  it('a full BMC refuses the next session with the right status, and frees slots on close', async () => {
    // A slow machine must not turn a retransmitted handshake into a second slot: no retries here.
    await new Promise((r) => setTimeout(r, 100));
    const handles = Array.from({ length: sim.engine.sessionSlots - sim.engine.usedSlots + 1 }, () => openBmc({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', cipherSuite: 17, timeoutMs: 4000, retries: 0 }));
    const results = await Promise.allSettled(handles.map((h) => h.connect()));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.map((r) => String((r as PromiseRejectedResult).reason))).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/insufficient resources to create a session/);
    await Promise.all(handles.map((h) => h.close()));
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.engine.activeSessions).toBe(0);
  });
});
