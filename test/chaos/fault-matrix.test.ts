/**
 * A seeded sample of the fault matrix (lib/local/chaos.ts; the whole matrix is `npm run chaos`):
 * 20 fault-and-step cases, every fault in a sleep and in a wake, each on a fresh local runner on
 * loopback, driven over HTTP. No safety invariant may break, and every fault must have acted in
 * some case (a fault that never bit proves nothing). The invariant checks themselves are shown to
 * catch a violation on made-up samples first.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCuts, checkEnd, checkSample, runChaos, sampleCases, samplePool, type CaseResult, type PoolSample } from '../../lib/local/chaos.ts';
import { FAULT_NAMES } from '../../lib/local/sim-faults.ts';
import { startLocalRunner } from '../../lib/local/runner.ts';
import { freePort } from '../support/peers.ts';

const GiB = 1024 ** 3;

/** Three live hosts of 256 GiB, HA 1, a VM on each; changed per test. */
function sample(): PoolSample {
  const host = (id: string, freeGiB: number, vms: number[]) => ({ id, chassisOn: true, live: true, enabled: true, freeBytes: freeGiB * GiB, haVmBytes: vms.map((v) => v * GiB) });
  return {
    atMs: 0,
    failuresToTolerate: 1,
    hosts: [host('host-001', 100, [16]), host('host-002', 100, [16]), host('host-003', 100, [16])],
    vms: [
      { id: 'vm-01', host: 'host-001', running: true },
      { id: 'vm-02', host: 'host-002', running: true },
      { id: 'vm-03', host: 'host-003', running: true },
    ],
  };
}

describe('the invariant checks', () => {
  it('pass a healthy pool', () => {
    expect(checkSample(sample(), sample())).toEqual([]);
  });

  it('catch a VM running on a host whose chassis is off, and one that went down with its host', () => {
    const off = sample();
    off.hosts[2].chassisOn = false;
    expect(checkSample(off).map((f) => [f.invariant, f.text])).toEqual([[1, 'vm-03 is Running on host-003, whose chassis is off']]);
    const after = sample();
    after.hosts[2] = { ...after.hosts[2], live: false, chassisOn: false, freeBytes: 0, haVmBytes: [] };
    after.vms[2] = { id: 'vm-03', host: null, running: false };
    expect(checkSample(after, sample()).map((f) => f.invariant)).toEqual([1]);
  });

  it('catch a pool that could not restart a failed host’s VMs (HA 1)', () => {
    const full = sample();
    full.hosts[0].haVmBytes = [120 * GiB];
    expect(checkSample(full).map((f) => f.invariant)).toEqual([4]);
    full.failuresToTolerate = 0;
    expect(checkSample(full)).toEqual([]);
  });

  it('catch at the end: a live disabled host nobody speaks of, a slept host not back, an operation with no worker', () => {
    const now = Date.now();
    const findings = checkEnd({
      now,
      xapiUp: true,
      hosts: [
        { id: 'host-004', chassisOn: true, live: true, enabled: false, awaitingEnable: true },
        { id: 'host-005', chassisOn: false, live: false, enabled: false, awaitingEnable: false },
      ],
      operations: [{ id: 'op-1234567', kind: 'pool-sleep', state: 'running', leaseOwner: 'worker-x', leaseExpiresAt: now - 5000 }],
      openAlerts: [],
      slept: ['host-005'],
    });
    // The open (if ownerless) operation explains the disabled host; nothing explains the rest.
    expect(findings.map((f) => f.invariant).sort()).toEqual([5, 6]);
    const quiet = checkEnd({ now, xapiUp: true, hosts: [{ id: 'host-004', chassisOn: true, live: true, enabled: false, awaitingEnable: true }], operations: [], openAlerts: [], slept: [] });
    expect(quiet.map((f) => f.invariant)).toEqual([2]);
    const said = checkEnd({ now, xapiUp: true, hosts: [{ id: 'host-005', chassisOn: false, live: false, enabled: false, awaitingEnable: false }], operations: [], openAlerts: [{ hostId: 'host-005', kind: 'wake-late', message: 'host-005 is not ready' }], slept: ['host-005'] });
    expect(said).toEqual([]);
  });

  it('see, on a live runner, a host whose chassis is cut under its VMs', async () => {
    const runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => undefined, sampleSchedule: false, notifier: async () => undefined });
    try {
      const before = samplePool(runner, 0);
      expect(before.hosts).toHaveLength(6);
      expect(before.failuresToTolerate).toBe(1);
      expect(checkSample(before)).toEqual([]);
      // Behind lowpower's back: host-004's chassis off, its VMs still running as far as XAPI knows.
      runner.fleet.bmcs.find((b) => b.name === 'host-004')?.host.control('off');
      const cut = samplePool(runner, 1);
      expect(checkSample(cut, before).filter((f) => f.invariant === 1).map((f) => f.text)).toContain('vm-16 is Running on host-004, whose chassis is off');
      runner.xapi.refresh();
      const after = samplePool(runner, 2);
      expect(checkSample(after, cut).some((f) => f.invariant === 1 && /vm-16 was Running on host-004 and halted/.test(f.text))).toBe(true);
    } finally {
      await runner.stop();
    }
  });

  it('catch a cut while the BMC answered as another machine', () => {
    const before = { off: 0, soft: 1, cycle: 0 };
    expect(checkCuts([{ host: 'host-005', why: 'foreign', before, after: { off: 0, soft: 1, cycle: 0 } }])).toEqual([]);
    expect(checkCuts([{ host: 'host-005', why: 'foreign', before, after: { off: 0, soft: 2, cycle: 0 } }]).map((f) => [f.invariant, f.text])).toEqual([[3, 'host-005: 1 soft while foreign']]);
  });
});

