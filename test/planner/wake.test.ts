/** planWake: how many hosts to wake for a demand, and which (coolest first, least recently woken). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planWake, usableMemory, type PlannerHost, type PlannerPolicy, type PlannerVm } from '../../lib/planner/index.ts';

const GIB = 1024 ** 3;
const policy: PlannerPolicy = { haFailuresToTolerate: 0, headroomPercent: 0, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 4 };

function host(id: string, extra: Partial<PlannerHost> = {}): PlannerHost {
  return { id, memoryBytes: 100 * GIB, cpus: 32, state: 'off', isMaster: false, ...extra };
}

describe('planWake: order', () => {
  it('wakes the coolest first, then the least recently woken, then by id; unknown temperatures last', () => {
    const hosts = [
      host('warm', { temperatureC: 40 }),
      host('cool-old', { temperatureC: 20, lastWokenAt: 100 }),
      host('cool-recent', { temperatureC: 20, lastWokenAt: 900 }),
      host('cool-never', { temperatureC: 20 }),
      host('unknown'),
      host('b-tie', { temperatureC: 30, lastWokenAt: 5 }),
      host('a-tie', { temperatureC: 30, lastWokenAt: 5 }),
      host('on', { state: 'on', temperatureC: 1 }),
      host('disabled', { state: 'disabled', temperatureC: 1 }),
    ];
    const plan = planWake(hosts, [], policy, { all: true });
    expect(plan.wake).toEqual(['cool-never', 'cool-old', 'cool-recent', 'a-tie', 'b-tie', 'warm', 'unknown']);
    expect(plan.why).toHaveLength(7);
    expect(plan.why[0]).toMatch(/^cool-never: waking every off host; 1 of 7 .*20 °C, never woken/);
    expect(plan.why[6]).toContain('temperature unknown');
  });

  it('wakes n hosts in that order, and says when fewer are off', () => {
    const hosts = [host('a', { temperatureC: 30 }), host('b', { temperatureC: 25 }), host('c', { temperatureC: 35 })];
    expect(planWake(hosts, [], policy, { hosts: 2 }).wake).toEqual(['b', 'a']);
    const more = planWake(hosts, [], policy, { hosts: 5 });
    expect(more.wake).toEqual(['b', 'a', 'c']);
    expect(more.why.at(-1)).toBe('only 3 hosts are off; 5 were asked for');
    expect(planWake(hosts, [], policy, { hosts: 0 })).toEqual({ wake: [], why: ['0 hosts asked for'] });
  });

  it('answers with a reason when no host is off', () => {
    expect(planWake([host('a', { state: 'on' })], [], policy, { all: true })).toEqual({ wake: [], why: ['no host is off'] });
  });
});

describe('planWake: memory demand', () => {
  const on = host('on', { state: 'on', isMaster: true });
  const running: PlannerVm[] = [{ id: 'v', hostId: 'on', memoryBytes: 60 * GIB, vcpus: 4 }];

  it('wakes nothing while the hosts on cover the demand', () => {
    const plan = planWake([on, host('a')], running, policy, { extraMemoryBytes: 40 * GIB });
    expect(plan.wake).toEqual([]);
    expect(plan.why[0]).toMatch(/already hold 100\.0 GiB/);
  });

  it('wakes the fewest hosts that cover the demand, the coolest among them', () => {
    const hosts = [on, host('small-cool', { memoryBytes: 50 * GIB, temperatureC: 18 }), host('big-warm', { memoryBytes: 300 * GIB, temperatureC: 35 }), host('mid', { memoryBytes: 150 * GIB, temperatureC: 25 })];
    // 60 running + 180 more = 240 GiB; 100 on. One host of 150 is enough; the coolest that is
    // enough alone is 'mid' (small-cool would need a second host).
    const plan = planWake(hosts, running, policy, { extraMemoryBytes: 180 * GIB });
    expect(plan.wake).toEqual(['mid']);
    expect(plan.why[0]).toMatch(/^mid: 1 host\(s\) needed for 240\.0 GiB/);
  });

  it('keeps an HA spare: with one failure tolerated the largest host does not count', () => {
    const hosts = [on, host('a', { temperatureC: 20 }), host('b', { temperatureC: 21 }), host('c', { temperatureC: 22 })];
    // 60 + 90 = 150 GiB; without HA two hosts (200) suffice; with HA 1, three (300 - 100 = 200).
    expect(planWake(hosts, running, policy, { extraMemoryBytes: 90 * GIB }).wake).toEqual(['a']);
    expect(planWake(hosts, running, { ...policy, haFailuresToTolerate: 1 }, { extraMemoryBytes: 90 * GIB }).wake).toEqual(['a', 'b']);
  });

  it('wakes everything, and says so, when even that is not enough', () => {
    const plan = planWake([on, host('a'), host('b')], running, policy, { extraMemoryBytes: 1000 * GIB });
    expect(plan.wake).toEqual(['a', 'b']);
    expect(plan.why.at(-1)).toMatch(/^even every host holds only 300\.0 GiB/);
  });

  it('always wakes a fewest set that covers demand plus HA (random pools)', () => {
    const hostArb = fc.record({ memGiB: fc.integer({ min: 16, max: 512 }), temp: fc.integer({ min: 15, max: 45 }), state: fc.constantFrom<PlannerHost['state']>('on', 'off', 'off') });
    fc.assert(
      fc.property(fc.array(hostArb, { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2000 }), (raw, ha, extraGiB) => {
        const hosts = raw.map((h, k) => host(`h${k}`, { memoryBytes: h.memGiB * GIB, temperatureC: h.temp, state: h.state }));
        const p: PlannerPolicy = { ...policy, haFailuresToTolerate: ha, minHostsOn: 0 };
        const plan = planWake(hosts, [], p, { extraMemoryBytes: extraGiB * GIB });
        const capOf = (hs: PlannerHost[]): number => {
          const caps = hs.map((h) => usableMemory(h, p)).sort((a, b) => b - a);
          return caps.slice(ha).reduce((a, b) => a + b, 0);
        };
        const onHosts = hosts.filter((h) => h.state === 'on');
        const off = hosts.filter((h) => h.state === 'off');
        const woken = hosts.filter((h) => plan.wake.includes(h.id));
        expect(new Set(plan.wake).size).toBe(plan.wake.length);
        expect(woken.every((h) => h.state === 'off')).toBe(true);
        const enough = capOf(onHosts.concat(woken)) >= extraGiB * GIB;
        if (enough && plan.wake.length > 0) {
          // No smaller set would do: even the largest off hosts, one fewer, fall short.
          const largest = [...off].sort((a, b) => b.memoryBytes - a.memoryBytes).slice(0, plan.wake.length - 1);
          expect(capOf(onHosts.concat(largest))).toBeLessThan(extraGiB * GIB);
        }
        if (!enough) expect(plan.wake).toHaveLength(off.length);
      }),
      { numRuns: 200, seed: 9 },
    );
  });
});
