/**
 * The simulator's named faults, each switched on and off and observed over the real JSON-RPC
 * interface (the XAPI client and the Hypervisor adapter), with real HostModels under the hosts:
 * xapi-down, migration-fail, never-live and vm-start-during-drain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NULL_REF, XapiError, XapiHypervisor, XapiUnreachableError } from '../../lib/xen/index.ts';
import { XAPI_FAULTS, type SimVmSpec, type XapiFaultName, type XapiSimOptions } from '../../lib/sim/xen/index.ts';
import { client, eventually, gib, rejection, smallPool, type SmallPool } from './support.ts';

const pools: SmallPool[] = [];
const hvs: XapiHypervisor[] = [];
afterEach(async () => {
  await Promise.all(hvs.splice(0).map((h) => h.close()));
  await Promise.all(pools.splice(0).map((p) => p.sim.stop()));
});

async function setup(vms: SimVmSpec[], extra: Partial<XapiSimOptions> = {}): Promise<SmallPool & { hv: XapiHypervisor }> {
  const p = await smallPool(vms, extra);
  pools.push(p);
  const hv = new XapiHypervisor(client(p.sim, { requestTimeoutMs: 2000 }));
  hvs.push(hv);
  return { ...p, hv };
}

const VMS: SimVmSpec[] = [
  { name: 'a1', memoryBytes: gib(4), vcpus: 1, host: 'h1' },
  { name: 'b1', memoryBytes: gib(4), vcpus: 1, host: 'h2' },
  { name: 'c1', memoryBytes: gib(8), vcpus: 2, host: 'h3' },
  { name: 'c2', memoryBytes: gib(4), vcpus: 1, host: 'h3' },
];

describe('the fault control', () => {
  it('lists what is on, pool-wide or per host, and refuses unknown names and hosts', async () => {
    const { sim } = await setup(VMS);
    expect(sim.faults.list()).toEqual([]);
    sim.faults.set('never-live', true, 'h3');
    sim.faults.set('never-live', true, 'h2');
    sim.faults.set('migration-fail', true);
    expect(sim.faults.list()).toEqual([
      { name: 'migration-fail', hits: 0 },
      { name: 'never-live', host: 'h2', hits: 0 },
      { name: 'never-live', host: 'h3', hits: 0 },
    ]);
    sim.faults.set('never-live', false, 'h2');
    expect(sim.faults.list().map((f) => `${f.name}:${f.host ?? '*'}`)).toEqual(['migration-fail:*', 'never-live:h3']);
    sim.faults.set('never-live', false);
    expect(sim.faults.list().map((f) => f.name)).toEqual(['migration-fail']);
    sim.faults.clear();
    expect(sim.faults.list()).toEqual([]);

    expect(() => sim.faults.set('disk-full' as XapiFaultName, true)).toThrow(/unknown XAPI fault/);
    expect(() => sim.faults.set('never-live', true, 'h9')).toThrow(/no host named "h9"/);
    expect(() => sim.faults.set('xapi-down', true, 'h2')).toThrow(/give no host/);
    expect([...XAPI_FAULTS].sort()).toEqual(['migration-fail', 'never-live', 'vm-start-during-drain', 'xapi-down']);
  });
});

describe('xapi-down', () => {
  it('drops every connection at once while the pool lives on; answers again when off', async () => {
    const { hv, sim, models } = await setup(VMS);
    expect(await hv.hostLive('h3')).toBe(true); // a keep-alive connection and a session exist now

    sim.faults.set('xapi-down', true);
    const e = (await rejection(hv.hostLive('h3'))) as XapiUnreachableError;
    expect(e).toBeInstanceOf(XapiUnreachableError);
    expect(['reset', 'refused']).toContain(e.cause);
    const fresh = client(sim, { requestTimeoutMs: 2000 });
    expect(await rejection(fresh.call('host.get_all'))).toBeInstanceOf(XapiUnreachableError);
    await fresh.close();
    expect(sim.faults.list()[0].hits).toBeGreaterThanOrEqual(1);

    // The pool model keeps following the machines: h3 goes off and comes back while nobody can ask.
    const h3 = models.get('h3')!;
    h3.control('off');
    await eventually(() => !sim.state.hostMetrics('h3').live, 3000, 'h3 not live in the model');
    expect(sim.state.vm('c1')).toMatchObject({ power_state: 'Halted', resident_on: NULL_REF });
    h3.control('on');
    await eventually(() => sim.state.hostMetrics('h3').live, 5000, 'h3 live again in the model');
    expect(await rejection(hv.hostLive('h3'))).toBeInstanceOf(XapiUnreachableError);

    sim.faults.set('xapi-down', false);
    expect(await hv.hostLive('h3')).toBe(true);
    expect((await hv.vms()).find((v) => v.vmId === 'c1')).toMatchObject({ powerState: 'Halted', hostId: null });
  });

  it('ends a call already waiting for its answer', async () => {
    const { hv, sim } = await setup(VMS);
    const c = hv.client;
    const { token } = await c.call<{ token: string }>('event.from', ['pool'], '', 1);
    const waiting = rejection(c.call('event.from', ['pool'], token, 30)); // would wait 30 s (past the 2 s deadline)
    await new Promise((r) => setTimeout(r, 50));
    sim.faults.set('xapi-down', true);
    const e = (await waiting) as XapiUnreachableError;
    expect(e).toBeInstanceOf(XapiUnreachableError);
    expect(e.cause).toBe('reset');
  });
});

describe('migration-fail', () => {
  it('pool-wide: VM_MIGRATE_FAILED long before the copy would end, the VM where it was', async () => {
    const { hv, sim } = await setup(VMS, { migrateMs: 60_000, migrationFailMs: 50 });
    sim.faults.set('migration-fail', true);
    const e = (await rejection(hv.migrateVm('c1', 'h1'))) as XapiError;
    expect(e).toBeInstanceOf(XapiError);
    expect(e.code).toBe('VM_MIGRATE_FAILED');
    expect(e.params.slice(0, 3)).toEqual([sim.state.vmRef('c1'), sim.state.hostRef('h3'), sim.state.hostRef('h1')]);
    expect(sim.state.vm('c1')).toMatchObject({ power_state: 'Running', resident_on: sim.state.hostRef('h3'), scheduled_to_be_resident_on: NULL_REF });
    expect(await hv.residentGuestVms('h3')).toEqual(['c1', 'c2']);
    expect(await hv.incomingGuestVms('h1')).toEqual([]);
    expect(sim.faults.list()).toEqual([{ name: 'migration-fail', hits: 1 }]);
  });

  it('per host: from or to that host only; off again, migrations complete', async () => {
    const { hv, sim } = await setup(VMS, { migrateMs: 30 });
    sim.faults.set('migration-fail', true, 'h2');
    await hv.migrateVm('c1', 'h1'); // h3 → h1: not concerned
    expect(sim.state.vmHost('c1')).toBe('h1');
    expect(await rejection(hv.migrateVm('c2', 'h2'))).toMatchObject({ code: 'VM_MIGRATE_FAILED' }); // to h2
    expect(await rejection(hv.migrateVm('b1', 'h3'))).toMatchObject({ code: 'VM_MIGRATE_FAILED' }); // from h2
    expect(sim.state.vmHost('c2')).toBe('h3');
    expect(sim.state.vmHost('b1')).toBe('h2');
    expect(sim.faults.list()).toEqual([{ name: 'migration-fail', host: 'h2', hits: 2 }]);

    sim.faults.set('migration-fail', false, 'h2');
    await hv.migrateVm('c2', 'h2');
    expect(sim.state.vmHost('c2')).toBe('h2');
  });

  it('a doomed migration whose fault goes off meanwhile runs its full time and lands', async () => {
    const { hv, sim } = await setup(VMS, { migrateMs: 400, migrationFailMs: 300 });
    sim.faults.set('migration-fail', true);
    const moving = hv.migrateVm('c2', 'h1');
    await eventually(() => sim.state.vm('c2').scheduled_to_be_resident_on === sim.state.hostRef('h1'), 2000, 'migration started');
    sim.faults.set('migration-fail', false);
    await moving;
    expect(sim.state.vmHost('c2')).toBe('h1');
  });
});

describe('never-live', () => {
  it('keeps a powered-on host not live; the host next to it boots; off again, it turns live', async () => {
    const { hv, sim, models } = await setup(VMS);
    sim.faults.set('never-live', true, 'h3');
    for (const h of ['h2', 'h3']) models.get(h)!.control('off');
    await eventually(async () => !(await hv.hostLive('h3')) && !(await hv.hostLive('h2')), 3000, 'both down');
    for (const h of ['h2', 'h3']) models.get(h)!.control('on');

    await eventually(() => hv.hostLive('h2'), 5000, 'h2 live');
    // h3's OS runs as long as h2's, past the agent's start: the fault withheld its liveness once.
    await eventually(() => sim.faults.list()[0].hits === 1, 3000, 'liveness withheld');
    expect(models.get('h3')!.osRunning).toBe(true);
    expect(await hv.hostLive('h3')).toBe(false);
    expect((await hv.hosts()).find((h) => h.hostId === 'h3')).toMatchObject({ live: false });
    expect(await rejection(hv.enableHost('h3'))).toMatchObject({ code: 'HOST_OFFLINE' });

    sim.faults.set('never-live', false, 'h3');
    await eventually(() => hv.hostLive('h3'), 3000, 'h3 live once the fault is off');
    await hv.enableHost('h3');
  });
});

describe('vm-start-during-drain', () => {
  it('starts a halted guest on the host just disabled; the residency check sees it', async () => {
    const vms: SimVmSpec[] = [...VMS, { name: 'late', memoryBytes: gib(2), vcpus: 1, host: 'h3', running: false }];
    const { hv, sim } = await setup(vms, { drainStartDelayMs: 80 });
    sim.faults.set('vm-start-during-drain', true, 'h3');
    await hv.disableHost('h3');
    expect(await hv.residentGuestVms('h3')).toEqual(['c1', 'c2']); // not yet
    for (const vm of ['c1', 'c2']) await hv.migrateVm(vm, 'h1');
    await eventually(async () => (await hv.residentGuestVms('h3')).includes('late'), 2000, 'late start on h3');
    expect(await hv.residentGuestVms('h3')).toEqual(['late']);
    expect((await hv.vms()).find((v) => v.vmId === 'late')).toMatchObject({ powerState: 'Running', hostId: 'h3' });
    expect(sim.state.host('h3').enabled).toBe(false);
    expect(sim.faults.list()).toEqual([{ name: 'vm-start-during-drain', host: 'h3', hits: 1 }]);

    // A second disable of a host already disabled schedules nothing more.
    await hv.disableHost('h3');
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.faults.list()[0].hits).toBe(1);
  });

  it('creates a guest when none is halted; a host without the fault gets nothing', async () => {
    const { hv, sim } = await setup(VMS, { drainStartDelayMs: 50 });
    sim.faults.set('vm-start-during-drain', true, 'h2');
    await hv.disableHost('h3'); // h3 has no fault: nothing lands there
    await hv.disableHost('h2');
    await eventually(async () => (await hv.residentGuestVms('h2')).length === 2, 2000, 'a guest started on h2');
    expect(await hv.residentGuestVms('h2')).toEqual(['b1', 'late-start-1']);
    expect(await hv.residentGuestVms('h3')).toEqual(['c1', 'c2']);
    const late = (await hv.vms()).find((v) => v.vmId === 'late-start-1');
    expect(late).toMatchObject({ powerState: 'Running', hostId: 'h2', memoryBytes: gib(1) });
    expect(late?.pinned).toBeUndefined(); // on the shared SR: it can be drained like any other

    await hv.migrateVm('late-start-1', 'h1');
    expect(sim.state.vmHost('late-start-1')).toBe('h1');
  });

  it('off: a disable starts nothing', async () => {
    const vms: SimVmSpec[] = [...VMS, { name: 'late', memoryBytes: gib(2), vcpus: 1, host: 'h3', running: false }];
    const { hv, sim } = await setup(vms, { drainStartDelayMs: 30 });
    sim.faults.set('vm-start-during-drain', true);
    sim.faults.set('vm-start-during-drain', false);
    // Pool-wide on again for h2 only as a clock: once its start landed, one for h3 would have too.
    sim.faults.set('vm-start-during-drain', true, 'h2');
    await hv.disableHost('h3');
    await hv.disableHost('h2');
    await eventually(async () => (await hv.residentGuestVms('h2')).length === 2, 2000, 'the start on h2');
    expect(await hv.residentGuestVms('h3')).toEqual(['c1', 'c2']);
    expect(sim.state.vm('late')).toMatchObject({ power_state: 'Running', resident_on: sim.state.hostRef('h2') });
  });
});
