/**
 * Schedule advice, the pure core: from a pool's stored load (advice-demand.ts) and its hosts and
 * VMs as they are now, how many hosts could sleep in each hour of the week, the sleep window that
 * follows (advice-window.ts), and what it would save per week in kWh, money and CO2.
 *
 * An hour's count is the night planner's own (the `plan` function: pool-sleep's plan with the
 * pool's policy, HA and headroom, for the VMs at that hour's demand: each VM's p95 memory and its
 * p95 CPU as `cpuDemand`), then held to the CPU ceiling: the hosts left on must carry the VMs' p95
 * cores within `cpuCeilingPercent` (default 80) of their CPUs with the HA failures' largest hosts
 * gone; where they cannot, the largest sleepers stay on. The planner learns measured CPU on its
 * own (another change); until then this check keeps the advice honest about busy days, and after
 * it, it agrees with the planner. A VM without a figure for the hour counts with its vCPUs.
 */
import type { PlannerHost, PlannerPolicy, PlannerVm, SleepPlan } from '../planner/index.ts';
import type { LoadSample } from '../store/index.ts';
import { daysCovered, HOURS_PER_WEEK, weekDemand, type HourDemand } from './advice-demand.ts';
import { alwaysSpare, DAY_NAMES, hourText, type DayName, nightWindows, shareWindows, windowExpressions, windowHours, type WindowOptions } from './advice-window.ts';
import { worthOf, type Pricing } from './energy-worth.ts';

export const DEFAULT_CPU_CEILING_PERCENT = 80;

export interface AdviceVm extends PlannerVm {
  uuid: string;
}

export type WattsSource = 'energy' | 'readings' | 'estimate' | 'unknown';

/** What one host draws when on and idle, less its standby draw: what its sleep saves per hour. */
export interface HostWatts {
  hostId: string;
  watts: number | null;
  source: WattsSource;
}

export interface AdviceOptions extends WindowOptions {
  /** Days of samples needed (default 7: every hour of the week seen once). */
  minDays?: number;
  /** Hours of the week that must have samples (default 160 of 168). */
  minHoursCovered?: number;
  /** The percentile of each VM's demand (default 95). */
  percentile?: number;
}

export interface AdviceInput {
  poolId: string;
  timeZone: string;
  /** Epoch ms of now, and the days of history read (since now - days). */
  now: number;
  days: number;
  /** The pool's hosts, each that lowpower can wake counted as on. */
  hosts: PlannerHost[];
  vms: AdviceVm[];
  policy: PlannerPolicy & { cpuCeilingPercent?: number };
  samples: readonly LoadSample[];
  /** The night's plan for these VMs on these hosts. */
  plan: (vms: PlannerVm[]) => SleepPlan;
  /** Measured per host (absent hosts are unknown). */
  watts: HostWatts[];
  pricing: Pricing;
  options?: AdviceOptions;
}

export interface AdviceHour {
  /** Hour of the week, 0 = Monday 00:00 local. */
  hour: number;
  day: number;
  hourOfDay: number;
  /** Null where the hour has no samples (counted as none for the window). */
  hostsCanSleep: number | null;
  sleep: string[];
  /** What holds the rest on: the planner's rules (memory, HA, headroom, pinned, master...) or the CPU ceiling. */
  keptBy: 'plan' | 'cpu' | null;
  cpuCores: number | null;
  memoryBytes: number | null;
  wattsSaved: number | null;
}

export interface Savings {
  hostHours: number;
  kWh: number | null;
  money: number | null;
  co2Kg: number | null;
}

export interface ProposedWindow extends Savings {
  /** Nights (by the day they begin) as cron day names, Monday first. */
  days: DayName[];
  start: string;
  end: string;
  hours: number;
  /** Hosts that can sleep through the window on every one of its nights. */
  hosts: number;
  sleepExpression: string;
  wakeExpression: string;
}

