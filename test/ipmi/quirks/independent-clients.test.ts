/**
 * The simulator's quirk modes are what real BMCs do, as clients written against real BMCs show:
 * FreeIPMI fails on each mode without its workaround flag (-W) and succeeds with it, and ipmitool
 * needs -L OPERATOR where Administrator is refused and follows an IPMI 1.5 session without
 * per-message authentication. A mode that drifted from the real behaviour would fail here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MANUFACTURER } from '../../../lib/ipmi/quirks.ts';
import { HP_PSU_SENSOR } from '../../../lib/sim/ipmi/quirk-modes.ts';
import { ipmitool } from '../../support/peers.ts';
import { PASSWORD, quirkSim } from './quirk-support.ts';

const run = promisify(execFile);

/** A FreeIPMI tool over IPMI 2.0 suite 3, with its own SDR cache directory; stdout, or the failure's text. */
async function freeipmi(tool: string, port: number, args: string[]): Promise<{ ok: boolean; out: string }> {
  const cache = mkdtempSync(join(tmpdir(), 'lowpower-freeipmi-'));
  const common = ['-h', `127.0.0.1:${port}`, '-u', 'admin', '-p', PASSWORD, '-D', 'LAN_2_0', '-I', '3', '--session-timeout', '1500', '--retransmission-timeout', '500'];
  const extra = tool === 'ipmi-sensors' ? ['--sdr-cache-directory', cache, '--quiet-cache'] : [];
  try {
    const { stdout } = await run(tool, [...common, ...extra, ...args], { timeout: 15_000 });
    return { ok: true, out: stdout };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

describe('independent clients against the quirk modes', () => {
  it('rakp2ExtraByte: FreeIPMI needs -W supermicro20 (or sun20)', async () => {
    const sim = await quirkSim({ rakp2ExtraByte: true });
    const bare = await freeipmi('ipmi-chassis', sim.port, ['--get-status']);
    expect(bare.ok).toBe(false);
    expect(bare.out).toMatch(/password invalid/);
    for (const flag of ['supermicro20', 'sun20']) expect((await freeipmi('ipmi-chassis', sim.port, ['-W', flag, '--get-status'])).out).toMatch(/System Power\s*: on/);
  });

  it('badChecksums: FreeIPMI needs -W nochecksumcheck', async () => {
    const sim = await quirkSim({ badChecksums: true });
    expect((await freeipmi('ipmi-chassis', sim.port, ['--get-status'])).ok).toBe(false);
    expect((await freeipmi('ipmi-chassis', sim.port, ['-W', 'nochecksumcheck', '--get-status'])).out).toMatch(/System Power\s*: on/);
  });

  it('scanningDisabledSensors on a Dell: FreeIPMI shows N/A unless -W ignorescanningdisabled', async () => {
    const sim = await quirkSim({ scanningDisabledSensors: [1] }, { manufacturerId: MANUFACTURER.dell });
    expect((await freeipmi('ipmi-sensors', sim.port, ['-r', '1'])).out).toMatch(/CPU1 Temp\s*\|\s*Temperature\s*\|\s*N\/A/);
    expect((await freeipmi('ipmi-sensors', sim.port, ['-r', '1', '-W', 'ignorescanningdisabled'])).out).toMatch(/CPU1 Temp\s*\|\s*Temperature\s*\|\s*\d+\.\d+\s*\|\s*C/);
  });

  it('discreteAnalogSensor on an HP: FreeIPMI shows the watts only with -W discretereading', async () => {
    const sim = await quirkSim({ discreteAnalogSensor: true }, { manufacturerId: MANUFACTURER.hp });
    const bare = await freeipmi('ipmi-sensors', sim.port, ['-r', String(HP_PSU_SENSOR)]);
    expect(bare.out).toMatch(/Power Supply 1\s*\|\s*Power Supply\s*\|\s*N\/A\s*\|\s*N\/A\s*\|\s*'Presence detected'/);
    expect((await freeipmi('ipmi-sensors', sim.port, ['-r', String(HP_PSU_SENSOR), '-W', 'discretereading'])).out).toMatch(/Power Supply 1\s*\|\s*Power Supply\s*\|\s*\d+\.\d+\s*\|\s*W\s*\|\s*'Presence detected'/);
  });

  it('lastSdrC3: FreeIPMI needs -W assumemaxsdrrecordcount to cache the repository', async () => {
    const sim = await quirkSim({ lastSdrC3: true });
    const bare = await freeipmi('ipmi-sensors', sim.port, []);
    expect(bare.ok).toBe(false);
    expect(bare.out).toMatch(/record count invalid/);
    expect((await freeipmi('ipmi-sensors', sim.port, ['-W', 'assumemaxsdrrecordcount'])).out).toMatch(/3\.3V\s*\|\s*Voltage/);
  });

  it('adminPrivilegeRefused: ipmitool needs -L OPERATOR', async () => {
    const sim = await quirkSim({ adminPrivilegeRefused: 'rakp2' });
    await expect(ipmitool(sim.port, ['chassis', 'power', 'status'])).rejects.toThrow();
    expect(await ipmitool(sim.port, ['-L', 'OPERATOR', 'chassis', 'power', 'status'])).toMatch(/Chassis Power is on/);
  });

  it('v15NoPerMessageAuth: ipmitool over IPMI 1.5 follows the unsigned session', async () => {
    const sim = await quirkSim({ v15NoPerMessageAuth: true });
    expect(await ipmitool(sim.port, ['chassis', 'power', 'status'], { lan15: true })).toMatch(/Chassis Power is on/);
  });
});
