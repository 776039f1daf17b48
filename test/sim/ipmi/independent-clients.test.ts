/**
 * Our simulator, accepted unchanged by clients nobody on this project wrote: ipmitool (lanplus
 * with cipher suites 3 and 17, and IPMI v1.5) and FreeIPMI. The tests run the tools and read what
 * they print.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { startSim } from './sim-support.ts';
import type { SimulatedBmc } from '../../../lib/sim/ipmi/server.ts';
import { canonicalGuid, guidMatches } from '../../../lib/ipmi/guid.ts';

const run = promisify(execFile);
let sim: SimulatedBmc;

async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: 20_000 });
    return stdout + stderr;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${x.stderr ?? ''}${x.stdout ?? ''}${x.message}`);
  }
}

const ipmitool = (suite: '3' | '17' | 'lan', args: string[], user = 'admin', password = 'password'): Promise<string> =>
  tool('ipmitool', [
    ...(suite === 'lan' ? ['-I', 'lan'] : ['-I', 'lanplus', '-C', suite]),
    '-H', '127.0.0.1', '-p', String(sim.port), '-U', user, '-P', password, '-N', '1', '-R', '2',
    ...args,
  ]);
const free = (cmd: string, args: string[]): Promise<string> =>
  tool(cmd, ['-h', `127.0.0.1:${sim.port}`, '-u', 'admin', '-p', 'password', '-D', 'LAN_2_0', ...args]);

beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim?.stop();
});

describe.each(['3', '17'] as const)('ipmitool -I lanplus -C %s', (suite) => {
  it('chassis power status, on, off, soft and cycle follow the simulated chassis', async () => {
    const counts = sim.state.host.controlCounts;
    expect(await ipmitool(suite, ['chassis', 'power', 'status'])).toMatch(/Chassis Power is on/);
    expect(await ipmitool(suite, ['chassis', 'power', 'off'])).toMatch(/Chassis Power Control: Down\/Off/);
    expect(sim.state.host.powerOn).toBe(false);
    expect(await ipmitool(suite, ['chassis', 'power', 'status'])).toMatch(/Chassis Power is off/);
    const onBefore = counts.on;
    expect(await ipmitool(suite, ['chassis', 'power', 'on'])).toMatch(/Chassis Power Control: Up\/On/);
    expect(counts.on).toBe(onBefore + 1);
    expect(await ipmitool(suite, ['chassis', 'power', 'status'])).toMatch(/Chassis Power is on/);
    expect(await ipmitool(suite, ['chassis', 'power', 'cycle'])).toMatch(/Chassis Power Control: Cycle/);
    await new Promise((r) => setTimeout(r, 400)); // the cycle's off time
    expect(sim.state.host.powerOn).toBe(true);
    expect(await ipmitool(suite, ['chassis', 'power', 'soft'])).toMatch(/Chassis Power Control: Soft/);
    await new Promise((r) => setTimeout(r, 500)); // the OS shuts down
    expect(await ipmitool(suite, ['chassis', 'power', 'status'])).toMatch(/Chassis Power is off/);
    await ipmitool(suite, ['chassis', 'power', 'on']);
  });

  it('chassis status and mc info', async () => {
    expect(await ipmitool(suite, ['chassis', 'status'])).toMatch(/System Power\s+: on/);
    const mc = await ipmitool(suite, ['mc', 'info']);
    expect(mc).toMatch(/Firmware Revision\s+: 1\.42/);
    expect(mc).toMatch(/IPMI Version\s+: 2\.0/);
  });

  it('sdr type Temperature and sensor list', async () => {
    const sdr = await ipmitool(suite, ['sdr', 'type', 'Temperature']);
    expect(sdr).toMatch(/CPU1 Temp\s+\| 01h \| ok\s+\|[^|]+\| \d+ degrees C/);
    expect(sdr).toMatch(/Inlet Temp\s+\| 03h \| ok/);
    expect(sdr.trim().split('\n')).toHaveLength(4);
    const list = await ipmitool(suite, ['sensor', 'list']);
    expect(list).toMatch(/Fan1\s+\| \d+\.\d+\s+\| RPM/);
    expect(list).toMatch(/12V\s+\| 12\.0\d*\s+\| Volts/);
  });

  it('sel list, lan print and dcmi power reading', async () => {
    expect(await ipmitool(suite, ['sel', 'list'])).toMatch(/System ACPI Power State/);
    const lan = await ipmitool(suite, ['lan', 'print', '1']);
    expect(lan).toMatch(/IP Address\s+: 192\.0\.2\.10/);
    expect(lan).toMatch(/IP Address Source\s+: Static Address/);
    const dcmi = await ipmitool(suite, ['dcmi', 'power', 'reading']);
    expect(dcmi).toMatch(/Instantaneous power reading:\s+\d+ Watts/);
  });

  it('user set password, then that user logs in', async () => {
    const id = suite === '3' ? '5' : '6';
    await ipmitool(suite, ['user', 'set', 'name', id, `night${id}`]);
    await ipmitool(suite, ['user', 'set', 'password', id, 'sleepy-hosts']);
    await ipmitool(suite, ['user', 'priv', id, '4', '1']);
    await ipmitool(suite, ['channel', 'setaccess', '1', id, 'callin=on', 'ipmi=on', 'link=on', 'privilege=4']);
    await ipmitool(suite, ['user', 'enable', id]);
    expect(await ipmitool(suite, ['chassis', 'power', 'status'], `night${id}`, 'sleepy-hosts')).toMatch(/Chassis Power is/);
    await expect(ipmitool(suite, ['chassis', 'power', 'status'], `night${id}`, 'not-it')).rejects.toThrow();
  });
});

describe('ipmitool -I lan (IPMI v1.5)', () => {
  it('power status and sensors over MD5 sessions', async () => {
    expect(await ipmitool('lan', ['chassis', 'power', 'status'])).toMatch(/Chassis Power is (on|off)/);
    expect(await ipmitool('lan', ['sdr', 'type', 'Temperature'])).toMatch(/CPU1 Temp/);
  });
});

describe('FreeIPMI', () => {
  it('ipmipower --stat, --off, --on', async () => {
    expect(await free('ipmipower', ['--stat'])).toMatch(/127\.0\.0\.1(:\d+)?: on/);
    expect(await free('ipmipower', ['--off'])).toMatch(/: ok/);
    expect(sim.state.host.powerOn).toBe(false);
    expect(await free('ipmipower', ['--stat'])).toMatch(/: off/);
    expect(await free('ipmipower', ['--on'])).toMatch(/: ok/);
    expect(sim.state.host.powerOn).toBe(true);
  });

  it('ipmi-sensors and ipmi-dcmi', async () => {
    const sensors = await free('ipmi-sensors', ['--sdr-cache-recreate', `--sdr-cache-directory=${tmpdir()}`]);
    expect(sensors).toMatch(/CPU1 Temp\s+\| Temperature\s+\| \d+\.\d+\s+\| C/);
    expect(sensors).toMatch(/Fan1\s+\| Fan/);
    const dcmi = await free('ipmi-dcmi', ['--get-system-power-statistics']);
    expect(dcmi).toMatch(/Current Power\s+: \d+ Watts/);
  });
});

describe('ipmitool reads the simulated machine\'s identity and sets its restore policy', () => {
  it('fru print shows our chassis, board and product serials', async () => {
    const id = sim.state.identity;
    const fru = await ipmitool('3', ['fru', 'print']);
    expect(fru).toMatch(/Builtin FRU Device \(ID 0\)/);
    expect(fru).toMatch(new RegExp(`Chassis Serial\\s+: ${id.chassisSerial}\\n`));
    expect(fru).toMatch(new RegExp(`Board Serial\\s+: ${id.boardSerial}\\n`));
    expect(fru).toMatch(new RegExp(`Product Serial\\s+: ${id.productSerial}\\n`));
    expect(fru).toMatch(/Product Manufacturer\s+: lowpower-sim/);
    expect(fru).toMatch(/Board Mfg Date\s+: Mon Jan 15 08:30:00 2024/);
  });

  it('FreeIPMI ipmi-fru reads the same serials', async () => {
    const id = sim.state.identity;
    const fru = await free('ipmi-fru', [`--sdr-cache-directory=${tmpdir()}`]);
    expect(fru).toMatch(new RegExp(`FRU Chassis Serial Number: ${id.chassisSerial}\\n`));
    expect(fru).toMatch(new RegExp(`FRU Board Serial Number: ${id.boardSerial}\\n`));
    expect(fru).toMatch(new RegExp(`FRU Product Serial Number: ${id.productSerial}\\n`));
    expect(fru).toMatch(/FRU Board Manufacturing Date\/Time: 01\/15\/24 - 08:30:00/);
  });

  it('mc guid prints a GUID whose canonical form is ours', async () => {
    const out = await ipmitool('17', ['mc', 'guid']);
    const printed = /System GUID\s+: ([0-9a-fA-F-]{36})/.exec(out)?.[1];
    expect(printed, out).toBeDefined();
    expect((printed as string).toLowerCase()).toBe(canonicalGuid(sim.state.guid));
    expect(guidMatches(printed as string, sim.state.guid)).toBe(true);
  });

  it('chassis policy always-off, then chassis status shows it; policy list shows all three', async () => {
    expect(await ipmitool('3', ['chassis', 'policy', 'always-off'])).toMatch(/always-off/);
    expect(sim.state.restorePolicy).toBe('always-off');
    expect(await ipmitool('3', ['chassis', 'status'])).toMatch(/Power Restore Policy\s+: always-off/);
    expect(await ipmitool('3', ['chassis', 'policy', 'always-on'])).toMatch(/always-on/);
    expect(await ipmitool('3', ['chassis', 'status'])).toMatch(/Power Restore Policy\s+: always-on/);
    const list = await ipmitool('3', ['chassis', 'policy', 'list']);
    for (const p of ['always-off', 'always-on', 'previous']) expect(list).toContain(p);
    await ipmitool('3', ['chassis', 'policy', 'previous']);
    expect(sim.state.restorePolicy).toBe('previous');
  });
});