describe('the fault matrix, a seeded sample', () => {
  const seed = Number(process.env.CHAOS_SEED ?? 1);
  const cases = sampleCases(seed, 20);
  let results: CaseResult[] = [];
  let ms = 0;

  beforeAll(async () => {
    const run = await runChaos(cases, { concurrency: 2 });
    results = run.results;
    ms = run.totals.ms;
  }, 170_000);

  it('covers every fault in a sleep and in a wake', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const fault of FAULT_NAMES) for (const operation of ['sleep', 'wake']) expect(cases.some((c) => c.fault === fault && c.operation === operation), `${fault} in a ${operation}`).toBe(true);
  });

  it('breaks no safety invariant', () => {
    const broken = results.flatMap((r) => r.violations.map((v) => `${r.operation} ${r.fault} @ ${r.step} ${r.host ?? ''}: invariant ${v.invariant} at ${v.atMs} ms: ${v.text}`));
    expect(broken).toEqual([]);
  });

  it('ends every case within its bounds, with no harness error', () => {
    const bad = results.filter((r) => r.outcome === 'error' || r.outcome === 'timeout').map((r) => `${r.operation} ${r.fault} @ ${r.step}: ${r.outcome}: ${r.note}`);
    expect(bad).toEqual([]);
    expect(results).toHaveLength(cases.length);
    console.log(`fault matrix sample (seed ${seed}): ${results.length} cases in ${Math.round(ms / 1000)} s`);
  });

  it('every fault acted in at least one case', () => {
    const silent = FAULT_NAMES.filter((f) => !results.some((r) => r.fault === f && r.acted));
    expect(silent).toEqual([]);
  });

  it('a fault that bit shows in the outcome: a failure that stays safe, or a recovery', () => {
    for (const r of results.filter((x) => x.acted)) expect(['recovered', 'failed-safe'], `${r.operation} ${r.fault} @ ${r.step}`).toContain(r.outcome);
    // The kill of a worker inside a step is survived by the sweeper's resume.
    const killed = results.filter((r) => r.fault === 'worker-kill-in-step' && r.acted);
    expect(killed.length).toBeGreaterThan(0);
    for (const r of killed) expect(r.note).toMatch(/resumed by the sweeper/);
  });
});
