/**
 * The local runner's demo pool: its shape, and that consolidation under its own rules (HA with one
 * failure to tolerate, 10 % headroom, master and local-storage host kept) really puts two hosts to
 * sleep through XAPI, with every VM still running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XapiHypervisor } from '../../lib/xen/index.ts';
import { demoPool, GiB, startXapiSim, type XapiSim } from '../../lib/sim/xen/index.ts';
import type { HostModel } from '../../lib/sim/ipmi/host-model.ts';
import { client, eventually, hostModel, PASSWORD, USER } from './support.ts';

let sim: XapiSim;
let hv: XapiHypervisor;
let links: Map<string, HostModel>;

beforeAll(async () => {
  links = new Map(Array.from({ length: 6 }, (_, i) => [`host-00${i + 1}`, hostModel({ softOffMs: 100 })]));
  sim = await startXapiSim({ ...demoPool(links, { user: USER, password: PASSWORD }), migrateMs: 5, agentStartMs: 50, tickMs: 20 });
  hv = new XapiHypervisor(client(sim));
});
afterAll(async () => {
  await hv?.close();
  await sim?.stop();
});

describe('demo pool', () => {
  it('has six hosts, thirty guests, one on local storage, an anti-affinity pair and HA 1', async () => {
    expect(await hv.pool()).toEqual({ name: 'demo-pool', masterHostId: 'host-001', haEnabled: true, haFailuresToTolerate: 1 });
    const hosts = await hv.hosts();
    expect(hosts.map((h) => h.hostId)).toEqual(['host-001', 'host-002', 'host-003', 'host-004', 'host-005', 'host-006']);
    for (const h of hosts) {
      expect(h.memoryTotalBytes).toBe(256 * GiB);
      expect(h.cpus).toBeGreaterThanOrEqual(24);
      expect(h.cpus).toBeLessThanOrEqual(32);
    }
    const vms = await hv.vms();
    expect(vms).toHaveLength(30);
    expect(vms[0].vmId).toBe('vm-01');
    expect(vms.filter((v) => v.pinned)).toEqual([expect.objectContaining({ vmId: 'vm-13', hostId: 'host-003', pinned: 'local storage' })]);
    const db = vms.filter((v) => v.tags.includes('anti-affinity:db'));
    expect(db).toHaveLength(2);
    expect(db[0].hostId).not.toBe(db[1].hostId);
    expect(sim.state.pool().ha_plan_exists_for).toBe(1);
  });

  it('lets two hosts sleep with HA 1 and 10 % headroom kept', async () => {
    const sleepers = ['host-006', 'host-005'];
    for (const hostId of sleepers) {
      await hv.disableHost(hostId);
      for (const vm of await hv.residentGuestVms(hostId)) {
        const targets = (await hv.hosts()).filter((h) => h.enabled && h.live && h.hostId !== hostId);
        const free = await Promise.all(targets.map(async (h) => [h.hostId, await hv.hostFreeMemory(h.hostId)] as const));
        const [to] = free.sort((a, b) => b[1] - a[1])[0];
        await hv.migrateVm(vm, to);
      }
      expect(await hv.residentGuestVms(hostId)).toEqual([]);
      await hv.shutdownHost(hostId);
    }
    await eventually(() => sleepers.every((h) => !links.get(h)!.powerOn), 3000, 'both chassis off');
    await eventually(async () => (await hv.hosts()).filter((h) => h.live).length === 4, 3000, 'four hosts live');

    const vms = await hv.vms();
    expect(vms.every((v) => v.powerState === 'Running')).toBe(true);
    const live = (await hv.hosts()).filter((h) => h.live);
    const used = vms.reduce((s, v) => s + v.memoryBytes, 0);
    const usable = live.map((h) => h.memoryTotalBytes - 4 * GiB).sort((a, b) => b - a);
    expect(used).toBeLessThanOrEqual(0.9 * usable.slice(1).reduce((s, x) => s + x, 0));
    expect(sim.state.pool().ha_plan_exists_for).toBe(1);
    expect(links.get('host-006')!.load).toBeCloseTo(0.05);
  });
});
