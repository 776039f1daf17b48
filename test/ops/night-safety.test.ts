/**
 * The night under real faults, on the local runner's real parts (dynalite, simulated BMCs over
 * UDP, the simulated XAPI pool): a BMC that answers as another machine is never cut through; a
 * single host's power obeys HA and is disabled before and re-enabled after an abandoned cut; the
 * morning wake powers only what lowpower slept, goes on through the BMCs when XAPI is down, and
 * does not stop for a busy host; the sweeper picks up what was dropped; the restore policy is set.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { freePort } from '../support/peers.ts';
import { requestHostPower, requestPoolSleep, requestPoolWake, runHostPower, runOperation } from '../../lib/ops/index.ts';
import { rebindHost } from '../../lib/ops/bind-host.ts';
import { XapiClient } from '../../lib/xen/index.ts';
import { FileSecrets } from '../../lib/store/index.ts';
import { join } from 'node:path';

let runner: LocalRunner | undefined;
const lines: string[] = [];

async function start(o: { operationLeaseMs?: number } = {}): Promise<LocalRunner> {
  lines.length = 0;
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: (l) => lines.push(l), migrateMsPerGiB: 1, sampleSchedule: false, sweepEveryMs: 3_600_000, notifier: async () => undefined, ...o });
  runner.ops.pollMs = 50;
  return runner;
}
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

type Json = Record<string, unknown>;
const api = async (r: LocalRunner, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
  const res = await fetch(`${r.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
};
const who = { actor: 'tester', source: 'api' as const, reason: 'night-safety test' };
let seq = 0;
const key = (): string => `ns-${++seq}-${Date.now()}`;
const bmc = (r: LocalRunner, name: string) => r.fleet.bmcs.find((b) => b.name === name)!;

/** A person powers a host on (a host power operation) and it comes up live in XAPI. */
async function powerOnByHand(r: LocalRunner, hostId: string): Promise<void> {
  const o = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: [hostId], action: 'on', idempotencyKey: key() });
  expect(await runHostPower(r.ops, o.operationId)).toBe('succeeded');
  for (let i = 0; i < 100 && !r.xapi.state.hostMetrics(hostId).live; i++) await new Promise((res) => setTimeout(res, 50));
  expect(r.xapi.state.hostMetrics(hostId).live).toBe(true);
}