export interface ScheduleAdvice {
  pool: string;
  timeZone: string;
  generatedAt: string;
  history: {
    since: string;
    until: string;
    first: string | null;
    last: string | null;
    buckets: number;
    daysCovered: number;
    hoursCovered: number;
    enough: boolean;
    needs: { days: number; hoursCovered: number };
  };
  /** One sentence: the proposal and its savings, or what history is missing. */
  summary: string;
  week: AdviceHour[];
  alwaysSpare: number | null;
  proposal: ProposedWindow[];
  savingsPerWeek: Savings;
  pricing: Pricing;
  hostWatts: HostWatts[];
  notes: string[];
}

const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;

/** Advice for the pool, or the answer that says how much more history it needs. */
export function scheduleAdvice(input: AdviceInput): ScheduleAdvice {
  const o = input.options ?? {};
  const needs = { days: o.minDays ?? 7, hoursCovered: o.minHoursCovered ?? 160 };
  const hostCpus = new Map(input.hosts.map((h) => [h.id, h.cpus]));
  const demand = weekDemand(input.samples, input.vms, hostCpus, input.timeZone, o.percentile ?? 95);
  const covered = demand.hours.filter((h) => h.buckets > 0).length;
  const days = round(daysCovered(demand), 2);
  const enough = days >= needs.days && covered >= needs.hoursCovered;
  const watts = withEstimates(input.hosts, input.watts);
  const base: ScheduleAdvice = {
    pool: input.poolId,
    timeZone: input.timeZone,
    generatedAt: new Date(input.now).toISOString(),
    history: {
      since: new Date(input.now - input.days * 86_400_000).toISOString(),
      until: new Date(input.now).toISOString(),
      first: demand.first ?? null,
      last: demand.last ?? null,
      buckets: demand.buckets,
      daysCovered: days,
      hoursCovered: covered,
      enough,
      needs,
    },
    summary: '',
    week: [],
    alwaysSpare: null,
    proposal: [],
    savingsPerWeek: { hostHours: 0, kWh: null, money: null, co2Kg: null },
    pricing: input.pricing,
    hostWatts: watts,
    notes: [],
  };
  if (!enough) {
    base.summary = `Schedule advice needs ${needs.days} days of load samples covering at least ${needs.hoursCovered} of the ${HOURS_PER_WEEK} hours of the week; the last ${input.days} days hold ${days} days covering ${covered} hours. Load samples are stored per host in 5-minute buckets and kept 14 days.`;
    return base;
  }
  const week = hourCounts(input, demand.hours, watts);
  const levels = week.map((h) => h.hostsCanSleep);
  const shared = shareWindows(levels, nightWindows(levels, o), o);
  const proposal = shared.map((w): ProposedWindow => {
    const perNight = w.days.map((d, i) => nightSavings(week, windowHours(w, d), w.hostsPerDay[i], watts));
    const kWh = perNight.some((n) => n.kWh === null) ? null : round(perNight.reduce((a, n) => a + (n.kWh as number), 0), 3);
    const expressions = windowExpressions(w);
    return {
      days: w.days.map((d) => DAY_NAMES[d]),
      start: hourText(w.startHourOfDay),
      end: hourText(w.endHourOfDay),
      hours: w.hours,
      hosts: Math.min(...w.hostsPerDay),
      sleepExpression: expressions.sleep,
      wakeExpression: expressions.wake,
      hostHours: w.hostsPerDay.reduce((a, k) => a + k * w.hours, 0),
      kWh,
      ...worthOf(kWh, input.pricing),
    };
  });
  const kWh = proposal.some((p) => p.kWh === null) ? null : round(proposal.reduce((a, p) => a + (p.kWh as number), 0), 3);
  const spare = alwaysSpare(levels);
  Object.assign(base, {
    week,
    alwaysSpare: spare,
    proposal,
    savingsPerWeek: { hostHours: proposal.reduce((a, p) => a + p.hostHours, 0), kWh, ...worthOf(kWh, input.pricing) },
  });
  base.summary = summaryOf(base);
  base.notes = notesOf(base, input, covered);
  return base;
}

