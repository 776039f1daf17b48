/**
 * The night watch and XAPI's refusals to start a VM, on the local runner's real parts (dynalite,
 * the simulated BMCs, the simulated pool): after a real sleep, an async VM.start of a VM that fits
 * on no awake host is refused by XAPI; the next check wakes a host that can hold it and the alert
 * names the VM, what it needed and what was free; a second check does not wake again for it. Then,
 * with the load low: by default the woken host stays on; with resleepAfterQuietSeconds, the watch
 * sleeps it again through the ordinary pool sleep once the demand has been gone that long, and not
 * before. The checks are called directly (no timer), so the test decides when they look.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { checkNightWatch, runOperation, wokenBy } from '../../lib/ops/index.ts';
import { GiB } from '../../lib/sim/xen/index.ts';
import { parseXapiDateTime, XapiHypervisor, type Ref } from '../../lib/xen/index.ts';
import type { Operation } from '../../lib/store/types.ts';
import { freePort } from '../support/peers.ts';

let runner: LocalRunner;
beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => undefined, migrateMsPerGiB: 2, sampleSchedule: false, sweepEveryMs: 3_600_000, notifier: async () => undefined });
  runner.ops.pollMs = 50;
}, 60_000);
afterAll(async () => {
  await runner?.stop();
});

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
const api = async (method: string, path: string, body?: unknown): Promise<number> => (await fetch(`${runner.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })).status;
const watchOps = async (): Promise<Operation[]> => (await runner.store.listOperations(runner.poolId)).filter((o) => o.actor === 'night-watch');
const check = () => checkNightWatch(runner.ops, runner.poolId, { lookSeconds: 5 });
const asleep = async (): Promise<string[]> => (await runner.store.listHosts(runner.poolId)).filter((h) => h.sleepState === 'asleep').map((h) => h.hostId).sort();
const pool = async () => (await runner.store.getPool(runner.poolId))!;

let woken: string[] = [];

describe('night watch: refused starts and sleeping again', () => {
  it('a start XAPI refuses for lack of memory wakes a host that holds it; the alert says why; a second check does not wake again', async () => {
    expect(await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'test night' })).toBe(202);
    await runner.idle();
    const slept = await asleep();
    expect(slept.length).toBeGreaterThan(0);
    expect(await api('POST', '/v1/sim/load', { vm: 'all', cpuPercent: 10 })).toBe(200);
    // A VM larger than any awake host's free memory, but small enough for an empty host.
    const awake = runner.fleet.bmcs.map((b) => b.name).filter((h) => !slept.includes(h));
    const mostFree = Math.max(...awake.map((h) => runner.xapi.state.freeMemory(h)));
    const needed = Math.ceil(mostFree / GiB + 4) * GiB;
    // An empty 256 GiB host holds 252 GiB for guests, 226.8 GiB of it under the 10 % headroom.
    expect(needed).toBeLessThan(226 * GiB);
    runner.xapi.addGuest({ name: 'vm-big', memoryBytes: needed, vcpus: 8, host: awake[0], running: false });
    expect((await check()).state).toBe('watching');

    // An operator's tool starts it asynchronously and says which VM the task is for, as clients do.
    const hv = (await runner.ops.hypervisorFor(await pool())) as XapiHypervisor;
    const [vm] = await hv.client.call<Ref[]>('VM.get_by_name_label', 'vm-big');
    const task = await hv.client.call<Ref>('Async.VM.start', vm, false, false);
    await hv.client.call('task.add_to_other_config', task, 'applies_to', vm);
    for (let i = 0; i < 100 && (await hv.client.call<string>('task.get_status', task)) === 'pending'; i++) await sleepMs(20);
    const info = await hv.client.call<string[]>('task.get_error_info', task);
    expect(info[0]).toBe('HOST_NOT_ENOUGH_FREE_MEMORY');
    expect(Number(info[1])).toBe(needed);
    const available = Number(info[2]);
    expect(available).toBeLessThan(needed);
    // XAPI's task times are whole seconds. Put the pool's sleep later in the second the refusal
    // finished in, as happens when the start follows the sleep closely: it must still count.
    const finished = await hv.client.call<string>('task.get_finished', task);
    const sameSecond = new Date(Math.floor(parseXapiDateTime(finished)! / 1000) * 1000 + 900).toISOString();
    for (const h of (await runner.store.listHosts(runner.poolId)).filter((x) => x.sleepState === 'asleep')) await runner.store.updateHost(runner.poolId, h.hostId, h.version, { sleptAt: sameSecond });

    const c = await check();
    expect(c.state).toBe('woke');
    expect(c.refusals?.map((r) => r.vm?.name)).toEqual(['vm-big']);
    woken = c.hostIds ?? [];
    expect(woken.length).toBeGreaterThan(0);
    expect(woken.length).toBeLessThan(slept.length);
    for (const h of woken) expect(slept).toContain(h);
    const alerts = (await runner.store.listAlerts(runner.poolId, { open: true })).filter((a) => a.kind === 'night-watch');
    expect(alerts.map((a) => a.hostId).sort()).toEqual([...woken].sort());
    const gib = (b: number) => `${Math.round((b / GiB) * 10) / 10} GiB`;
    expect(alerts[0].message).toContain(`XAPI refused to start vm-big for lack of memory (Async.VM.start at `);
    expect(alerts[0].message).toContain(`needed ${gib(needed)}, ${gib(available)} free on the host it tried`);
    expect(alerts[0].detail).toMatchObject({ reason: 'refusal', neededBytes: needed, availableBytes: available, refusals: [{ vm: 'vm-big', call: 'Async.VM.start', neededBytes: needed, availableBytes: available }] });
    expect(await runOperation(runner.ops, c.operationId as string)).toBe('succeeded');
    for (const h of woken) expect(runner.xapi.state.hostMetrics(h).live).toBe(true);
    // A woken host has the room the refusal asked for: the start would go through now.
    expect(Math.max(...woken.map((h) => runner.xapi.state.freeMemory(h)))).toBeGreaterThanOrEqual(needed);

    // The same refusal is not counted twice.
    const again = await check();
    expect(again.state).toBe('watching');
    expect(again.refusals).toBeUndefined();
    expect((await watchOps()).length).toBe(1);
  }, 90_000);

  it('by default the woken host stays on after the demand passes', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await check();
      expect(c.state).toBe('watching');
      await sleepMs(300);
    }
    expect((await watchOps()).map((o) => o.kind)).toEqual(['pool-wake']);
    for (const h of woken) expect(await asleep()).not.toContain(h);
  }, 30_000);

  it('a bad setting is refused by the store and changes nothing', async () => {
    const p = await pool();
    for (const bad of [0, -5, 'soon', Number.NaN]) {
      await expect(runner.store.updatePool(runner.poolId, p.version, { policy: { ...p.policy, resleepAfterQuietSeconds: bad as number } })).rejects.toThrow(/resleepAfterQuietSeconds/);
    }
    expect((await pool()).version).toBe(p.version);
  });

  it('with resleepAfterQuietSeconds, the watch sleeps it again once the demand has been gone that long, and not before', async () => {
    const p = await pool();
    const QUIET_S = 2;
    // The store takes short times (the API's least is a minute): the test need not wait one.
    await runner.store.updatePool(runner.poolId, p.version, { policy: { ...p.policy, resleepAfterQuietSeconds: QUIET_S } });
    // The first quiet look (the woken host's export may need a row or two first).
    let first: Awaited<ReturnType<typeof check>> | undefined;
    // The check that first finds it quiet takes its time at its start: measure from before it.
    let quietAt = 0;
    for (let i = 0; i < 60 && !first; i++) {
      quietAt = Date.now();
      const c = await check();
      expect(c.state).toBe('watching');
      if (/quiet for 0 s of 2 s/.test(c.why)) first = c;
      else if (i === 59) throw new Error(`never quiet: ${c.why}`);
      else await sleepMs(250);
    }
    expect(first?.why).toMatch(new RegExp(`without ${woken.join(', ')} the awake CPU would be [\\d.]+% \\(ceiling 80%\\), quiet for 0 s`));
    let slept: Awaited<ReturnType<typeof check>> | undefined;
    while (!slept && Date.now() - quietAt < 15_000) {
      const c = await check();
      if (c.state === 'slept') slept = c;
      else {
        expect(c.state).toBe('watching');
        await sleepMs(200);
      }
    }
    expect(slept).toBeDefined();
    expect(Date.now() - quietAt).toBeGreaterThanOrEqual(QUIET_S * 1000);
    expect([...(slept?.hostIds ?? [])].sort()).toEqual([...woken].sort());
    const op = (await runner.store.getOperation(slept?.operationId as string))!;
    expect(op).toMatchObject({ kind: 'pool-sleep', actor: 'night-watch' });
    expect([...wokenBy(op)].sort()).toEqual([...woken].sort());
    expect(await runOperation(runner.ops, op.operationId)).toBe('succeeded');
    for (const h of woken) expect(await asleep()).toContain(h);
    // Once per night: it is not slept (or woken by the watch) again, whatever the checks see next.
    const after = await check();
    expect(after.state).toBe('watching');
    expect((await watchOps()).map((o) => o.kind).sort()).toEqual(['pool-sleep', 'pool-wake']);
  }, 60_000);
});