async function sleepPool(r: LocalRunner): Promise<void> {
  const s = await requestPoolSleep(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
  expect(s.operationId).toBeDefined();
  expect(await runOperation(r.ops, s.operationId as string)).toBe('succeeded');
}

describe('the BMC bound to its host', () => {
  it('the demo pool binds by serial; a BMC that answers as another machine is refused naming both identities, never forced; rebind reads it again', async () => {
    const r = await start();
    // Both protocols bind: host-005's IPMI BMC by its FRU (product and board serials), host-006's
    // Redfish BMC by its system SerialNumber (Redfish has no board serial to compare).
    const ipmiHost = await api(r, 'GET', '/v1/hosts/host-005');
    expect(ipmiHost.json.host).toMatchObject({ binding: { state: 'bound', bmc: { protocol: 'ipmi', productSerial: 'LPSIM-host-005', boardSerial: 'LPSIMB-host-005' }, xapi: { serial: 'LPSIM-host-005' } } });
    const host = await api(r, 'GET', '/v1/hosts/host-006');
    expect(host.json.host).toMatchObject({ binding: { state: 'bound', bmc: { protocol: 'redfish', productSerial: 'LPSIM-host-006', boardSerial: null }, xapi: { serial: 'LPSIM-host-006' } }, enabled: true, live: true });
    // host-006 is emptied by a sleep; then its BMC starts answering with another machine's identity.
    await sleepPool(r);
    await powerOnByHand(r, 'host-006');
    r.faults.set('bmc-foreign', true, 'host-006');
    const offs = bmc(r, 'host-006').host.controlCounts.off;
    const op = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-006'], action: 'off', idempotencyKey: key() });
    expect(await runHostPower(r.ops, op.operationId)).toBe('failed');
    const done = await r.store.getOperation(op.operationId);
    const command = done?.steps.find((s) => s.name === 'command');
    expect(command?.error).toMatch(/now answers with GUID [0-9a-f-]{36}, but it was bound to host-006 with product serial 'LPSIM-host-006'/);
    // Force does not pass a foreign BMC: the stored mismatch refuses at once.
    await expect(requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-006'], action: 'off', force: true, idempotencyKey: key() })).rejects.toThrow(/another machine answers there/);
    expect(bmc(r, 'host-006').host.controlCounts.off).toBe(offs);
    expect(bmc(r, 'host-006').host.powerOn).toBe(true);
    // The mismatch is stored, shown and refused at once from then on.
    const shown = await api(r, 'GET', '/v1/hosts/host-006');
    expect(shown.json.host).toMatchObject({ binding: { state: 'mismatch' } });
    const refused = await api(r, 'POST', '/v1/hosts/host-006/power', { action: 'off', reason: 'test', force: true });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'refused', forceable: false });
    expect((await r.store.listAlerts(r.poolId, { open: true })).some((a) => a.kind === 'bmc-identity' && a.hostId === 'host-006')).toBe(true);
    // Rebind reads the BMC again: it still says another serial than XAPI's, so it stays a mismatch.
    const rebind = await api(r, 'POST', '/v1/hosts/host-006/rebind', { reason: 'checking' });
    expect(rebind.json.binding).toMatchObject({ state: 'mismatch', bmc: { productSerial: 'LPSIM-foreign-host-006' }, xapi: { serial: 'LPSIM-host-006' } });
    expect(String((rebind.json.binding as Json).why)).toMatch(/the BMC says 'LPSIM-foreign-host-006', XAPI says 'LPSIM-host-006'/);
    // The right BMC back (the board was never replaced): rebind binds it again and the cut is allowed.
    r.faults.set('bmc-foreign', false, 'host-006');
    expect((await api(r, 'POST', '/v1/hosts/host-006/rebind', { reason: 'BMC cable fixed' })).json.binding).toMatchObject({ state: 'bound' });
    const off = await api(r, 'POST', '/v1/hosts/host-006/power', { action: 'off', reason: 'test' });
    expect(off.status).toBe(202);
    await r.idle();
    expect(bmc(r, 'host-006').host.powerOn).toBe(false);
    const audit = JSON.stringify(await r.store.listAudit(new Date().toISOString().slice(0, 10)));
    expect(audit).toContain('bind BMC');
  }, 90_000);

  it('a pool sleep keeps a host whose BMC turned foreign on (refused at the cut), re-enabled, its VMs safe', async () => {
    const r = await start();
    r.faults.set('bmc-foreign', true, 'host-005');
    const s = await requestPoolSleep(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
    expect(await runOperation(r.ops, s.operationId as string)).toBe('failed');
    const op = await r.store.getOperation(s.operationId as string);
    const shutdown = op?.steps.find((x) => x.name === 'shutdown' && x.hostId === 'host-005');
    expect(shutdown?.error).toMatch(/refused: .*now answers with GUID/);
    expect(bmc(r, 'host-005').host.powerOn).toBe(true);
    expect(r.xapi.state.host('host-005').enabled).toBe(true);
    for (const h of ['host-004', 'host-006']) expect(bmc(r, h).host.powerOn, h).toBe(false);
    for (const vm of r.xapi.state.guests()) expect(vm.power_state).toBe('Running');
  }, 90_000);

  it('a wake never powers on through a BMC that answers as another machine: the others wake, an alert names it', async () => {
    const r = await start();
    await sleepPool(r);
    r.faults.set('bmc-foreign', true, 'host-005');
    const ons = bmc(r, 'host-005').host.controlCounts.on;
    r.ops.liveTimeoutMs = 3000;
    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key(), readyBy: new Date(Date.now() + 2000).toISOString() });
    expect(await runOperation(r.ops, w.operationId as string)).toBe('failed');
    expect(bmc(r, 'host-005').host.controlCounts.on).toBe(ons);
    expect(bmc(r, 'host-005').host.powerOn).toBe(false);
    for (const h of ['host-004', 'host-006']) expect(r.xapi.state.host(h).enabled, h).toBe(true);
    const alerts = await r.store.listAlerts(r.poolId, { open: true });
    expect(alerts.find((a) => a.kind === 'wake-late' && a.hostId === 'host-005')?.message).toMatch(/another machine answers there/);
    expect(alerts.some((a) => a.kind === 'bmc-identity' && a.hostId === 'host-005')).toBe(true);
  }, 90_000);

  it('hosts renamed in XAPI: a cut of the name, whose checks now see another machine, is refused before the bound BMC is used; never forced; rebind reads the new pairing', async () => {
    const r = await start();
    const hv = await r.ops.hypervisorFor((await r.store.getPool(r.poolId))!);
    // Machine B (host-006) is emptied; then an admin gives machine A's name to B, A a new one.
    const b = (await hv.hosts()).find((h) => h.hostId === 'host-006')!;
    for (const [i, vm] of b.residentGuestVmIds.entries()) await hv.migrateVm(vm, i % 2 ? 'host-004' : 'host-005');
    const c = new XapiClient({ url: r.xapi.url, user: 'root', password: await new FileSecrets(join(r.stateDir, 'secrets')).get('xapi') });
    const refA = (await c.call<string[]>('host.get_by_name_label', 'host-003'))[0];
    const refB = (await c.call<string[]>('host.get_by_name_label', 'host-006'))[0];
    await c.call('host.set_name_label', refA, 'host-003-old');
    await c.call('host.set_name_label', refB, 'host-003');
    await c.close();
    const machineA = bmc(r, 'host-003').host;
    const runningOnA = r.xapi.state.guests().filter((v) => v.resident_on === refA && v.power_state === 'Running').length;
    expect(runningOnA).toBeGreaterThan(0);
    const offs = machineA.controlCounts.off;
    const o = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-003'], action: 'off', idempotencyKey: key() });
    expect(await runHostPower(r.ops, o.operationId)).toBe('failed');
    const op = await r.store.getOperation(o.operationId);
    expect(op?.steps.find((x) => x.name === 'command')?.error).toMatch(/refused: XAPI's host named host-003 is another machine .* the machine it was bound as is now called host-003-old/);
    // From then on the binding is a mismatch: refused at the request, force or not.
    await expect(requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-003'], action: 'off', force: true, idempotencyKey: key() })).rejects.toThrow(/refused to cut power to host-003: XAPI's host named host-003 is another machine/);
    expect(machineA.controlCounts.off).toBe(offs);
    expect(machineA.powerOn).toBe(true);
    expect(r.xapi.state.guests().filter((v) => v.resident_on === refA && v.power_state === 'Running').length).toBe(runningOnA);
    const host = await r.store.getHost(r.poolId, 'host-003');
    expect(host?.binding).toMatchObject({ state: 'mismatch' });
    expect((await r.store.listAlerts(r.poolId, { open: true })).some((a) => a.kind === 'bmc-identity' && a.hostId === 'host-003')).toBe(true);
    // A rebind compares machine A's BMC with the XAPI host now named host-003 (machine B): a mismatch, by serial.
    const rebound = await rebindHost(r.ops, r.poolId, 'host-003', { ...who, source: 'cli' });
    expect(rebound.binding).toMatchObject({ state: 'mismatch', xapi: { serial: 'LPSIM-host-006' } });
  }, 90_000);

  it('an unverified BMC (no usable serial) may be cut only once an admin trusts it, audited', async () => {
    const r = await start();
    await sleepPool(r);
    // host-006's BMC ships placeholder FRU serials (as many boards do): nothing can be proved.
    const b6 = bmc(r, 'host-006');
    b6.identity = { ...b6.identity, productSerial: 'To be filled by O.E.M.', chassisSerial: 'Default string', boardSerial: '0123456789' };
    const rb = await api(r, 'POST', '/v1/hosts/host-006/rebind', { reason: 'board replaced' });
    expect(rb.json.binding).toMatchObject({ state: 'unverified' });
    await powerOnByHand(r, 'host-006');
    const refused = await api(r, 'POST', '/v1/hosts/host-006/power', { action: 'off', reason: 'test' });
    expect(refused.status).toBe(409);
    expect(String((refused.json.error as Json).message)).toMatch(/nothing proves this BMC is host-006's/);
    expect((await api(r, 'PATCH', '/v1/hosts/host-006', { identity: 'trust' })).status).toBe(400); // a reason is required
    const trusted = await api(r, 'PATCH', '/v1/hosts/host-006', { identity: 'trust', reason: 'serial label checked by hand' });
    expect(trusted.json.host).toMatchObject({ binding: { state: 'trusted', identity: 'trust' } });
    const off = await api(r, 'POST', '/v1/hosts/host-006/power', { action: 'off', reason: 'test' });
    expect(off.status).toBe(202);
    await r.idle();
    expect(bmc(r, 'host-006').host.powerOn).toBe(false);
    expect(JSON.stringify(await r.store.listAudit(new Date().toISOString().slice(0, 10)))).toContain('trust BMC identity');
  }, 90_000);
});

describe("a single host's power obeys the pool's rules", () => {
  it('refused when the pool would lose its HA headroom without the host (force overrides, audited); disabled before the cut', async () => {
    const r = await start();
    await sleepPool(r);
    await powerOnByHand(r, 'host-006');
    // With 60 % headroom the three hosts left could not take the loss of the largest one.
    const pool = await r.store.getPool(r.poolId);
    await r.store.updatePool(r.poolId, pool!.version, { policy: { ...pool!.policy, headroomPercent: 60 } });
    const refused = await api(r, 'POST', '/v1/hosts/host-006/power', { action: 'off', reason: 'test' });
    expect(refused.status).toBe(409);
    expect(String((refused.json.error as Json).why)).toMatch(/HA failures-to-tolerate \(1\) and 60 % headroom/);
    const forced = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-006'], action: 'off', force: true, reason: 'decommission, HA checked by hand', idempotencyKey: key() });
    expect(await runHostPower(r.ops, forced.operationId)).toBe('succeeded');
    const op = await r.store.getOperation(forced.operationId);
    expect(op?.steps.find((s) => s.name === 'disable')?.detail).toMatchObject({ wasEnabled: true });
    expect(r.xapi.state.host('host-006').enabled).toBe(false);
    expect(bmc(r, 'host-006').host.powerOn).toBe(false);
    const audit = (await r.store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.operationId === forced.operationId && a.action === 'power off');
    expect(audit[0]).toMatchObject({ forced: true });
  }, 90_000);

  it('a VM that lands during the drain abandons the cut: no power cut, the host is enabled again', async () => {
    const r = await start();
    await sleepPool(r);
    await powerOnByHand(r, 'host-006');
    r.faults.set('vm-start-during-drain', true, 'host-006');
    const before = { ...bmc(r, 'host-006').host.controlCounts };
    const op = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-006'], action: 'soft', idempotencyKey: key() });
    // The worker stops right after the disable (a crash) and is resumed a moment later: by then the
    // start that was on its way has landed on the host.
    const crash = new Error('worker stopped after disable');
    await expect(runHostPower({ ...r.ops, afterStep: (s) => { if (s.name === 'disable') throw crash; } }, op.operationId)).rejects.toBe(crash);
    for (let i = 0; i < 100 && r.xapi.state.residentGuests('host-006').length === 0; i++) await new Promise((res) => setTimeout(res, 20));
    expect(r.xapi.state.residentGuests('host-006').length).toBe(1);
    expect(await runHostPower(r.ops, op.operationId)).toBe('failed');
    const done = await r.store.getOperation(op.operationId);
    expect(done?.steps.find((s) => s.name === 'command')?.error).toMatch(/refused: host-006 runs 1 VM|VM\(s\) are migrating to host-006/);
    expect(done?.steps.find((s) => s.name === 'reenable')?.detail).toMatchObject({ enabled: true });
    expect(r.xapi.state.host('host-006').enabled).toBe(true);
    expect(bmc(r, 'host-006').host.powerOn).toBe(true);
    expect(bmc(r, 'host-006').host.controlCounts).toEqual(before);
  }, 90_000);
});

describe('a pool sleep checks the pool again right before each shutdown', () => {
  it('a VM started on a staying host after the plan leaves no HA room without the last host: that host is not shut down, enabled again, its BMC never used', async () => {
    const r = await start();
    const pool = (await r.store.getPool(r.poolId))!;
    await r.store.updatePool(r.poolId, pool.version, { policy: { ...pool.policy, haFailuresToTolerate: 1 } });
    const s = await requestPoolSleep(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
    expect(s.plan.sleep).toEqual(['host-006', 'host-005', 'host-004']);
    // After the plan, before the run: a VM is started on the emptiest staying host (XAPI's own HA
    // is not what stops it here: the migrations still fit, only the pool's failures-to-tolerate does not).
    const hv = await r.ops.hypervisorFor(pool);
    const stay = (await hv.hosts()).filter((h) => !s.plan.sleep.includes(h.hostId)).sort((a, b) => b.memoryFreeBytes - a.memoryFreeBytes)[0];
    r.xapi.addGuest({ name: 'started-late', host: stay.hostId, memoryBytes: Math.floor(stay.memoryFreeBytes * 0.55), vcpus: 2, running: true });
    const cuts = bmc(r, 'host-006').host.controlCounts.off;
    expect(await runOperation(r.ops, s.operationId as string)).toBe('failed');
    const op = await r.store.getOperation(s.operationId as string);
    expect(op?.steps.find((x) => x.name === 'shutdown' && x.hostId === 'host-006')?.error).toMatch(/refused: without host-006 the pool would not keep its HA failures-to-tolerate \(1\)/);
    expect(bmc(r, 'host-006').host.powerOn).toBe(true);
    expect(bmc(r, 'host-006').host.controlCounts.off).toBe(cuts);
    expect(r.xapi.state.hostMetrics('host-006').live).toBe(true);
    expect(r.xapi.state.host('host-006').enabled).toBe(true);
    for (const h of ['host-004', 'host-005']) expect(bmc(r, h).host.powerOn, h).toBe(false);
    for (const vm of r.xapi.state.guests()) expect(vm.power_state).toBe('Running');
  }, 120_000);
});

describe('the morning wake cannot fail silently', () => {
  it('wakes only what lowpower slept: a host switched off by a person stays off, and the plan says so', async () => {
    const r = await start();
    await sleepPool(r);
    // host-006: woken and switched off again by a person (maintenance).
    await powerOnByHand(r, 'host-006');
    await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-006'], action: 'off', idempotencyKey: key() }).then((o) => runHostPower(r.ops, o.operationId));
    for (let i = 0; i < 100 && r.xapi.state.hostMetrics('host-006').live; i++) await new Promise((res) => setTimeout(res, 50));
    const w = await requestPoolWake(r.ops, { ...who, source: 'schedule', poolId: r.poolId, idempotencyKey: key() });
    expect(w.plan.wake.sort()).toEqual(['host-004', 'host-005']);
    expect(w.plan.why.join('\n')).toMatch(/host-006: off, but lowpower did not put it to sleep \(maintenance\?\): left off/);
    expect(await runOperation(r.ops, w.operationId as string)).toBe('succeeded');
    expect(bmc(r, 'host-006').host.powerOn).toBe(false);
    for (const h of ['host-004', 'host-005']) expect(r.xapi.state.host(h).enabled, h).toBe(true);
  }, 90_000);

  it('with XAPI down the wake powers the slept hosts on through their BMCs, guesses nothing, and the sweeper enables them when XAPI is back', async () => {
    const r = await start();
    await sleepPool(r);
    r.ops.liveTimeoutMs = 1500;
    r.faults.set('xapi-down', true, null);
    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key(), readyBy: new Date(Date.now() + 1000).toISOString() });
    expect(w.plan.wake.sort()).toEqual(['host-004', 'host-005', 'host-006']);
    expect(w.plan.why.join('\n')).toMatch(/XAPI does not answer/);
    expect(await runOperation(r.ops, w.operationId as string)).toBe('failed');
    for (const h of ['host-004', 'host-005', 'host-006']) {
      expect(bmc(r, h).host.powerOn, h).toBe(true);
      const stored = await r.store.getHost(r.poolId, h);
      expect(stored?.awaitingEnable?.operationId, h).toBe(w.operationId);
    }
    const alerts = await r.store.listAlerts(r.poolId, { open: true });
    for (const h of ['host-004', 'host-005', 'host-006']) expect(alerts.some((a) => a.kind === 'wake-late' && a.hostId === h && /XAPI does not answer/.test(a.message)), h).toBe(true);
    // XAPI still down: the sweeper waits and says so, enables nothing.
    expect((await r.sweep()).enabled).toEqual([]);
    r.faults.set('xapi-down', false, null);
    for (let i = 0; i < 100 && !['host-004', 'host-005', 'host-006'].every((h) => r!.xapi.state.hostMetrics(h).live); i++) await new Promise((res) => setTimeout(res, 50));
    expect((await r.sweep()).enabled.sort()).toEqual(['host-004', 'host-005', 'host-006']);
    for (const h of ['host-004', 'host-005', 'host-006']) {
      expect(r.xapi.state.host(h).enabled, h).toBe(true);
      expect((await r.store.getHost(r.poolId, h))?.sleepState, h).toBe('awake');
    }
    expect((await r.store.listAlerts(r.poolId, { open: true })).filter((a) => a.kind === 'wake-late')).toEqual([]);
  }, 90_000);

  it('not ready by readyBy is alerted at readyBy while the wake still waits; late but done is reported too', async () => {
    const r = await start();
    await sleepPool(r);
    r.ops.liveTimeoutMs = 60_000;
    r.faults.set('never-live', true, 'host-004');
    const readyBy = Date.now() + 1500;
    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key(), readyBy: new Date(readyBy).toISOString() });
    const run = runOperation(r.ops, w.operationId as string);
    let alertAt = 0;
    for (let i = 0; i < 200 && !alertAt; i++) {
      await new Promise((res) => setTimeout(res, 50));
      if ((await r.store.listAlerts(r.poolId, { open: true })).some((a) => a.kind === 'wake-late' && a.hostId === 'host-004')) alertAt = Date.now();
    }
    // At the ready time (booked by the wake itself), not when the wake gives up a minute later.
    expect(alertAt).toBeGreaterThanOrEqual(readyBy);
    expect(alertAt - readyBy).toBeLessThan(3000);
    expect((await r.store.getOperation(w.operationId as string))?.state).toBe('running');
    r.faults.set('never-live', false, 'host-004');
    expect(await run).toBe('succeeded');
    const op = await r.store.getOperation(w.operationId as string);
    expect(Number(op?.result?.lateByMs)).toBeGreaterThan(0);
    const { noticesAfterOperation } = await import('../../lib/ops/notifications.ts');
    expect(noticesAfterOperation(op!)).toContainEqual(expect.objectContaining({ kind: 'wake-ready-late', poolId: 'pool-1', operationId: w.operationId, hosts: expect.arrayContaining(['host-004', 'host-005', 'host-006']) }));
    // Enabled: the late alert is closed.
    expect((await r.store.listAlerts(r.poolId, { open: true })).filter((a) => a.kind === 'wake-late')).toEqual([]);
  }, 90_000);

  it('a busy host does not refuse the wake: the others wake, it wakes after its operation ends, and the result says so', async () => {
    const r = await start();
    await sleepPool(r);
    // A person's power-on of host-005, requested and not yet run: it holds host-005.
    const held = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-005'], action: 'on', idempotencyKey: key() });
    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
    expect(w.plan.why.join('\n')).toContain(`host-005: busy with operation ${held.operationId}`);
    const wake = runOperation(r.ops, w.operationId as string);
    for (let i = 0; i < 200 && !(r.xapi.state.host('host-004').enabled && r.xapi.state.host('host-006').enabled); i++) await new Promise((res) => setTimeout(res, 50));
    expect(r.xapi.state.host('host-004').enabled).toBe(true);
    expect(r.xapi.state.host('host-006').enabled).toBe(true);
    expect(await runHostPower(r.ops, held.operationId)).toBe('succeeded');
    expect(await wake).toBe('succeeded');
    const op = await r.store.getOperation(w.operationId as string);
    expect(op?.result).toMatchObject({ wokenAfterBusy: [{ hostId: 'host-005', operationId: held.operationId }] });
    expect(r.xapi.state.host('host-005').enabled).toBe(true);
    expect((await r.store.getHost(r.poolId, 'host-005'))?.lockOperationId).toBeUndefined();
  }, 90_000);

  it('the sweeper launches an operation left pending, resumes one whose worker died inside a step, then gives up with an alert naming it', async () => {
    const r = await start({ operationLeaseMs: 600 });
    // A sleep requested and never launched (the launch was lost).
    const s = await requestPoolSleep(r.ops, { ...who, poolId: r.poolId, idempotencyKey: key() });
    const op = await r.store.getOperation(s.operationId as string);
    const sweepAll = (): Promise<unknown> => import('../../lib/ops/sweeper.ts').then((m) => m.sweep({ ...r.ops, launch: async (id) => void runOperation(r.ops, id).catch(() => undefined), pendingGraceMs: 0 }));
    expect(op?.state).toBe('pending');
    // The worker dies inside the second step that acts; the sweeper resumes it once its lease lapsed.
    r.faults.set('worker-kill-in-step', true, null);
    await sweepAll();
    for (let i = 0; i < 100 && (await r.store.getOperation(s.operationId as string))?.state === 'pending'; i++) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 1200));
    await sweepAll();
    for (let i = 0; i < 600; i++) {
      const now = await r.store.getOperation(s.operationId as string);
      if (now?.state === 'succeeded' || now?.state === 'failed') break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const done = await r.store.getOperation(s.operationId as string);
    expect(done?.state).toBe('succeeded');
    expect(done?.sweeps).toBe(2);
    expect(r.faults.list().find((f) => f.fault === 'worker-kill-in-step')?.hits).toBe(1);
    // An operation nobody can finish: after the bounded tries, an alert names it and its step.
    const stuck = await requestHostPower(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-004'], action: 'on', idempotencyKey: key() });
    const m = await import('../../lib/ops/sweeper.ts');
    const noLaunch = { ...r.ops, launch: async () => undefined, pendingGraceMs: 0, maxSweeps: 2 };
    for (let i = 0; i < 3; i++) await m.sweep(noLaunch);
    const alert = (await r.store.listAlerts(r.poolId, { open: true })).find((a) => a.kind === 'operation-stuck');
    expect(alert?.message).toMatch(new RegExp(`operation ${stuck.operationId} \\(host-power\\) is stuck at check host-004`));
  }, 90_000);
});