/** Each hour's count: the planner's, held to the CPU ceiling; its watts from the sleepers' draw. */
function hourCounts(input: AdviceInput, hours: HourDemand[], watts: HostWatts[]): AdviceHour[] {
  const wattsOf = new Map(watts.map((w) => [w.hostId, w.watts]));
  const on = input.hosts.filter((h) => h.state === 'on');
  const onIds = new Set(on.map((h) => h.id));
  const cpusOf = new Map(on.map((h) => [h.id, h.cpus]));
  const ceiling = (input.policy.cpuCeilingPercent ?? DEFAULT_CPU_CEILING_PERCENT) / 100;
  const failures = Math.max(0, Math.floor(input.policy.haFailuresToTolerate));
  const cache = new Map<string, SleepPlan>();
  return hours.map((hd, hour): AdviceHour => {
    const entry = { hour, day: Math.floor(hour / 24), hourOfDay: hour % 24 };
    if (hd.buckets === 0) return { ...entry, hostsCanSleep: null, sleep: [], keptBy: null, cpuCores: null, memoryBytes: null, wattsSaved: null };
    const vms = input.vms.map(({ uuid, ...vm }): PlannerVm & { cpuDemand?: number } => {
      const d = hd.vms.get(uuid.toLowerCase());
      const out: PlannerVm & { cpuDemand?: number } = { ...vm, memoryBytes: d?.memoryBytes ?? vm.memoryBytes };
      if (d?.cores !== null && d?.cores !== undefined) out.cpuDemand = round(d.cores, 2);
      return out;
    });
    const key = vms.map((v) => `${v.memoryBytes}:${v.cpuDemand ?? ''}`).join('|');
    let plan = cache.get(key);
    if (!plan) {
      plan = input.plan(vms);
      cache.set(key, plan);
    }
    const onVms = vms.filter((v) => onIds.has(v.hostId));
    const cores = onVms.reduce((a, v) => a + (v.cpuDemand === undefined ? v.vcpus : Math.min(v.cpuDemand, v.vcpus)), 0);
    const sleepers = plan.sleep.filter((id) => onIds.has(id)).sort((a, b) => (cpusOf.get(b) ?? 0) - (cpusOf.get(a) ?? 0) || a.localeCompare(b));
    const kept = on.filter((h) => !sleepers.includes(h.id)).map((h) => h.cpus * ceiling);
    // The planner holds its plan to the CPU ceiling itself; what it kept for CPU says so.
    let keptBy: AdviceHour['keptBy'] = plan.keep.some((k) => k.limit === 'cpu' && onIds.has(k.hostId)) ? 'cpu' : 'plan';
    while (sleepers.length && haCores(kept, failures) < cores) {
      kept.push((cpusOf.get(sleepers.shift() as string) ?? 0) * ceiling);
      keptBy = 'cpu';
    }
    const w = sleepers.map((id) => wattsOf.get(id) ?? null);
    return {
      ...entry,
      hostsCanSleep: sleepers.length,
      sleep: [...sleepers].sort(),
      keptBy,
      cpuCores: round(cores, 2),
      memoryBytes: vms.reduce((a, v) => a + v.memoryBytes, 0),
      wattsSaved: w.some((x) => x === null) ? null : round(w.reduce((a: number, x) => a + (x as number), 0), 1),
    };
  });
}

/** CPU the hosts can count on with the `failures` largest gone. */
function haCores(capacities: number[], failures: number): number {
  const sorted = [...capacities].sort((a, b) => b - a);
  return sorted.slice(failures).reduce((a, c) => a + c, 0);
}

/** One night of a window: `hosts` sleepers of its busiest hour (the least drawing, to promise no more than that) for its hours. */
function nightSavings(week: AdviceHour[], hours: number[], hosts: number, watts: HostWatts[]): { kWh: number | null } {
  const busiest = hours.reduce((a, h) => ((week[h].hostsCanSleep ?? 0) < (week[a].hostsCanSleep ?? 0) ? h : a), hours[0]);
  const wattsOf = new Map(watts.map((w) => [w.hostId, w.watts]));
  const draws = week[busiest].sleep.map((id) => wattsOf.get(id) ?? null);
  if (draws.some((d) => d === null)) return { kWh: null };
  const least = (draws as number[]).sort((a, b) => a - b).slice(0, hosts);
  return { kWh: (least.reduce((a, b) => a + b, 0) * hours.length) / 1000 };
}

