/**
 * `lowpower pool plan` prints the plan the API gives: when nothing can sleep it says so once, then
 * the planner's reason (the plan's `why` is the reason alone). The plan here is the planner's own,
 * served by a loopback API on a real socket, read by the command as it reads a deployment's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPlan, runPoolCommand } from '../../lib/cli/pool-command.ts';
import { planSleep, type SleepPlan } from '../../lib/planner/index.ts';
import { capture } from './capture.ts';

const GiB = 1024 ** 3;
const host = (id: string, isMaster = false) => ({ id, memoryBytes: 64 * GiB, cpus: 16, state: 'on' as const, isMaster });
const vm = (id: string, hostId: string) => ({ id, hostId, memoryBytes: 20 * GiB, vcpus: 2 });
// Two hosts, HA 1: the master holds every VM, but nothing would be left if it failed.
const nothing: SleepPlan = planSleep([host('a', true), host('b')], [vm('v1', 'a'), vm('v2', 'b')], { haFailuresToTolerate: 1, headroomPercent: 0, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 2 });

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === '/v1/pools/p1/plan' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/v1/pools/p1/plan' ? { plan: nothing } : { error: { code: 'not_found', message: 'no route' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('lowpower pool plan when nothing can sleep', () => {
  it('says "nothing can sleep" once, then the reason', async () => {
    expect(nothing.sleep).toEqual([]);
    const r = await capture(() => runPoolCommand(['plan', 'p1', '--url', base]));
    expect(r.code).toBe(0);
    const first = r.out.split('\n')[0];
    expect(first).toBe(`nothing can sleep: ${nothing.why}`);
    expect(first).toMatch(/^nothing can sleep: of 2 hosts on, 1 must stay on \(pool master\); 1 is needed as HA spare/);
    expect(r.out.match(/nothing can sleep/gi)).toHaveLength(1);
    expect(formatPlan({ ...nothing, why: undefined }).split('\n')[0]).toBe('nothing can sleep');
  });
});
