/**
 * The night watch: while a pool has hosts lowpower put to sleep, each check reads the awake hosts'
 * load fresh from XAPI (their RRD exports over the last look, 5 s rows) and the pool as the
 * planner sees it, and wakes the fewest sleeping hosts that cover a demand: the running VMs no
 * longer fit with the HA spare, or the awake CPU stayed above the ceiling for the spike time. The
 * wake is an ordinary pool wake (power on, live, enable), keyed by the night and its number so two
 * checks that decide it start one; each woken host gets a `night-watch` alert saying why.
 *
 * Bounds: at most maxWakesPerNight wakes per pool and night; no check while an operation of the
 * pool is under way (a sleep, a wake: the figures are in flux); a host the watch woke and that was
 * slept again within the hour is not woken by it again. The watch never sleeps a host: the hosts it
 * woke stay on until the next night's sleep.
 *
 * Its memory between checks is one small item (store/night-watch.ts): the night and since when
 * the CPU has been above the ceiling. The wakes it made are its operations (actor night-watch).
 */
import { AlreadyExistsError, HostBusyError, VersionConflictError, type Alert, type Operation } from '../store/index.ts';
import { readPoolLoad } from '../xen/index.ts';
import { rrdHypervisor } from './load-poll.ts';
import { noticesForAlerts, type Notice } from './notifications.ts';
import type { PoolOpsDeps } from './pool-operation.ts';
import { readPoolView } from './pool-view.ts';
import { POOL_WAKE, requestPoolWake } from './pool-wake.ts';
import { awakeCpu, cpuSpike, decideWatch, flappingHosts, nightOf, NIGHT_WATCH_ACTOR, watchSettings, watchWakeKey, type CpuFigure, type WatchSettings } from './night-watch-rules.ts';

export interface NightWatchOptions {
  /** The deployment's spike time where the pool's policy names none (default 300 s). */
  spikeSeconds?: number;
  /** The span of rows one check averages: its own period (default 60 s). */
  lookSeconds?: number;
}

export interface WatchCheck {
  poolId: string;
  night: string;
  /** idle: no host asleep; busy: an operation runs or another check wrote first; watching: nothing to do; woke: a wake was requested. */
  state: 'idle' | 'busy' | 'watching' | 'woke';
  why: string;
  settings?: WatchSettings;
  cpu?: CpuFigure;
  /** Awake members whose export did not come (named, never read as idle). */
  failed?: Array<{ hostId: string; reason: string }>;
  operationId?: string;
  created?: boolean;
  hostIds?: string[];
  /** What to tell the channel (the alerts this check opened). */
  notices: Notice[];
}

const DAY_MS = 24 * 3600_000;

/** The hosts a wake operation set out to wake. */
export function wokenBy(op: Operation): string[] {
  const plan = op.params?.plan as { wake?: unknown } | undefined;
  return Array.isArray(plan?.wake) ? plan.wake.filter((h): h is string => typeof h === 'string') : [];
}

