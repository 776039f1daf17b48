/**
 * The power-cut guard from XAPI (safety rules 1 to 4), read fresh from the pool right before the
 * cut: no power is cut to the pool master, to the member lowpower reaches the pool through
 * (`xapiUrl`), to a host with resident guest VMs or VMs on their way in, or to a host whose loss
 * would break the pool's HA failures-to-tolerate with its headroom. When XAPI cannot be asked, the
 * answer is no: only a person's `force` goes past it. It also disables a host before its cut (so
 * nothing lands on it during a soft-off wait) and enables it again when the cut is abandoned.
 */
import type { Hypervisor } from '../xen/index.ts';
import type { HostRepository, PoolRepository, ReadingRepository } from '../store/index.ts';
import type { Host, Pool } from '../store/index.ts';
import { haFitHolds } from '../planner/index.ts';
import type { PowerGuard } from './ops-deps.ts';
import { readPoolView, type PoolView } from './pool-view.ts';
import { errorText } from './step-machine.ts';

/** The host name or address that a pool's `xapiUrl` names. */
export function xapiEntryAddress(pool: Pick<Pool, 'xapiUrl'>): string | undefined {
  try {
    return new URL(pool.xapiUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/** The pool member lowpower talks to XAPI through: never put to sleep, or lowpower loses the pool. */
export function entryHostOf(view: Pick<PoolView, 'pool' | 'xenHosts'>): string | undefined {
  const entry = xapiEntryAddress(view.pool);
  return entry ? view.xenHosts.find((h) => h.address?.toLowerCase() === entry || h.hostId.toLowerCase() === entry)?.hostId : undefined;
}

/** Why this host may not lose power now, from the pool as XAPI shows it; undefined to go ahead. */
export function poolRulesRefusal(view: PoolView, hostId: string, incoming: string[]): string | undefined {
  if (view.xen.masterHostId === hostId) return `${hostId} is the pool master`;
  if (entryHostOf(view) === hostId) return `${hostId} is the pool member lowpower reaches XAPI through (${view.pool.xapiUrl})`;
  const resident = view.vms.filter((v) => v.hostId === hostId && (v.powerState === 'Running' || v.powerState === 'Paused')).map((v) => v.vmId);
  if (resident.length > 0) return `${hostId} runs ${resident.length} VM(s): ${resident.slice(0, 5).join(', ')}${resident.length > 5 ? ', ...' : ''}`;
  if (incoming.length > 0) return `VM(s) are migrating to ${hostId}: ${incoming.slice(0, 5).join(', ')}`;
  const ha = haFitHolds(view.hosts, view.plannerVms, view.policy, { without: [hostId] });
  if (!ha.ok) return `without ${hostId} the pool would not keep its HA failures-to-tolerate (${view.policy.haFailuresToTolerate}) and ${view.policy.headroomPercent} % headroom: ${ha.why}`;
  return undefined;
}

export function xenPowerGuard(store: PoolRepository & HostRepository & ReadingRepository, hypervisorFor: (pool: Pool) => Promise<Hypervisor>): PowerGuard {
  const hvOf = async (host: Host): Promise<Hypervisor> => {
    const pool = await store.getPool(host.poolId);
    if (!pool) throw new Error(`pool ${host.poolId} is not known`);
    return hypervisorFor(pool);
  };
  return {
    async refuseCut(host: Host) {
      const pool = await store.getPool(host.poolId);
      if (!pool) return `pool ${host.poolId} is not known`;
      try {
        const hv = await hypervisorFor(pool);
        const [view, resident, incoming] = await Promise.all([readPoolView(store, hv, pool), hv.residentGuestVms(host.hostId), hv.incomingGuestVms(host.hostId)]);
        if (view.xen.masterHostId === host.hostId) return `${host.hostId} is the pool master`;
        if (resident.length > 0) return `${host.hostId} runs ${resident.length} VM(s): ${resident.slice(0, 5).join(', ')}${resident.length > 5 ? ', ...' : ''}`;
        return poolRulesRefusal(view, host.hostId, incoming);
      } catch (e) {
        return `cannot check ${host.hostId}'s VMs and the pool's HA in XAPI (${errorText(e)})`;
      }
    },
    async disable(host: Host) {
      const hv = await hvOf(host);
      const xen = (await hv.hosts()).find((h) => h.hostId === host.hostId);
      if (!xen) throw new Error(`XAPI knows no host named ${host.hostId}`);
      if (!xen.live) return false;
      if (xen.enabled) await hv.disableHost(host.hostId);
      return xen.enabled;
    },
    async enable(host: Host) {
      await (await hvOf(host)).enableHost(host.hostId);
    },
    async live(host: Host) {
      try {
        return await (await hvOf(host)).hostLive(host.hostId);
      } catch {
        return undefined;
      }
    },
  };
}
