/**
 * The simulator's VM.start and VM.start_on, as xapi answers them: a halted VM that fits on an awake
 * enabled host starts there (its affinity host first); one that fits on none is refused with
 * HOST_NOT_ENOUGH_FREE_MEMORY [needed; available]; the async form leaves a failed task that
 * task.get_all_records serves (the sync form leaves none, as xapi destroys a sync call's task);
 * and the Hypervisor adapter reads that refusal back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GiB } from '../../../lib/sim/xen/index.ts';
import { XapiError, XapiHypervisor, type Ref, type TaskRecord, type XapiClient } from '../../../lib/xen/index.ts';
import { client, eventually, rejection, smallPool, type SmallPool } from '../../xen/support.ts';

let pool: SmallPool | undefined;
let xapi: XapiClient | undefined;
afterEach(async () => {
  await xapi?.close();
  await pool?.sim.stop();
  pool = undefined;
  xapi = undefined;
});

// Three 64 GiB hosts (4 GiB for the control domain): 60 GiB for guests each.
async function start(): Promise<{ sim: SmallPool['sim']; c: XapiClient }> {
  pool = await smallPool([
    { name: 'a', memoryBytes: 40 * GiB, vcpus: 2, host: 'h1' },
    { name: 'b', memoryBytes: 40 * GiB, vcpus: 2, host: 'h2' },
    { name: 'c', memoryBytes: 40 * GiB, vcpus: 2, host: 'h3' },
    { name: 'small', memoryBytes: 8 * GiB, vcpus: 1, host: 'h2', running: false },
    { name: 'big', memoryBytes: 32 * GiB, vcpus: 4, host: 'h1', running: false },
  ]);
  xapi = client(pool.sim);
  return { sim: pool.sim, c: xapi };
}

const refOf = async (c: XapiClient, name: string): Promise<Ref> => {
  const refs = await c.call<Ref[]>('VM.get_by_name_label', name);
  expect(refs).toHaveLength(1);
  return refs[0];
};
const hostRef = async (c: XapiClient, name: string): Promise<Ref> => (await c.call<Ref[]>('host.get_by_name_label', name))[0];

describe('VM.start on the simulated pool', () => {
  it('a VM that fits starts on its affinity host; a running one is VM_BAD_POWER_STATE', async () => {
    const { sim, c } = await start();
    const vm = await refOf(c, 'small');
    await c.call('VM.start', vm, false, false);
    expect(sim.state.vm('small')).toMatchObject({ power_state: 'Running' });
    expect(sim.state.vmHost('small')).toBe('h2');
    expect(sim.state.freeMemory('h2')).toBe(12 * GiB);
    const again = await rejection(c.call('VM.start', vm, false, false));
    expect(again).toMatchObject({ code: 'VM_BAD_POWER_STATE', params: [vm, 'halted', 'running'] });
    expect(sim.state.tasks()).toEqual([]);
  });

  it('a VM that fits on no awake host: HOST_NOT_ENOUGH_FREE_MEMORY [needed; available], and the async start leaves its failed task', async () => {
    const { sim, c } = await start();
    const vm = await refOf(c, 'big');
    // Synchronous: the error, and no task left behind.
    const sync = await rejection(c.call('VM.start', vm, false, false));
    expect(sync).toBeInstanceOf(XapiError);
    expect(sync).toMatchObject({ code: 'HOST_NOT_ENOUGH_FREE_MEMORY', params: [String(32 * GiB), String(20 * GiB)] });
    expect(sim.state.tasks()).toEqual([]);
    // Asynchronous: the task fails and stays until someone destroys it.
    const t = await c.call<Ref>('Async.VM.start', vm, false, false);
    await eventually(async () => (await c.call<string>('task.get_status', t)) !== 'pending', 2000, 'the task');
    const records = await c.call<Record<Ref, TaskRecord>>('task.get_all_records');
    expect(Object.keys(records)).toEqual([t]);
    expect(records[t]).toMatchObject({ name_label: 'Async.VM.start', status: 'failure', progress: 1, error_info: ['HOST_NOT_ENOUGH_FREE_MEMORY', String(32 * GiB), String(20 * GiB)] });
    expect(records[t].finished).toMatch(/^\d{8}T\d{2}:\d{2}:\d{2}Z$/);
    expect(sim.state.vm('big')).toMatchObject({ power_state: 'Halted' });
    // start_on a named host: its own free memory in the error.
    const on = await c.call<Ref>('Async.VM.start_on', vm, await hostRef(c, 'h3'), false, false);
    await eventually(async () => (await c.call<string>('task.get_status', on)) !== 'pending', 2000, 'the start_on task');
    expect(await c.call<string[]>('task.get_error_info', on)).toEqual(['HOST_NOT_ENOUGH_FREE_MEMORY', String(32 * GiB), String(20 * GiB)]);
    // The adapter reads both refusals back; a client that said which VM (applies_to) gets it named.
    await c.call('task.add_to_other_config', t, 'applies_to', vm);
    const hv = new XapiHypervisor(client(sim));
    try {
      const refusals = await hv.startRefusals();
      // Both finished within the same second: compare them by call.
      const seen = refusals.map((r) => [r.call, r.neededBytes, r.availableBytes, r.vm?.name ?? null]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
      expect(seen).toEqual([
        ['Async.VM.start', 32 * GiB, 20 * GiB, 'big'],
        ['Async.VM.start_on', 32 * GiB, 20 * GiB, null],
      ]);
    } finally {
      await hv.close();
    }
  });

  it('a disabled host is no place to start; with none enabled, NO_HOSTS_AVAILABLE; once room is made, the start succeeds', async () => {
    const { sim, c } = await start();
    const vm = await refOf(c, 'small');
    for (const h of ['h1', 'h2', 'h3']) await c.call('host.disable', await hostRef(c, h));
    expect(await rejection(c.call('VM.start', vm, false, false))).toMatchObject({ code: 'NO_HOSTS_AVAILABLE', params: [] });
    expect(await rejection(c.call('VM.start_on', vm, await hostRef(c, 'h3'), false, false))).toMatchObject({ code: 'HOST_DISABLED' });
    await c.call('host.enable', await hostRef(c, 'h3'));
    await c.call('VM.start', vm, false, false);
    expect(sim.state.vmHost('small')).toBe('h3');
  });
});