describe('power restore policy', () => {
  it('a host lowpower sleeps gets the pool policy (always-off): a power-feed outage at night leaves it off; the host view shows it', async () => {
    const r = await start();
    const pool = await r.store.getPool(r.poolId);
    await r.store.updatePool(r.poolId, pool!.version, { policy: { ...pool!.policy, powerRestorePolicy: 'always-off' } });
    await sleepPool(r);
    const b = bmc(r, 'host-005');
    expect(b.restorePolicy).toBe('always-off');
    expect(b.powerFeedOutage()).toBe('off');
    const host = await api(r, 'GET', '/v1/hosts/host-005');
    expect(host.json.host).toMatchObject({ binding: { restorePolicy: { policy: 'always-off' } } });
    // The hosts left on keep their own policy.
    expect(bmc(r, "host-001").restorePolicy).toBe('previous');
  }, 90_000);
});

describe('leases hold while a step runs', () => {
  it('a long wait for live outlives the lease many times over: renewed, never taken over, the power-on sent once', async () => {
    const r = await start({ operationLeaseMs: 300 });
    await sleepPool(r);
    r.faults.set('never-live', true, 'host-004');
    const ons = bmc(r, 'host-004').host.controlCounts.on;
    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-004'], idempotencyKey: key() });
    const first = runOperation({ ...r.ops, workerId: 'worker-a' }, w.operationId as string);
    // A second delivery of the same work, again and again while the first waits: always refused.
    let refused = 0;
    for (let i = 0; i < 12; i++) {
      await new Promise((res) => setTimeout(res, 200));
      const again = await runOperation({ ...r.ops, workerId: 'worker-b' }, w.operationId as string).catch((e: unknown) => e);
      if (again instanceof Error && /being run by worker worker-a/.test(again.message)) refused++;
    }
    r.faults.set('never-live', false, 'host-004');
    expect(await first).toBe('succeeded');
    expect(refused).toBe(12);
    expect(bmc(r, 'host-004').host.controlCounts.on).toBe(ons + 1);
    const audit = (await r.store.listAudit(new Date().toISOString().slice(0, 10))).filter((a) => a.operationId === w.operationId && a.action === 'step power-on host-004');
    expect(audit).toHaveLength(1);
  }, 90_000);

  it('a worker whose lease was taken over stops inside its wait and hands over', async () => {
    const r = await start({ operationLeaseMs: 300 });
    await sleepPool(r);
    r.ops.liveTimeoutMs = 60_000;
    r.faults.set('never-live', true, 'host-004');
    const w = await requestPoolWake(r.ops, { ...who, poolId: r.poolId, hostIds: ['host-004'], idempotencyKey: key() });
    const run = runOperation({ ...r.ops, workerId: 'worker-a' }, w.operationId as string).catch((e: unknown) => e);
    for (let i = 0; i < 200; i++) {
      const op = await r.store.getOperation(w.operationId as string);
      if (op?.steps.find((s) => s.name === 'wait-live')?.state === 'running') break;
      await new Promise((res) => setTimeout(res, 25));
    }
    // Another worker takes the lease (as a sweeper's resume would after a lapse).
    const op = await r.store.getOperation(w.operationId as string);
    await r.store.updateOperation(op!.operationId, op!.version, { leaseOwner: 'worker-b', leaseExpiresAt: Date.now() + 60_000 });
    const out = await run;
    expect(out).toBeInstanceOf(Error);
    expect((out as Error).name).toBe('LeaseLostError');
    expect((await r.store.getOperation(w.operationId as string))?.steps.find((s) => s.name === 'wait-live')?.state).toBe('running');
    r.faults.set('never-live', false, 'host-004');
    await r.store.updateOperation(op!.operationId, (await r.store.getOperation(op!.operationId))!.version, { leaseExpiresAt: 0 });
    expect(await runOperation({ ...r.ops, workerId: 'worker-b' }, w.operationId as string)).toBe('succeeded');
  }, 90_000);
});

describe('the binding survives a restart of the runner', () => {
  it('rebind after an address change: the old binding no longer counts', async () => {
    const r = await start();
    const h = await r.store.getHost(r.poolId, 'host-004');
    await r.store.updateHost(r.poolId, 'host-004', h!.version, { bmcPort: bmc(r, 'host-005').port });
    // The stored binding names the old address: a cut is refused until it is bound again...
    const refused = await api(r, 'POST', '/v1/hosts/host-004/power', { action: 'off', reason: 'test', force: true });
    expect(refused.status).toBe(409);
    expect(String((refused.json.error as Json).message)).toMatch(/address changed/);
    // ... and binding it there finds host-005's BMC: a 409 naming host-005.
    await expect(rebindHost(r.ops, r.poolId, 'host-004', who)).rejects.toThrow(/already host-005's/);
  }, 60_000);
});
