/**
 * Durable host power operations on a real DynamoDB-API server (dynalite) against simulated BMCs:
 * one operation per busy host, crash-and-resume between every pair of steps without a second
 * power command, and every step in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { createStore, FileSecrets, HostBusyError, type Store } from '../../lib/store/index.ts';
import { IpmiPowerDriver, OperationBusyError, requestHostPower, runHostPower, type OpsDeps } from '../../lib/ops/index.ts';
import { startSim } from '../ipmi/sim/sim-support.ts';
import type { SimulatedBmc } from '../../lib/ipmi/sim/server.ts';

let db: DynamoFixture;
let store: Store;
let driver: IpmiPowerDriver;
const sims: SimulatedBmc[] = [];
const POOL = 'pool-a';
let seq = 0;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-ops-secrets-')));
  await secrets.put('bmc-admin', 'ops-password-1');
  driver = new IpmiPowerDriver(secrets, { timeoutMs: 1000, retries: 2 });
  await store.createPool({ poolId: POOL, xapiUrl: 'https://pool-a.invalid', secretRef: 'xapi' });
  for (let i = 0; i < 3; i++) {
    const sim = await startSim({ name: `h${i}`, adminPassword: 'ops-password-1' });
    sims.push(sim);
    await store.createHost({ poolId: POOL, hostId: `h${i}`, bmcAddress: '127.0.0.1', bmcPort: sim.port, bmcUser: 'admin', secretRef: 'bmc-admin', cipherSuite: 17, power: 'unknown' });
  }
});
afterAll(async () => {
  await driver?.close();
  await Promise.all(sims.map((s) => s.stop()));
  await db?.stop();
});

const deps = (extra: Partial<OpsDeps> = {}): OpsDeps => ({ store, driver, confirmMs: 3000, ...extra });
const request = (hostIds: string[], action: 'on' | 'off', key = `k-${++seq}`) =>
  requestHostPower(deps(), { poolId: POOL, hostIds, action, reason: 'test', actor: 'tester', source: 'api', idempotencyKey: key });

describe('host power operations', () => {
  it('powers hosts off, confirms, records power and writes the audit', async () => {
    for (const s of sims) s.state.host.control('on');
    const { operationId } = await request(['h0', 'h1', 'h2'], 'off');
    expect(await runHostPower(deps(), operationId)).toBe('succeeded');
    for (const s of sims) expect(s.state.host.powerOn).toBe(false);
    const host = await store.getHost(POOL, 'h1');
    expect(host?.power).toBe('off');
    const op = await store.getOperation(operationId);
    expect(op?.state).toBe('succeeded');
    expect(op?.result).toMatchObject({ hosts: [{ hostId: 'h0', result: 'done' }, { hostId: 'h1', result: 'done' }, { hostId: 'h2', result: 'done' }] });
    const audit = await store.listAudit(new Date().toISOString().slice(0, 10));
    expect(audit.filter((a) => a.operationId === operationId).map((a) => a.action)).toEqual(['power off requested', 'power off', 'power off', 'power off']);
  });

  it('a host already in the state is skipped, with the reason, and gets no command', async () => {
    const offs = sims[0].state.host.controlCounts.off;
    const { operationId } = await request(['h0'], 'off');
    expect(await runHostPower(deps(), operationId)).toBe('succeeded');
    expect(sims[0].state.host.controlCounts.off).toBe(offs);
    expect((await store.getOperation(operationId))?.result).toMatchObject({ hosts: [{ hostId: 'h0', result: 'skipped', detail: 'already off' }] });
  });

  it('50 concurrent power-off requests for one host: one operation, 49 busy answers naming it', async () => {
    sims[2].state.host.control('on');
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => request(['h2'], 'off')));
    const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ operationId: string }>[];
    const busy = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(won).toHaveLength(1);
    expect(busy).toHaveLength(49);
    for (const e of busy) {
      expect(e).toBeInstanceOf(HostBusyError);
      expect((e as HostBusyError).operationId).toBe(won[0].value.operationId);
    }
    const offs = sims[2].state.host.controlCounts.off;
    expect(await runHostPower(deps(), won[0].value.operationId)).toBe('succeeded');
    expect(sims[2].state.host.controlCounts.off).toBe(offs + 1);
    // The same request again (same key) is the same operation, not a new one.
    const again = await request(['h2'], 'on', 'same-key');
    const repeat = await request(['h2'], 'on', 'same-key');
    expect(repeat).toEqual({ operationId: again.operationId, created: false });
    await runHostPower(deps(), again.operationId);
  });

  it('killed between every pair of steps of a 3-host power-off: the next run finishes, no second command', async () => {
    const steps = 3 * 3 + 1;
    for (let crashAfter = 0; crashAfter < steps - 1; crashAfter++) {
      for (const s of sims) s.state.host.control('on');
      const before = sims.map((s) => s.state.host.controlCounts.off);
      const { operationId } = await request(['h0', 'h1', 'h2'], 'off');
      let done = 0;
      const crash = new Error('worker killed');
      await expect(
        runHostPower(
          deps({
            afterStep: () => {
              if (done++ === crashAfter) throw crash;
            },
          }),
          operationId,
        ),
      ).rejects.toBe(crash);
      expect(await runHostPower(deps(), operationId)).toBe('succeeded');
      sims.forEach((s, i) => {
        expect(s.state.host.controlCounts.off - before[i], `crash after step ${crashAfter}, host h${i}`).toBe(1);
        expect(s.state.host.powerOn).toBe(false);
      });
      const op = await store.getOperation(operationId);
      expect(op?.steps.every((s) => s.state === 'done')).toBe(true);
    }
  }, 120_000);

  it('killed right after sending, before recording it: the command is not sent again', async () => {
    for (const s of sims) s.state.host.control('on');
    const before = sims.map((s) => s.state.host.controlCounts.off);
    const { operationId } = await request(['h0', 'h1', 'h2'], 'off');
    const killed = new Error('worker killed mid-step');
    const dying = {
      readPower: driver.readPower.bind(driver),
      close: async () => undefined,
      sendOnce: async (...args: Parameters<typeof driver.sendOnce>) => {
        await driver.sendOnce(...args);
        throw killed;
      },
    };
    await expect(runHostPower(deps({ driver: dying }), operationId)).rejects.toBe(killed);
    expect(await runHostPower(deps(), operationId)).toBe('succeeded');
    sims.forEach((s, i) => expect(s.state.host.controlCounts.off - before[i]).toBe(1));
    const op = await store.getOperation(operationId);
    expect(op?.steps.find((s) => s.name === 'command' && s.hostId === 'h0')?.detail).toEqual({ sent: 'unknown (not repeated)' });
  });

  it('a worker lease: a second worker is refused while it holds; a dead worker\'s lease lapses', async () => {
    for (const s of sims) s.state.host.control('on');
    const { operationId } = await request(['h0', 'h1'], 'off');
    const crash = new Error('worker A killed');
    let n = 0;
    await expect(
      runHostPower(deps({ workerId: 'A', operationLeaseMs: 60_000, afterStep: () => { if (n++ === 1) throw crash; } }), operationId),
    ).rejects.toBe(crash);
    await expect(runHostPower(deps({ workerId: 'B' }), operationId)).rejects.toBeInstanceOf(OperationBusyError);
    const later = () => Date.now() + 61_000;
    expect(await runHostPower(deps({ workerId: 'B', now: later }), operationId)).toBe('succeeded');
    expect(sims[0].state.host.powerOn).toBe(false);
    expect(sims[1].state.host.powerOn).toBe(false);
  });

  it('a deadline before a step pauses the run ("resume"); the next run finishes it', async () => {
    for (const s of sims) s.state.host.control('on');
    const { operationId } = await request(['h0', 'h1', 'h2'], 'off');
    const first = await runHostPower(deps({ workerId: 'C' }), operationId, { deadlineAt: Date.now() - 1 });
    expect(first).toBe('resume');
    expect(sims.every((s) => s.state.host.powerOn)).toBe(true);
    expect(await runHostPower(deps({ workerId: 'D' }), operationId)).toBe('succeeded');
    expect(sims.every((s) => !s.state.host.powerOn)).toBe(true);
  });

  it('unknown hosts and missing reasons change nothing', async () => {
    await expect(request(['nope'], 'off')).rejects.toThrow(/host nope is not in pool pool-a/);
    await expect(requestHostPower(deps(), { poolId: POOL, hostIds: ['h0'], action: 'off', reason: ' ', actor: 'a', source: 'api', idempotencyKey: 'x' })).rejects.toThrow(/reason/);
    expect((await store.getHost(POOL, 'h0'))?.lockOperationId).toBeUndefined();
  });
});
