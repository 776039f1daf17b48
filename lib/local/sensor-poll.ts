/** Poll every host of a pool: power, temperatures and draw, stored as readings with a TTL. */
import type { Store } from '../store/store.ts';
import type { Secrets } from '../store/secrets.ts';
import { mapBounded, readBmc } from '../fleet/sweep.ts';
import { openBmc } from '../ipmi/client.ts';

export async function pollPool(store: Store, secrets: Secrets, poolId: string, concurrency = 16): Promise<{ ok: number; failed: number }> {
  const hosts = await store.listHosts(poolId);
  let ok = 0;
  await mapBounded(hosts, concurrency, async (h) => {
    const bmc = openBmc({ host: h.bmcAddress, port: h.bmcPort, username: h.bmcUser, password: await secrets.get(h.secretRef), cipherSuite: h.cipherSuite, timeoutMs: 1500, retries: 2 });
    try {
      const r = await readBmc(bmc, { name: h.hostId, host: h.bmcAddress, port: h.bmcPort });
      if (!r.ok) return;
      await store.putReading({
        hostId: h.hostId,
        poolId,
        at: new Date().toISOString(),
        power: r.power,
        powerWatts: r.watts ?? undefined,
        temperatures: r.temperatures.filter((t) => t.value !== null).map((t) => ({ name: t.name, celsius: t.value as number })),
      });
      const fresh = await store.getHost(poolId, h.hostId);
      if (fresh) await store.updateHost(poolId, h.hostId, fresh.version, { power: r.power, powerObservedAt: new Date().toISOString(), powerSource: 'ipmi-poll' });
      ok++;
    } finally {
      await bmc.close();
    }
  });
  return { ok, failed: hosts.length - ok };
}
