/**
 * What the fault matrix sees of a case's runner, read only: the pool as the simulators have it
 * now (a sample for the invariants), the chassis commands each BMC has taken, and the end state
 * (hosts, operations, open alerts) for the checks after the case.
 */
import type { LocalRunner } from './runner.ts';
import type { CutCounts, EndState, PoolSample, SampleHost, SampleVm } from './chaos-invariants.ts';

/** The pool as the simulators have it now (read only; the XAPI sim is not refreshed, so a VM left on a host cut off shows for a tick). */
export function samplePool(runner: LocalRunner, atMs: number): PoolSample {
  const st = runner.xapi.state;
  const pool = st.pool();
  const guests = st.guests();
  const hosts: SampleHost[] = runner.fleet.bmcs.map((b) => {
    const ref = st.hostRef(b.name);
    const live = st.hostMetrics(b.name).live;
    return {
      id: b.name,
      chassisOn: b.host.powerOn,
      live,
      enabled: st.host(b.name).enabled,
      freeBytes: live ? st.freeMemory(b.name) : 0,
      haVmBytes: guests.filter((g) => g.ha_restart_priority === 'restart' && (g.resident_on === ref || g.scheduled_to_be_resident_on === ref)).map((g) => g.memory_target),
    };
  });
  const vms: SampleVm[] = guests.map((g) => ({ id: g.name_label, host: st.hostName(g.resident_on) ?? null, running: g.power_state === 'Running' }));
  return { atMs, failuresToTolerate: pool.ha_enabled ? pool.ha_host_failures_to_tolerate : 0, hosts, vms };
}

export function cutCounts(runner: LocalRunner, host: string): CutCounts {
  const b = runner.fleet.bmcs.find((x) => x.name === host);
  const c = b?.host.controlCounts;
  return { off: c?.off ?? 0, soft: c?.soft ?? 0, cycle: c?.cycle ?? 0 };
}

export function onCount(runner: LocalRunner, host: string): number {
  return runner.fleet.bmcs.find((x) => x.name === host)?.host.controlCounts.on ?? 0;
}

export async function readEnd(runner: LocalRunner, slept: Iterable<string>): Promise<EndState> {
  const st = runner.xapi.state;
  const stored = new Map((await runner.store.listHosts(runner.poolId)).map((h) => [h.hostId, h]));
  const operations = await Promise.all((await runner.store.listOperations(runner.poolId)).map(async (o) => (await runner.store.getOperation(o.operationId)) ?? { ...o, steps: [] }));
  const alerts = await runner.store.listAlerts(runner.poolId, { open: true });
  return {
    now: Date.now(),
    xapiUp: !runner.faults.list().some((f) => f.fault === 'xapi-down'),
    hosts: runner.fleet.bmcs.map((b) => ({ id: b.name, chassisOn: b.host.powerOn, live: st.hostMetrics(b.name).live, enabled: st.host(b.name).enabled, awaitingEnable: stored.get(b.name)?.awaitingEnable !== undefined })),
    operations: operations.map((o) => ({ id: o.operationId, kind: o.kind, state: o.state, leaseOwner: o.leaseOwner, leaseExpiresAt: o.leaseExpiresAt })),
    openAlerts: alerts.map((a) => ({ hostId: a.hostId, kind: a.kind, message: a.message })),
    slept: [...slept],
  };
}
