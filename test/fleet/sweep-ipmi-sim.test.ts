/**
 * A fleet sweep over real UDP: three OpenIPMI ipmi_sim BMCs and one port where nothing listens,
 * through the library and through `lowpower fleet status`, checked against ipmitool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, freePort, ipmitool, secretFile, startIpmiSim, writeSensor, type Peer } from '../support/peers.ts';
import { readInventory, writeInventory } from '../../lib/fleet/inventory.ts';
import { sweepFleet, type HostReading, type HostResult, type SweepResult } from '../../lib/fleet/sweep.ts';

const NAMES = ['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'System Temp', 'PSU1 Temp'];
const FAST = { cipherSuite: 3, timeoutMs: 300, retries: 1 };
const FAST_FLAGS = ['-C', '3', '-t', '300', '-R', '1'];

let sims: Peer[] = [];
let deadPort: number;
let dir: string;
let file: string;
let first: SweepResult;
const timings: Record<string, number> = {};

/** ipmitool's view of a peer's temperatures: name -> value. */
async function toolTemperatures(port: number): Promise<Map<string, number>> {
  const out = await ipmitool(port, ['sdr', 'type', 'Temperature']);
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('|').map((c) => c.trim()))
      .map((c) => [c[0], parseFloat(c[4])] as [string, number]),
  );
}

const toolPower = async (port: number): Promise<'on' | 'off'> => ((await ipmitool(port, ['chassis', 'power', 'status'])).includes('is on') ? 'on' : 'off');

const reading = (r: SweepResult, name: string): HostReading => {
  const h = r.hosts.find((x) => x.name === name);
  if (!h?.ok) throw new Error(`${name} was not read: ${h && !h.ok ? h.error : 'missing'}`);
  return h;
};

/** A result without what changes from run to run (the elapsed time inside a timeout message). */
const stable = (hosts: HostResult[]): unknown => hosts.map((h) => (h.ok ? h : { ...h, error: h.error.replace(/ in \d+ ms/, ' in N ms') }));

