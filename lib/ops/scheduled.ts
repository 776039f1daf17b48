/**
 * What happens when a schedule fires (EventBridge Scheduler in AWS, the local cron runner here):
 * read the schedule back from the store, apply its exceptions for this instant, and start the
 * operation it asks for, once per schedule and fire time (the idempotency key), or say why not.
 * A wake is keyed by the ready time it is for, not by the instant that fired it: its recurring
 * timer and a one-time early start (a daylight-saving day, a lead across midnight) may both fire
 * for one morning, and only one wake starts; a recurring fire that a later one-time start
 * replaces does nothing. Exceptions apply to the ready time's date.
 */
import { decide, type ScheduleAction } from '../schedules/index.ts';
import { fromStored } from '../schedules/index.ts';
import { nextFireTime } from '../schedules/index.ts';
import { wakeFireRole } from '../schedules/index.ts';
import { poolWakeLeadMinutes } from './pool-wake.ts';
import type { Secrets } from '../store/index.ts';
import { requestHostPower } from './host-power.ts';
import type { OpsDeps } from './ops-deps.ts';
import { pollPool, type PollResult } from './sensor-poll.ts';
import { requestPoolSleep } from './pool-sleep.ts';
import type { PoolOpsDeps } from './pool-operation.ts';
import { requestPoolWake } from './pool-wake.ts';
import { pollPoolLoad, type LoadPollResult } from './load-poll.ts';
import { checkNightWatch, type NightWatchOptions, type WatchCheck } from './night-watch.ts';
import type { Notice } from './notices.ts';

export interface ScheduledFire {
  poolId: string;
  scheduleName: string;
  /** The instant the schedule was due (EventBridge's scheduled time). */
  at: Date;
  /** Set by a one-time early start: the ready time it starts the wake for. */
  readyAt?: Date;
  /** Set by a wake's recurring timer: the lead it was armed with (the pool's may have changed since). */
  leadMinutes?: number;
}

export type FireResult =
  | { ran: false; reason: string; detail: string }
  | { ran: true; action: Exclude<ScheduleAction, 'poll-sensors' | 'poll-load'>; operationId: string; created: boolean }
  | { ran: true; action: 'poll-sensors'; poll: PollResult }
  /** The load poll and the night watch's check; an operation when the watch woke hosts. */
  | { ran: true; action: 'poll-load'; load: LoadPollResult; watch: WatchCheck; notices: Notice[]; operationId?: string; created?: boolean };

/** Pool sleep and wake plug in here (they need the hypervisor); absent, those actions are refused. */
export interface PoolActions {
  /** An operation, or none with the reason (nothing can sleep, nothing to wake). */
  requestSleep(poolId: string, o: { reason: string; actor: string; source: 'schedule'; idempotencyKey: string; hostIds?: string[] }): Promise<{ operationId?: string; created?: boolean; note?: string }>;
  requestWake(poolId: string, o: { reason: string; actor: string; source: 'schedule'; idempotencyKey: string; hostIds?: string[]; excludeHostIds: string[]; readyBy?: string }): Promise<{ operationId?: string; created?: boolean; note?: string }>;
  /** The load poll, then the night watch's check on the pool. */
  pollLoad?(poolId: string): Promise<{ load: LoadPollResult; watch: WatchCheck }>;
}

/**
 * A wake schedule's time is when the pool must be ready; its timer fired earlier by the lead
 * time. The ready time is the schedule's own next time from the firing on, if it lies ahead.
 */
export function readyByOf(expression: string, timezone: string, at: Date): string | undefined {
  const next = nextFireTime(expression, timezone, new Date(at.getTime() - 1000));
  return next && next.getTime() > at.getTime() + 60_000 && next.getTime() - at.getTime() < 12 * 3600_000 ? next.toISOString() : undefined;
}

export interface ScheduledDeps extends OpsDeps {
  secrets: Secrets;
  pools?: PoolActions;
  /** The pool's wake lead time, as the schedule service shifted the timers by (default: poolWakeLeadMinutes). */
  wakeLeadMinutes?: (poolId: string) => Promise<number>;
}