export async function checkNightWatch(deps: PoolOpsDeps, poolId: string, o: NightWatchOptions = {}): Promise<WatchCheck> {
  const now = new Date((deps.now ?? Date.now)());
  const pool = await deps.store.getPool(poolId);
  if (!pool) throw new Error(`pool ${poolId} is not known`);
  const night = nightOf(now, pool.policy?.timeZone);
  const [stored, state] = await Promise.all([deps.store.listHosts(poolId), deps.store.getNightWatch(poolId)]);
  const asleep = stored.filter((h) => h.sleepState === 'asleep');
  const since = state?.night === night ? state.cpuOverSince : undefined;
  /** Keep the state if it changed; false when another check wrote first. */
  const save = async (cpuOverSince: string | undefined): Promise<boolean> => {
    if (state && state.night === night && state.cpuOverSince === cpuOverSince) return true;
    try {
      await deps.store.putNightWatch(poolId, { night, ...(cpuOverSince ? { cpuOverSince } : {}) }, state?.version ?? 0);
      return true;
    } catch (e) {
      if (e instanceof VersionConflictError || e instanceof AlreadyExistsError) return false;
      throw e;
    }
  };
  if (asleep.length === 0) {
    await save(undefined);
    return { poolId, night, state: 'idle', why: 'no host is asleep', notices: [] };
  }
  const ops = await deps.store.listOperations(poolId, { since: new Date(now.getTime() - DAY_MS).toISOString() });
  const open = ops.find((op) => op.state === 'pending' || op.state === 'running');
  if (open) return { poolId, night, state: 'busy', why: `operation ${open.operationId} (${open.kind}) is under way`, notices: [] };

  const settings = watchSettings(pool.policy, o.spikeSeconds);
  const hv = await deps.hypervisorFor(pool);
  const view = await readPoolView(deps.store, hv, pool);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // At least one 5-second row: xcp-rrdd's finest archive.
  const look = Math.max(5, Math.round(o.lookSeconds ?? 60));
  const read = await readPoolLoad(rrdHypervisor(hv), { start: nowSeconds - look, interval: 5, window: { after: nowSeconds - look } });
  const awake = view.hosts.filter((h) => h.state === 'on');
  const byHost = new Map(read.members.map((m) => [m.hostId, m]));
  const cpu = awakeCpu(
    awake.map((h) => {
      const m = byHost.get(h.id);
      return { hostId: h.id, cpus: h.cpus, cpuPercent: m?.host?.cpuPercent ?? null, vmDemandCpus: m?.vms.reduce((s, v) => s + ((v.cpuPercent ?? 0) / 100) * v.vcpus, 0) };
    }),
  );
  const failed = read.failed.map((f) => ({ hostId: f.hostId, reason: `${f.kind}: ${f.reason}` }));
  const spike = cpuSpike(since, cpu, settings, now);

  const watchWakes = ops.filter((op) => op.kind === POOL_WAKE && op.actor === NIGHT_WATCH_ACTOR && nightOf(new Date(op.createdAt), pool.policy?.timeZone) === night);
  // A wake locks the whole pool; the hosts it woke are its plan's.
  const wokenByWatch = new Set(watchWakes.flatMap((op) => wokenBy(op)));
  const flapping = flappingHosts(asleep, wokenByWatch, now);
  const wakeable = asleep.map((h) => h.hostId).filter((h) => !flapping.includes(h));
  const decision = decideWatch({ settings, spike, cpu, hosts: view.hosts, vms: view.plannerVms, policy: view.policy, wakeable, wakesTonight: watchWakes.length });
  const base = { poolId, night, settings, ...(cpu ? { cpu } : {}), ...(failed.length ? { failed } : {}) };
  if (!decision.wake) {
    if (!(await save(spike.since))) return { ...base, state: 'busy', why: 'another check wrote first', notices: [] };
    const note = flapping.length ? `; not woken again (slept within the hour after the watch woke them): ${flapping.join(', ')}` : '';
    return { ...base, state: 'watching', why: decision.why + note, notices: [] };
  }
  const reason = `night watch: ${decision.text}`;
  let wake: Awaited<ReturnType<typeof requestPoolWake>>;
  try {
    wake = await requestPoolWake(deps, { poolId, reason, actor: NIGHT_WATCH_ACTOR, source: 'schedule', idempotencyKey: watchWakeKey(poolId, night, watchWakes.length + 1), hostIds: decision.hostIds });
  } catch (e) {
    // Another check's wake (or any operation) took the pool's locks a moment ago: the next check sees it.
    if (e instanceof HostBusyError) return { ...base, state: 'busy', why: `${decision.text}; but ${e.message}`, notices: [] };
    throw e;
  }
  await save(undefined);
  const hostIds = wake.plan.wake;
  const alerts: Alert[] = [];
  if (wake.created) {
    for (const hostId of hostIds) {
      const { alert } = await deps.store.openAlert({ poolId, hostId, kind: 'night-watch', message: `${hostId} woken by the night watch: ${decision.text}`, detail: { reason: decision.reason, ...decision.figures, operationId: wake.operationId, night, hosts: hostIds } });
      alerts.push(alert);
    }
  }
  return { ...base, state: 'woke', why: reason, ...(wake.operationId ? { operationId: wake.operationId, created: wake.created === true } : {}), hostIds, notices: noticesForAlerts(alerts) };
}
