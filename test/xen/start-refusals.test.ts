/**
 * The reader of XAPI's refusals to start a VM for lack of memory, on task records as
 * task.get_all_records returns them: only failed VM starts whose error is
 * HOST_NOT_ENOUGH_FREE_MEMORY [needed; available] count; successes, pending tasks, other errors,
 * other calls and malformed records do not; the VM is named when the task's applies_to names a guest.
 */
import { describe, expect, it } from 'vitest';
import type { Ref, TaskRecord, VmRecord } from '../../lib/xen/index.ts';
import { advanceRefusalCursor, parseXapiDateTime, startRefusals } from '../../lib/xen/start-refusals.ts';

const GiB = 2 ** 30;
type T = Partial<TaskRecord>;
const task = (over: T): T => ({ uuid: 'u', name_label: 'Async.VM.start', status: 'failure', created: '20261206T01:59:58Z', finished: '20261206T02:00:03Z', error_info: ['HOST_NOT_ENOUGH_FREE_MEMORY', String(160 * GiB), String(130 * GiB)], other_config: {}, ...over });
const vms: Record<Ref, Partial<VmRecord>> = {
  'OpaqueRef:big': { uuid: 'uuid-big', name_label: 'big-db', is_control_domain: false, is_a_template: false, is_a_snapshot: false },
  'OpaqueRef:snap': { uuid: 'uuid-snap', name_label: 'big-db', is_a_snapshot: true },
};

