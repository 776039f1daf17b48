/**
 * The morning rebalance end to end, on real parts: dynalite, six simulated BMCs over UDP, the
 * simulated XAPI pool (its RRD exports per host, its load model), our XAPI client, the planner.
 * `none` leaves the night's placement; `restore` returns every VM whose origin is valid (one made
 * invalid stays, with why); a wake of a pool whose policy says `restore` starts it itself; and
 * `balance` leaves no host more than 15 points of CPU above the pool's mean, measured from the
 * pool's RRD exports over the 10 minutes after the rebalance ends.
 *
 * Time: the simulator runs on a clock the test moves forward (load pushed from a moment on, the
 * minutes after the rebalance); operations run on the same clock, so their waits stay real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynalite, type DynamoFixture } from '../support/dynamo.ts';
import { freePort } from '../support/peers.ts';
import { createStore, FileSecrets, type LoadSampleInput, type Store } from '../../lib/store/index.ts';
import { startSimFleet, type SimFleet } from '../../lib/sim/ipmi/fleet.ts';
import { startXapiSim, demoPool, type HostPowerLink, type XapiSim } from '../../lib/sim/xen/index.ts';
import { XapiHypervisor } from '../../lib/xen/index.ts';
import { readPoolLoad } from '../../lib/xen/pool-load.ts';
import { requestPoolSleep, requestPoolWake, requestRebalance, runOperation, xenPowerGuard, type PoolOpsDeps } from '../../lib/ops/index.ts';
import { IpmiPowerDriver } from '../../lib/drivers/index.ts';
import { noticesAfterOperation } from '../../lib/ops/notifications.ts';
import { noticeText } from '../../lib/ops/notices.ts';
import { rebindHost } from '../../lib/ops/bind-host.ts';
import { lastSleepOrigins } from '../../lib/ops/rebalance-inputs.ts';
import { rebalanceAfterWake } from '../../lib/ops/rebalance.ts';
import { simIdentityFor } from '../../lib/sim/ipmi/identity.ts';

const POOL = 'pool-morning';
const FIVE_MIN = 5 * 60_000;
let db: DynamoFixture;
let store: Store;
let fleet: SimFleet;
let xapi: XapiSim;
let hv: XapiHypervisor;
let driver: IpmiPowerDriver;
let deps: PoolOpsDeps;
let seq = 0;
/** How far the simulated pool's clock (and the operations') runs ahead of the wall clock. */
let ahead = 0;
const clock = { now: (): number => Date.now() + ahead };

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const secrets = new FileSecrets(mkdtempSync(join(tmpdir(), 'lowpower-morning-')));
  await secrets.put('bmc', 'morning-bmc-pw');
  await secrets.put('xapi', 'morning-xapi-pw');
  fleet = await startSimFleet({ count: 6, basePort: (await freePort()) - 3, password: 'morning-bmc-pw', timings: 'fast' });
  const links = new Map<string, HostPowerLink>(fleet.bmcs.map((b) => [b.name, b.state.host]));
  const serialOf = (n: string) => ({ serial: simIdentityFor(n).productSerial, boardSerial: simIdentityFor(n).boardSerial });
  xapi = await startXapiSim({ ...demoPool(links, { user: 'root', password: 'morning-xapi-pw' }, { serialOf }), migrateMsPerGiB: 1, agentStartMs: 100, clock });
  await store.createPool({ poolId: POOL, xapiUrl: xapi.url, xapiUser: 'root', secretRef: 'xapi', policy: { headroomPercent: 10, neverSleep: ['host-002'], wakeGroupSize: 3, wakeStaggerMs: 20 } });
  for (const b of fleet.bmcs) {
    await store.createHost({ poolId: POOL, hostId: b.name, bmcAddress: '127.0.0.1', bmcPort: b.port, bmcUser: 'admin', secretRef: 'bmc', cipherSuite: 17, power: 'on', sleepState: 'awake' });
  }
  driver = new IpmiPowerDriver(secrets, { timeoutMs: 1000, retries: 2 });
  hv = XapiHypervisor.connect({ url: xapi.url, user: 'root', password: 'morning-xapi-pw', taskPollMs: 20 });
  const hypervisorFor = async () => hv;
  deps = { store, driver, hypervisorFor, guard: xenPowerGuard(store, hypervisorFor), confirmMs: 5000, downTimeoutMs: 10_000, liveTimeoutMs: 10_000, pollMs: 50, now: clock.now };
  for (const b of fleet.bmcs) expect((await rebindHost(deps, POOL, b.name, { actor: 'tester', source: 'api', reason: 'test setup' })).binding?.state).toBe('bound');
}, 60_000);

