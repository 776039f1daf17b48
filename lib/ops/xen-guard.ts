/**
 * The power-cut guard from XAPI (safety rules 1 and 2): no power is cut to the pool master or to
 * a host with resident guest VMs, read fresh from the pool right before the cut. When XAPI cannot
 * be asked, the answer is no: only a person's `force` goes past it.
 */
import type { Hypervisor } from '../xen/hypervisor.ts';
import type { Host, Pool } from '../store/types.ts';
import type { Store } from '../store/store.ts';
import type { PowerGuard } from './host-power.ts';

export function xenPowerGuard(store: Store, hypervisorFor: (pool: Pool) => Promise<Hypervisor>): PowerGuard {
  return {
    async refuseCut(host: Host) {
      const pool = await store.getPool(host.poolId);
      if (!pool) return `pool ${host.poolId} is not known`;
      try {
        const hv = await hypervisorFor(pool);
        const [xen, vms] = await Promise.all([hv.pool(), hv.residentGuestVms(host.hostId)]);
        if (xen.masterHostId === host.hostId) return `${host.hostId} is the pool master`;
        if (vms.length > 0) return `${host.hostId} runs ${vms.length} VM(s): ${vms.slice(0, 5).join(', ')}${vms.length > 5 ? ', ...' : ''}`;
        return undefined;
      } catch (e) {
        return `cannot check ${host.hostId}'s VMs in XAPI (${e instanceof Error ? e.message : String(e)})`;
      }
    },
  };
}