describe('XAPI start refusals from task records', () => {
  it('reads xapi datetimes: its own basic form, fractions and offsets, the extended form; nothing else', () => {
    expect(parseXapiDateTime('20261206T02:00:03Z')).toBe(Date.parse('2026-12-06T02:00:03Z'));
    expect(parseXapiDateTime('20261206T02:00:03.250Z')).toBe(Date.parse('2026-12-06T02:00:03.250Z'));
    expect(parseXapiDateTime('20261206T03:00:03+01:00')).toBe(Date.parse('2026-12-06T02:00:03Z'));
    expect(parseXapiDateTime('2026-12-06T02:00:03Z')).toBe(Date.parse('2026-12-06T02:00:03Z'));
    expect(parseXapiDateTime('20261206T02:00:03')).toBe(Date.parse('2026-12-06T02:00:03Z'));
    for (const bad of ['', 'yesterday', '2026-12-06', 12, undefined, '20261306T02:00:03Z']) expect(parseXapiDateTime(bad)).toBeUndefined();
  });

  it('a failed async start for lack of memory is a refusal with its figures; the VM named by applies_to', () => {
    const r = startRefusals({ 'OpaqueRef:t1': task({ uuid: 'task-1', other_config: { applies_to: 'OpaqueRef:big' } }) }, vms);
    expect(r).toEqual([{ taskRef: 'OpaqueRef:t1', taskUuid: 'task-1', call: 'Async.VM.start', finishedAt: Date.parse('2026-12-06T02:00:03Z'), neededBytes: 160 * GiB, availableBytes: 130 * GiB, vm: { ref: 'OpaqueRef:big', uuid: 'uuid-big', name: 'big-db' } }]);
    // By uuid too, among other objects; a snapshot or an unknown object names no VM.
    expect(startRefusals({ t: task({ other_config: { applies_to: 'OpaqueRef:pool, uuid-big' } }) }, vms)[0].vm?.name).toBe('big-db');
    expect(startRefusals({ t: task({ other_config: { applies_to: 'OpaqueRef:snap' } }) }, vms)[0].vm).toBeUndefined();
    expect(startRefusals({ t: task({}) }, vms)[0].vm).toBeUndefined();
    // JSON numbers are read like decimal strings.
    expect(startRefusals({ t: task({ error_info: ['HOST_NOT_ENOUGH_FREE_MEMORY', 5 as unknown as string, 4 as unknown as string] }) }, vms)[0]).toMatchObject({ neededBytes: 5, availableBytes: 4 });
  });

  it('successes, pending and cancelled tasks, other errors, other calls and malformed records are ignored', () => {
    const tasks: Record<Ref, T> = {
      ok: task({ status: 'success', error_info: [] }),
      pending: task({ status: 'pending', finished: '19700101T00:00:00Z', error_info: [] }),
      cancelled: task({ status: 'cancelled', error_info: ['TASK_CANCELLED', 'x'] }),
      badPower: task({ error_info: ['VM_BAD_POWER_STATE', 'OpaqueRef:big', 'halted', 'running'] }),
      noHosts: task({ error_info: ['NO_HOSTS_AVAILABLE'] }),
      migrate: task({ name_label: 'Async.VM.pool_migrate' }),
      shutdown: task({ name_label: 'Async.host.shutdown' }),
      noParams: task({ error_info: ['HOST_NOT_ENOUGH_FREE_MEMORY'] }),
      textParams: task({ error_info: ['HOST_NOT_ENOUGH_FREE_MEMORY', 'lots', '1'] }),
      negative: task({ error_info: ['HOST_NOT_ENOUGH_FREE_MEMORY', '-1', '1'] }),
      noFinish: task({ finished: 'soon' }),
      noName: task({ name_label: undefined }),
    };
    expect(startRefusals(tasks, vms)).toEqual([]);
  });

  it('every start call counts (start, start_on, resume, sync or async); oldest first; only those from the cursor\'s second on', () => {
    const tasks: Record<Ref, T> = {
      c: task({ uuid: 'tc', name_label: 'Async.VM.start_on', finished: '20261206T02:00:05Z' }),
      a: task({ uuid: 'ta', name_label: 'VM.start', finished: '20261206T02:00:01Z' }),
      b: task({ uuid: 'tb', name_label: 'Async.VM.resume', finished: '20261206T02:00:03Z' }),
    };
    expect(startRefusals(tasks, vms).map((r) => r.taskRef)).toEqual(['a', 'b', 'c']);
    expect(startRefusals(tasks, vms, { from: Date.parse('2026-12-06T02:00:03.001Z') }).map((r) => r.taskRef)).toEqual(['b', 'c']);
    expect(startRefusals(tasks, vms, { from: Date.parse('2026-12-06T02:00:04Z') }).map((r) => r.taskRef)).toEqual(['c']);
    expect(startRefusals(tasks, vms, { from: Date.parse('2026-12-06T02:00:05.999Z'), seenTaskUuids: ['tc'] })).toEqual([]);
  });

  it('XAPI\'s whole seconds: a refusal in the same second as a later mark (a host slept at .700) counts; once counted it is not counted again, another in that second is', () => {
    // The task finished at 02:00:03.2 and xapi says 02:00:03; the first host's sleep was stored at 02:00:03.7.
    const first = { t1: task({ uuid: 'task-1', finished: '20261206T02:00:03Z' }) };
    const sleptAt = Date.parse('2026-12-06T02:00:03.700Z');
    const seen1 = startRefusals(first, vms, { from: sleptAt });
    expect(seen1.map((r) => r.taskUuid)).toEqual(['task-1']);
    const cursor1 = advanceRefusalCursor(undefined, seen1);
    expect(cursor1).toEqual({ from: Date.parse('2026-12-06T02:00:03Z'), seenTaskUuids: ['task-1'] });
    // A second refusal xapi stamps with the same second arrives after the check counted the first.
    const both = { ...first, t2: task({ uuid: 'task-2', finished: '20261206T02:00:03Z' }) };
    const seen2 = startRefusals(both, vms, cursor1);
    expect(seen2.map((r) => r.taskUuid)).toEqual(['task-2']);
    const cursor2 = advanceRefusalCursor(cursor1, seen2);
    expect(cursor2).toEqual({ from: Date.parse('2026-12-06T02:00:03Z'), seenTaskUuids: ['task-1', 'task-2'] });
    expect(startRefusals(both, vms, cursor2)).toEqual([]);
    // A later second starts the list of seen tasks again; nothing counted keeps the cursor.
    const later = { ...both, t3: task({ uuid: 'task-3', finished: '20261206T02:00:04Z' }) };
    const seen3 = startRefusals(later, vms, cursor2);
    expect(seen3.map((r) => r.taskUuid)).toEqual(['task-3']);
    expect(advanceRefusalCursor(cursor2, seen3)).toEqual({ from: Date.parse('2026-12-06T02:00:04Z'), seenTaskUuids: ['task-3'] });
    expect(advanceRefusalCursor(cursor2, [])).toBe(cursor2);
  });
});
