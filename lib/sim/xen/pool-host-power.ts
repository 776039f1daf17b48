/**
 * host.disable, host.enable and host.shutdown on the simulated pool, with xapi's checks in xapi's
 * order. host.shutdown only checks that the host is disabled, halts whatever guest still runs
 * there (the trap) and asks the power link for a soft off.
 */
import { XapiError } from '../../xen/index.ts';
import type { Ref } from '../../xen/index.ts';
import type { PoolCore } from './pool-core.ts';
import { assertHaPreserved, recomputeHa, recomputeHost } from './pool-derived.ts';
import { scheduleLateStartIfFaulted } from './pool-faults.ts';
import { haltVm } from './pool-liveness.ts';

export function disableHost(pool: PoolCore, hostRef: Ref, autoEnable: boolean): void {
  const h = pool.hostRuntime(hostRef);
  assertHaPreserved(pool, { disable: hostRef });
  if (!pool.isLive(hostRef)) throw new XapiError('HOST_OFFLINE', [hostRef]);
  h.autoEnable = autoEnable;
  const wasEnabled = pool.db.require('host', hostRef).enabled;
  if (wasEnabled) pool.db.update('host', hostRef, { enabled: false });
  recomputeHost(pool, hostRef);
  recomputeHa(pool);
  if (wasEnabled) scheduleLateStartIfFaulted(pool, h);
}

export function enableHost(pool: PoolCore, hostRef: Ref): void {
  const h = pool.hostRuntime(hostRef);
  if (!pool.isLive(hostRef)) throw new XapiError('HOST_OFFLINE', [hostRef]);
  if (h.disabledUntilReboot) throw new XapiError('HOST_DISABLED_UNTIL_REBOOT', [hostRef]);
  h.autoEnable = true;
  if (!pool.db.require('host', hostRef).enabled) pool.db.update('host', hostRef, { enabled: true });
  recomputeHost(pool, hostRef);
  recomputeHa(pool);
}

/**
 * host.power_on with xapi's checks: HOST_IS_LIVE for a live host, HOST_POWER_ON_MODE_DISABLED when
 * power_on_mode is "" (nothing configured to reach the machine); otherwise the pool's own way in
 * (Wake-on-LAN from a member, the BMC's vendor plug-in) switches the machine on.
 */
export function powerOnHost(pool: PoolCore, hostRef: Ref): void {
  const h = pool.hostRuntime(hostRef);
  const record = pool.db.require('host', hostRef);
  if (pool.isLive(hostRef)) throw new XapiError('HOST_IS_LIVE', [hostRef]);
  if (!record.power_on_mode) throw new XapiError('HOST_POWER_ON_MODE_DISABLED', []);
  h.link.control('on');
}

/**
 * host.shutdown: HOST_NOT_DISABLED unless disabled; then every guest still there is halted and
 * the machine is asked for a soft off. Real xapi (prepare_for_poweroff → Vm_evacuation.ensure_no_vms)
 * first tries host.evacuate, then clean-shuts-down and finally hard-shuts-down what is left; the
 * simulator skips straight to the outcome for VMs nobody moved: they stop running.
 */
export function shutdownHost(pool: PoolCore, hostRef: Ref): void {
  const h = pool.hostRuntime(hostRef);
  if (pool.db.require('host', hostRef).enabled) throw new XapiError('HOST_NOT_DISABLED', []);
  if (!pool.isLive(hostRef)) throw new XapiError('HOST_OFFLINE', [hostRef]);
  h.disabledUntilReboot = true;
  for (const vm of pool.residentGuests(hostRef)) haltVm(pool, vm);
  recomputeHost(pool, hostRef);
  recomputeHa(pool);
  h.link.control('soft');
}
