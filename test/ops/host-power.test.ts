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
import { OperationBusyError, requestCancel, requestHostPower, runHostPower, type OpsDeps } from '../../lib/ops/index.ts';
import { IpmiPowerDriver } from '../../lib/drivers/index.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';
import { rebindHost } from '../../lib/ops/bind-host.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';

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
    // No XAPI here to compare serials with: the binding reads the BMC and stays unverified, so an
    // admin trusts it (the path for a BMC whose serial cannot be checked).
    await store.createHost({ poolId: POOL, hostId: `h${i}`, bmcAddress: '127.0.0.1', bmcPort: sim.port, bmcUser: 'admin', secretRef: 'bmc-admin', cipherSuite: 17, power: 'unknown', identity: 'trust' });
    const bound = await rebindHost({ store, driver }, POOL, `h${i}`, { actor: 'tester', source: 'api', reason: 'test setup' });
    expect(bound.binding?.state).toBe('unverified');
    expect(bound.binding?.bmc.productSerial).toBe(`LPSIM-h${i}`);
  }
});
afterAll(async () => {
  await driver?.close();
  await Promise.all(sims.map((s) => s.stop()));
  await db?.stop();
});

const deps = (extra: Partial<OpsDeps> = {}): OpsDeps => ({ store, driver, confirmMs: 3000, ...extra });

/**
 * The test's driver, with the simulated BMC busy (0xC0 to every command, none carried out) exactly
 * while a power command is sent: the reads before and after it are answered.
 */