afterAll(async () => {
  await driver?.close();
  await hv?.close();
  await xapi?.stop();
  await fleet?.stop();
  await db?.stop();
});

const who = { reason: 'test morning', actor: 'tester', source: 'api' as const };

const placement = (): Map<string, string> => new Map(xapi.state.guests().map((vm) => [vm.name_label, xapi.state.vmHost(vm.name_label) as string]));

async function setPolicy(afterWake: 'restore' | 'balance' | 'none'): Promise<void> {
  const pool = await store.getPool(POOL);
  await store.updatePool(POOL, pool!.version, { policy: { ...pool!.policy, afterWake } });
}

/** Sleep the pool; the VMs the sleep moved, with where they ran before. */
/** Where the last sleep left each VM. */
let nightPlacement = new Map<string, string>();

async function sleepPool(): Promise<{ operationId: string; moved: Map<string, string> }> {
  const before = placement();
  const r = await requestPoolSleep(deps, { ...who, poolId: POOL, idempotencyKey: `s-${++seq}` });
  expect(await runOperation(deps, r.operationId as string)).toBe('succeeded');
  const after = placement();
  nightPlacement = after;
  const moved = new Map([...before].filter(([vm, host]) => after.get(vm) !== host));
  expect(moved.size).toBeGreaterThan(0);
  return { operationId: r.operationId as string, moved };
}

async function wakePool() {
  const r = await requestPoolWake(deps, { ...who, poolId: POOL, idempotencyKey: `w-${++seq}` });
  expect(await runOperation(deps, r.operationId as string)).toBe('succeeded');
  return (await store.getOperation(r.operationId as string))!;
}

/** One poll of the pool's RRD exports over [from, from + ms), as the store keeps it (bucket `at`). */
async function measure(fromMs: number, ms: number): Promise<{ samples: LoadSampleInput[]; cpu: Map<string, number> }> {
  const start = Math.floor(fromMs / 1000);
  const read = await readPoolLoad(hv, { start, interval: 60, window: { after: start, upTo: start + ms / 1000 } });
  expect(read.failed).toEqual([]);
  const samples: LoadSampleInput[] = read.members.map((m) => ({
    poolId: POOL,
    hostId: m.hostId,
    at: new Date(fromMs).toISOString(),
    host: { cpuPercent: m.host?.cpuPercent ?? null, memoryUsedBytes: m.host?.memoryUsedBytes ?? null, memoryTotalBytes: m.host?.memoryTotalBytes ?? null },
    vms: m.vms.map((v) => ({ uuid: v.uuid, ...(v.vmId ? { vmId: v.vmId } : {}), cpuPercent: v.cpuPercent, hostCpuPercent: v.hostCpuPercent, memoryUsedBytes: v.memoryUsedBytes, memoryBytes: v.memoryBytes })),
  }));
  return { samples, cpu: new Map(read.members.map((m) => [m.hostId, m.host?.cpuPercent ?? NaN])) };
}

const spread = (cpu: Map<string, number>): { mean: number; worst: number } => {
  const xs = [...cpu.values()];
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, worst: Math.max(...xs) - mean };
};

