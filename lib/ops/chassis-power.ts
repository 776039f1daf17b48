/** What a host's chassis shows: read until it reaches a state, and recorded on the host as observed. */
import type { HostRepository } from '../store/index.ts';
import type { Host, PowerState } from '../store/index.ts';
import type { OpsDeps } from './ops-deps.ts';
import { checkLease, sleep, waitUntil, type StepExecution } from './step-machine.ts';

/**
 * Read the chassis until it shows `target` or `ms` pass (or, inside a step, the worker's time is
 * up, or its lease is lost); a BMC that stops answering is `unknown`.
 */
export async function waitForPower(deps: OpsDeps, host: Host, target: 'on' | 'off', ms: number, x?: Pick<StepExecution, 'deadlineAt' | 'signal' | 'op'>): Promise<PowerState> {
  const now = deps.now ?? Date.now;
  const until = x ? waitUntil(x, now() + ms).until : now() + ms;
  for (;;) {
    if (x) checkLease(x, x.op.operationId);
    const power: PowerState = await deps.driver.readPower(host).catch(() => 'unknown' as const);
    if (power === target || now() > until) return power;
    await sleep(deps.pollMs ?? 200);
  }
}

/**
 * Record what the chassis showed, when and from where: the host's own protocol (ipmi, redfish, or
 * xapi for a host without a BMC, whose power is inferred from XAPI). A sleeping host that a person
 * switched on (`after: 'command'`) is awake from then on (so the drift check does not flag it).
 */
export async function recordPower(store: HostRepository, poolId: string, hostId: string, power: PowerState, after: 'read' | 'command' = 'read'): Promise<void> {
  const fresh = await store.getHost(poolId, hostId);
  if (!fresh) return;
  const woke = power === 'on' && fresh.sleepState === 'asleep' && after === 'command';
  await store.updateHost(poolId, hostId, fresh.version, { power, powerObservedAt: new Date().toISOString(), powerSource: fresh.bmcProtocol ?? 'ipmi', ...(woke ? { sleepState: 'awake' as const, sleptAt: undefined, sleptByOperation: undefined } : {}) });
}
