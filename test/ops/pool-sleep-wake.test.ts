/**
 * Night consolidation end to end, on real parts: dynalite, six simulated BMCs over UDP, the
 * simulated XAPI pool (each host's life tied to its BMC's chassis), our XAPI client, the planner.
 * Sleep empties and powers off what the rules allow; wake brings it all back enabled; every VM
 * keeps running throughout; and a worker killed after any step leaves a pool that the next run
 * brings to a safe end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { freePort } from '../support/peers.ts';
import { createStore, FileSecrets, type Store } from '../../lib/store/index.ts';
import { startSimFleet, type SimFleet } from '../../lib/sim/ipmi/fleet.ts';
import { startXapiSim, demoPool, type HostPowerLink, type XapiSim } from '../../lib/sim/xen/index.ts';
import { XapiHypervisor, type Hypervisor } from '../../lib/xen/index.ts';
import { requestCancel, requestHostPower, requestPoolSleep, requestPoolWake, runHostPower, runOperation, sweep, xenPowerGuard, type PoolOpsDeps } from '../../lib/ops/index.ts';
import { IpmiPowerDriver } from '../../lib/drivers/index.ts';
import { rebindHost } from '../../lib/ops/bind-host.ts';
import { simIdentityFor } from '../../lib/sim/ipmi/identity.ts';

const POOL = 'pool-night';
let db: DynamoFixture;
let store: Store;
let fleet: SimFleet;
let xapi: XapiSim;
let hv: Hypervisor;
let driver: IpmiPowerDriver;
let deps: PoolOpsDeps;
let seq = 0;
const original = new Map<string, string>();

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-night-')));
  await secrets.put('bmc', 'night-bmc-pw');
  await secrets.put('xapi', 'night-xapi-pw');
  fleet = await startSimFleet({ count: 6, basePort: (await freePort()) - 3, password: 'night-bmc-pw', timings: 'fast' });
  const links = new Map<string, HostPowerLink>(fleet.bmcs.map((b) => [b.name, b.state.host]));
  const serialOf = (n: string) => ({ serial: simIdentityFor(n).productSerial, boardSerial: simIdentityFor(n).boardSerial });
  xapi = await startXapiSim({ ...demoPool(links, { user: 'root', password: 'night-xapi-pw' }, { serialOf }), migrateMsPerGiB: 1, agentStartMs: 100 });
  for (const vm of xapi.state.guests()) original.set(vm.name_label, xapi.state.vmHost(vm.name_label) as string);
  await store.createPool({
    poolId: POOL,
    xapiUrl: xapi.url,
    xapiUser: 'root',
    secretRef: 'xapi',
    policy: { headroomPercent: 10, neverSleep: ['host-002'], wakeGroupSize: 2, wakeStaggerMs: 50 },
  });
  for (const b of fleet.bmcs) {
    await store.createHost({ poolId: POOL, hostId: b.name, bmcAddress: '127.0.0.1', bmcPort: b.port, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'on', sleepState: 'awake' });
  }
  driver = new IpmiPowerDriver(secrets, { timeoutMs: 1000, retries: 2 });
  hv = XapiHypervisor.connect({ url: xapi.url, user: 'root', password: 'night-xapi-pw', taskPollMs: 20 });
  const hypervisorFor = async () => hv;
  deps = { store, driver, hypervisorFor, guard: xenPowerGuard(store, hypervisorFor), confirmMs: 5000, downTimeoutMs: 10_000, liveTimeoutMs: 10_000, pollMs: 50 };
  // Each BMC's FRU serials against XAPI's bios_strings: the simulated pool binds.
  for (const b of fleet.bmcs) expect((await rebindHost(deps, POOL, b.name, { actor: 'tester', source: 'api', reason: 'test setup' })).binding?.state).toBe('bound');
}, 60_000);

afterAll(async () => {
  await driver?.close();
  await hv?.close();
  await xapi?.stop();
  await fleet?.stop();
  await db?.stop();
});

const request = { reason: 'test night', actor: 'tester', source: 'api' as const };

/** Every guest VM is running on a live host: the one thing a night must never break. */
function vmsSafe(): string[] {
  const bad: string[] = [];
  for (const vm of xapi.state.guests()) {
    const host = xapi.state.vmHost(vm.name_label);
    if (vm.power_state !== 'Running') bad.push(`${vm.name_label} is ${vm.power_state}`);
    else if (!host || !xapi.state.hostMetrics(host).live) bad.push(`${vm.name_label} on ${host ?? 'nothing'}, not live`);
  }
  return bad;
}

