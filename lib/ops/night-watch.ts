/**
 * The night watch: while a pool has hosts lowpower put to sleep, each check reads the awake hosts'
 * load fresh from XAPI (their RRD exports over the last look, 5 s rows), XAPI's refusals to start
 * a VM for lack of memory (failed async start tasks finished since the last check), and the pool as
 * the planner sees it, and wakes the fewest sleeping hosts that cover a demand: a refused start,
 * the running VMs no longer fit with the HA spare, or the awake CPU stayed above the ceiling for
 * the spike time. The wake is an ordinary pool wake (power on, live, enable), keyed by the night
 * and its number so two checks that decide it start one; each woken host gets a `night-watch`
 * alert saying why.
 *
 * Bounds: at most maxWakesPerNight wakes per pool and night; no check while an operation of the
 * pool is under way (a sleep, a wake: the figures are in flux); a host the watch woke and that was
 * slept again within the hour is not woken by it again. The hosts it woke stay on until the next
 * night's sleep, unless the pool sets resleepAfterQuietSeconds: then, once their demand has been
 * gone that long, the watch asks the ordinary pool sleep for them (night-watch-resleep.ts), never
 * once the pool's morning has begun and never a host a person has acted on since.
 *
 * Its memory between checks is one small item (store/night-watch.ts). The wakes and sleeps it made
 * are its operations (actor night-watch).
 */
import { AlreadyExistsError, HostBusyError, VersionConflictError, type Alert, type NightWatchState, type NightWatchStateInput, type Operation } from '../store/index.ts';
import { advanceRefusalCursor, readPoolLoad, type StartRefusal } from '../xen/index.ts';
import { rrdHypervisor } from './load-poll.ts';
import { noticesForAlerts, type Notice } from './notifications.ts';
import type { PoolOpsDeps } from './pool-operation.ts';
import { POOL_SLEEP, requestPoolSleep, sleepPlanOf } from './pool-sleep.ts';
import { readPoolView } from './pool-view.ts';
import { POOL_WAKE, poolWakeLeadMinutes, requestPoolWake } from './pool-wake.ts';
import type { WakeHostReport } from './wake-steps.ts';
import { HOST_POWER } from './host-power.ts';
import { awakeCpu, cpuSpike, decideWatch, flappingHosts, nightOf, NIGHT_WATCH_ACTOR, refusalCursor, watchSettings, watchWakeKey, type CpuFigure, type WakeDecision, type WatchSettings } from './night-watch-rules.ts';
import { morningAt, nightStart, quietNow, resleepable, takenOver, watchSleepKey, type WatchOperation } from './night-watch-resleep.ts';

export interface NightWatchOptions {
  /** The deployment's spike time where the pool's policy names none (default 300 s). */
  spikeSeconds?: number;
  /** The span of rows one check averages: its own period (default 60 s). */
  lookSeconds?: number;
}

export interface WatchCheck {
  poolId: string;
  night: string;
  /** idle: no host asleep; busy: an operation runs or another check wrote first; watching: nothing to do; woke: a wake was requested; slept: a sleep again was requested. */
  state: 'idle' | 'busy' | 'watching' | 'woke' | 'slept';
  why: string;
  settings?: WatchSettings;
  cpu?: CpuFigure;
  /** Awake members whose export did not come (named, never read as idle). */
  failed?: Array<{ hostId: string; reason: string }>;
  /** XAPI's refusals to start a VM for lack of memory this check was the first to see. */
  refusals?: StartRefusal[];
  operationId?: string;
  created?: boolean;
  hostIds?: string[];
  /** What to tell the channel (the alerts this check opened). */
  notices: Notice[];
}

const DAY_MS = 24 * 3600_000;

/** The hosts a wake operation set out to wake, or a sleep operation to sleep. */
export function wokenBy(op: Operation): string[] {
  const plan = op.params?.plan as { wake?: unknown; sleep?: unknown } | undefined;
  const list = op.kind === POOL_SLEEP ? plan?.sleep : plan?.wake;
  return Array.isArray(list) ? list.filter((h): h is string => typeof h === 'string') : [];
}

