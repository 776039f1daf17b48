/**
 * A sweep over BMCs that can tell less, or refuse: a pyghmi BMC (no sensor repository, no DCMI)
 * reads as ok with notes, and a wrong password is a per-host login error that never shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, secretFile, startIpmiSim, startPyghmiBmc, type Peer } from '../support/peers.ts';
import { sweepFleet } from '../../lib/fleet/sweep.ts';
import type { FleetHost } from '../../lib/fleet/inventory.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeInventory } from '../../lib/fleet/inventory.ts';

const WRONG = 'wrong-pw-7731';
let sim: Peer;
let pyghmi: Peer;
let hosts: FleetHost[];

beforeAll(async () => {
  [sim, pyghmi] = await Promise.all([startIpmiSim(), startPyghmiBmc()]);
  const h = (name: string, port: number, password: string): FleetHost => ({ name, host: '127.0.0.1', port, user: 'admin', passwordFile: '/nowhere', password });
  hosts = [h('pyghmi', pyghmi.port, 'password'), h('sim-wrong-pw', sim.port, WRONG), h('sim', sim.port, 'password')];
}, 60_000);

afterAll(async () => {
  await Promise.all([sim?.stop(), pyghmi?.stop()]);
});

describe('a mixed fleet', () => {
  it('pyghmi reads as ok with notes; the wrong password is a login error for that host only', async () => {
    const r = await sweepFleet(hosts, { timeoutMs: 1000, retries: 1 });
    expect([r.ok, r.failed]).toEqual([2, 1]);
    expect(r.hosts[0]).toEqual({
      name: 'pyghmi',
      host: '127.0.0.1',
      port: pyghmi.port,
      ok: true,
      power: 'off',
      temperatures: [],
      hottest: null,
      watts: null,
      notes: ['no sensor repository (SDR) on this BMC', 'no DCMI power reading on this BMC'],
    });
    expect(r.hosts[1]).toMatchObject({ name: 'sim-wrong-pw', ok: false, error: expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:${sim.port}: login failed: wrong password`)) });
    expect(r.hosts[2]).toMatchObject({ name: 'sim', ok: true, hottest: 48 });
    expect(JSON.stringify(r)).not.toContain(WRONG);
  });

  it('the CLI never prints a wrong password either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowpower-fleet-mixed-'));
    try {
      const file = join(dir, 'fleet.json');
      writeInventory(file, [{ name: 'sim-wrong-pw', host: '127.0.0.1', port: sim.port, user: 'admin', passwordFile: secretFile(WRONG) }]);
      for (const extra of [[], ['--json']]) {
        const r = await cli(['fleet', 'status', '--inventory', file, '-C', '3', ...extra]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/login failed: wrong password/);
        expect(r.stderr).toMatch(/1 failed/);
        expect(r.stdout + r.stderr).not.toContain(WRONG);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