/** Safe end state: no host disabled while live (no operation is open), no VM on a host that is off. */
async function poolSafe(): Promise<string[]> {
  const bad = vmsSafe();
  for (const b of fleet.bmcs) {
    const live = xapi.state.hostMetrics(b.name).live;
    if (live && !xapi.state.host(b.name).enabled) bad.push(`${b.name} is live but disabled`);
    if (!b.state.host.powerOn && xapi.state.residentGuests(b.name).length) bad.push(`${b.name} is off with VMs`);
    const h = await store.getHost(POOL, b.name);
    if (h?.lockOperationId && (h.lockExpiresAt ?? 0) > Date.now()) {
      const op = await store.getOperation(h.lockOperationId);
      if (op?.state === 'succeeded' || op?.state === 'failed') bad.push(`${b.name} still locked by a finished operation`);
    }
  }
  return bad;
}

/** Watch the pool while work runs: any moment with a VM not running on a live host is recorded. */
function watch(): { stop(): string[] } {
  const seen: string[] = [];
  const t = setInterval(() => seen.push(...vmsSafe()), 20);
  return {
    stop() {
      clearInterval(t);
      return [...new Set(seen)];
    },
  };
}

async function sleepPool() {
  const r = await requestPoolSleep(deps, { ...request, poolId: POOL, idempotencyKey: `s-${++seq}` });
  return r;
}

async function wakePool(): Promise<void> {
  const r = await requestPoolWake(deps, { ...request, poolId: POOL, idempotencyKey: `w-${++seq}` });
  if (r.operationId) expect(await runOperation(deps, r.operationId)).toBe('succeeded');
}

/** Put every VM back where the demo pool started, so every round has migrations to make. */
async function spreadBack(): Promise<void> {
  for (const [vm, host] of original) if (xapi.state.vmHost(vm) !== host) await hv.migrateVm(vm, host);
}

