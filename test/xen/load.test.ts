/**
 * Host and VM load from an RRD export (the hand-written fixture of rrd-updates.test.ts): CPU as
 * the mean of cpuN (NaN rows and vCPUs skipped), a VM's CPU in host terms, memory used from the
 * guest's free figure or, without one, from its allocation; the window of rows; what is missing.
 */
import { describe, expect, it } from 'vitest';
import { loadFromUpdates } from '../../lib/xen/load.ts';
import { parseRrdUpdates, parseRrdUpdatesJson } from '../../lib/xen/rrd-updates.ts';
import { fixture, HOST, VM_A, VM_B } from './rrd-fixtures.ts';

const updates = parseRrdUpdates(fixture('rrd-updates.xml'));
const KiB = 1024;

describe('load from an export', () => {
  const load = loadFromUpdates(updates);
  const a = load.vms.find((v) => v.uuid === VM_A)!;
  const b = load.vms.find((v) => v.uuid === VM_B)!;

  it('host: CPU is the mean over rows of the mean of cpuN, a NaN vCPU skipped; memory from the KiB sources', () => {
    // Rows (oldest first): cpu0/cpu1 = 0.1/0.1, 0.2/NaN, 0.5/0.3 → row means 0.1, 0.2, 0.4.
    expect(load.host?.uuid).toBe(HOST);
    expect(load.host?.cpus).toBe(2);
    expect(load.host?.cpuPercent).toBeCloseTo(((0.1 + 0.2 + 0.4) / 3) * 100, 9);
    expect(load.host?.memoryTotalBytes).toBe(6.7109e7 * KiB);
    expect(load.host?.memoryFreeBytes).toBe(3.3554e7 * KiB);
    expect(load.host?.memoryUsedBytes).toBe((6.7109e7 - 3.3554e7) * KiB);
    expect(load.host?.rows).toBe(3);
    expect(load.host?.missing).toEqual([]);
  });

  it('VM: CPU of its own vCPUs and in host terms', () => {
    // vm A: cpu0/cpu1 = 0/0.2, 0.4/0.2, 0.8/0.6 → 0.1, 0.3, 0.7.
    expect(a.vcpus).toBe(2);
    expect(a.cpuPercent).toBeCloseTo(((0.1 + 0.3 + 0.7) / 3) * 100, 9);
    expect(a.hostCpuPercent).toBeCloseTo(a.cpuPercent!, 9); // 2 vCPUs of a 2-CPU host
    // vm B: one vCPU, NaN in the oldest row → (0.3 + 0.1) / 2 = 0.2; in host terms 0.2 × 1 / 2.
    expect(b.vcpus).toBe(1);
    expect(b.cpuPercent).toBeCloseTo(20, 9);
    expect(b.hostCpuPercent).toBeCloseTo(10, 9);
  });

  it('VM memory: memory less the guest-reported free where there is one, the allocation where the row has NaN', () => {
    const held = 8.5899e9;
    const rows = [held - 2.0972e6 * KiB, held /* memory_internal_free NaN: memory_target */, held - 4.1943e6 * KiB];
    expect(a.memoryBytes).toBe(held);
    expect(a.memoryUsedBytes).toBeCloseTo((rows[0] + rows[1] + rows[2]) / 3, 3);
    expect(a.memoryUsedFrom).toBe('mixed');
    expect(a.missing).toEqual([]);
  });

  it('VM memory without memory_internal_free (no guest agent) or memory_target: what the domain holds, and the sources named missing', () => {
    expect(b.memoryUsedBytes).toBe(4.295e9);
    expect(b.memoryUsedFrom).toBe('allocation');
    expect(b.missing).toEqual(['memory_target', 'memory_internal_free']);
  });

  it('only the rows of the window count', () => {
    const late = loadFromUpdates(updates, { window: { after: 1700000040 } });
    expect(late.host?.rows).toBe(2);
    expect(late.host?.cpuPercent).toBeCloseTo(30, 9);
    expect(late.vms.find((v) => v.uuid === VM_A)?.memoryUsedFrom).toBe('mixed');
    const first = loadFromUpdates(updates, { window: { upTo: 1700000040 } });
    expect(first.host?.cpuPercent).toBeCloseTo(10, 9);
    expect(first.vms.find((v) => v.uuid === VM_B)?.cpuPercent).toBeNull(); // its only row is NaN: unknown, not 0
    expect(first.vms.find((v) => v.uuid === VM_A)?.memoryUsedFrom).toBe('guest');
    const none = loadFromUpdates(updates, { window: { after: 1800000000 } });
    expect(none.host).toMatchObject({ cpuPercent: null, memoryUsedBytes: null, rows: 0 });
  });

  it('without a host object (host=false), VMs in host terms need the host CPU count given', () => {
    const vmsOnly = parseRrdUpdatesJson(
      '{"meta":{"start":60,"step":60,"end":60,"rows":1,"columns":2,"legend":["AVERAGE:vm:v1:cpu0","AVERAGE:vm:v1:cpu1"]},"data":[{"t":60,"values":["0.5","0.5"]}]}',
    );
    const unknown = loadFromUpdates(vmsOnly);
    expect(unknown.host).toBeUndefined();
    expect(unknown.vms[0]).toMatchObject({ cpuPercent: 50, hostCpuPercent: null, memoryUsedBytes: null, memoryUsedFrom: null, missing: ['memory', 'memory_target', 'memory_internal_free'] });
    expect(loadFromUpdates(vmsOnly, { hostCpus: 8 }).vms[0].hostCpuPercent).toBeCloseTo(12.5, 9);
  });

  it('a host without cpuN falls back to cpu_avg and says so; without either its CPU is unknown', () => {
    const avgOnly = parseRrdUpdatesJson(
      '{"meta":{"start":60,"step":60,"end":120,"rows":2,"columns":1,"legend":["AVERAGE:host:h:cpu_avg"]},"data":[{"t":120,"values":["0.3"]},{"t":60,"values":["0.1"]}]}',
    );
    expect(loadFromUpdates(avgOnly).host).toMatchObject({ cpuPercent: 20, cpus: 0, missing: ['cpuN', 'memory_total_kib', 'memory_free_kib'] });
    const bare = parseRrdUpdatesJson('{"meta":{"start":60,"step":60,"end":60,"rows":1,"columns":1,"legend":["AVERAGE:host:h:loadavg"]},"data":[{"t":60,"values":["0.3"]}]}');
    expect(loadFromUpdates(bare).host).toMatchObject({ cpuPercent: null, missing: ['cpuN', 'cpu_avg', 'memory_total_kib', 'memory_free_kib'] });
  });
});