export async function onScheduleFired(deps: ScheduledDeps, fire: ScheduledFire): Promise<FireResult> {
  const stored = await deps.store.getSchedule(fire.poolId, fire.scheduleName);
  const actor = `schedule:${fire.scheduleName}`;
  if (!stored) return { ran: false, reason: 'unknown-schedule', detail: `schedule ${fire.scheduleName} is not in pool ${fire.poolId} (deleted?)` };
  const schedule = fromStored(stored);
  const audit = (action: string, result: 'ok' | 'refused', message: string) =>
    deps.store.appendAudit({ poolId: fire.poolId, actor, source: 'schedule', reason: 'scheduled', action, result, message });
  const notRun = async (reason: string, detail: string): Promise<FireResult> => {
    await audit(`${schedule.action} not run`, 'refused', `${reason}: ${detail}`);
    return { ran: false, reason, detail };
  };
  // A wake: which ready time this fire is for, and whether it is the one to start it.
  let readyAt: Date | undefined;
  let after = '';
  if (schedule.action === 'wake') {
    // The lead the timer was armed with: a repeated delivery after a wake taught a new lead still
    // finds the first one's ready time, and so its operation.
    const leadMinutes = fire.leadMinutes ?? (await (deps.wakeLeadMinutes ?? ((p: string) => poolWakeLeadMinutes(deps.store, p)))(fire.poolId));
    const role = wakeFireRole({ expression: schedule.expression, timezone: schedule.timezone, leadMinutes }, fire.at, fire.readyAt);
    if (role.kind === 'covered') {
      return notRun('early-start-covers', `a one-time start at ${role.startAt.toISOString()} starts the wake for ${role.readyAt.toISOString()} (${role.why})`);
    }
    if (role.kind === 'no-ready-time') return notRun('no-ready-time', role.detail);
    if (role.kind === 'stale') return notRun('stale-early-start', role.detail);
    if (role.kind === 'start' || role.kind === 'after-early-start') readyAt = role.readyAt;
    if (role.kind === 'after-early-start') after = `, after its early start at ${role.startAt.toISOString()}`;
  }
  const d = decide(schedule, readyAt ?? fire.at);
  if (!d.run) return notRun(d.reason, d.detail);
  const idempotencyKey = readyAt
    ? `schedule:${fire.poolId}:${fire.scheduleName}@ready:${readyAt.toISOString()}`
    : `schedule:${fire.poolId}:${fire.scheduleName}@${fire.at.toISOString()}`;
  const reason = `schedule ${fire.scheduleName}${d.replacedBy ? ` (${d.replacedBy})` : ''}${after}`;
  if (d.action === 'poll-sensors') return { ran: true, action: 'poll-sensors', poll: await pollPool(deps.store, deps.driver, fire.poolId, { log: deps.log }) };
  if (d.action === 'poll-load') {
    if (!deps.pools?.pollLoad) return { ran: false, reason: 'no-hypervisor', detail: "poll-load needs the pool's XAPI; none is configured" };
    const { load, watch } = await deps.pools.pollLoad(fire.poolId);
    return { ran: true, action: 'poll-load', load, watch, notices: watch.notices, ...(watch.operationId ? { operationId: watch.operationId, created: watch.created === true } : {}) };
  }
  if (d.action === 'sleep' || d.action === 'wake') {
    if (!deps.pools) {
      await audit(d.action, 'refused', 'no hypervisor is configured for this pool');
      return { ran: false, reason: 'no-hypervisor', detail: `${d.action} needs the pool's XAPI; none is configured` };
    }
    const r =
      d.action === 'sleep'
        ? await deps.pools.requestSleep(fire.poolId, { reason, actor, source: 'schedule', idempotencyKey, hostIds: d.hostIds })
        : await deps.pools.requestWake(fire.poolId, { reason, actor, source: 'schedule', idempotencyKey, hostIds: d.hostIds, excludeHostIds: d.excludeHostIds, readyBy: readyAt?.toISOString() ?? readyByOf(schedule.expression, schedule.timezone, fire.at) });
    if (!r.operationId) return { ran: false, reason: 'nothing-to-do', detail: r.note ?? `nothing to ${d.action}` };
    return { ran: true, action: d.action, operationId: r.operationId, created: r.created === true };
  }
  const hostIds = (d.hostIds ?? (await deps.store.listHosts(fire.poolId)).map((h) => h.hostId)).filter((h) => !d.excludeHostIds.includes(h));
  const r = await requestHostPower(deps, {
    poolId: fire.poolId,
    hostIds,
    action: d.action === 'power-off' ? 'soft' : 'on',
    // A scheduled power-off is a clean shutdown first; the hard off follows only on an empty host.
    escalate: d.action === 'power-off',
    reason,
    actor,
    source: 'schedule',
    idempotencyKey,
  });
  return { ran: true, action: d.action, ...r };
}

/**
 * Pool sleep, wake and the load poll for schedules, on a deployment that reaches XAPI. The load
 * poll's schedule (once a minute) carries the night watch too: one timer per pool, and a watch
 * that looks at the minute the poll has just read. A deployment whose watch runs on a timer of its
 * own, or not at all (the local runner), passes 'own-timer'.
 */
export function poolActionsFor(ops: PoolOpsDeps, watch: NightWatchOptions | 'own-timer' = {}): PoolActions {
  return {
    pollLoad: async (poolId) => ({
      load: await pollPoolLoad(ops, poolId),
      watch: watch === 'own-timer' ? { poolId, night: '', state: 'idle', why: 'the night watch does not run with the load poll here', notices: [] } : await checkNightWatch(ops, poolId, watch),
    }),
    requestSleep: async (poolId, o) => {
      const a = await requestPoolSleep(ops, { ...o, poolId });
      return { operationId: a.operationId, created: a.created, note: a.plan.why ?? 'every host is needed' };
    },
    requestWake: async (poolId, o) => {
      const a = await requestPoolWake(ops, { ...o, poolId });
      return { operationId: a.operationId, created: a.created, note: 'every host is awake' };
    },
  };
}
