/**
 * Live reads from a host's BMC for the API and Slack: sensors with their thresholds, and the event
 * log. One short session per call; the password comes from the Secrets port and goes nowhere else.
 */
import type { Bmc } from '../ipmi/client.ts';
import { openHostBmc, type PowerDriver, type SelView, type SensorView } from './power-driver.ts';
import type { Secrets } from '../store/secrets.ts';
import type { Host } from '../store/types.ts';

export type { SensorView, SelView } from './power-driver.ts';

export interface BmcReads {
  sensors(host: Host): Promise<SensorView[]>;
  sel(host: Host): Promise<SelView[]>;
}

export function ipmiBmcReads(secrets: Secrets, o: { timeoutMs?: number } = {}): BmcReads {
  const withBmc = async <T>(host: Host, f: (b: Bmc) => Promise<T>): Promise<T> => {
    const bmc = await openHostBmc(host, secrets, { timeoutMs: o.timeoutMs ?? 2000, retries: 2 });
    try {
      return await f(bmc);
    } finally {
      await bmc.close();
    }
  };
  return {
    sensors: (host) =>
      withBmc(host, async (b) => {
        const [values, records] = await Promise.all([b.sensors(), b.sensorRecords()]);
        const byNumber = new Map(records.map((r) => [r.sensorNumber, r]));
        return values.map((v) => ({ name: v.name, type: v.type, value: v.value, unit: v.unit, status: v.status, thresholds: byNumber.get(v.number)?.thresholds ?? {} }));
      }),
    sel: (host) =>
      withBmc(host, async (b) =>
        (await b.sel()).map((e) => ({
          id: e.recordId,
          timestamp: e.timestamp !== null && !e.preInit ? new Date(e.timestamp * 1000).toISOString() : null,
          sensor: e.sensorType ?? null,
          event: e.description,
          direction: e.direction ?? null,
        })),
      ),
  };
}

/** Live reads through the power port, whatever protocol each host speaks. */
export function driverBmcReads(driver: Pick<PowerDriver, 'sensors' | 'eventLog'>): BmcReads {
  return { sensors: (host) => driver.sensors(host), sel: (host) => driver.eventLog(host) };
}