describe('pool sleep and wake', () => {
  it('the plan keeps the master, the host with a local-storage VM and the never-sleep host on, each with its reason; a dry run changes nothing', async () => {
    const before = { ...xapi.calls };
    const r = await requestPoolSleep(deps, { ...request, poolId: POOL, idempotencyKey: `d-${++seq}`, dryRun: true });
    expect(r.operationId).toBeUndefined();
    const why = Object.fromEntries(r.plan.keep.map((k) => [k.hostId, k.reason]));
    expect(why['host-001']).toMatch(/master/);
    expect(why['host-002']).toMatch(/never-sleep/);
    expect(why['host-003']).toMatch(/vm-13.*local storage/);
    expect(r.plan.sleep.sort()).toEqual(['host-004', 'host-005', 'host-006']);
    expect(r.plan.hostsOn).toBeLessThanOrEqual(r.plan.lowerBound + 1);
    for (const m of ['host.disable', 'Async.VM.pool_migrate', 'VM.pool_migrate', 'host.shutdown', 'Async.host.shutdown']) expect(xapi.calls[m] ?? 0).toBe(before[m] ?? 0);
  });

  it('sleep empties and powers off the hosts the rules allow; wake brings them back enabled; every VM runs throughout', async () => {
    const w = watch();
    const r = await sleepPool();
    expect(r.operationId).toBeDefined();
    expect(await runOperation(deps, r.operationId as string)).toBe('succeeded');
    for (const h of r.plan.sleep) {
      const bmc = fleet.bmcs.find((b) => b.name === h)!;
      expect(bmc.state.host.powerOn, h).toBe(false);
      expect(xapi.state.hostMetrics(h).live, h).toBe(false);
      expect((await store.getHost(POOL, h))?.sleepState).toBe('asleep');
    }
    const op = await store.getOperation(r.operationId as string);
    expect((op?.result as { wattsSwitchedOff: number }).wattsSwitchedOff).toBeGreaterThan(0);
    await wakePool();
    expect(w.stop()).toEqual([]);
    for (const b of fleet.bmcs) {
      expect(xapi.state.hostMetrics(b.name).live, b.name).toBe(true);
      expect(xapi.state.host(b.name).enabled, b.name).toBe(true);
      const h = await store.getHost(POOL, b.name);
      expect(h?.sleepState).toBe('awake');
    }
    const woken = await store.getHost(POOL, r.plan.sleep[0]);
    expect(woken?.wakeLeadsMs?.length).toBe(1);
    const energy = await store.listEnergy(POOL);
    expect(energy.map((e) => e.hostId).sort()).toEqual([...r.plan.sleep].sort());
    expect(await poolSafe()).toEqual([]);
  }, 60_000);

  it('a wake holds only the hosts it wakes: a person\'s operation on a host that is on does not stop the morning', async () => {
    const slept = await sleepPool();
    expect(await runOperation(deps, slept.operationId as string)).toBe('succeeded');
    expect(slept.plan.sleep.length).toBeGreaterThan(0);
    // A person's operation on host-002 (on all night), requested and not yet run: it holds host-002.
    const person = await requestHostPower(deps, { ...request, poolId: POOL, hostIds: ['host-002'], action: 'on', idempotencyKey: `p-${++seq}` });
    const wake = await requestPoolWake(deps, { ...request, poolId: POOL, idempotencyKey: `w-${++seq}` });
    expect(wake.created).toBe(true);
    expect((await store.getOperation(wake.operationId as string))?.hostIds?.sort()).toEqual([...slept.plan.sleep].sort());
    expect(await runOperation(deps, wake.operationId as string)).toBe('succeeded');
    for (const h of slept.plan.sleep) expect(fleet.bmcs.find((b) => b.name === h)?.state.host.powerOn, h).toBe(true);
    expect(await runHostPower(deps, person.operationId)).toBe('succeeded');
    expect(await poolSafe()).toEqual([]);
  });

  it('a wake cancelled after its first power-on: that host is not left recorded asleep; the sweeper enables it and records it awake once live', async () => {
    const slept = await sleepPool();
    expect(await runOperation(deps, slept.operationId as string)).toBe('succeeded');
    const wake = await requestPoolWake(deps, { ...request, poolId: POOL, idempotencyKey: `w-${++seq}` });
    const killed = new Error('worker killed after the first power-on');
    let first: string | undefined;
    const dying = { ...deps, afterStep: (st: { name: string; state: string; hostId?: string }) => { if (st.name === 'power-on' && st.state === 'done' && !first) { first = st.hostId; throw killed; } } };
    await expect(runOperation(dying, wake.operationId as string)).rejects.toBe(killed);
    await requestCancel(deps, wake.operationId as string, 'tester', 'not this morning after all');
    await runOperation(deps, wake.operationId as string);
    expect((await store.getOperation(wake.operationId as string))?.state).toBe('cancelled');
    const h = await store.getHost(POOL, first as string);
    expect(h?.sleepState).toBe('asleep');
    expect(h?.awaitingEnable?.operationId).toBe(wake.operationId);
    for (let i = 0; i < 100 && !xapi.state.hostMetrics(first as string).live; i++) await new Promise((r) => setTimeout(r, 50));
    const swept = await sweep({ ...deps, launch: async () => undefined });
    expect(swept.enabled).toContain(first);
    expect(await store.getHost(POOL, first as string)).toMatchObject({ sleepState: 'awake', xenState: 'enabled' });
    expect(xapi.state.host(first as string).enabled).toBe(true);
    // The rest of the pool, still asleep, wakes as any morning.
    await wakePool();
    expect(await poolSafe()).toEqual([]);
  });

  it("a late-wake check that read the wake just before a host's enable ended leaves no alert for that host", async () => {
    const slept = await sleepPool();
    expect(await runOperation(deps, slept.operationId as string)).toBe('succeeded');
    const readyBy = Date.now() + 60_000;
    const wake = await requestPoolWake(deps, { ...request, poolId: POOL, idempotencyKey: `w-${++seq}`, readyBy: new Date(readyBy).toISOString() });
    const id = wake.operationId as string;
    expect(await runOperation(deps, id)).toBe('succeeded');
    // What a sweeper read a moment before the first host's enable was recorded done: the host is
    // already awake and enabled (and its alert closed, none being open), its step still running.
    const op = await store.getOperation(id);
    const i = op!.steps.findIndex((st) => st.name === 'enable');
    const host = op!.steps[i].hostId as string;
    expect(await store.getHost(POOL, host)).toMatchObject({ sleepState: 'awake', xenState: 'enabled' });
    await store.updateStep(id, i, op!.steps[i].version, { state: 'running' });
    const running = await store.updateOperation(id, op!.version, { state: 'running', leaseExpiresAt: readyBy + 3_600_000 });
    try {
      const swept = await sweep({ ...deps, launch: async () => undefined, now: () => readyBy + 1 });
      expect(swept.lateAlerts).not.toContain(host);
      expect((await store.listAlerts(POOL, { open: true })).filter((a) => a.kind === 'wake-late' && a.hostId === host)).toEqual([]);
    } finally {
      await store.updateOperation(id, running.version, { state: 'succeeded' });
    }
    expect(await poolSafe()).toEqual([]);
  });

  it('a key reused with another body is refused, and the hosts locked for it are let go at once', async () => {
    const key = `r-${++seq}`;
    const first = await requestPoolSleep(deps, { ...request, poolId: POOL, idempotencyKey: key });
    expect(await runOperation(deps, first.operationId as string)).toBe('succeeded');
    await wakePool();
    await expect(requestPoolSleep(deps, { ...request, reason: 'another body', poolId: POOL, idempotencyKey: key })).rejects.toThrow(/reused|another/i);
    for (const b of fleet.bmcs) expect((await store.getHost(POOL, b.name))?.lockOperationId, b.name).toBeUndefined();
    const next = await sleepPool();
    expect(next.operationId).toBeDefined();
    expect(await runOperation(deps, next.operationId as string)).toBe('succeeded');
    await wakePool();
    expect(await poolSafe()).toEqual([]);
  }, 60_000);

  it('a worker killed after each step of a sleep: the next run always ends in a safe state, VMs never stop', async () => {
    let points = Infinity;
    for (let crashAfter = 0; crashAfter < points; crashAfter++) {
      await spreadBack();
      const w = watch();
      const r = await sleepPool();
      const op = await store.getOperation(r.operationId as string);
      points = Math.min(points, (op?.steps.length ?? 1) - 1);
      let done = 0;
      const crash = new Error('worker killed');
      await expect(runOperation({ ...deps, workerId: `a${crashAfter}`, afterStep: () => { if (done++ === crashAfter) throw crash; } }, r.operationId as string)).rejects.toBe(crash);
      expect(vmsSafe(), `right after the crash at step ${crashAfter}`).toEqual([]);
      expect(await runOperation({ ...deps, workerId: `b${crashAfter}`, now: () => Date.now() + 180_000 }, r.operationId as string)).toBe('succeeded');
      expect(await poolSafe(), `crash after step ${crashAfter}`).toEqual([]);
      await wakePool();
      expect(w.stop(), `crash after step ${crashAfter}`).toEqual([]);
    }
    expect(points).toBeGreaterThan(10);
  }, 300_000);

  it('a worker killed after each step of a wake: the next run brings every host back enabled', async () => {
    let points = Infinity;
    for (let crashAfter = 0; crashAfter < points; crashAfter++) {
      const s = await sleepPool();
      expect(await runOperation(deps, s.operationId as string)).toBe('succeeded');
      const r = await requestPoolWake(deps, { ...request, poolId: POOL, idempotencyKey: `w-${++seq}` });
      const op = await store.getOperation(r.operationId as string);
      points = Math.min(points, (op?.steps.length ?? 1) - 1);
      let done = 0;
      const crash = new Error('worker killed');
      await expect(runOperation({ ...deps, workerId: `c${crashAfter}`, afterStep: () => { if (done++ === crashAfter) throw crash; } }, r.operationId as string)).rejects.toBe(crash);
      expect(await runOperation({ ...deps, workerId: `d${crashAfter}`, now: () => Date.now() + 180_000 }, r.operationId as string)).toBe('succeeded');
      for (const b of fleet.bmcs) {
        expect(xapi.state.hostMetrics(b.name).live, `${b.name}, crash after step ${crashAfter}`).toBe(true);
        expect(xapi.state.host(b.name).enabled, `${b.name}, crash after step ${crashAfter}`).toBe(true);
      }
      expect(await poolSafe()).toEqual([]);
    }
    expect(points).toBeGreaterThan(8);
  }, 300_000);

  it('the power-cut guard: a host with VMs or the master is refused at once; nothing is written', async () => {
    const { requestHostPower, PowerRefusedError } = await import('../../lib/ops/index.ts');
    const ask = (hostId: string) => requestHostPower(deps, { ...request, poolId: POOL, hostIds: [hostId], action: 'off', idempotencyKey: `g-${++seq}` });
    await expect(ask('host-001')).rejects.toThrow(/host-001 is the pool master/);
    const err = await ask('host-003').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PowerRefusedError);
    expect((err as Error).message).toMatch(/host-003 runs \d+ VM\(s\)/);
    expect((await store.getHost(POOL, 'host-003'))?.lockOperationId).toBeUndefined();
    expect(fleet.bmcs[2].state.host.powerOn).toBe(true);
  });
});
