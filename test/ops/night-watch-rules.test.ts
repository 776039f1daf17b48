/** The night watch's pure decisions: the night, the CPU figure and spike, the hosts that cover it, flapping, the bound. */
import { describe, expect, it } from 'vitest';
import {
  awakeCpu,
  cpuSpike,
  decideWatch,
  flappingHosts,
  hostsForCpu,
  nightOf,
  refusalCursor,
  refusalDemand,
  watchSettings,
  watchWakeKey,
  type WatchInput,
} from '../../lib/ops/night-watch-rules.ts';
import type { PlannerHost, PlannerVm } from '../../lib/planner/index.ts';
import type { StartRefusal } from '../../lib/xen/index.ts';

const GiB = 2 ** 30;
const settings = { cpuCeilingPercent: 80, spikeSeconds: 20, maxWakesPerNight: 3 };

describe('night watch rules', () => {
  it('settings: the policy wins, then the deployment, then the defaults', () => {
    expect(watchSettings(undefined)).toEqual({ cpuCeilingPercent: 80, spikeSeconds: 300, maxWakesPerNight: 3 });
    expect(watchSettings({}, 20)).toEqual({ cpuCeilingPercent: 80, spikeSeconds: 20, maxWakesPerNight: 3 });
    expect(watchSettings({ cpuCeilingPercent: 70, spikeSeconds: 60, maxWakesPerNight: 1 }, 20)).toEqual({ cpuCeilingPercent: 70, spikeSeconds: 60, maxWakesPerNight: 1 });
    expect(watchSettings({ resleepAfterQuietSeconds: 900 })).toMatchObject({ resleepAfterQuietSeconds: 900 });
  });

  it('refusals count from those counted (their second, less the tasks named), else from the first sleep; a state without named tasks counts from the next second', () => {
    const at = (iso: string): number => Date.parse(iso);
    const slept = [at('2026-12-06T01:00:03.700Z'), at('2026-12-06T01:00:09Z')];
    expect(refusalCursor(undefined, slept, at('2026-12-06T02:00:00Z'))).toEqual({ cursor: { from: slept[0] } });
    expect(refusalCursor({}, [], at('2026-12-06T02:00:00Z'))).toEqual({ cursor: { from: at('2026-12-06T02:00:00Z') } });
    const seen = { refusalsSeenUpTo: '2026-12-06T01:20:05.000Z', refusalsSeenTasks: ['task-a'] };
    expect(refusalCursor(seen, slept, 0)).toEqual({ cursor: { from: at('2026-12-06T01:20:05Z'), seenTaskUuids: ['task-a'] }, counted: { from: at('2026-12-06T01:20:05Z'), seenTaskUuids: ['task-a'] } });
    // Written before the tasks were named: what it counted in that second is not counted again.
    const legacy = refusalCursor({ refusalsSeenUpTo: '2026-12-06T01:20:05.000Z' }, slept, 0);
    expect(legacy.cursor).toEqual({ from: at('2026-12-06T01:20:06Z') });
    expect(refusalCursor({ refusalsSeenUpTo: 'garbled' }, slept, 0)).toEqual({ cursor: { from: slept[0] } });
  });

  it('the night is the local date of its evening', () => {
    expect(nightOf(new Date('2026-12-05T23:30:00Z'))).toBe('2026-12-05');
    expect(nightOf(new Date('2026-12-06T02:00:00Z'))).toBe('2026-12-05');
    expect(nightOf(new Date('2026-12-06T11:59:00Z'))).toBe('2026-12-05');
    expect(nightOf(new Date('2026-12-06T12:00:00Z'))).toBe('2026-12-06');
    // 00:30 in Berlin is still the evening before; 23:30 UTC on the 5th is 00:30 on the 6th there.
    expect(nightOf(new Date('2026-12-05T23:30:00Z'), 'Europe/Berlin')).toBe('2026-12-05');
    expect(nightOf(new Date('2026-12-06T11:30:00Z'), 'Europe/Berlin')).toBe('2026-12-06');
    expect(nightOf(new Date('2027-01-01T03:00:00Z'))).toBe('2026-12-31');
  });

  it('the awake CPU: busy cores over cores; a saturated host counts what its VMs ask; a host with no figure is left out, never idle', () => {
    expect(awakeCpu([])).toBeUndefined();
    expect(awakeCpu([{ hostId: 'a', cpus: 8, cpuPercent: null }])).toBeUndefined();
    const f = awakeCpu([
      { hostId: 'a', cpus: 10, cpuPercent: 100, vmDemandCpus: 15 },
      { hostId: 'b', cpus: 10, cpuPercent: 50, vmDemandCpus: 4 },
      { hostId: 'c', cpus: 10, cpuPercent: null },
    ])!;
    expect(f.busyCpus).toBe(20);
    expect(f.cpus).toBe(20);
    expect(f.percent).toBe(100);
    expect(f.unmeasured).toEqual(['c']);
  });

  it('a spike: above the ceiling since the first look that saw it, acting once it lasted the spike time; under it starts again', () => {
    const over = { busyCpus: 9, cpus: 10, percent: 90, unmeasured: [] };
    const under = { busyCpus: 7, cpus: 10, percent: 70, unmeasured: [] };
    const t0 = new Date('2026-12-06T02:00:00.000Z');
    const a = cpuSpike(undefined, over, settings, t0);
    expect(a).toEqual({ since: t0.toISOString(), over: true, lastedMs: 0, spike: false });
    expect(cpuSpike(a.since, over, settings, new Date(t0.getTime() + 19_999)).spike).toBe(false);
    expect(cpuSpike(a.since, over, settings, new Date(t0.getTime() + 20_000))).toMatchObject({ spike: true, lastedMs: 20_000 });
    expect(cpuSpike(a.since, under, settings, new Date(t0.getTime() + 30_000))).toEqual({ over: false, lastedMs: 0, spike: false });
    expect(cpuSpike(a.since, undefined, settings, new Date(t0.getTime() + 30_000)).over).toBe(false);
    // Exactly at the ceiling is not above it.
    expect(cpuSpike(undefined, { ...over, percent: 80 }, settings, t0).over).toBe(false);
  });

  it('the fewest hosts in order whose cores bring the CPU to the ceiling', () => {
    const fig = { busyCpus: 90, cpus: 100, percent: 90, unmeasured: [] };
    // 90 busy at 80 % needs 112.5 cores: 100 + 8 is short, + 8 + 16 is enough.
    expect(hostsForCpu([{ id: 'x', cpus: 8 }, { id: 'y', cpus: 16 }, { id: 'z', cpus: 64 }], fig, 80)).toEqual({ count: 2, enough: true });
    expect(hostsForCpu([{ id: 'x', cpus: 8 }], fig, 80)).toEqual({ count: 1, enough: false });
    expect(hostsForCpu([{ id: 'x', cpus: 8 }], { ...fig, busyCpus: 70 }, 80)).toEqual({ count: 0, enough: true });
  });

  it('flapping: a host the watch woke that was slept again within the hour', () => {
    const now = new Date('2026-12-06T03:00:00Z');
    const asleep = [
      { hostId: 'a', sleptAt: '2026-12-06T02:30:00.000Z' },
      { hostId: 'b', sleptAt: '2026-12-06T01:30:00.000Z' },
      { hostId: 'c', sleptAt: '2026-12-06T02:30:00.000Z' },
    ];
    expect(flappingHosts(asleep, new Set(['a', 'b']), now)).toEqual(['a']);
  });

  it('keys: one per pool, night and wake number, a valid store id', () => {
    expect(watchWakeKey('pool-1', '2026-12-05', 2)).toBe('night-watch:pool-1:2026-12-05:wake-2');
    expect(watchWakeKey('pool-1', '2026-12-05', 1)).not.toBe(watchWakeKey('pool-1', '2026-12-05', 2));
  });

  describe('decideWatch', () => {
    const host = (id: string, state: PlannerHost['state'], cpus: number, temperatureC?: number): PlannerHost => ({ id, memoryBytes: 64 * GiB, cpus, state, isMaster: id === 'h1', ...(temperatureC === undefined ? {} : { temperatureC }) });
    const hosts = [host('h1', 'on', 16), host('h2', 'on', 16), host('h3', 'off', 16, 30), host('h4', 'off', 16, 25), host('h5', 'off', 16, 40)];
    const vms: PlannerVm[] = [
      { id: 'v1', memoryBytes: 16 * GiB, vcpus: 8, hostId: 'h1' },
      { id: 'v2', memoryBytes: 16 * GiB, vcpus: 8, hostId: 'h2' },
    ];
    const policy = { haFailuresToTolerate: 0, headroomPercent: 10, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 2 };
    const spiking = { since: '2026-12-06T02:00:00.000Z', over: true, lastedMs: 25_000, spike: true };
    const base: WatchInput = { settings, spike: spiking, cpu: { busyCpus: 30, cpus: 32, percent: 93.75, unmeasured: [] }, hosts, vms, policy, wakeable: ['h3', 'h4', 'h5'], wakesTonight: 0 };

    it('a CPU spike wakes the fewest coolest hosts that cover it and says why with the figures', () => {
      const d = decideWatch(base);
      // 30 busy at 80 % needs 37.5 cores: 32 + one 16-core host; the coolest is h4.
      expect(d).toMatchObject({ wake: true, reason: 'cpu', hostIds: ['h4'] });
      if (!d.wake) throw new Error('no wake');
      expect(d.text).toMatch(/^CPU of the awake hosts at 93.8% \(30 of 32 cores busy\), above the 80% ceiling for 25 s/);
      expect(d.figures).toMatchObject({ cpuPercent: 93.8, busyCpus: 30, cpus: 32, ceilingPercent: 80, lastedSeconds: 25 });
      // 50 busy needs 62.5 cores: two more hosts; 80 busy needs 100: all three are not enough, and it says so.
      expect(decideWatch({ ...base, cpu: { busyCpus: 50, cpus: 32, percent: 156, unmeasured: [] } })).toMatchObject({ hostIds: ['h4', 'h3'] });
      expect(decideWatch({ ...base, cpu: { busyCpus: 80, cpus: 32, percent: 250, unmeasured: [] } })).toMatchObject({ hostIds: ['h4', 'h3', 'h5'], text: expect.stringMatching(/every wakeable host together does not bring it under/) });
    });

    it('no spike yet, or none at all: nothing wakes', () => {
      expect(decideWatch({ ...base, spike: { ...spiking, lastedMs: 5000, spike: false } })).toMatchObject({ wake: false, why: expect.stringMatching(/for 5 s of 20 s/) });
      expect(decideWatch({ ...base, spike: { over: false, lastedMs: 0, spike: false }, cpu: { busyCpus: 10, cpus: 32, percent: 31.25, unmeasured: [] } })).toMatchObject({ wake: false, why: expect.stringMatching(/under the 80% ceiling/) });
    });

    it('flapping hosts (not wakeable) are never chosen', () => {
      expect(decideWatch({ ...base, wakeable: ['h3', 'h5'] })).toMatchObject({ hostIds: ['h3'] });
      expect(decideWatch({ ...base, wakeable: [] })).toMatchObject({ wake: false });
    });

    it('the bound: past maxWakesPerNight nothing wakes, and the reason says so', () => {
      expect(decideWatch({ ...base, wakesTonight: 3 })).toMatchObject({ wake: false, why: expect.stringMatching(/3 time\(s\) tonight \(at most 3\)/) });
    });

    it('memory: the running VMs no longer fit with the HA spare: the fewest hosts that restore it', () => {
      const big: PlannerVm[] = [
        { id: 'v1', memoryBytes: 56 * GiB, vcpus: 2, hostId: 'h1' },
        { id: 'v2', memoryBytes: 56 * GiB, vcpus: 2, hostId: 'h2' },
      ];
      const d = decideWatch({ ...base, spike: { over: false, lastedMs: 0, spike: false }, vms: big, policy: { ...policy, haFailuresToTolerate: 1 } });
      expect(d).toMatchObject({ wake: true, reason: 'memory' });
      if (!d.wake) throw new Error('no wake');
      expect(d.hostIds.length).toBeGreaterThan(0);
      expect(d.hostIds.every((h) => ['h3', 'h4', 'h5'].includes(h))).toBe(true);
      expect(d.text).toMatch(/HA fit/);
      // The same VMs with no failure to tolerate fit: nothing wakes.
      expect(decideWatch({ ...base, spike: { over: false, lastedMs: 0, spike: false }, vms: big })).toMatchObject({ wake: false });
    });
  
    const refusal = (over: Partial<StartRefusal>): StartRefusal => ({ taskRef: 'OpaqueRef:t1', taskUuid: 't1', call: 'Async.VM.start', finishedAt: Date.parse('2026-12-06T02:00:03Z'), neededBytes: 40 * GiB, availableBytes: 20 * GiB, ...over });
    const quiet = { over: false, lastedMs: 0, spike: false };

    it('refusals: a VM refused twice counts once (its largest), a task naming no VM counts for itself, a VM running by now not at all', () => {
      const vm = { ref: 'OpaqueRef:vm9', uuid: 'u9', name: 'vm9' };
      const d = refusalDemand([refusal({ vm, neededBytes: 30 * GiB }), refusal({ taskRef: 't2', vm, neededBytes: 40 * GiB }), refusal({ taskRef: 't3', neededBytes: 8 * GiB })]);
      expect(d.bytes).toBe(48 * GiB);
      expect(d.largestBytes).toBe(40 * GiB);
      expect(d.refusals.map((r) => r.taskRef).sort()).toEqual(['t2', 't3']);
      expect(refusalDemand([refusal({ vm })], new Set(['vm9'])).refusals).toEqual([]);
      expect(refusalDemand([]).bytes).toBe(0);
    });

    it('a refused start wakes the fewest hosts that hold the running VMs plus what it needed, and says which VM, needed and free', () => {
      // Two awake 64 GiB hosts (57.6 usable at 10 % headroom) hold 32 GiB; 100 GiB more needs a third host.
      const vm = { ref: 'OpaqueRef:vm9', uuid: 'u9', name: 'vm9' };
      const d = decideWatch({ ...base, spike: quiet, cpu: undefined, refusals: [refusal({ vm, neededBytes: 100 * GiB, availableBytes: 40 * GiB })] });
      expect(d).toMatchObject({ wake: true, reason: 'refusal', hostIds: ['h4'] });
      if (!d.wake) throw new Error('no wake');
      expect(d.text).toBe('XAPI refused to start vm9 for lack of memory (Async.VM.start at 2026-12-06T02:00:03.000Z: needed 100 GiB, 40 GiB free on the host it tried)');
      expect(d.figures).toEqual({ neededBytes: 100 * GiB, largestNeededBytes: 100 * GiB, availableBytes: 40 * GiB, refusals: 1 });
      // Enough in total but no awake host had the room: the first sleeping host in wake order that can hold it.
      const spread = decideWatch({ ...base, spike: quiet, cpu: undefined, refusals: [refusal({ neededBytes: 40 * GiB })] });
      expect(spread).toMatchObject({ wake: true, reason: 'refusal', hostIds: ['h4'], planWhy: [expect.stringMatching(/none had 40 GiB free/)] });
      expect(decideWatch({ ...base, spike: quiet, cpu: undefined, refusals: [refusal({ neededBytes: 40 * GiB })], wakeable: ['h5'] })).toMatchObject({ hostIds: ['h5'] });
      // Nothing the watch may wake can hold it: no wake, and why.
      expect(decideWatch({ ...base, spike: quiet, refusals: [refusal({ neededBytes: 90 * GiB })], wakeable: [] })).toMatchObject({ wake: false, why: expect.stringMatching(/no sleeping host the watch may wake holds 90 GiB/) });
      // The bound holds for refusals too.
      expect(decideWatch({ ...base, spike: quiet, refusals: [refusal({ neededBytes: 100 * GiB })], wakesTonight: 3 })).toMatchObject({ wake: false, why: expect.stringMatching(/^XAPI refused to start a VM \(task t1 does not name it\).*at most 3/) });
      // No refusal: the decision is as before.
      expect(decideWatch({ ...base, spike: quiet, cpu: { busyCpus: 10, cpus: 32, percent: 31.25, unmeasured: [] }, refusals: [] })).toMatchObject({ wake: false });
    });
});
});