function busyWhileSending(sim: SimulatedBmc): IpmiPowerDriver {
  return Object.assign(Object.create(Object.getPrototypeOf(driver)) as IpmiPowerDriver, driver, {
    sendOnce: async (h: Parameters<IpmiPowerDriver['sendOnce']>[0], what: Parameters<IpmiPowerDriver['sendOnce']>[1]) => {
      sim.faults.busy = 1;
      try {
        await driver.sendOnce(h, what);
      } finally {
        sim.faults.busy = 0;
      }
    },
  });
}
/** An operation on h0 as it was written before the restart step and the send record existed. */
async function legacyOperation(action: 'off' | 'cycle'): Promise<string> {
  const operationId = `legacy-${++seq}`;
  await store.acquireHostLock(POOL, 'h0', operationId, 60_000, Date.now());
  await store.createOperation({ operationId, poolId: POOL, kind: 'host-power', actor: 'tester', source: 'api', reason: 'test', hostIds: ['h0'], params: { action } }, `k-${++seq}`);
  let index = 0;
  for (const name of ['check', 'disable', 'command', 'confirm', 'reenable', 'release']) await store.createStep(operationId, { index: index++, name, ...(name === 'release' ? {} : { hostId: 'h0' }), state: 'pending' });
  return operationId;
}
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
    const actions = audit.filter((a) => a.operationId === operationId).map((a) => a.action);
    // The request, every step exactly once, and each host's result.
    const steps = ['h0', 'h1', 'h2'].flatMap((h) => [`step check ${h}`, `step disable ${h}`, `step command ${h}`, `step confirm ${h}`, `step reenable ${h}`]);
    expect(actions.filter((a) => a.startsWith('step ')).sort()).toEqual([...steps, 'step release'].sort());
    expect(actions.filter((a) => !a.startsWith('step '))).toEqual(['power off requested', 'power off', 'power off', 'power off']);
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
    const steps = 3 * 5 + 1;
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
      // No hypervisor here: disable and reenable are skipped, every other step is done.
      expect(op?.steps.every((s) => s.state === 'done' || (s.state === 'skipped' && (s.name === 'disable' || s.name === 'reenable')))).toBe(true);
    }
  }, 120_000);

  it('killed right after sending, before recording it: the command is not sent again', async () => {
    for (const s of sims) s.state.host.control('on');
    const before = sims.map((s) => s.state.host.controlCounts.off);
    const { operationId } = await request(['h0', 'h1', 'h2'], 'off');
    const killed = new Error('worker killed mid-step');
    const dying = {
      readPower: driver.readPower.bind(driver),
      status: driver.status.bind(driver),
      sensors: driver.sensors.bind(driver),
      eventLog: driver.eventLog.bind(driver),
      readWatts: driver.readWatts.bind(driver),
      identity: driver.identity.bind(driver),
      guid: driver.guid.bind(driver),
      setRestorePolicy: driver.setRestorePolicy.bind(driver),
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

  it('killed while checking, before sending: the next run checks again and sends the off, once', async () => {
    for (const s of sims) s.state.host.control('on');
    const before = sims.map((s) => s.state.host.controlCounts.off);
    const { operationId } = await request(['h0', 'h1'], 'off');
    const killed = new Error('worker killed in the guard');
    // The worker dies while the guard asks XAPI about h0: nothing was sent to h0.
    const dying = { refuseCut: async (h: { hostId: string }) => { if (h.hostId === 'h0') throw killed; return undefined; } };
    await expect(runHostPower(deps({ guard: dying }), operationId)).rejects.toBe(killed);
    expect(sims[0].state.host.controlCounts.off).toBe(before[0]);
    expect(await runHostPower(deps({ guard: { refuseCut: async () => undefined } }), operationId)).toBe('succeeded');
    expect([0, 1].map((i) => sims[i].state.host.controlCounts.off - before[i])).toEqual([1, 1]);
    expect(sims[0].state.host.powerOn).toBe(false);
    const op = await store.getOperation(operationId);
    expect(op?.steps.find((s) => s.name === 'command' && s.hostId === 'h0')?.detail).toEqual({ sent: true });
  });

  it('a forced off killed after sending: the next run does not send again and keeps what force went past', async () => {
    sims[0].state.host.control('on');
    const before = sims[0].state.host.controlCounts.off;
    const guard = { refuseCut: async () => 'runs 2 VMs: vm-a, vm-b' };
    const { operationId } = await requestHostPower(deps({ guard }), { poolId: POOL, hostIds: ['h0'], action: 'off', force: true, reason: 'hung host', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    const killed = new Error('worker killed mid-step');
    const dying = Object.assign(Object.create(Object.getPrototypeOf(driver)) as IpmiPowerDriver, driver, {
      sendOnce: async (...args: Parameters<IpmiPowerDriver['sendOnce']>) => {
        await driver.sendOnce(...args);
        throw killed;
      },
    });
    await expect(runHostPower(deps({ guard, driver: dying }), operationId)).rejects.toBe(killed);
    expect(await runHostPower(deps({ guard }), operationId)).toBe('succeeded');
    expect(sims[0].state.host.controlCounts.off - before).toBe(1);
    const op = await store.getOperation(operationId);
    expect(op?.steps.find((s) => s.name === 'command')?.detail).toEqual({ sent: 'unknown (not repeated)', forcedPast: 'runs 2 VMs: vm-a, vm-b' });
    const audit = (await store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.operationId === operationId);
    expect(audit.find((a) => a.action === 'power off')).toMatchObject({ forced: true, message: 'now off (forced past: runs 2 VMs: vm-a, vm-b)' });
  });

  it('an off written before sends were recorded, interrupted in its command step, is not sent again', async () => {
    sims[0].state.host.control('on');
    const before = sims[0].state.host.controlCounts.off;
    const operationId = await legacyOperation('off');
    const killed = new Error('worker killed in the guard');
    await expect(runHostPower(deps({ guard: { refuseCut: async () => { throw killed; } } }), operationId)).rejects.toBe(killed);
    // Such a step may have sent its off before the worker died: it is never sent twice.
    expect(await runHostPower(deps({ confirmMs: 300 }), operationId)).toBe('failed');
    expect(sims[0].state.host.controlCounts.off).toBe(before);
    const op = await store.getOperation(operationId);
    expect(op?.steps.find((s) => s.name === 'command')?.detail).toEqual({ sent: 'unknown (not repeated)' });
    sims[0].state.host.control('off');
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

  it('soft off: the OS shuts down and the chassis goes off; no hard command is sent', async () => {
    sims[0].state.host.control('on');
    const before = { ...sims[0].state.host.controlCounts };
    const { operationId } = await requestHostPower(deps(), { poolId: POOL, hostIds: ['h0'], action: 'soft', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}`, softTimeoutMs: 3000 });
    expect(await runHostPower(deps(), operationId)).toBe('succeeded');
    expect(sims[0].state.host.powerOn).toBe(false);
    expect(sims[0].state.host.controlCounts.soft - before.soft).toBe(1);
    expect(sims[0].state.host.controlCounts.off - before.off).toBe(0);
    const op = await store.getOperation(operationId);
    expect(op?.steps.find((s) => s.name === 'escalate')).toMatchObject({ state: 'skipped', detail: { why: 'the soft off finished' } });
  });

  it('soft off that the OS ignores: fails with the reason unless escalation is allowed, then a hard off follows', async () => {
    const stubborn = await startSim({ name: 'stubborn', adminPassword: 'ops-password-1', host: { timings: { postMs: 100, softOffMs: 100, cycleOffMs: 100, thermalTauMs: 1000 }, osRefusesSoftOff: true } });
    try {
      await store.createHost({ poolId: POOL, hostId: 'stubborn', bmcAddress: '127.0.0.1', bmcPort: stubborn.port, bmcUser: 'admin', secretRef: 'bmc-admin', cipherSuite: 17, power: 'unknown', identity: 'trust' });
      await rebindHost({ store, driver }, POOL, 'stubborn', { actor: 'tester', source: 'api', reason: 'test setup' });
      const soft = (escalate: boolean) =>
        requestHostPower(deps(), { poolId: POOL, hostIds: ['stubborn'], action: 'soft', escalate, softTimeoutMs: 600, reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
      const first = await soft(false);
      expect(await runHostPower(deps(), first.operationId)).toBe('failed');
      expect(stubborn.state.host.powerOn).toBe(true);
      expect(stubborn.state.host.controlCounts.off).toBe(0);
      expect((await store.getOperation(first.operationId))?.result).toMatchObject({ hosts: [{ hostId: 'stubborn', result: 'failed', detail: expect.stringMatching(/escalation to a hard off was not allowed/) }] });
      const second = await soft(true);
      expect(await runHostPower(deps(), second.operationId)).toBe('succeeded');
      expect(stubborn.state.host.powerOn).toBe(false);
      expect(stubborn.state.host.controlCounts.off).toBe(1);
      expect((await store.getOperation(second.operationId))?.result).toMatchObject({ hosts: [{ result: 'done', detail: 'now off (hard, after the soft-off wait)' }] });
    } finally {
      await stubborn.stop();
    }
  });

  it('cycle: an on host goes off (confirmed), then on (confirmed), one command each; an off host is refused without a command', async () => {
    const host = sims[1].state.host;
    host.control('on');
    const before = { ...host.controlCounts };
    const seen: boolean[] = [];
    const onEvent = host.onEvent;
    host.onEvent = (e) => {
      onEvent(e);
      if (e.kind === 'power') seen.push(e.on);
    };
    const a = await requestHostPower(deps(), { poolId: POOL, hostIds: ['h1'], action: 'cycle', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    expect(await runHostPower(deps(), a.operationId)).toBe('succeeded');
    host.onEvent = onEvent;
    expect([host.controlCounts.off - before.off, host.controlCounts.on - before.on, host.controlCounts.cycle - before.cycle]).toEqual([1, 1, 0]);
    expect(seen).toEqual([false, true]);
    expect(host.powerOn).toBe(true);
    const op = await store.getOperation(a.operationId);
    expect(op?.steps.filter((st) => st.hostId === 'h1').map((st) => [st.name, st.state, st.detail?.power])).toEqual([
      ['check', 'done', 'on'],
      ['disable', 'skipped', undefined],
      ['command', 'done', undefined],
      ['confirm', 'done', 'off'],
      ['restart', 'done', 'on'],
      ['reenable', 'skipped', undefined],
    ]);
    expect(op?.result).toMatchObject({ hosts: [{ hostId: 'h1', result: 'done', detail: 'now cycled' }] });
    host.control('off');
    const counts = { ...host.controlCounts };
    const b = await requestHostPower(deps(), { poolId: POOL, hostIds: ['h1'], action: 'cycle', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    expect(await runHostPower(deps(), b.operationId)).toBe('failed');
    expect(host.controlCounts).toEqual(counts);
    expect((await store.getOperation(b.operationId))?.result).toMatchObject({ hosts: [{ result: 'failed', detail: expect.stringMatching(/host is off/) }] });
  });

  it('a cycle killed between every pair of steps: the next run finishes it, one off and one on in all, the host on', async () => {
    const host = sims[1].state.host;
    const names = ['check', 'disable', 'command', 'confirm', 'restart', 'reenable'];
    for (let crashAfter = 0; crashAfter < names.length; crashAfter++) {
      host.control('on');
      const before = { ...host.controlCounts };
      const a = await requestHostPower(deps(), { poolId: POOL, hostIds: ['h1'], action: 'cycle', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
      let done = 0;
      const crash = new Error('worker killed');
      await expect(runHostPower(deps({ afterStep: () => { if (done++ === crashAfter) throw crash; } }), a.operationId)).rejects.toBe(crash);
      expect(await runHostPower(deps(), a.operationId)).toBe('succeeded');
      expect([host.controlCounts.off - before.off, host.controlCounts.on - before.on], `crash after ${names[crashAfter]}`).toEqual([1, 1]);
      expect(host.powerOn).toBe(true);
    }
  }, 120_000);

  it('a cycle cancelled once its off is confirmed still switches the host back on', async () => {
    const host = sims[1].state.host;
    host.control('on');
    const before = { ...host.controlCounts };
    const a = await requestHostPower(deps(), { poolId: POOL, hostIds: ['h1'], action: 'cycle', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    const crash = new Error('worker killed');
    await expect(runHostPower(deps({ afterStep: (st) => { if (st.name === 'confirm') throw crash; } }), a.operationId)).rejects.toBe(crash);
    expect(host.powerOn).toBe(false);
    await requestCancel({ store }, a.operationId, 'tester', 'changed my mind');
    await runHostPower(deps(), a.operationId);
    expect([host.controlCounts.off - before.off, host.controlCounts.on - before.on]).toEqual([1, 1]);
    expect(host.powerOn).toBe(true);
    const op = await store.getOperation(a.operationId);
    expect(op?.steps.find((st) => st.name === 'restart')).toMatchObject({ state: 'done', detail: { power: 'on' } });
  });

  it('a cycle whose off the BMC refuses (busy, 0xC0, every time) fails naming the refusal, sends no on and reports no cycle', async () => {
    const sim = sims[1];
    sim.state.host.control('on');
    const before = { ...sim.state.host.controlCounts };
    const busyAtCommand = busyWhileSending(sim);
    const a = await requestHostPower(deps({ driver: busyAtCommand }), { poolId: POOL, hostIds: ['h1'], action: 'cycle', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    expect(await runHostPower(deps({ driver: busyAtCommand }), a.operationId)).toBe('failed');
    expect([sim.state.host.controlCounts.off - before.off, sim.state.host.controlCounts.on - before.on]).toEqual([0, 0]);
    const op = await store.getOperation(a.operationId);
    expect(op?.steps.find((st) => st.hostId === 'h1' && st.name === 'command')).toMatchObject({ state: 'failed', detail: { sent: false, refused: true } });
    expect(op?.steps.find((st) => st.hostId === 'h1' && st.name === 'restart')?.state).toBe('skipped');
    expect(op?.result).toMatchObject({ hosts: [{ result: 'failed', detail: expect.stringMatching(/the BMC refused off: .*0xc0|the BMC refused off: .*busy/i) }] });
  });

  it('an off the BMC refuses fails at once with its answer instead of waiting out the confirm', async () => {
    const sim = sims[2];
    sim.state.host.control('on');
    const offs = sim.state.host.controlCounts.off;
    const busyAtCommand = busyWhileSending(sim);
    const { operationId } = await requestHostPower(deps({ driver: busyAtCommand, confirmMs: 60_000 }), { poolId: POOL, hostIds: ['h2'], action: 'off', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    expect(await runHostPower(deps({ driver: busyAtCommand, confirmMs: 60_000 }), operationId)).toBe('failed');
    expect(sim.state.host.controlCounts.off).toBe(offs);
    expect(sim.state.host.powerOn).toBe(true);
    const op = await store.getOperation(operationId);
    expect(op?.steps.find((st) => st.hostId === 'h2' && st.name === 'confirm')?.state).toBe('skipped');
  }, 20_000);

  it('a cycle written before the restart step existed still sends the chassis cycle it promised', async () => {
    const host = sims[0].state.host;
    host.control('on');
    const before = { ...host.controlCounts };
    const operationId = await legacyOperation('cycle');
    expect(await runHostPower(deps(), operationId)).toBe('succeeded');
    expect([host.controlCounts.off - before.off, host.controlCounts.on - before.on, host.controlCounts.cycle - before.cycle]).toEqual([0, 0, 1]);
  });

  it('the power-cut guard refuses a power-off (audited as refused); force goes past it and is recorded', async () => {
    for (const s of sims) s.state.host.control('on');
    const guard = { refuseCut: async (h: { hostId: string }) => (h.hostId === 'h0' ? 'runs 2 VMs: vm-a, vm-b' : undefined) };
    const offs = sims.map((s) => s.state.host.controlCounts.off);
    const { operationId } = await requestHostPower(deps({ guard }), { poolId: POOL, hostIds: ['h0', 'h1'], action: 'off', reason: 'test', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    expect(await runHostPower(deps({ guard }), operationId)).toBe('failed');
    expect(sims[0].state.host.powerOn).toBe(true);
    expect(sims[1].state.host.powerOn).toBe(false);
    expect(sims[0].state.host.controlCounts.off).toBe(offs[0]);
    const audit = (await store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.operationId === operationId);
    expect(audit.find((a) => a.action === 'step command h0')).toMatchObject({ result: 'refused', message: 'refused: runs 2 VMs: vm-a, vm-b' });
    const forced = await requestHostPower(deps({ guard }), { poolId: POOL, hostIds: ['h0'], action: 'off', force: true, reason: 'hung host, VMs already dead', actor: 'tester', source: 'api', idempotencyKey: `k-${++seq}` });
    expect(await runHostPower(deps({ guard }), forced.operationId)).toBe('succeeded');
    expect(sims[0].state.host.powerOn).toBe(false);
    const forcedAudit = (await store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.operationId === forced.operationId);
    expect(forcedAudit.find((a) => a.action === 'power off')).toMatchObject({ forced: true, result: 'ok', message: 'now off (forced past: runs 2 VMs: vm-a, vm-b)' });
    const forcedOp = await store.getOperation(forced.operationId);
    expect(forcedOp?.steps.find((st) => st.name === 'command')?.detail).toMatchObject({ sent: true, forcedPast: 'runs 2 VMs: vm-a, vm-b' });
  });

  it('a worker killed after saving a step but before auditing it: the next run backfills, each step once', async () => {
    for (const s of sims) s.state.host.control('on');
    const { operationId } = await request(['h0'], 'off');
    const killed = new Error('killed before the audit write');
    const failing = { ...store, appendAudit: async (r: Parameters<Store['appendAudit']>[0]) => { if (r.action === 'step command h0') throw killed; return store.appendAudit(r); } };
    await expect(runHostPower(deps({ store: failing }), operationId)).rejects.toBe(killed);
    expect(await runHostPower(deps(), operationId)).toBe('succeeded');
    const actions = (await store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.operationId === operationId).map((a) => a.action);
    for (const step of ['step check h0', 'step command h0', 'step confirm h0', 'step release']) expect(actions.filter((a) => a === step), step).toHaveLength(1);
  });

  it('unknown hosts and missing reasons change nothing', async () => {
    await expect(request(['nope'], 'off')).rejects.toThrow(/host nope is not in pool pool-a/);
    await expect(requestHostPower(deps(), { poolId: POOL, hostIds: ['h0'], action: 'off', reason: ' ', actor: 'a', source: 'api', idempotencyKey: 'x' })).rejects.toThrow(/reason/);
    expect((await store.getHost(POOL, 'h0'))?.lockOperationId).toBeUndefined();
  });
});
