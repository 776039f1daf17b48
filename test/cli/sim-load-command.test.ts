/**
 * `lowpower sim load` against the local runner's HTTP server with its real `/v1/sim/load` route
 * over a simulated pool: a push reaches the pool's load model, a reset goes back to it, bad flags
 * are usage errors that send nothing, a viewer key is refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHttpServer } from '../../lib/local/http-server.ts';
import { loadOrCreateApiKeys, type ApiKeys } from '../../lib/local/api-keys.ts';
import { simLoadRoutes } from '../../lib/local/sim-load.ts';
import type { ApiContext } from '../../lib/api/types.ts';
import { runSimLoadCommand } from '../../lib/cli/sim-load-command.ts';
import { GiB } from '../../lib/sim/xen/index.ts';
import { smallPool, type SmallPool } from '../xen/support.ts';
import { capture } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'lowpower-sim-load-'));
let server: Server;
let url = '';
let keys: ApiKeys;
let pool: SmallPool;
const logged: string[] = [];
const tokenFile = (name: string, token: string): string => {
  const f = join(dir, name);
  writeFileSync(f, token);
  return f;
};

beforeAll(async () => {
  pool = await smallPool([
    { name: 'web', memoryBytes: 4 * GiB, vcpus: 2, host: 'h1' },
    { name: 'db', memoryBytes: 8 * GiB, vcpus: 4, host: 'h2' },
  ]);
  keys = await loadOrCreateApiKeys(join(dir, 'api-keys.json'));
  server = await startHttpServer({ routes: simLoadRoutes(pool.sim), log: (l: string) => logged.push(l) } as unknown as ApiContext, 0, { keys, anonymousRole: null });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  vi.stubEnv('LOWPOWER_TOKEN', '');
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await pool.sim.stop();
});

const uuidOf = (name: string): string => pool.sim.state.guests().find((v) => v.name_label === name)!.uuid;
const admin = () => ['--url', url, '--token-file', tokenFile('admin', keys.byRole.admin)];

describe('lowpower sim load', () => {
  it('pushes one VM to a load (CPU and memory) that the model then serves; --reset goes back', async () => {
    const r = await capture(() => runSimLoadCommand(['--vm', 'db', '--cpu', '95', '--memory', '70', ...admin()]));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('1 VM at 95% CPU, 70% memory: db\n');
    expect(pool.sim.loadModel.pushAt(uuidOf('db'), Date.now())).toMatchObject({ cpuPercent: 95, memoryPercent: 70 });
    expect(pool.sim.loadModel.pushAt(uuidOf('web'), Date.now())).toBeUndefined();
    const all = await capture(() => runSimLoadCommand(['--vm', 'all', '--cpu', '10', '--json', ...admin()]));
    expect(JSON.parse(all.out)).toEqual({ vms: ['db', 'web'], cpuPercent: 10 });
    const reset = await capture(() => runSimLoadCommand(['--reset', ...admin()]));
    expect(reset.code, reset.err).toBe(0);
    expect(reset.out).toMatch(/day\/night model/);
    expect(pool.sim.loadModel.pushAt(uuidOf('db'), Date.now() + 1)).toBeUndefined();
  });

  it('bad flags are usage errors (exit 2) and send nothing; an unknown VM is a 404 that changes nothing', async () => {
    const before = logged.length;
    for (const args of [['--vm', 'db'], ['--cpu', '50'], ['--vm', 'db', '--cpu', '101'], ['--vm', 'db', '--cpu', 'lots'], ['--reset', '--vm', 'db'], ['--vm', 'db', '--cpu', '5', '--memory', '-1']]) {
      const r = await capture(() => runSimLoadCommand([...args, ...admin()]));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/usage: lowpower sim load/);
    }
    expect(logged.length).toBe(before);
    const unknown = await capture(() => runSimLoadCommand(['--vm', 'nope', '--cpu', '50', ...admin()]));
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/404.*no VM named "nope"/);
    expect(pool.sim.loadModel.pushAt(uuidOf('db'), Date.now())).toBeUndefined();
  });

  it('a viewer key is refused (403) and the load stays as it was', async () => {
    const r = await capture(() => runSimLoadCommand(['--vm', 'db', '--cpu', '99', '--url', url, '--token-file', tokenFile('viewer', keys.byRole.viewer)]));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/403/);
    expect(r.err).not.toContain(keys.byRole.viewer);
    expect(pool.sim.loadModel.pushAt(uuidOf('db'), Date.now())).toBeUndefined();
  });
});
