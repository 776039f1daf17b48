/**
 * Liveness follows the power link: a host is live agentStartMs after its OS is seen running (unless
 * the never-live fault withholds it); when it stops being live every guest resident there is Halted
 * with resident_on NULL (what a crash or a hard power-off leaves); when it comes back it is enabled
 * again unless it was disabled with auto_enable=false, as xapi's consider_enabling_host does at boot.
 */
import { XapiError } from '../../xen/index.ts';
import { NULL_REF, xapiDateTime, type Ref } from '../../xen/index.ts';
import type { HostRuntime } from './build.ts';
import type { PoolCore } from './pool-core.ts';
import { recomputeHa, recomputeHost, recomputeVmOperations } from './pool-derived.ts';

/** Follow the power links: hosts that went down or came up since the last look. */
export function refreshLiveness(pool: PoolCore): void {
  const now = pool.now();
  for (const h of pool.built.hosts.values()) {
    const os = h.link.osRunning;
    const live = pool.isLive(h.ref);
    if (!os) {
      h.osUpSince = undefined;
      if (live) hostWentDown(pool, h);
    } else {
      if (h.osUpSince === undefined) h.osUpSince = now;
      if (!live && now - h.osUpSince >= pool.t.agentStartMs) {
        const withheld = pool.faults.active('never-live', h.name);
        if (!withheld) hostCameUp(pool, h);
        else if (h.liveWithheldFor !== h.osUpSince) {
          h.liveWithheldFor = h.osUpSince;
          pool.faults.hit(withheld);
        }
      }
    }
  }
}

/** A guest stops where it is: Halted, resident nowhere, its migration (if any) failed. */
export function haltVm(pool: PoolCore, vmRef: Ref): void {
  const { db } = pool;
  const vm = db.require('VM', vmRef);
  pool.migrations.get(vmRef)?.settle(new XapiError('VM_MIGRATE_FAILED', [vmRef, vm.resident_on, vm.scheduled_to_be_resident_on, 'the VM was halted']));
  db.update('VM', vmRef, { power_state: 'Halted', resident_on: NULL_REF, scheduled_to_be_resident_on: NULL_REF, domid: -1, current_operations: {} });
  for (const vbd of vm.VBDs) db.update('VBD', vbd, { currently_attached: false });
  for (const vif of vm.VIFs) db.update('VIF', vif, { currently_attached: false });
  recomputeVmOperations(pool, vmRef);
}

function hostWentDown(pool: PoolCore, h: HostRuntime): void {
  pool.db.update('host_metrics', h.metricsRef, { live: false, last_updated: xapiDateTime(pool.now()) });
  for (const vm of pool.residentGuests(h.ref)) haltVm(pool, vm);
  pool.db.update('host', h.ref, { current_operations: {} });
  recomputeHost(pool, h.ref);
  recomputeHa(pool);
}

function hostCameUp(pool: PoolCore, h: HostRuntime): void {
  h.disabledUntilReboot = false;
  pool.db.update('host_metrics', h.metricsRef, { live: true, last_updated: xapiDateTime(pool.now()) });
  pool.db.update('host', h.ref, { enabled: h.autoEnable });
  recomputeHost(pool, h.ref);
  recomputeHa(pool);
}