describe('the morning rebalance', () => {
  it('afterWake none (the default): the wake starts nothing and the VMs stay where the night put them', async () => {
    const night = await sleepPool();
    const asleep = placement();
    const wake = await wakePool();
    expect(wake.result?.rebalance).toBeUndefined();
    expect((await store.listOperations(POOL)).filter((o) => o.kind === 'rebalance')).toEqual([]);
    expect(placement()).toEqual(asleep);
    expect([...night.moved].some(([vm, home]) => placement().get(vm) !== home)).toBe(true);
  }, 60_000);

  it('restore returns every VM whose origin is valid; the VMs of an origin disabled in XAPI stay, with why', async () => {
    const now = placement();
    const { origins } = await lastSleepOrigins(store, POOL);
    const away = Object.entries(origins).filter(([vm, home]) => now.get(vm) !== home);
    expect(away.length).toBeGreaterThan(1);
    // One origin made invalid: disabled in XAPI (a person's maintenance).
    const blocked = away[0][1];
    await hv.disableHost(blocked);
    try {
      const dry = await requestRebalance(deps, { ...who, poolId: POOL, mode: 'restore', idempotencyKey: `r-${++seq}`, dryRun: true });
      expect(dry.operationId).toBeUndefined();
      expect(placement()).toEqual(now);
      const r = await requestRebalance(deps, { ...who, poolId: POOL, mode: 'restore', idempotencyKey: `r-${++seq}` });
      expect(r.plan.moves.map((m) => m.vmId).sort()).toEqual(away.filter(([, h]) => h !== blocked).map(([vm]) => vm).sort());
      // Never more moves in a wave than the pool's concurrent migrations (2 by default).
      for (const w of new Set(r.plan.moves.map((m) => m.wave))) expect(r.plan.moves.filter((m) => m.wave === w).length).toBeLessThanOrEqual(2);
      expect(await runOperation(deps, r.operationId as string)).toBe('succeeded');
      const after = placement();
      for (const [vm, home] of away) {
        if (home === blocked) {
          expect(after.get(vm), vm).toBe(now.get(vm));
          expect(r.plan.stays.find((s) => s.vmId === vm)?.why).toBe(`its origin ${blocked} is disabled in XAPI`);
        } else expect(after.get(vm), vm).toBe(home);
      }
      const op = (await store.getOperation(r.operationId as string))!;
      const text = noticesAfterOperation(op).map(noticeText);
      expect(text).toHaveLength(1);
      expect(text[0]).toContain(`rebalance (restore) of pool ${POOL}: ${away.length - away.filter(([, h]) => h === blocked).length} VMs moved`);
      expect(text[0]).toContain(`disabled in XAPI`);
      expect((await store.listHosts(POOL)).filter((h) => h.lockOperationId === r.operationId)).toEqual([]);
    } finally {
      await hv.enableHost(blocked);
    }
  }, 60_000);

  it('a wake of a pool whose policy says restore starts the rebalance itself: every moved VM is back on its origin', async () => {
    await setPolicy('restore');
    const night = await sleepPool();
    const wake = await wakePool();
    const started = wake.result?.rebalance as { mode: string; operationId: string };
    expect(started.mode).toBe('restore');
    const op = (await store.getOperation(started.operationId))!;
    expect(op.kind).toBe('rebalance');
    expect(op.params?.sleepOperationId).toBe(night.operationId);
    expect(await runOperation(deps, started.operationId)).toBe('succeeded');
    const after = placement();
    for (const [vm, home] of night.moved) expect(after.get(vm), vm).toBe(home);
    // Asked again (a retried worker finishing the wake twice), the same rebalance, not a second one.
    expect(await rebalanceAfterWake(deps, wake)).toEqual({ mode: 'restore', operationId: started.operationId });
    await setPolicy('none');
  }, 60_000);

  it('a move XAPI refuses and one whose migration fails are skipped with why; the others go on', async () => {
    const { origins } = await lastSleepOrigins(store, POOL);
    // Back where the night put them, so the restore has moves to make.
    for (const [vm] of Object.entries(origins)) if (placement().get(vm) !== nightPlacement.get(vm)) await hv.migrateVm(vm, nightPlacement.get(vm) as string);
    const away = Object.entries(origins).filter(([vm, home]) => placement().get(vm) !== home);
    expect(away.length).toBeGreaterThan(2);
    xapi.failNext('VM.assert_can_boot_here', 'HOST_NOT_ENOUGH_FREE_MEMORY', ['1', '2']);
    xapi.failNext('Async.VM.pool_migrate', 'VM_MIGRATE_FAILED', ['x', 'y', 'z']);
    const r = await requestRebalance(deps, { ...who, poolId: POOL, mode: 'restore', idempotencyKey: `r-${++seq}` });
    expect(await runOperation(deps, r.operationId as string)).toBe('failed');
    const op = (await store.getOperation(r.operationId as string))!;
    const stayed = op.result?.stayed as Array<{ vmId: string; why: string }>;
    expect(stayed.map((x) => x.why).sort()).toEqual([expect.stringMatching(/^XAPI refuses it: .*HOST_NOT_ENOUGH_FREE_MEMORY/), expect.stringMatching(/^the migration failed: .*VM_MIGRATE_FAILED/)].sort());
    const after = placement();
    for (const [vm, home] of away) expect(after.get(vm), vm).toBe(stayed.some((x) => x.vmId === vm) ? nightPlacement.get(vm) : home);
    expect(noticesAfterOperation(op).map((n) => n.kind)).toEqual(['rebalance-report']);
    expect((await store.listHosts(POOL)).filter((h) => h.lockOperationId === r.operationId)).toEqual([]);
  }, 60_000);

  it('a worker killed after each step of a restore: the next run brings every VM home and lets the locks go', async () => {
    const { origins } = await lastSleepOrigins(store, POOL);
    let points = Infinity;
    for (let crashAfter = 0; crashAfter < points; crashAfter++) {
      for (const [vm] of Object.entries(origins)) if (placement().get(vm) !== nightPlacement.get(vm)) await hv.migrateVm(vm, nightPlacement.get(vm) as string);
      const r = await requestRebalance(deps, { ...who, poolId: POOL, mode: 'restore', idempotencyKey: `k-${++seq}` });
      points = Math.min(points, (await store.getOperation(r.operationId as string))!.steps.length - 1);
      let done = 0;
      const crash = new Error('worker killed');
      await expect(runOperation({ ...deps, workerId: `a${crashAfter}`, afterStep: () => { if (done++ === crashAfter) throw crash; } }, r.operationId as string)).rejects.toBe(crash);
      expect(await runOperation({ ...deps, workerId: `b${crashAfter}`, now: () => clock.now() + 180_000 }, r.operationId as string)).toBe('succeeded');
      const after = placement();
      for (const [vm, home] of Object.entries(origins)) expect(after.get(vm), `${vm}, crash after step ${crashAfter}`).toBe(home);
      expect((await store.listHosts(POOL)).filter((h) => h.lockOperationId === r.operationId)).toEqual([]);
    }
    expect(points).toBeGreaterThan(1);
  }, 120_000);

  it('balance leaves no host more than 15 points of CPU above the mean over the 10 minutes after it ends', async () => {
    // Everything quiet, then the VMs of host-001 and host-003 busy: two hot hosts.
    xapi.setLoad({ vm: 'all', cpuPercent: 5 });
    for (const vm of ['vm-01', 'vm-03', 'vm-04', 'vm-11', 'vm-12']) xapi.setLoad({ vm, cpuPercent: 100 });
    const pushedAt = clock.now();
    ahead += 2 * FIVE_MIN;
    const bucket = Math.ceil(pushedAt / FIVE_MIN) * FIVE_MIN;
    const poll = await measure(bucket, FIVE_MIN);
    await store.putLoadSamples(poll.samples);
    const before = spread(poll.cpu);
    expect(before.worst).toBeGreaterThan(15);

    const r = await requestRebalance(deps, { ...who, poolId: POOL, mode: 'balance', idempotencyKey: `b-${++seq}` });
    expect(r.plan.moves.length).toBeGreaterThan(0);
    expect(r.plan.stays).toEqual([]);
    const vmsBefore = xapi.state.guests().length;
    expect(await runOperation(deps, r.operationId as string)).toBe('succeeded');
    expect(xapi.state.guests().filter((vm) => vm.power_state === 'Running')).toHaveLength(vmsBefore);
    const endedAt = clock.now();
    ahead += 11 * 60_000;
    const after = spread((await measure(endedAt, 10 * 60_000)).cpu);
    expect(after.worst).toBeLessThanOrEqual(15);
    console.log(`balance: ${r.plan.moves.length} moves in ${new Set(r.plan.moves.map((m) => m.wave)).size} waves; hottest host ${before.worst.toFixed(1)} points above the mean (${before.mean.toFixed(1)} %) before, ${after.worst.toFixed(1)} above (${after.mean.toFixed(1)} %) over the 10 minutes after`);
    xapi.resetLoad();
  }, 60_000);
});
