/**
 * One XAPI connection per pool (and per address and user: a pool whose master moved gets a new
 * one), logged in with the pool's password from the Secrets port. The promise is cached, so two
 * calls at once share one connection.
 */
import { XapiHypervisor, type Hypervisor } from '../xen/index.ts';
import type { Secrets } from '../store/index.ts';
import type { Pool } from '../store/index.ts';

export interface HypervisorCache {
  hypervisorFor(pool: Pool): Promise<Hypervisor>;
  closeAll(): Promise<void>;
}

export function hypervisorCache(secrets: Secrets, o: { taskPollMs?: number; originator?: string } = {}): HypervisorCache {
  const cache = new Map<string, Promise<Hypervisor>>();
  return {
    hypervisorFor(pool) {
      const user = pool.xapiUser ?? 'root';
      const key = `${pool.poolId}\0${pool.xapiUrl}\0${user}`;
      let hv = cache.get(key);
      if (!hv) {
        hv = secrets.get(pool.secretRef).then((password) => XapiHypervisor.connect({ url: pool.xapiUrl, user, password, taskPollMs: o.taskPollMs, originator: o.originator ?? 'lowpower' }));
        cache.set(key, hv);
        hv.catch(() => cache.delete(key));
      }
      return hv;
    },
    async closeAll() {
      const all = [...cache.values()];
      cache.clear();
      await Promise.all(all.map(async (h) => (await h).close().catch(() => undefined)));
    },
  };
}
