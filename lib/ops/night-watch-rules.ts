/**
 * The night watch's decisions, pure: which night a moment belongs to, the awake hosts' CPU as one
 * figure, whether it has stayed above the ceiling long enough, how many sleeping hosts cover it,
 * which hosts the watch may not wake (flapping), XAPI's refusals to start a VM as a memory demand,
 * and the bound of wakes per night. When the watch sleeps its hosts again is night-watch-resleep.ts.
 * The I/O (XAPI, the store, the operations) is in night-watch.ts.
 */
import { DEFAULT_CPU_CEILING_PERCENT, planWake, usableMemory, wakeOrder, type PlannerHost, type PlannerPolicy, type PlannerVm } from '../planner/index.ts';
import { localDate } from '../schedules/index.ts';
import type { PoolPolicy } from '../store/index.ts';
import type { RefusalCursor, StartRefusal } from '../xen/index.ts';

export const NIGHT_WATCH_ACTOR = 'night-watch';
/** The planner's ceiling: the watch wakes hosts at the load the planner packs nights to. */
export { DEFAULT_CPU_CEILING_PERCENT };
export const DEFAULT_MAX_WAKES_PER_NIGHT = 3;
/** On AWS the watch looks once a minute: a spike must outlast a few looks. */
export const DEFAULT_SPIKE_SECONDS = 300;
/** A host slept again this recently after the watch woke it is not woken by the watch again. */
export const FLAP_WINDOW_MS = 3600_000;

export interface WatchSettings {
  cpuCeilingPercent: number;
  spikeSeconds: number;
  maxWakesPerNight: number;
  /** Sleep the hosts the watch woke once the demand has been gone this long; absent: never (the default). */
  resleepAfterQuietSeconds?: number;
}

/** The pool's settings, the deployment's spike time where the pool names none. */
export function watchSettings(policy: PoolPolicy | undefined, spikeSeconds = DEFAULT_SPIKE_SECONDS): WatchSettings {
  return {
    cpuCeilingPercent: policy?.cpuCeilingPercent ?? DEFAULT_CPU_CEILING_PERCENT,
    spikeSeconds: policy?.spikeSeconds ?? spikeSeconds,
    maxWakesPerNight: policy?.maxWakesPerNight ?? DEFAULT_MAX_WAKES_PER_NIGHT,
    ...(policy?.resleepAfterQuietSeconds !== undefined ? { resleepAfterQuietSeconds: policy.resleepAfterQuietSeconds } : {}),
  };
}

