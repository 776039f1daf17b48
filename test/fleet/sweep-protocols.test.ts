/**
 * A fleet sweep over a mixed inventory, as `lowpower sim --protocol mixed` writes it: IPMI BMCs over
 * UDP and Redfish BMCs over HTTPS in one sweep, each read through its own protocol; a Redfish entry
 * whose pinned certificate is not the one presented, a wrong password and a silent BMC fail for
 * that host only, with a line that says why.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMixedFleet, type MixedFleet } from '../../lib/sim/fleet.ts';
import { readInventory, writeInventory, type InventoryEntry } from '../../lib/fleet/inventory.ts';
import { sweepFleet } from '../../lib/fleet/sweep.ts';
import { freePort, REPO } from '../support/peers.ts';

let fleet: MixedFleet;
let inventory: string;
const dir = mkdtempSync(join(tmpdir(), 'lowpower-mixed-sweep-'));

beforeAll(async () => {
  fleet = await startMixedFleet({ count: 6, basePort: (await freePort()) - 10, protocol: 'mixed', timings: 'fast' });
  inventory = fleet.writeInventory(join(dir, 'fleet.json')).inventory;
}, 30_000);
afterAll(async () => fleet?.stop());

describe('a sweep over IPMI and Redfish BMCs', () => {
  it('reads every BMC through its own protocol: power, temperatures and watts', async () => {
    const hosts = readInventory(inventory);
    expect(hosts.map((h) => h.protocol)).toEqual(['ipmi', 'redfish', 'ipmi', 'redfish', 'ipmi', 'redfish']);
    const r = await sweepFleet(hosts, { timeoutMs: 1500, retries: 2 });
    expect([r.ok, r.failed]).toEqual([6, 0]);
    for (const h of r.hosts) {
      if (!h.ok) throw new Error(h.error);
      const machine = fleet.byName(h.name)?.host;
      expect(h.power, h.name).toBe(machine?.powerOn ? 'on' : 'off');
      expect(h.temperatures.length, h.name).toBeGreaterThan(0);
      expect(h.watts, h.name).toBeGreaterThan(0);
    }
  });

  it('a pinned certificate that is not the one presented, a wrong password and a silent BMC fail for that host only', async () => {
    const entries = JSON.parse(readFileSync(inventory, 'utf8')) as InventoryEntry[];
    const wrongPw = join(dir, 'wrong.password');
    writeFileSync(wrongPw, 'not-the-password\n', { mode: 0o600 });
    entries[1] = { ...entries[1], fingerprint256: 'AB'.repeat(32) };
    entries[3] = { ...entries[3], passwordFile: 'wrong.password' };
    const bad = join(dir, 'bad.json');
    writeInventory(bad, entries);
    fleet.byName('host-006')!.silent = true;
    try {
      const r = await sweepFleet(readInventory(bad), { timeoutMs: 500, retries: 1 });
      expect(r.hosts.map((h) => h.ok)).toEqual([true, false, true, false, true, false]);
      const error = (i: number) => (r.hosts[i].ok ? '' : (r.hosts[i] as { error: string }).error);
      expect(error(1)).toContain(fleet.byName('host-002')!.fingerprint256 as string);
      expect(error(3)).toMatch(/refused \(HTTP 401/);
      expect(error(3)).not.toContain('not-the-password');
      expect(error(5)).toMatch(/no answer|timed out|time/i);
    } finally {
      fleet.byName('host-006')!.silent = false;
    }
  });

  it('lowpower fleet status reads the mixed inventory (the real command)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, 'bin/lowpower.mjs'), 'fleet', 'status', '--inventory', inventory, '--json'], { cwd: dir, timeout: 60_000 });
    const out = JSON.parse(stdout) as { ok: number; hosts: Array<{ name: string; ok: boolean }> };
    expect(out.ok).toBe(6);
  }, 60_000);
});