/** Hosts without a measured draw get the mean of those with one (said as an estimate). */
function withEstimates(hosts: PlannerHost[], measured: HostWatts[]): HostWatts[] {
  const byId = new Map(measured.filter((w) => w.watts !== null).map((w) => [w.hostId, w]));
  const known = [...byId.values()].map((w) => w.watts as number);
  const mean = known.length ? round(known.reduce((a, b) => a + b, 0) / known.length, 1) : null;
  return hosts
    .map((h): HostWatts => byId.get(h.id) ?? (mean === null ? { hostId: h.id, watts: null, source: 'unknown' } : { hostId: h.id, watts: mean, source: 'estimate' }))
    .sort((a, b) => a.hostId.localeCompare(b.hostId));
}

function savingsText(s: Savings, p: Pricing): string {
  const parts = [s.kWh === null ? `${s.hostHours} host-hours` : `${round(s.kWh, 1)} kWh`];
  if (s.money !== null && p.currency) parts.push(`${s.money.toFixed(2)} ${p.currency}`);
  if (s.co2Kg !== null) parts.push(`${round(s.co2Kg, 1)} kg CO2`);
  return parts.join(', ');
}

function summaryOf(a: ScheduleAdvice): string {
  if (!a.proposal.length) {
    return a.alwaysSpare
      ? `No hours stand out as quieter: ${a.alwaysSpare} host${a.alwaysSpare === 1 ? '' : 's'} could sleep in every hour of the week, and no more at night.`
      : 'No sleep window: in no run of hours can a host sleep.';
  }
  const windows = a.proposal.map((p) => `${p.hosts} host${p.hosts === 1 ? '' : 's'} from ${p.start} to ${p.end} (${p.days.length === 7 ? 'every night' : p.days.join(', ')})`);
  return `Sleep ${windows.join('; ')}: saves ${savingsText(a.savingsPerWeek, a.pricing)} a week.`;
}

function notesOf(a: ScheduleAdvice, input: AdviceInput, covered: number): string[] {
  const notes: string[] = [];
  if (covered < HOURS_PER_WEEK) notes.push(`${HOURS_PER_WEEK - covered} hours of the week have no samples: no host is counted as able to sleep in them.`);
  if (a.alwaysSpare) notes.push(`${a.alwaysSpare} host${a.alwaysSpare === 1 ? ' is' : 's are'} not needed in any hour of the week: they could sleep outside the window too.`);
  const estimated = a.hostWatts.filter((w) => w.source === 'estimate').map((w) => w.hostId);
  if (estimated.length) notes.push(`No measured draw for ${estimated.join(', ')}: the mean of the other hosts is used.`);
  if (a.hostWatts.every((w) => w.watts === null)) notes.push('No host has a measured draw yet (readings or a night asleep): savings are in host-hours only.');
  if (a.pricing.electricityPricePerKwh === null) notes.push('Set electricityPricePerKwh and electricityCurrency in the pool policy to see savings in money.');
  if (a.pricing.gridCarbonGramsPerKwh === null) notes.push('Set gridCarbonGramsPerKwh in the pool policy to see savings in CO2.');
  const unseen = input.vms.filter((v) => !input.samples.some((s) => s.vms.some((x) => x.uuid.toLowerCase() === v.uuid.toLowerCase()))).map((v) => v.id);
  if (unseen.length) notes.push(`No samples for ${unseen.length} running VM${unseen.length === 1 ? '' : 's'} (${unseen.slice(0, 5).join(', ')}${unseen.length > 5 ? ', …' : ''}): counted with all their vCPUs.`);
  return notes;
}