/** The night a moment belongs to: the local date of its evening (before local noon, the day before). */
export function nightOf(at: Date, timeZone = 'UTC'): string {
  const today = localDate(at, timeZone);
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at));
  if (hour >= 12) return today;
  const d = new Date(`${today}T12:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export interface AwakeHostCpu {
  hostId: string;
  cpus: number;
  /** Busy percent of its cores over the last look; null when the export had no value. */
  cpuPercent: number | null;
  /** What its resident VMs ask, in cores (each vCPU's busy fraction), when the export has them. */
  vmDemandCpus?: number;
}

/** The awake hosts' CPU as one figure: busy cores over their cores. */
export interface CpuFigure {
  busyCpus: number;
  cpus: number;
  percent: number;
  /** Awake hosts whose export had no CPU value: left out of the figure, never read as idle. */
  unmeasured: string[];
}

/**
 * Undefined when no awake host has a figure (nothing is guessed). A saturated host shows 100 %
 * however much more its VMs ask, so a host counts the larger of its own busy cores and what its
 * VMs' vCPUs ask for: the demand that more cores would serve.
 */
export function awakeCpu(hosts: readonly AwakeHostCpu[]): CpuFigure | undefined {
  const measured = hosts.filter((h) => h.cpuPercent !== null && h.cpus > 0);
  const cpus = measured.reduce((s, h) => s + h.cpus, 0);
  if (cpus === 0) return undefined;
  const busyCpus = measured.reduce((s, h) => s + Math.max(((h.cpuPercent as number) / 100) * h.cpus, h.vmDemandCpus ?? 0), 0);
  return { busyCpus, cpus, percent: (100 * busyCpus) / cpus, unmeasured: hosts.filter((h) => !measured.includes(h)).map((h) => h.hostId) };
}

export interface SpikeState {
  /** Since when the CPU has been above the ceiling (ISO); undefined while it is not. */
  since?: string;
  /** Above the ceiling now. */
  over: boolean;
  /** How long it has been above, in ms. */
  lastedMs: number;
  /** Above for at least the spike time: the watch acts. */
  spike: boolean;
}

/** One look at the CPU against the ceiling, given since when earlier looks found it above. */
export function cpuSpike(previousSince: string | undefined, figure: CpuFigure | undefined, s: WatchSettings, now: Date): SpikeState {
  if (!figure || figure.percent <= s.cpuCeilingPercent) return { over: false, lastedMs: 0, spike: false };
  const since = previousSince ?? now.toISOString();
  const lastedMs = Math.max(0, now.getTime() - Date.parse(since));
  return { since, over: true, lastedMs, spike: lastedMs >= s.spikeSeconds * 1000 };
}

/**
 * How many of the sleeping hosts, taken in wake order, bring the awake CPU to the ceiling or
 * under: their cores join the pool's (the load itself does not move by waking).
 */
export function hostsForCpu(order: ReadonlyArray<{ id: string; cpus: number }>, figure: CpuFigure, ceilingPercent: number): { count: number; enough: boolean } {
  const neededCpus = figure.busyCpus / (ceilingPercent / 100);
  let cpus = figure.cpus;
  let count = 0;
  for (const h of order) {
    if (cpus >= neededCpus) break;
    cpus += h.cpus;
    count++;
  }
  return { count, enough: cpus >= neededCpus };
}

export interface SleepingHost {
  hostId: string;
  sleptAt?: string;
}

/** The hosts the watch may not wake: woken by it this night and slept again within the hour. */
export function flappingHosts(asleep: readonly SleepingHost[], wokenByWatch: ReadonlySet<string>, now: Date): string[] {
  return asleep.filter((h) => wokenByWatch.has(h.hostId) && h.sleptAt !== undefined && now.getTime() - Date.parse(h.sleptAt) < FLAP_WINDOW_MS).map((h) => h.hostId);
}

/** One wake per key: the n-th wake of a pool's night. Two checks that decide the same wake share it. */
export function watchWakeKey(poolId: string, night: string, n: number): string {
  return `${NIGHT_WATCH_ACTOR}:${poolId}:${night}:wake-${n}`;
}

export interface WatchInput {
  settings: WatchSettings;
  spike: SpikeState;
  cpu?: CpuFigure;
  /** The pool as the planner sees it (XAPI now). */
  hosts: PlannerHost[];
  vms: PlannerVm[];
  policy: PlannerPolicy;
  /** Hosts lowpower put to sleep that the watch may wake (flapping ones left out). */
  wakeable: string[];
  wakesTonight: number;
  /** XAPI's refusals to start a VM for lack of memory that this check is the first to see. */
  refusals?: readonly StartRefusal[];
}

export interface WakeDecision {
  wake: true;
  reason: 'cpu' | 'memory' | 'refusal';
  hostIds: string[];
  text: string;
  figures: Record<string, number>;
  planWhy: string[];
  /** The refusals behind a 'refusal' wake, one per VM. */
  refusals?: StartRefusal[];
}
export type WatchDecision = { wake: false; why: string } | WakeDecision;

const pct = (x: number): string => `${Math.round(x * 10) / 10}%`;
const gib = (b: number): string => `${Math.round((b / 2 ** 30) * 10) / 10} GiB`;

/** The memory XAPI's refusals ask for: one demand per VM (its largest), one per task where the task names no VM. */
export interface RefusalDemand {
  bytes: number;
  largestBytes: number;
  refusals: StartRefusal[];
}

/** A VM refused twice counts once; a VM that runs by now (someone's retry found room) counts not at all. */
export function refusalDemand(refusals: readonly StartRefusal[], runningVmIds: ReadonlySet<string> = new Set()): RefusalDemand {
  const byVm = new Map<string, StartRefusal>();
  for (const r of refusals) {
    if (r.vm && runningVmIds.has(r.vm.name)) continue;
    const key = r.vm ? `vm:${r.vm.ref}` : `task:${r.taskRef}`;
    const seen = byVm.get(key);
    if (!seen || r.neededBytes > seen.neededBytes) byVm.set(key, r);
  }
  const kept = [...byVm.values()];
  return { bytes: kept.reduce((s, r) => s + r.neededBytes, 0), largestBytes: Math.max(0, ...kept.map((r) => r.neededBytes)), refusals: kept };
}

/** One refusal in words: which VM, through which call, what it needed and what the host had. */
export function refusalText(r: StartRefusal): string {
  const who = r.vm ? r.vm.name : `a VM (task ${r.taskUuid || r.taskRef} does not name it)`;
  return `XAPI refused to start ${who} for lack of memory (${r.call} at ${new Date(r.finishedAt).toISOString()}: needed ${gib(r.neededBytes)}, ${gib(r.availableBytes)} free on the host it tried)`;
}

/**
 * The hosts that cover the refusals: the fewest that hold the running VMs plus what the refused
 * VMs need with the HA spare (planWake); when the total fits but no awake host had the room (the
 * free memory is spread thin), the first sleeping host in wake order that can hold the largest.
 */
function refusalWake(w: WatchInput, demand: RefusalDemand, candidates: PlannerHost[]): WakeDecision | { wake: false; why: string } {
  const memory = planWake(w.hosts.filter((h) => h.state !== 'off' || w.wakeable.includes(h.id)), w.vms, w.policy, { extraMemoryBytes: demand.bytes });
  const text = demand.refusals.map(refusalText).join('; ');
  let hostIds = memory.wake;
  let planWhy = memory.why;
  if (hostIds.length === 0) {
    const room = wakeOrder(candidates).find((h) => usableMemory(h, w.policy) >= demand.largestBytes);
    if (!room) return { wake: false, why: `${text}; but no sleeping host the watch may wake holds ${gib(demand.largestBytes)}` };
    hostIds = [room.id];
    planWhy = [`${room.id}: the awake hosts hold ${gib(demand.bytes)} more in total, but none had ${gib(demand.largestBytes)} free; the first sleeping host in wake order that can hold it`];
  }
  const largest = demand.refusals.find((r) => r.neededBytes === demand.largestBytes) as StartRefusal;
  return {
    wake: true,
    reason: 'refusal',
    hostIds,
    text,
    figures: { neededBytes: demand.bytes, largestNeededBytes: demand.largestBytes, availableBytes: largest.availableBytes, refusals: demand.refusals.length },
    planWhy,
    refusals: demand.refusals,
  };
}

/**
 * What the watch does now: wake the fewest wakeable hosts that cover the demand: XAPI's refusals
 * to start a VM for lack of memory first, then memory (the running VMs no longer fit with the HA
 * spare), then CPU (above the ceiling for the spike time); nothing past the night's bound.
 */
export function decideWatch(w: WatchInput): WatchDecision {
  const candidates = w.hosts.filter((h) => w.wakeable.includes(h.id) && h.state === 'off');
  const demand = refusalDemand(w.refusals ?? [], new Set(w.vms.map((v) => v.id)));
  if (demand.refusals.length > 0) {
    const d = refusalWake(w, demand, candidates);
    if (!d.wake) return d;
    if (w.wakesTonight >= w.settings.maxWakesPerNight) return { wake: false, why: `${d.text}; but the watch has woken hosts ${w.wakesTonight} time(s) tonight (at most ${w.settings.maxWakesPerNight})` };
    return d;
  }
  const memory = planWake(w.hosts.filter((h) => h.state !== 'off' || w.wakeable.includes(h.id)), w.vms, w.policy, { extraMemoryBytes: 0 });
  const running = w.vms.reduce((s, v) => s + v.memoryBytes, 0);
  let decision: WakeDecision | undefined;
  if (memory.wake.length > 0) {
    decision = { wake: true, reason: 'memory', hostIds: memory.wake, text: `free memory is under what the HA fit needs: the awake hosts no longer hold the running VMs (${gib(running)}) with ${w.policy.haFailuresToTolerate} host failure(s) to spare`, figures: { runningMemoryBytes: running, haFailuresToTolerate: w.policy.haFailuresToTolerate }, planWhy: memory.why };
  } else if (w.spike.spike && w.cpu) {
    const order = wakeOrder(candidates).map((h) => ({ id: h.id, cpus: h.cpus }));
    const need = hostsForCpu(order, w.cpu, w.settings.cpuCeilingPercent);
    if (need.count === 0) return { wake: false, why: 'the CPU is above the ceiling but no sleeping host may be woken' };
    const plan = planWake(candidates, [], w.policy, { hosts: need.count });
    const seconds = Math.round(w.spike.lastedMs / 1000);
    decision = {
      wake: true,
      reason: 'cpu',
      hostIds: plan.wake,
      text: `CPU of the awake hosts at ${pct(w.cpu.percent)} (${Math.round(w.cpu.busyCpus * 10) / 10} of ${w.cpu.cpus} cores busy), above the ${w.settings.cpuCeilingPercent}% ceiling for ${seconds} s (spike time ${w.settings.spikeSeconds} s)${need.enough ? '' : '; every wakeable host together does not bring it under'}`,
      figures: { cpuPercent: Math.round(w.cpu.percent * 10) / 10, busyCpus: Math.round(w.cpu.busyCpus * 10) / 10, cpus: w.cpu.cpus, ceilingPercent: w.settings.cpuCeilingPercent, lastedSeconds: seconds, spikeSeconds: w.settings.spikeSeconds },
      planWhy: plan.why,
    };
  }
  if (!decision) {
    if (w.spike.over) return { wake: false, why: `CPU ${pct(w.cpu?.percent ?? 0)} above the ${w.settings.cpuCeilingPercent}% ceiling for ${Math.round(w.spike.lastedMs / 1000)} s of ${w.settings.spikeSeconds} s` };
    return { wake: false, why: w.cpu ? `CPU ${pct(w.cpu.percent)} is under the ${w.settings.cpuCeilingPercent}% ceiling and the VMs fit with the HA spare` : 'no CPU figure from the awake hosts; the VMs fit with the HA spare' };
  }
  if (w.wakesTonight >= w.settings.maxWakesPerNight) return { wake: false, why: `${decision.text}; but the watch has woken hosts ${w.wakesTonight} time(s) tonight (at most ${w.settings.maxWakesPerNight})` };
  return decision;
}

/**
 * Where a check counts XAPI's refusals from: after the ones counted already (their second, less
 * the tasks named as counted in it), else from the second the pool's first host went to sleep
 * (XAPI's task times have no fraction: one in that second may be just before or just after).
 * A state written before the counted tasks were kept names none: it counts from the next second,
 * as it did then, so nothing it counted is counted again.
 */
export function refusalCursor(seen: { refusalsSeenUpTo?: string; refusalsSeenTasks?: string[] } | undefined, sleptAts: readonly number[], now: number): { cursor: RefusalCursor; counted?: RefusalCursor } {
  const upTo = seen?.refusalsSeenUpTo ? Date.parse(seen.refusalsSeenUpTo) : NaN;
  if (Number.isFinite(upTo)) {
    const counted: RefusalCursor = seen?.refusalsSeenTasks ? { from: upTo, seenTaskUuids: seen.refusalsSeenTasks } : { from: (Math.floor(upTo / 1000) + 1) * 1000 };
    return { cursor: counted, counted };
  }
  return { cursor: { from: sleptAts.length ? Math.min(...sleptAts) : now } };
}