/**
 * The hosts a wake of the watch brought up: once it ended, those its ready check found done (a host
 * whose wake failed, and that a person then switched on, was not the watch's doing); before, its plan.
 */
export function broughtUpBy(op: Operation): string[] {
  const hosts = op.result?.hosts;
  if (!Array.isArray(hosts)) return wokenBy(op);
  return (hosts as WakeHostReport[]).filter((h) => h.result === 'done').map((h) => h.hostId);
}

/** An operation of tonight as the watch weighs it. */
function watchOperation(op: Operation): WatchOperation {
  const byWatch = op.actor === NIGHT_WATCH_ACTOR;
  if (op.kind === HOST_POWER) return { kind: 'host', byWatch, createdAt: op.createdAt, hostIds: op.hostIds ?? [] };
  const wake = op.kind === POOL_WAKE;
  return { kind: wake ? 'wake' : 'sleep', byWatch, createdAt: op.createdAt, hostIds: wake && byWatch ? broughtUpBy(op) : wokenBy(op) };
}

type StateFields = Omit<NightWatchStateInput, 'night'>;

/** Keep the state if it changed; false when another check wrote first. */
async function saveState(deps: PoolOpsDeps, poolId: string, night: string, state: NightWatchState | undefined, next: StateFields): Promise<boolean> {
  const was = state?.night === night ? state : undefined;
  const sameSeen = (was?.refusalsSeenTasks ?? []).join() === (next.refusalsSeenTasks ?? []).join();
  if (was && was.cpuOverSince === next.cpuOverSince && was.quietSince === next.quietSince && was.refusalsSeenUpTo === next.refusalsSeenUpTo && sameSeen) return true;
  const fields = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as StateFields;
  try {
    await deps.store.putNightWatch(poolId, { night, ...fields }, state?.version ?? 0);
    return true;
  } catch (e) {
    if (e instanceof VersionConflictError || e instanceof AlreadyExistsError) return false;
    throw e;
  }
}

