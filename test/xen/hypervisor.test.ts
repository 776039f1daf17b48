/**
 * The Hypervisor port over XAPI against the pool simulator, with real HostModels (FAST_TIMINGS) as
 * the machines: the whole sleep sequence of one host and its wake, the refusals XAPI gives (with
 * their params), the HA plan, and the trap of host.shutdown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NULL_REF, XapiError, XapiHypervisor, XenLookupError } from '../../lib/xen/index.ts';
import type { SimVmSpec, XapiSimOptions } from '../../lib/sim/xen/index.ts';
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
  const hv = new XapiHypervisor(client(p.sim));
  hvs.push(hv);
  return { ...p, hv };
}

const MIXED: SimVmSpec[] = [
  { name: 'big', memoryBytes: gib(48), vcpus: 8, host: 'h1', tags: ['env:prod'] },
  { name: 'local', memoryBytes: gib(8), vcpus: 2, host: 'h2', localStorage: true },
  { name: 'gpu', memoryBytes: gib(4), vcpus: 2, host: 'h2', vgpu: true },
  { name: 'nic', memoryBytes: gib(4), vcpus: 2, host: 'h2', pci: true },
  { name: 'app1', memoryBytes: gib(8), vcpus: 2, host: 'h3', tags: ['anti-affinity:web'], snapshot: true },
  { name: 'app2', memoryBytes: gib(4), vcpus: 1, host: 'h3' },
  { name: 'app3', memoryBytes: gib(4), vcpus: 1, host: 'h3', running: false },
];

describe('inventory', () => {
  it('reads the pool, hosts and guests (no control domain, template or snapshot)', async () => {
    const { hv } = await setup(MIXED);
    expect(await hv.pool()).toEqual({ name: 'test-pool', masterHostId: 'h1', haEnabled: false, haFailuresToTolerate: 0 });
    const hosts = await hv.hosts();
    expect(hosts.map((h) => h.hostId)).toEqual(['h1', 'h2', 'h3']);
    const h3 = hosts[2];
    expect(h3).toMatchObject({ enabled: true, live: true, cpus: 16, isMaster: false, memoryTotalBytes: gib(64), memoryFreeBytes: gib(64 - 4 - 12), residentGuestVmIds: ['app1', 'app2'] });
    expect(h3.allowedOperations).toContain('evacuate');
    expect(hosts[0].isMaster).toBe(true);

    const vms = await hv.vms();
    expect(vms.map((v) => v.vmId)).toEqual(['app1', 'app2', 'app3', 'big', 'gpu', 'local', 'nic']);
    const by = Object.fromEntries(vms.map((v) => [v.vmId, v]));
    expect(by.local.pinned).toBe('local storage');
    expect(by.nic.pinned).toBe('PCI device');
    expect(by.gpu.pinned).toBe('vGPU');
    expect(by.app1).toMatchObject({ powerState: 'Running', hostId: 'h3', memoryBytes: gib(8), vcpus: 2, tags: ['anti-affinity:web'] });
    expect(by.app1.pinned).toBeUndefined();
    expect(by.app3).toMatchObject({ powerState: 'Halted', hostId: null });
    expect(await hv.hostFreeMemory('h1')).toBe(gib(12));
  });

  it('names an unknown host or VM clearly', async () => {
    const { hv } = await setup(MIXED);
    expect(await rejection(hv.disableHost('h9'))).toBeInstanceOf(XenLookupError);
    expect(await rejection(hv.migrateVm('nope', 'h1'))).toMatchObject({ kind: 'VM', nameLabel: 'nope', matches: 0 });
  });
});

describe('sleep and wake of one host', () => {
  it('disables, drains, verifies empty, shuts down (chassis off), then wakes and enables', async () => {
    const { hv, sim, models } = await setup(MIXED);
    const h3 = models.get('h3')!;
    const loadBefore = models.get('h2')!.load;

    await hv.disableHost('h3');
    expect(sim.state.host('h3').enabled).toBe(false);
    for (const vm of await hv.residentGuestVms('h3')) {
      await hv.assertCanMigrate(vm, 'h2');
      await hv.migrateVm(vm, 'h2');
    }
    expect(sim.state.vmHost('app1')).toBe('h2');
    expect(sim.state.vmHost('app2')).toBe('h2');
    expect(await hv.residentGuestVms('h3')).toEqual([]);
    expect(h3.load).toBeCloseTo(0.05);
    expect(models.get('h2')!.load).toBeGreaterThan(loadBefore);

    await hv.shutdownHost('h3');
    expect(h3.controlCounts.soft).toBe(1);
    await eventually(() => !h3.powerOn, 3000, 'chassis off');
    await eventually(async () => !(await hv.hostLive('h3')), 3000, 'host not live');
    expect(sim.state.vm('app1')).toMatchObject({ power_state: 'Running', resident_on: sim.state.hostRef('h2') });
    await expect(hv.enableHost('h3')).rejects.toMatchObject({ code: 'HOST_OFFLINE' });

    // Wake: power on (POST 300 ms), the agent starts (100 ms), the host is live again.
    h3.control('on');
    await eventually(() => hv.hostLive('h3'), 5000, 'host live');
    // Real xapi re-enables a host at boot unless it was disabled with auto_enable=false.
    expect(sim.state.host('h3').enabled).toBe(true);
    await hv.enableHost('h3');
    const back = (await hv.hosts()).find((h) => h.hostId === 'h3')!;
    expect(back).toMatchObject({ live: true, enabled: true, residentGuestVmIds: [] });
  });
});

describe('refusals', () => {
  it('HOST_NOT_DISABLED: shutdown of an enabled host', async () => {
    const { hv, models } = await setup(MIXED);
    const e = (await rejection(hv.shutdownHost('h3'))) as XapiError;
    expect(e).toBeInstanceOf(XapiError);
    expect(e.description).toEqual(['HOST_NOT_DISABLED']);
    expect(models.get('h3')!.controlCounts.soft).toBe(0);
  });

  it('VM_REQUIRES_SR, VM_HAS_PCI_ATTACHED, VM_HAS_VGPU: the VMs that cannot leave', async () => {
    const { hv, sim } = await setup(MIXED);
    const localRef = sim.state.vmRef('local');
    const localSr = sim.state.records('VDI').find(([, v]) => v.name_label === 'local 0')![1].SR;
    expect(sim.state.records('SR').find(([r]) => r === localSr)![1].shared).toBe(false);

    expect(await rejection(hv.assertCanMigrate('local', 'h1'))).toMatchObject({ code: 'VM_REQUIRES_SR', params: [localRef, localSr] });
    expect(await rejection(hv.migrateVm('local', 'h1'))).toMatchObject({ code: 'VM_REQUIRES_SR', params: [localRef, localSr] });
    expect(await rejection(hv.assertCanMigrate('nic', 'h1'))).toMatchObject({ code: 'VM_HAS_PCI_ATTACHED', params: [sim.state.vmRef('nic')] });
    expect(await rejection(hv.migrateVm('gpu', 'h3'))).toMatchObject({ code: 'VM_HAS_VGPU', params: [sim.state.vmRef('gpu')] });

    expect(await hv.vmsPreventingEvacuation('h2')).toEqual({
      local: ['VM_REQUIRES_SR', localRef, localSr],
      nic: ['VM_HAS_PCI_ATTACHED', sim.state.vmRef('nic')],
      gpu: ['VM_HAS_VGPU', sim.state.vmRef('gpu')],
    });
    const e = (await rejection(hv.assertCanEvacuate('h2'))) as XapiError;
    expect(e.code).toBe('CANNOT_EVACUATE_HOST');
    expect(e.params).toHaveLength(1);
    expect(e.params[0].split('|').sort()).toEqual([`VM_HAS_PCI_ATTACHED,${sim.state.vmRef('nic')}`, `VM_HAS_VGPU,${sim.state.vmRef('gpu')}`, `VM_REQUIRES_SR,${localRef},${localSr}`]);
    await hv.assertCanEvacuate('h3');
    expect(await hv.vmsPreventingEvacuation('h3')).toEqual({});
    expect(sim.state.vmHost('local')).toBe('h2');
  });

  it('HOST_NOT_ENOUGH_FREE_MEMORY with needed and available', async () => {
    const { hv, sim } = await setup(MIXED);
    const e = (await rejection(hv.migrateVm('big', 'h2'))) as XapiError;
    expect(e.description).toEqual(['HOST_NOT_ENOUGH_FREE_MEMORY', String(gib(48)), String(gib(64 - 4 - 16))]);
    expect(sim.state.vmHost('big')).toBe('h1');
    // h3 has exactly 48 GiB free: the evacuation plan puts big there, until h3 is disabled.
    expect(await hv.vmsPreventingEvacuation('h1')).toEqual({});
    await hv.disableHost('h3');
    expect(await hv.vmsPreventingEvacuation('h1')).toEqual({ big: ['HOST_NOT_ENOUGH_FREE_MEMORY', sim.state.vmRef('big')] });
  });

  it('HOST_DISABLED: no migration onto a disabled host', async () => {
    const { hv, sim } = await setup(MIXED);
    await hv.disableHost('h1');
    expect(await rejection(hv.assertCanMigrate('app2', 'h1'))).toMatchObject({ code: 'HOST_DISABLED', params: [sim.state.hostRef('h1')] });
    expect(await rejection(hv.migrateVm('app2', 'h1'))).toMatchObject({ code: 'HOST_DISABLED' });
  });

  it('VM_BAD_POWER_STATE for a halted VM', async () => {
    const { hv, sim } = await setup(MIXED);
    expect(await rejection(hv.migrateVm('app3', 'h1'))).toMatchObject({ code: 'VM_BAD_POWER_STATE', params: [sim.state.vmRef('app3'), 'running', 'halted'] });
  });

  it('VM_MIGRATE_FAILED when the destination dies mid-copy; the VM stays on the source', async () => {
    const { hv, sim, models } = await setup(MIXED, { migrateMs: 400 });
    const moving = hv.migrateVm('app1', 'h1');
    await eventually(() => sim.state.vm('app1').scheduled_to_be_resident_on === sim.state.hostRef('h1'), 2000, 'migration started');
    models.get('h1')!.control('off');
    expect(await rejection(moving)).toMatchObject({ code: 'VM_MIGRATE_FAILED' });
    expect(sim.state.vm('app1')).toMatchObject({ power_state: 'Running', resident_on: sim.state.hostRef('h3'), scheduled_to_be_resident_on: NULL_REF });
  });
});

describe('HA', () => {
  // 60 GiB for guests per host. h1 fails → 40 GiB must fit in one other host.
  const HA_VMS: SimVmSpec[] = [
    { name: 'heavy', memoryBytes: gib(40), vcpus: 8, host: 'h1' },
    { name: 'small', memoryBytes: gib(10), vcpus: 2, host: 'h2' },
    { name: 'm1', memoryBytes: gib(15), vcpus: 2, host: 'h3' },
    { name: 'm2', memoryBytes: gib(15), vcpus: 2, host: 'h3' },
  ];
  const HA = { pool: { name: 'ha-pool', haEnabled: true, haFailuresToTolerate: 1 } };

  it('HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN for a disable or a migration that leaves no room for a failure', async () => {
    const { hv, sim } = await setup(HA_VMS, HA);
    expect(await hv.pool()).toMatchObject({ haEnabled: true, haFailuresToTolerate: 1 });
    expect(sim.state.pool().ha_plan_exists_for).toBe(1);

    expect(await rejection(hv.disableHost('h2'))).toMatchObject({ code: 'HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN', params: [] });
    expect(sim.state.host('h2').enabled).toBe(true);

    // assert_can_boot_here knows nothing of HA: pool_migrate itself refuses.
    await hv.assertCanMigrate('m1', 'h2');
    expect(await rejection(hv.migrateVm('m1', 'h2'))).toMatchObject({ code: 'HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN' });
    expect(sim.state.vmHost('m1')).toBe('h3');

    await hv.migrateVm('m1', 'h1'); // h2 still has 50 GiB for heavy if h1 fails
    expect(sim.state.vmHost('m1')).toBe('h1');
    expect(sim.state.pool().ha_plan_exists_for).toBe(1);
  });
});

describe('the trap', () => {
  it('host.shutdown with a guest still resident halts it', async () => {
    const { hv, sim, models } = await setup(MIXED);
    await hv.disableHost('h3');
    expect(await hv.residentGuestVms('h3')).toEqual(['app1', 'app2']);
    await hv.shutdownHost('h3'); // XAPI does not refuse
    expect(sim.state.vm('app1')).toMatchObject({ power_state: 'Halted', resident_on: NULL_REF });
    expect(sim.state.vm('app2')).toMatchObject({ power_state: 'Halted', resident_on: NULL_REF });
    await eventually(() => !models.get('h3')!.powerOn, 3000, 'chassis off');
    expect((await hv.vms()).filter((v) => v.vmId.startsWith('app')).map((v) => v.powerState)).toEqual(['Halted', 'Halted', 'Halted']);
  });

  it('a hard power-off leaves every resident guest Halted with no host', async () => {
    const { hv, sim, models } = await setup(MIXED);
    models.get('h3')!.control('off');
    await eventually(async () => !(await hv.hostLive('h3')), 2000, 'host not live');
    expect(sim.state.vm('app1')).toMatchObject({ power_state: 'Halted', resident_on: NULL_REF });
    expect(sim.state.host('h3').resident_VMs).toEqual([sim.state.records('VM').find(([, v]) => v.is_control_domain && v.resident_on === sim.state.hostRef('h3'))![0]]);
  });
});

describe('other XAPI calls the simulator serves', () => {
  it('host.evacuate moves every guest by its own plan', async () => {
    const { hv, sim } = await setup(MIXED);
    const [h3] = await hv.client.call<string[]>('host.get_by_name_label', 'h3');
    await hv.disableHost('h3');
    await hv.client.callAsync('host.evacuate', h3);
    expect(await hv.residentGuestVms('h3')).toEqual([]);
    expect(['h1', 'h2']).toContain(sim.state.vmHost('app1'));
  });

  it('VM.assert_can_migrate runs the pool_migrate prechecks against host.migrate_receive\'s map', async () => {
    const { hv, sim } = await setup(MIXED);
    const c = hv.client;
    const dest = await c.call<Record<string, string>>('host.migrate_receive', sim.state.hostRef('h1'), sim.state.records('network')[0][0], {});
    expect(dest.host).toBe(sim.state.hostRef('h1'));
    await c.call('VM.assert_can_migrate', sim.state.vmRef('app1'), dest, true, {}, {}, {});
    expect(await rejection(c.call('VM.assert_can_migrate', sim.state.vmRef('local'), dest, true, {}, {}, {}))).toMatchObject({ code: 'VM_REQUIRES_SR' });
  });
});
