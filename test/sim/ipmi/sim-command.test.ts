/**
 * `lowpower sim` as a user runs it: N BMCs in one process and an inventory that
 * `lowpower fleet status` and `lowpower bmc` read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cli, freePort, REPO } from '../../support/peers.ts';

let child: ChildProcess;
let inventory: string;
let out = '';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lowpower-sim-cmd-'));
  inventory = join(dir, 'fleet.json');
  const base = await freePort();
  child = spawn(process.execPath, [join(REPO, 'bin/lowpower.mjs'), 'sim', '--count', '5', '--base-port', String(base), '--seed', '7', '--inventory', inventory], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ctrl-C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lowpower sim exited early (${code})`)));
  });
});
afterAll(() => {
  child?.kill('SIGTERM');
});

describe('lowpower sim', () => {
  it('prints where it wrote the inventory; the inventory and its 0600 password file follow the documented shape', () => {
    expect(out).toContain(`inventory: ${inventory}`);
    const entries = JSON.parse(readFileSync(inventory, 'utf8')) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(5);
    for (const e of entries) expect(Object.keys(e).sort()).toEqual(['host', 'name', 'passwordFile', 'port', 'protocol', 'user']);
    expect(entries.every((e) => e.protocol === 'ipmi')).toBe(true);
    expect(entries[0]).toMatchObject({ host: '127.0.0.1', user: 'admin' });
    const pwFile = join(dirname(inventory), String(entries[0].passwordFile));
    expect(statSync(pwFile).mode & 0o777).toBe(0o600);
    expect(out).not.toContain(readFileSync(pwFile, 'utf8').trim());
  });

  it('lowpower fleet status reads power, temperatures and watts of every simulated BMC', async () => {
    const r = await cli(['fleet', 'status', '--inventory', inventory, '--json', '-C', '17']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: number; failed: number; hosts: Array<{ power: string; temperatures: unknown[]; watts: number; hottest: number }> };
    expect(result.ok).toBe(5);
    for (const h of result.hosts) {
      expect(h.power).toBe('on');
      expect(h.temperatures).toHaveLength(4);
      expect(h.watts).toBeGreaterThan(200);
      expect(h.hottest).toBeGreaterThan(30);
    }
  });

  it('lowpower bmc reaches one of them with the password file', async () => {
    const entries = JSON.parse(readFileSync(inventory, 'utf8')) as Array<{ port: number; passwordFile: string }>;
    const r = await cli(['bmc', 'dcmi', 'power', '-H', '127.0.0.1', '-p', String(entries[2].port), '-U', 'admin', '-f', join(dirname(inventory), entries[2].passwordFile), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).watts).toBeGreaterThan(200);
  });

  it('bad arguments are one clear line', async () => {
    const r = await cli(['sim', '--count', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--count must be between 1 and 5000/);
  });
});