export async function checkNightWatch(deps: PoolOpsDeps, poolId: string, o: NightWatchOptions = {}): Promise<WatchCheck> {
  const now = new Date((deps.now ?? Date.now)());
  const pool = await deps.store.getPool(poolId);
  if (!pool) throw new Error(`pool ${poolId} is not known`);
  const night = nightOf(now, pool.policy?.timeZone);
  const [stored, state] = await Promise.all([deps.store.listHosts(poolId), deps.store.getNightWatch(poolId)]);
  const asleep = stored.filter((h) => h.sleepState === 'asleep');
  const mine = state?.night === night ? state : undefined;
  const settings = watchSettings(pool.policy, o.spikeSeconds);
  const resleepOn = settings.resleepAfterQuietSeconds !== undefined;
  const save = (next: StateFields) => saveState(deps, poolId, night, state, next);
  if (asleep.length === 0 && !resleepOn) {
    await save({});
    return { poolId, night, state: 'idle', why: 'no host is asleep', notices: [] };
  }
  const ops = await deps.store.listOperations(poolId, { since: new Date(now.getTime() - DAY_MS).toISOString() });
  const tonight = ops.filter((op) => (op.kind === POOL_WAKE || op.kind === POOL_SLEEP || op.kind === HOST_POWER) && nightOf(new Date(op.createdAt), pool.policy?.timeZone) === night);
  const watchWakes = tonight.filter((op) => op.kind === POOL_WAKE && op.actor === NIGHT_WATCH_ACTOR);
  const watchOps: WatchOperation[] = tonight.map(watchOperation);
  // Awake, and no host the watch woke is still its own to sleep again (none, or another wake took over).
  if (asleep.length === 0 && (watchWakes.length === 0 || takenOver(watchOps))) {
    await save({});
    return { poolId, night, state: 'idle', why: 'no host is asleep', notices: [] };
  }
  const open = ops.find((op) => op.state === 'pending' || op.state === 'running');
  if (open) return { poolId, night, state: 'busy', why: `operation ${open.operationId} (${open.kind}) is under way`, notices: [] };

  const hv = await deps.hypervisorFor(pool);
  const view = await readPoolView(deps.store, hv, pool);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // At least one 5-second row: xcp-rrdd's finest archive.
  const look = Math.max(5, Math.round(o.lookSeconds ?? 60));
  // Refusals count from the last ones counted, or from when the pool's first host went to sleep.
  const sleptAts = asleep.map((h) => Date.parse(h.sleptAt ?? '')).filter(Number.isFinite);
  const { cursor, counted } = refusalCursor(mine, sleptAts, now.getTime());
  const [read, refusals] = await Promise.all([
    readPoolLoad(rrdHypervisor(hv), { start: nowSeconds - look, interval: 5, window: { after: nowSeconds - look } }),
    hv.startRefusals(cursor),
  ]);
  const seenAfter = advanceRefusalCursor(counted, refusals);
  const seen: Pick<StateFields, 'refusalsSeenUpTo' | 'refusalsSeenTasks'> = seenAfter ? { refusalsSeenUpTo: new Date(seenAfter.from).toISOString(), refusalsSeenTasks: [...(seenAfter.seenTaskUuids ?? [])] } : {};
  const awake = view.hosts.filter((h) => h.state === 'on');
  const byHost = new Map(read.members.map((m) => [m.hostId, m]));
  const cpu = awakeCpu(
    awake.map((h) => {
      const m = byHost.get(h.id);
      return { hostId: h.id, cpus: h.cpus, cpuPercent: m?.host?.cpuPercent ?? null, vmDemandCpus: m?.vms.reduce((s, v) => s + ((v.cpuPercent ?? 0) / 100) * v.vcpus, 0) };
    }),
  );
  const failed = read.failed.map((f) => ({ hostId: f.hostId, reason: `${f.kind}: ${f.reason}` }));
  const spike = cpuSpike(mine?.cpuOverSince, cpu, settings, now);

  // The hosts the watch set out to wake (its plans): the flapping rule counts tries.
  const wokenByWatch = new Set(watchWakes.flatMap((op) => wokenBy(op)));
  const flapping = flappingHosts(asleep, wokenByWatch, now);
  const wakeable = asleep.map((h) => h.hostId).filter((h) => !flapping.includes(h));
  const decision = decideWatch({ settings, spike, cpu, hosts: view.hosts, vms: view.plannerVms, policy: view.policy, wakeable, wakesTonight: watchWakes.length, refusals });
  const base = { poolId, night, settings, ...(cpu ? { cpu } : {}), ...(failed.length ? { failed } : {}), ...(refusals.length ? { refusals } : {}) };
  if (decision.wake) return wake(deps, { poolId, night, decision, wakeN: watchWakes.length + 1, base, save: () => save(seen) });

  // No demand now: perhaps the hosts the watch woke may sleep again (not once the morning has begun).
  let candidates: { hostIds: string[] } = resleepOn ? resleepable(watchOps, view.hosts.map((h) => ({ hostId: h.id, cpus: h.cpus, awake: h.state === 'on' }))) : { hostIds: [] };
  let morningNote = '';
  if (candidates.hostIds.length) {
    // Its morning is the first wake start after the night's sleep (or, with none tonight, after
    // local noon, where the night begins), even one that came before the watch woke these hosts
    // (the morning's wake failed for them); a wake schedule of the evening before does not count.
    const sleptTonight = tonight.filter((op) => op.kind === POOL_SLEEP && op.actor !== NIGHT_WATCH_ACTOR).map((op) => Date.parse(op.createdAt));
    const nightBegan = nightStart(night, pool.policy?.timeZone ?? 'UTC', sleptTonight);
    const morning = morningAt(await deps.store.listSchedules(poolId), nightBegan, (await poolWakeLeadMinutes(deps.store, poolId)) * 60_000);
    if (morning !== undefined && now.getTime() >= morning) {
      morningNote = `; the morning has begun (the wake schedule starts the pool's wake at ${new Date(morning).toISOString()}): ${candidates.hostIds.join(', ')} stay on`;
      candidates = { hostIds: [] };
    }
  }
  const woken = view.hosts.filter((h) => candidates.hostIds.includes(h.id)).map((h) => ({ hostId: h.id, cpus: h.cpus, awake: true }));
  const quiet = woken.length ? quietNow(mine?.quietSince, settings, cpu, woken, refusals.length, now) : undefined;
  const note = flapping.length ? `; not woken again (slept within the hour after the watch woke them): ${flapping.join(', ')}` : '';
  if (quiet?.due) {
    const plan = sleepPlanOf(view, candidates.hostIds);
    if (plan.sleep.length === 0) {
      if (!(await save({ cpuOverSince: spike.since, quietSince: quiet.since, ...seen }))) return { ...base, state: 'busy', why: 'another check wrote first', notices: [] };
      return { ...base, state: 'watching', why: `${quiet.why}; but the planner keeps them on: ${plan.keep.filter((k) => candidates.hostIds.includes(k.hostId)).map((k) => `${k.hostId}: ${k.reason}`).join('; ') || plan.why || 'every host is needed'}`, notices: [] };
    }
    const sleepsTonight = watchOps.filter((w) => w.kind === 'sleep' && w.byWatch).length;
    const reason = `night watch: the demand that woke ${candidates.hostIds.join(', ')} has passed: ${quiet.why}`;
    try {
      const s = await requestPoolSleep(deps, { poolId, reason, actor: NIGHT_WATCH_ACTOR, source: 'schedule', idempotencyKey: watchSleepKey(poolId, night, sleepsTonight + 1), hostIds: candidates.hostIds });
      await save(seen);
      return { ...base, state: 'slept', why: reason, hostIds: s.plan.sleep, ...(s.operationId ? { operationId: s.operationId, created: s.created === true } : {}), notices: [] };
    } catch (e) {
      if (e instanceof HostBusyError) return { ...base, state: 'busy', why: `${reason}; but ${e.message}`, notices: [] };
      throw e;
    }
  }
  if (!(await save({ cpuOverSince: spike.since, quietSince: quiet?.since, ...seen }))) return { ...base, state: 'busy', why: 'another check wrote first', notices: [] };
  const resleepNote = quiet ? `; ${quiet.why}` : '';
  return { ...base, state: 'watching', why: decision.why + note + resleepNote + morningNote, notices: [] };
}

