/**
 * Sensor poll: every host of a pool, with bounded concurrency. Power, temperatures and draw are
 * stored as readings with a TTL; a temperature at or over its upper critical threshold opens the
 * host's thermal alert (safety rule 8), and a poll with every temperature back under it closes it.
 */
import type { AlertRepository, AuditRepository, HostRepository, ReadingRepository } from '../store/index.ts';
import type { Host } from '../store/index.ts';
import { hottestOf, type Temperature } from '../fleet/sweep-types.ts';
import { mapBounded } from '../util/index.ts';
import type { PowerDriver } from './power-driver.ts';
import { protocolOf } from './by-protocol.ts';
import type { SensorStatus } from '../ipmi/index.ts';
import type { Log } from '../util/index.ts';

export interface PollResult {
  ok: number;
  failed: number;
  /** Thermal alerts opened by this poll (host ids). */
  alertsOpened: string[];
  alertsClosed: string[];
  /** Hosts found in a power state lowpower did not put them in (alerted, not "fixed"). */
  drift: string[];
}

export interface PollOptions {
  concurrency?: number;
  log?: Log;
}

const OVER = new Set(['ucr', 'unr']);

/** The temperatures over their critical threshold, as one readable line; undefined when none. */
export function thermalExcess(temperatures: readonly Temperature[]): string | undefined {
  const hot = temperatures.filter((t) => OVER.has(t.status));
  if (hot.length === 0) return undefined;
  return hot.map((t) => `${t.name} ${t.value === null ? '?' : t.value.toFixed(1)} C ${t.status === 'unr' ? 'over non-recoverable' : 'over critical'}`).join(', ');
}

/**
 * Drift: a host lowpower put to sleep found on, or a host last seen on found off while no
 * operation holds it. It is recorded and alerted, never silently "fixed".
 */
async function checkDrift(store: HostRepository & AlertRepository & AuditRepository, h: Host, power: 'on' | 'off', at: string, result: PollResult, log?: Log): Promise<void> {
  const busy = h.lockOperationId !== undefined && (h.lockExpiresAt ?? 0) > Date.now();
  // Woken while XAPI was away: on, and waiting to be enabled; the sweeper finishes it.
  if (busy || h.awaitingEnable) return;
  let message: string | undefined;
  if (h.sleepState === 'asleep' && power === 'on') message = `${h.hostId} was put to sleep by lowpower${h.sleptByOperation ? ` (operation ${h.sleptByOperation.slice(0, 8)})` : ''} but is on`;
  else if (h.sleepState !== 'asleep' && h.power === 'on' && power === 'off') message = `${h.hostId} should be awake but is off; lowpower did not switch it off`;
  if (message) {
    const { opened } = await store.openAlert({ poolId: h.poolId, hostId: h.hostId, kind: 'drift', message, detail: { found: power, expected: h.sleepState === 'asleep' ? 'asleep' : 'awake', at } });
    if (opened) {
      result.drift.push(h.hostId);
      log?.('alert', { kind: 'drift', pool: h.poolId, host: h.hostId, found: power, expected: h.sleepState === 'asleep' ? 'asleep' : 'awake', message });
      await store.appendAudit({ poolId: h.poolId, hostId: h.hostId, actor: 'sensor-poll', source: 'schedule', reason: 'drift check', action: 'drift', result: 'failed', message });
    }
  } else if ((h.sleepState === 'asleep') === (power === 'off')) {
    await store.closeAlert(h.poolId, 'drift', h.hostId);
  }
}

/** One host's BMC, read through the port: power (unknown when it cannot say), temperatures, watts. */
async function readHost(driver: Pick<PowerDriver, 'status' | 'sensors' | 'readWatts'>, h: Host): Promise<{ ok: false } | { ok: true; power: 'on' | 'off'; temperatures: Temperature[]; hottest: number | null; watts: number | null }> {
  const status = await driver.status(h);
  if (status.power === 'unknown') return { ok: false };
  // Sensors and watts are extra: a BMC without them still tells the power state.
  const sensors = await driver.sensors(h).catch(() => []);
  const temperatures: Temperature[] = sensors.filter((s) => s.type === 'temperature').map((s) => ({ name: s.name, value: s.value, unit: s.unit, status: s.status as SensorStatus }));
  const watts = await driver.readWatts(h).catch(() => null);
  return { ok: true, power: status.power, temperatures, hottest: hottestOf(temperatures), watts };
}

export async function pollPool(store: HostRepository & ReadingRepository & AlertRepository & AuditRepository, driver: Pick<PowerDriver, 'status' | 'sensors' | 'readWatts'>, poolId: string, o: PollOptions = {}): Promise<PollResult> {
  const hosts = await store.listHosts(poolId);
  const result: PollResult = { ok: 0, failed: 0, alertsOpened: [], alertsClosed: [], drift: [] };
  await mapBounded(hosts, o.concurrency ?? 16, async (h: Host) => {
    const source = `${protocolOf(h)}-poll`;
    const r = await readHost(driver, h).catch(() => ({ ok: false as const }));
    const at = new Date().toISOString();
    if (!r.ok) {
      // A BMC that stops answering makes the power state unknown, never a guess.
      const fresh = await store.getHost(poolId, h.hostId);
      if (fresh && fresh.power !== 'unknown') await store.updateHost(poolId, h.hostId, fresh.version, { power: 'unknown', powerObservedAt: at, powerSource: source });
      result.failed++;
      return;
    }
    await store.putReading({
      hostId: h.hostId,
      poolId,
      at,
      power: r.power,
      powerWatts: r.watts ?? undefined,
      temperatures: r.temperatures.filter((t) => t.value !== null).map((t) => ({ name: t.name, celsius: t.value as number })),
    });
    const fresh = await store.getHost(poolId, h.hostId);
    if (fresh) {
      await checkDrift(store, fresh, r.power, at, result, o.log);
      await store.updateHost(poolId, h.hostId, fresh.version, { power: r.power, powerObservedAt: at, powerSource: source });
    }
    const excess = thermalExcess(r.temperatures);
    if (excess) {
      // The hottest sensor over its limit, as data for the notice.
      const over = r.temperatures.filter((t) => OVER.has(t.status) && t.value !== null).sort((a, b) => (b.value as number) - (a.value as number))[0];
      const { opened } = await store.openAlert({ poolId, hostId: h.hostId, kind: 'thermal', message: excess, detail: { hottest: r.hottest, sensor: over?.name, celsius: over?.value } });
      if (opened) {
        result.alertsOpened.push(h.hostId);
        o.log?.('alert', { kind: 'thermal', pool: poolId, host: h.hostId, sensor: over?.name, celsius: over?.value, message: excess });
      }
    } else if (r.temperatures.length > 0 && (await store.closeAlert(poolId, 'thermal', h.hostId))) {
      result.alertsClosed.push(h.hostId);
      o.log?.('alert-closed', { kind: 'thermal', pool: poolId, host: h.hostId, why: 'temperatures back under critical' });
    }
    result.ok++;
  });
  return result;
}
