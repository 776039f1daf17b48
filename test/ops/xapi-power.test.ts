/**
 * A host without a usable BMC, on the local runner: its power goes through XAPI alone. With its
 * BMC silent the whole time, the night still puts it to sleep (clean host.shutdown, the off read
 * from XAPI's `live` and marked inferred) and the morning wakes it (host.power_on, which the pool
 * carries out with the host's power_on_mode); a power cycle is refused; a pool with power-on
 * disabled for the host gives a wake that names why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { freePort } from '../support/peers.ts';
import { requestHostPower, requestPoolSleep, requestPoolWake, runHostPower, runOperation } from '../../lib/ops/index.ts';
import { rebindHost } from '../../lib/ops/bind-host.ts';
import { XapiClient } from '../../lib/xen/client.ts';
import { FileSecrets } from '../../lib/store/index.ts';
import { join } from 'node:path';

let runner: LocalRunner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

const who = { actor: 'tester', source: 'api' as const, reason: 'xapi power test' };
let seq = 0;
let droppedBefore = 0;
const key = (): string => `xp-${++seq}-${Date.now()}`;

/** A runner whose host-005 has no usable BMC: its BMC never answers, its power goes through XAPI. */
async function start(): Promise<LocalRunner> {
  const r = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => undefined, migrateMsPerGiB: 1, sampleSchedule: false, sweepEveryMs: 3_600_000, notifier: async () => undefined });
  runner = r;
  r.ops.pollMs = 50;
  r.fleet.byName('host-005')!.silent = true;
  const h = (await r.store.getHost(r.poolId, 'host-005'))!;
  await r.store.updateHost(r.poolId, 'host-005', h.version, { bmcProtocol: 'xapi' });
  const bound = await rebindHost(r.ops, r.poolId, 'host-005', { ...who, source: 'cli' });
  expect(bound.binding).toMatchObject({ state: 'bound', bmc: { protocol: 'xapi' } });
  // The runner's first sensor poll may still be asking the BMC: count from when it has settled.
  await new Promise((res) => setTimeout(res, 3000));
  droppedBefore = r.fleet.byName('host-005')!.dropped;
  return r;
}

describe('power through XAPI for a host without a usable BMC', () => {
  it('sleeps by host.shutdown and wakes by host.power_on, never asking the silent BMC', async () => {
    const r = await start();
    const s = await requestPoolSleep(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
    expect(await runOperation(r.ops, s.operationId as string)).toBe('succeeded');
    expect(r.fleet.byName('host-005')!.host.powerOn).toBe(false);
    const slept = (await r.store.getHost(r.poolId, 'host-005'))!;
    expect(slept).toMatchObject({ sleepState: 'asleep', power: 'off', powerSource: 'xapi' });
    // The hosts beside it with a BMC keep their own protocol as the source of their power state.
    const beside = await Promise.all(['host-004', 'host-006'].map(async (h) => (await r.store.getHost(r.poolId, h))!));
    expect(beside.map((h) => [h.hostId, h.bmcProtocol, h.power, h.powerSource])).toEqual([
      ['host-004', 'redfish', 'off', 'redfish'],
      ['host-006', 'redfish', 'off', 'redfish'],
    ]);
    const status = await r.ops.driver.status(slept);
    expect(status).toMatchObject({ power: 'off', source: 'xapi', inferred: true });

    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
    expect(await runOperation(r.ops, w.operationId as string)).toBe('succeeded');
    expect(r.fleet.byName('host-005')!.host.powerOn).toBe(true);
    expect(r.xapi.state.hostMetrics('host-005').live).toBe(true);
    expect(r.xapi.state.host('host-005').enabled).toBe(true);
    // The BMC was silent throughout: nothing it was asked was answered, and nothing was needed.
    expect(r.fleet.byName('host-005')!.dropped).toBe(droppedBefore);
    expect((r.xapi.calls['Async.host.power_on'] ?? 0) + (r.xapi.calls['host.power_on'] ?? 0)).toBe(1);
  }, 90_000);

  it('a cycle needs a BMC: refused with why; the pool with power-on disabled makes the wake fail naming it', async () => {
    const r = await start();
    const s = await requestPoolSleep(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
    expect(await runOperation(r.ops, s.operationId as string)).toBe('succeeded');
    // The pool's own way in is switched off: XAPI refuses host.power_on.
    const c = new XapiClient({ url: r.xapi.url, user: 'root', password: await new FileSecrets(join(r.stateDir, 'secrets')).get('xapi') });
    const ref = (await c.call<string[]>('host.get_by_name_label', 'host-005'))[0];
    await c.call('host.set_power_on_mode', ref, '', {});
    await c.close();
    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key(), hostIds: ['host-005'] });
    await runOperation(r.ops, w.operationId as string);
    const op = await r.store.getOperation(w.operationId as string);
    const failed = op?.steps.filter((st) => st.hostId === 'host-005' && st.state === 'failed') ?? [];
    expect(failed.map((st) => st.error).join(' ')).toMatch(/the power-on was refused: .*HOST_POWER_ON_MODE_DISABLED/);

    const cycle = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-001'], action: 'on', idempotencyKey: key() });
    expect(await runHostPower(r.ops, cycle.operationId)).toBe('succeeded');
    await expect(r.ops.driver.sendOnce((await r.store.getHost(r.poolId, 'host-005'))!, 'cycle')).rejects.toThrow(/a power cycle needs a BMC/);
    // Asked for as an operation, alone or beside a host with a BMC, it is refused at once and nothing is written.
    const shutdowns = (r.xapi.calls['Async.host.shutdown'] ?? 0) + (r.xapi.calls['host.shutdown'] ?? 0);
    for (const hostIds of [['host-005'], ['host-001', 'host-005']]) {
      await expect(requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds, action: 'cycle', idempotencyKey: key() })).rejects.toThrow(/a power cycle needs a BMC, and host-005 has none/);
    }
    for (const h of ['host-001', 'host-005']) expect((await r.store.getHost(r.poolId, h))?.lockOperationId).toBeUndefined();
    // Its BMC fields cannot be changed: its secret is the pool's XAPI password, which stays as it was.
    const xapiPassword = await new FileSecrets(join(r.stateDir, 'secrets')).get('xapi');
    const res = await fetch(`${r.url}/v1/hosts/host-005`, { method: 'PATCH', body: JSON.stringify({ bmcPassword: 'not-the-pool-password' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'no_bmc', field: 'bmcPassword', message: expect.stringMatching(/host-005 has no BMC .*PATCH \/v1\/pools\//) } });
    expect(await new FileSecrets(join(r.stateDir, 'secrets')).get('xapi')).toBe(xapiPassword);
    expect((r.xapi.calls['Async.host.shutdown'] ?? 0) + (r.xapi.calls['host.shutdown'] ?? 0)).toBe(shutdowns);
  }, 90_000);
});
