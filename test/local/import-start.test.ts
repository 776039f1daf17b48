/**
 * `lowpower start --no-pool` as a user runs it: the banner names the simulators and prints the
 * import command, and that command, pasted, proposes the six hosts. And a second runner that
 * collides on the BMC ports is told the flag that helps (--port).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMixedFleet } from '../../lib/sim/fleet.ts';
import { startFailure } from '../../lib/cli/start-command.ts';
import { cli, freePort, REPO } from '../support/peers.ts';

describe('lowpower start --no-pool', () => {
  it('prints the import command; pasted, it proposes the six hosts matched; Ctrl-C stops it', async () => {
    const base = (await freePort()) - 10;
    const child = spawn(process.execPath, [join(REPO, 'bin/lowpower.mjs'), 'start', '--no-pool', '--port', '0', '--bmc-base-port', String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 300 && !out.includes('Ctrl-C stops.'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/lowpower local runner, without a pool \(--no-pool\)/);
      expect(out).toContain(`6 BMCs on 127.0.0.1:${base}-${base + 5}`);
      expect(out).toMatch(/no pool, no hosts, no schedules/);
      expect(out).not.toMatch(/demo night/);
      const command = /^ {2}(npx lowpower pool import .*)$/m.exec(out)?.[1];
      expect(command).toMatch(new RegExp(`^npx lowpower pool import pool-1 --xapi http://127\\.0\\.0\\.1:\\d+ -U root -f \\S+/sim-xapi\\.password --bmc-range 127\\.0\\.0\\.1:${base}-${base + 10} --bmc-user admin --bmc-password-file \\S+/sim-bmc\\.password --url http://127\\.0\\.0\\.1:\\d+ --dry-run$`));
      const r = await cli((command as string).split(' ').slice(2));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n').filter((l) => / \| matched \| /.test(l))).toHaveLength(6);
      expect(r.stdout).toMatch(/dry run, nothing written/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopping\.\.\./);
  }, 90_000);

  it('a second runner on taken BMC ports is told to give its own --port (which finds free BMC ports; XAPI always takes a free one)', async () => {
    const base = (await freePort()) - 10;
    const first = await startMixedFleet({ count: 2, basePort: base, protocol: 'mixed', password: 'x' });
    try {
      const e = await startMixedFleet({ count: 2, basePort: base, protocol: 'mixed', password: 'x' }).catch((err: unknown) => err);
      expect(startFailure(e, [])).toBe(`port ${base}, the first simulated BMC's, is in use (another lowpower runner?): start this one with its own --port N; it then finds free BMC ports by itself`);
      // Who chose the BMC ports is told about them.
      expect(startFailure(e, ['--bmc-base-port', String(base)])).toBe(`port ${base} is in use: choose another --bmc-base-port`);
      expect(startFailure(Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), { code: 'EADDRINUSE' }), [])).toMatch(/HTTP port is in use .*--port N/);
    } finally {
      await first.stop();
    }
  });

  it('pool import and host add take passwords from files or the environment only, and say what is missing', async () => {
    const noPassword = await cli(['pool', 'import', 'pool-1', '--bmc-range', '127.0.0.1:1-2', '--bmc-user', 'admin', '--url', 'http://127.0.0.1:9']);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/no BMC password \(--bmc-password-file FILE or --bmc-password-env\)/);
    const onArgv = await cli(['pool', 'import', 'pool-1', '--bmc-range', '127.0.0.1:1-2', '--bmc-user', 'admin', '-P', 'secret']);
    expect(onArgv.stderr).toMatch(/unknown option -P/);
    const envUnset = await cli(['host', 'add', 'h1', '--bmc', '[fd00::7]:623', '--bmc-user', 'admin', '--bmc-password-env'], { IPMI_PASSWORD: '' });
    expect(envUnset.stderr).toMatch(/\$IPMI_PASSWORD is not set/);
    const help = await cli(['pool', 'import', '--help']);
    expect(help.stdout).toMatch(/^usage: lowpower pool import POOL --xapi URL -U USER \(-f FILE \| -E\) --bmc-range RANGE --bmc-user USER/);
  }, 60_000);
});
