/**
 * An independent client, Vates' xen-api (Xen Orchestra's XAPI connector), against the simulated
 * demo pool: it connects over JSON-RPC, fetches every record through the classes the simulator
 * lists, follows event.from, waits for tasks through events, and reads XAPI errors as XAPI sends them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Xapi, type XenApiError, type XenApiRecord } from 'xen-api';
import { XapiHypervisor } from '../../lib/xen/index.ts';
import { demoPool, startXapiSim, type XapiSim } from '../../lib/sim/xen/index.ts';
import { client, eventually, hostModel, PASSWORD, rejection, USER } from './support.ts';

let sim: XapiSim;
let xapi: Xapi;
let hv: XapiHypervisor;

beforeAll(async () => {
  const links = new Map(Array.from({ length: 6 }, (_, i) => [`host-00${i + 1}`, hostModel()]));
  sim = await startXapiSim({ ...demoPool(links, { user: USER, password: PASSWORD }), migrateMs: 20, agentStartMs: 100, tickMs: 20 });
  xapi = createClient({ url: sim.url, allowUnauthorized: true, auth: { user: USER, password: PASSWORD }, debounce: 10 });
  await xapi.connect();
  await xapi.objectsFetched;
  hv = new XapiHypervisor(client(sim));
});
afterAll(async () => {
  await xapi?.disconnect();
  await hv?.close();
  await sim?.stop();
});

const ofType = (type: string): XenApiRecord[] => Object.values(xapi.objects.all).filter((o) => o.$type === type);
const named = (type: string, name: string): XenApiRecord | undefined => ofType(type).find((o) => o.name_label === name && o.is_a_snapshot !== true);

describe('xen-api against the simulated pool', () => {
  it('connects over JSON-RPC and caches every record', () => {
    expect(xapi.status).toBe('connected');
    expect(sim.calls['system.listMethods']).toBe(1);
    expect(ofType('pool')).toHaveLength(1);
    expect(ofType('host')).toHaveLength(6);
    expect(ofType('host_metrics')).toHaveLength(6);
    const vms = ofType('VM');
    expect(vms).toHaveLength(6 + 2 + 30 + 1); // control domains, templates, guests, one snapshot
    expect(vms.filter((v) => v.is_control_domain === true)).toHaveLength(6);
    expect(vms.filter((v) => v.is_a_template === true)).toHaveLength(2);
    expect(vms.filter((v) => v.is_a_snapshot === true).map((v) => v.name_label)).toEqual(['vm-01']);
    expect(ofType('SR')).toHaveLength(7);
    expect(ofType('SR').filter((s) => s.shared === true)).toHaveLength(1);
    expect(ofType('VBD')).toHaveLength(60);
    expect(ofType('VDI')).toHaveLength(30);

    const pool = xapi.pool;
    expect(pool.name_label).toBe('demo-pool');
    expect(pool.ha_enabled).toBe(true);
    expect(pool.ha_host_failures_to_tolerate).toBe(1);
    expect(xapi.getObjectByRef(pool.master as string).name_label).toBe('host-001');
    const host3 = named('host', 'host-003')!;
    expect(xapi.getObjectByRef(host3.metrics as string).memory_total).toBe(256 * 1024 ** 3);
    expect((host3.cpu_info as Record<string, string>).cpu_count).toBe('32');
  });

  it('sees a change made through our client within a short time (event.from)', async () => {
    await hv.disableHost('host-006');
    const polls = sim.calls['event.from'] ?? 0;
    await eventually(() => named('host', 'host-006')?.enabled === false, 3000, 'xen-api sees host-006 disabled');
    expect(sim.calls['event.from']).toBeGreaterThan(polls);
    expect(named('host', 'host-006')!.allowed_operations).toContain('enable');

    const target = named('host', 'host-005')!;
    await hv.migrateVm('vm-30', 'host-005');
    await eventually(() => named('VM', 'vm-30')?.resident_on === target.$ref, 3000, 'xen-api sees vm-30 on host-005');
    expect((target.resident_VMs as string[]).length).toBeGreaterThan(0);
    await eventually(() => (named('host', 'host-005')!.resident_VMs as string[]).includes(named('VM', 'vm-30')!.$ref), 3000, 'resident_VMs updated');
  });

  it('runs its own Async call, waiting for the task through events', async () => {
    const vm = named('VM', 'vm-29')!;
    const to = named('host', 'host-004')!;
    expect(await xapi.callAsync('VM.pool_migrate', vm.$ref, to.$ref, { live: 'true' })).toBe('');
    expect(sim.state.vmHost('vm-29')).toBe('host-004');
    await eventually(() => ofType('task').length === 0, 3000, 'task destroyed');
  });

  it('reads XAPI errors with their code and params', async () => {
    const enabled = named('host', 'host-002')!;
    const e = (await rejection(xapi.call('host.shutdown', enabled.$ref))) as XenApiError;
    expect(e.code).toBe('HOST_NOT_DISABLED');
    expect(e.params).toEqual([]);
    const local = named('VM', 'vm-13')!;
    const f = (await rejection(xapi.callAsync('VM.pool_migrate', local.$ref, enabled.$ref, { live: 'true' }))) as XenApiError;
    expect(f.code).toBe('VM_REQUIRES_SR');
    expect(f.params[0]).toBe(local.$ref);
  });
});