beforeAll(async () => {
  sims = await Promise.all([startIpmiSim(), startIpmiSim(), startIpmiSim()]);
  deadPort = await freePort();
  // Make the three BMCs differ: sim-2 is on, sim-3 has a hot CPU1 (60 C) and a cool inlet (20 C).
  await ipmitool(sims[1].port, ['chassis', 'power', 'on']);
  writeSensor(sims[2], 1, 60);
  writeSensor(sims[2], 3, 40);
  await new Promise((r) => setTimeout(r, 1600)); // ipmi_sim polls the sensor files every second
  dir = mkdtempSync(join(tmpdir(), 'lowpower-fleet-'));
  file = join(dir, 'fleet.json');
  const passwordFile = secretFile('password');
  writeInventory(file, [
    ...sims.map((s, i) => ({ name: `sim-${i + 1}`, host: '127.0.0.1', port: s.port, user: 'admin', passwordFile, cipherSuite: 3 })),
    { name: 'dead', host: '127.0.0.1', port: deadPort, user: 'admin', passwordFile },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`fleet sweep timings (ms): ${JSON.stringify(timings)}`);
});

describe('sweepFleet over three ipmi_sim BMCs and a dead port', () => {
  it('reads power, the five temperatures and no watts from each sim; the dead host is an error naming its port', async () => {
    const progress: Array<[number, number, number]> = [];
    first = await sweepFleet(readInventory(file), { ...FAST, onProgress: (done, total, failed) => progress.push([done, total, failed]) });
    timings.library = Math.round(first.ms);

    expect(first.hosts.map((h) => h.name)).toEqual(['sim-1', 'sim-2', 'sim-3', 'dead']);
    expect([first.ok, first.failed]).toEqual([3, 1]);
    expect(Date.now() - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(first.ms - 5);

    for (const [i, sim] of sims.entries()) {
      const h = reading(first, `sim-${i + 1}`);
      expect(h).toMatchObject({ host: '127.0.0.1', port: sim.port, ok: true, watts: null });
      expect(h.power).toBe(await toolPower(sim.port));
      expect(h.temperatures.map((t) => t.name)).toEqual(NAMES);
      const tool = await toolTemperatures(sim.port);
      for (const t of h.temperatures) {
        expect(t.value, `${h.name} ${t.name}`).toBe(tool.get(t.name));
        expect(t.unit).toBe('degrees C');
      }
      expect(h.hottest).toBe(Math.max(...tool.values()));
      expect(h.notes).toEqual(['no DCMI power reading on this BMC']);
    }
    expect(reading(first, 'sim-1').power).toBe('off');
    expect(reading(first, 'sim-2').power).toBe('on');
    expect(reading(first, 'sim-1').temperatures.map((t) => t.value)).toEqual([45, 48, 24, 25, 35]);
    expect(reading(first, 'sim-1').hottest).toBe(48);
    expect(reading(first, 'sim-3').temperatures.map((t) => [t.value, t.status])).toEqual([
      [60, 'ok'],
      [48, 'ok'],
      [20, 'ok'],
      [25, 'ok'],
      [35, 'ok'],
    ]);
    expect(reading(first, 'sim-3').hottest).toBe(60);

    const dead = first.hosts[3];
    expect(dead).toMatchObject({ name: 'dead', host: '127.0.0.1', port: deadPort, ok: false });
    expect(!dead.ok && dead.error).toMatch(new RegExp(`^127\\.0\\.0\\.1:${deadPort}: no answer to .* after 2 tries`));
    // A dead BMC costs its deadline, not the client's 2 s default times retries.
    expect(first.ms).toBeLessThan(2500);

    expect(progress).toHaveLength(4);
    expect(progress.map((p) => p[0])).toEqual([1, 2, 3, 4]);
    expect(progress.every((p) => p[1] === 4)).toBe(true);
    expect(progress[3]).toEqual([4, 4, 1]);
  });

  it('leaves no session open on any BMC', async () => {
    for (const sim of sims) expect(await ipmitool(sim.port, ['session', 'info', 'active'])).toMatch(/active sessions\s+: 1\b/);
  });

  it('gives the same answers one BMC at a time, and with the default cipher choice (17, then 3)', async () => {
    const serial = await sweepFleet(readInventory(file), { ...FAST, concurrency: 1 });
    timings.concurrency1 = Math.round(serial.ms);
    expect(stable(serial.hosts)).toEqual(stable(first.hosts));
    const fallback = await sweepFleet(readInventory(file).slice(0, 3), { timeoutMs: 1000, retries: 1 });
    timings.defaultSuite3Sims = Math.round(fallback.ms);
    expect(fallback.hosts).toEqual(first.hosts.slice(0, 3));
  });
});

describe('bounded concurrency over real UDP', () => {
  it('100 dead BMCs, 64 at a time, cost two deadlines; all 100 at once, one', async () => {
    const [live] = readInventory(file);
    const ports = new Set<number>();
    while (ports.size < 100) ports.add(await freePort());
    const fleet = [...ports].map((port, i) => ({ ...live, name: `dead-${i}`, port, password: live.password }));
    let peak = 0;
    const waves = await sweepFleet(fleet, { ...FAST, onProgress: (done) => (peak = Math.max(peak, done)) });
    timings.dead100At64 = Math.round(waves.ms);
    expect([waves.ok, waves.failed, peak]).toEqual([0, 100, 100]);
    expect(waves.ms).toBeGreaterThan(550);
    expect(waves.ms).toBeLessThan(1200);
    const wide = await sweepFleet(fleet, { ...FAST, concurrency: 100 });
    timings.dead100At100 = Math.round(wide.ms);
    expect(wide.failed).toBe(100);
    expect(wide.ms).toBeLessThan(550);
    for (const h of wide.hosts) expect(!h.ok && h.error).toContain(`127.0.0.1:${h.port}: no answer`);
  });
});

describe('lowpower fleet status', () => {
  it('--json gives the library\'s result, and a summary line on stderr counts the failure', async () => {
    const r = await cli(['fleet', 'status', '--inventory', file, '--json', ...FAST_FLAGS]);
    timings.cliJson = Math.round(r.ms);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^lowpower fleet: swept 4 BMCs in \d+\.\d s: 3 ok, 1 failed\n$/);
    const out = JSON.parse(r.stdout) as SweepResult;
    expect(stable(out.hosts)).toEqual(stable(first.hosts));
    expect([out.ok, out.failed]).toEqual([3, 1]);
    expect(typeof out.ms).toBe('number');
    expect(r.stdout + r.stderr).not.toContain('"password"');
  });

  it('prints a table: name, host:port, power, hottest, watts, status or error', async () => {
    const r = await cli(['fleet', 'status', '--inventory', file, ...FAST_FLAGS]);
    timings.cliTable = Math.round(r.ms);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('|').map((c) => c.trim()));
    expect(rows[0]).toEqual(['NAME', 'HOST:PORT', 'POWER', 'HOTTEST °C', 'WATTS', 'STATUS']);
    expect(rows.slice(1, 4)).toEqual([
      ['sim-1', `127.0.0.1:${sims[0].port}`, 'off', '48', 'n/a', 'ok'],
      ['sim-2', `127.0.0.1:${sims[1].port}`, 'on', '48', 'n/a', 'ok'],
      ['sim-3', `127.0.0.1:${sims[2].port}`, 'off', '60', 'n/a', 'ok'],
    ]);
    expect(rows[4].slice(0, 5)).toEqual(['dead', `127.0.0.1:${deadPort}`, '-', '-', '-']);
    expect(rows[4][5]).toMatch(/^error: no answer to .* after 2 tries/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad usage and a bad inventory: exit 1 with one line on stderr, nothing on stdout', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'lowpower-fleet-bad-'));
    try {
      const broken = join(bad, 'broken.json');
      writeInventory(broken, [{ name: 'x', host: '127.0.0.1', port: 623, user: 'admin', passwordFile: 'missing-pw' }]);
      const cases: Array<[string[], RegExp]> = [
        [['fleet'], /^lowpower fleet: no verb given: lowpower fleet status --inventory FILE \(run "lowpower fleet --help" for usage\)$/],
        [['fleet', 'reboot', '--inventory', file], /^lowpower fleet: unknown verb "reboot"/],
        [['fleet', 'status'], /^lowpower fleet: no inventory: give --inventory FILE/],
        [['fleet', 'status', '--inventory', file, '-C', '5'], /^lowpower fleet: -C: lowpower speaks cipher suites 3 and 17/],
        [['fleet', 'status', '--inventory', file, '--concurrency', '0'], /^lowpower fleet: --concurrency must be between 1 and 4096/],
        [['fleet', 'status', '--inventory', join(bad, 'nope.json')], /^lowpower fleet: inventory .*nope\.json: cannot read the file \(ENOENT\)$/],
        [['fleet', 'status', '--inventory', broken], /^lowpower fleet: inventory .*broken\.json: entry \[0\] \("x"\): cannot read passwordFile .*missing-pw \(ENOENT\)$/],
      ];
      const runs = await Promise.all(cases.map(([args]) => cli(args)));
      for (const [i, r] of runs.entries()) {
        expect(r.code, cases[i][0].join(' ')).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(cases[i][1]);
      }
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('--help and the top-level usage mention the fleet command', async () => {
    const help = await cli(['fleet', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: lowpower fleet status --inventory FILE/);
    expect((await cli(['--help'])).stdout).toMatch(/fleet status --inventory FILE/);
  });
});
