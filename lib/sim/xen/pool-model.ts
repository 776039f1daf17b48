/**
 * The behaviour of the simulated pool, with xapi's checks in xapi's order (message_forwarding.ml,
 * xapi_host.ml, xapi_vm_helpers.ml, xapi_vm_lifecycle.ml): the face the XAPI methods and the
 * server call, composed from one file per concern:
 * - pool-core.ts: the state, and the reads and checks that change nothing;
 * - pool-derived.ts: the fields xapi recomputes after each change, and the HA plan;
 * - pool-liveness.ts: liveness following the power link;
 * - pool-host-power.ts: host.disable, host.enable, host.shutdown;
 * - pool-migrations.ts: evacuation plans, VM.pool_migrate, host.evacuate;
 * - pool-vm-start.ts: VM.start and VM.start_on (and the refusal when no host has the memory);
 * - pool-faults.ts: the faults of faults.ts that act on the pool (migration-fail,
 *   vm-start-during-drain; never-live is liveness's).
 */
import type { Ref } from '../../xen/index.ts';
import type { BuiltPool, IdSource } from './build.ts';
import type { XapiDb } from './database.ts';
import type { XapiFaultSet } from './faults.ts';
import { PoolCore, type PoolTimings } from './pool-core.ts';
import { recomputeHa, recomputeHost, recomputeVmOperations } from './pool-derived.ts';
import { cancelLateStarts } from './pool-faults.ts';
import { disableHost, enableHost, powerOnHost, shutdownHost } from './pool-host-power.ts';
import { refreshLiveness } from './pool-liveness.ts';
import { evacuate, evacuationPlan, failMigrations, migrate, precheckMigrate, type Plan } from './pool-migrations.ts';
import { startVm, startVmOn } from './pool-vm-start.ts';

export { describe, type PoolTimings } from './pool-core.ts';
export type { Plan } from './pool-migrations.ts';

export class PoolModel extends PoolCore {
  constructor(db: XapiDb, built: BuiltPool, ids: IdSource, now: () => number, t: PoolTimings, faults: XapiFaultSet) {
    super(db, built, ids, now, t, faults);
    for (const h of built.hosts.values()) {
      if (h.link.osRunning) h.osUpSince = now() - t.agentStartMs;
      recomputeHost(this, h.ref);
    }
    recomputeVmOperations(this);
    recomputeHa(this);
  }

  /** Follow the power links: hosts that went down or came up since the last look. */
  refresh(): void {
    refreshLiveness(this);
  }

  disableHost(hostRef: Ref, autoEnable: boolean): void {
    disableHost(this, hostRef, autoEnable);
  }

  enableHost(hostRef: Ref): void {
    enableHost(this, hostRef);
  }

  shutdownHost(hostRef: Ref): void {
    shutdownHost(this, hostRef);
  }

  powerOnHost(hostRef: Ref): void {
    powerOnHost(this, hostRef);
  }

  evacuationPlan(hostRef: Ref): Map<Ref, Plan> {
    return evacuationPlan(this, hostRef);
  }

  precheckMigrate(vmRef: Ref, hostRef: Ref): void {
    precheckMigrate(this, vmRef, hostRef);
  }

  migrate(vmRef: Ref, hostRef: Ref, taskRef: Ref | undefined): Promise<void> {
    return migrate(this, vmRef, hostRef, taskRef);
  }

  evacuate(hostRef: Ref): Promise<void> {
    return evacuate(this, hostRef);
  }

  startVm(vmRef: Ref): Ref {
    return startVm(this, vmRef);
  }

  startVmOn(vmRef: Ref, hostRef: Ref): void {
    startVmOn(this, vmRef, hostRef);
  }

  /** Cancel timers; in-flight migrations fail, late starts never land. */
  stop(): void {
    failMigrations(this);
    cancelLateStarts(this);
  }
}
