/**
 * One Redfish BMC of a fleet sweep: power state, temperatures and watts over one session of its
 * own, deleted after. A state the BMC does not give as On or Off is a failure of that host, never
 * a guess. The certificate is pinned when the inventory gives its fingerprint.
 */
import { openRedfish, type RedfishBmc } from '../redfish/index.ts';
import type { FleetHost } from './inventory.ts';
import type { HostResult, Temperature } from './sweep-types.ts';
import { errorText, hottestOf } from './sweep-types.ts';
import type { SensorStatus } from '../ipmi/index.ts';

export async function readRedfishHost(entry: FleetHost, o: { timeoutMs?: number; retries?: number }): Promise<HostResult> {
  let bmc: RedfishBmc | undefined;
  const fail = (error: string): HostResult => ({ name: entry.name, host: entry.host, port: entry.port, ok: false, error });
  try {
    const url = entry.url ? new URL(entry.url) : undefined;
    bmc = openRedfish({
      host: url ? url.hostname.replace(/^\[|\]$/g, '') : entry.host,
      port: url?.port ? Number(url.port) : entry.port,
      protocol: url?.protocol === 'http:' ? 'http' : 'https',
      username: entry.user,
      password: entry.password,
      // A sweep's request waits as long as an IPMI exchange would, with a floor for TLS.
      timeoutMs: Math.max(o.timeoutMs ?? 2000, 2000) * 2,
      retries: o.retries === undefined ? undefined : Math.min(o.retries, 2),
      tls: { fingerprint: entry.fingerprint256 },
      sessionIdleMs: Infinity,
    });
    const state = await bmc.powerState();
    if (state.power === 'unknown') return fail(`${bmc.label}: the BMC reports PowerState ${state.raw ?? 'nothing'}: power unknown`);
    const notes: string[] = [];
    let temperatures: Temperature[] = [];
    try {
      temperatures = (await bmc.sensors()).filter((s) => s.type === 'temperature').map((s) => ({ name: s.name, value: s.value, unit: s.unit, status: s.status as SensorStatus }));
    } catch (e) {
      notes.push(`no sensors read (${errorText(e)})`);
    }
    const w = await bmc.watts().catch(() => ({ watts: null }));
    if (w.watts === null) notes.push('no power reading on this BMC (neither PowerControl nor EnvironmentMetrics)');
    return { name: entry.name, host: entry.host, port: entry.port, ok: true, power: state.power, temperatures, hottest: hottestOf(temperatures), watts: w.watts, notes };
  } catch (e) {
    return fail(errorText(e));
  } finally {
    await bmc?.close().catch(() => undefined);
  }
}