interface WakeRequest {
  poolId: string;
  night: string;
  decision: WakeDecision;
  wakeN: number;
  base: Omit<WatchCheck, 'state' | 'why' | 'notices'>;
  save(): Promise<boolean>;
}

/** Start the wake the decision asks for and open one alert per woken host. */
async function wake(deps: PoolOpsDeps, w: WakeRequest): Promise<WatchCheck> {
  const { poolId, night, decision, base } = w;
  const reason = `night watch: ${decision.text}`;
  let started: Awaited<ReturnType<typeof requestPoolWake>>;
  try {
    started = await requestPoolWake(deps, { poolId, reason, actor: NIGHT_WATCH_ACTOR, source: 'schedule', idempotencyKey: watchWakeKey(poolId, night, w.wakeN), hostIds: decision.hostIds });
  } catch (e) {
    // Another check's wake (or any operation) took the pool's locks a moment ago: the next check sees it.
    if (e instanceof HostBusyError) return { ...base, state: 'busy', why: `${decision.text}; but ${e.message}`, notices: [] };
    throw e;
  }
  // The spike and the quiet start again; the refusals acted on are not counted again.
  await w.save();
  const hostIds = started.plan.wake;
  const alerts: Alert[] = [];
  if (started.created) {
    const refused = decision.refusals?.map((r) => ({ vm: r.vm?.name ?? null, vmUuid: r.vm?.uuid ?? null, task: r.taskUuid, call: r.call, at: new Date(r.finishedAt).toISOString(), neededBytes: r.neededBytes, availableBytes: r.availableBytes }));
    for (const hostId of hostIds) {
      const detail = { reason: decision.reason, ...decision.figures, operationId: started.operationId, night, hosts: hostIds, ...(refused ? { refusals: refused } : {}) };
      const { alert } = await deps.store.openAlert({ poolId, hostId, kind: 'night-watch', message: `${hostId} woken by the night watch: ${decision.text}`, detail });
      alerts.push(alert);
    }
  }
  return { ...base, state: 'woke', why: reason, ...(started.operationId ? { operationId: started.operationId, created: started.created === true } : {}), hostIds, notices: noticesForAlerts(alerts) };
}
