/**
 * The fault matrix: every simulator fault switched on at every step of a pool sleep and of a pool
 * wake, each case on a fresh local runner (the same pool state every time: the demo pool as it
 * starts, or, for a wake, right after a clean sleep of host-004..006), driven over HTTP as a user
 * would, with the safety invariants watched on samples every 20 ms and checked again at the end.
 * A case is bounded in time and ends as succeeded, recovered, failed-safe, failed-unsafe, timeout
 * or error; a violated invariant is recorded with the case, the time and what was seen. Seeded:
 * the same seed gives the same cases in the same order (which host a per-host fault targets).
 *
 * The cases are in chaos-cases.ts, the invariant checks (pure, so that a test can feed them a
 * made-up sample) in chaos-invariants.ts; this file is the I/O around one LocalRunner per case.
 * It is longer than most because a case is one sequence (start, trigger the fault at its step,
 * sample, recover, wake, check) that reads best in one place.
 */
import { startLocalRunner, type LocalRunner } from './runner.ts';
import { noticeText } from '../ops/notices.ts';
import { mapBounded } from '../util/bounded.ts';
import { bindingView } from '../ops/binding.ts';
import type { OperationStep, OperationWithSteps } from '../store/types.ts';

export * from './chaos-cases.ts';
export * from './chaos-invariants.ts';
import { POOL_STEPS, SLEEPING_HOSTS, type ChaosCase } from './chaos-cases.ts';
import { checkCuts, checkEnd, checkSample, OPEN, type CutCounts, type CutWindow, type EndState, type Finding, type InvariantId, type PoolSample, type SampleHost, type SampleVm } from './chaos-invariants.ts';
export type ChaosOutcome = 'succeeded' | 'recovered' | 'failed-safe' | 'failed-unsafe' | 'timeout' | 'error';

export interface Violation {
  invariant: InvariantId;
  /** Milliseconds since the case began. */
  atMs: number;
  text: string;
  /** How many samples showed it. */
  count: number;
}

export interface CaseResult extends ChaosCase {
  outcome: ChaosOutcome;
  violations: Violation[];
  ms: number;
  /** The fault did something (its hits, or an effect seen in the store). */
  acted: boolean;
  /** How the fault was switched on: between steps (before the chosen step began), at the request, late (seen running by the poll), or never (the step did not come). */
  trigger: 'between-steps' | 'at-request' | 'late' | 'never';
  /** The faulted operation's end state, and the wake's that followed a sleep. */
  operationState: string;
  wakeState?: string;
  /** Evidence or the reason for the outcome, in a line. */
  note: string;
  /** The runner's log for a case with violations, a timeout or an error. */
  log?: string[];
}

export interface ChaosTotals {
  runs: number;
  /** Cases whose fault acted. */
  faults: number;
  violations: number;
  byOutcome: Partial<Record<ChaosOutcome, number>>;
  ms: number;
}

export interface ChaosOptions {
  /** Time for the faulted operation, its recovery and the wake after it (default 30 s). */
  caseLimitMs?: number;
  /** Time for the runner's start and, for a wake, the clean sleep before it (default 30 s). */
  setupLimitMs?: number;
  /** How long a fault stays on at most (default 3 s; it goes off earlier when the operation ends). */
  faultHoldMs?: number;
  /** Cases at once, each on its own runner (default 1). */
  concurrency?: number;
  /** The runner's lease on an operation (default 1500 ms: a killed worker's lease lapses fast). */
  operationLeaseMs?: number;
  sweepEveryMs?: number;
  migrateMsPerGiB?: number;
  /** Keep the runner's log of every case (default: only of a case with violations, a timeout or an error). */
  keepLogs?: boolean;
  /** A line per finished case, and the harness's own progress. */
  progress?: (line: string, result?: CaseResult) => void;
}

export function totalsOf(results: CaseResult[], ms: number): ChaosTotals {
  const byOutcome: Partial<Record<ChaosOutcome, number>> = {};
  for (const r of results) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
  return { runs: results.length, faults: results.filter((r) => r.acted).length, violations: results.reduce((a, r) => a + r.violations.length, 0), byOutcome, ms };
}

/** Run the cases (each on a fresh runner, `concurrency` at once), in order of the list. */
export async function runChaos(cases: ChaosCase[], o: ChaosOptions = {}): Promise<{ results: CaseResult[]; totals: ChaosTotals }> {
  const t0 = Date.now();
  const results = await mapBounded(cases, o.concurrency ?? 1, async (c, i) => {
    const r = await runCase(c, o);
    o.progress?.(`${i + 1}/${cases.length} ${describeCase(r)}: ${r.outcome}${r.violations.length ? `, ${r.violations.length} violation(s)` : ''} (${r.ms} ms)`, r);
    return r;
  });
  return { results, totals: totalsOf(results, Date.now() - t0) };
}

export const describeCase = (c: ChaosCase): string => `${c.operation} ${c.fault} @ ${c.step}${c.host ? ` ${c.host}` : ''}`;

// ------------------------------------------------------------------------------------- the probes

/** The pool as the simulators have it now (read only; the XAPI sim is not refreshed, so a VM left on a host cut off shows for a tick). */
export function samplePool(runner: LocalRunner, atMs: number): PoolSample {
  const st = runner.xapi.state;
  const pool = st.pool();
  const guests = st.guests();
  const hosts: SampleHost[] = runner.fleet.bmcs.map((b) => {
    const ref = st.hostRef(b.name);
    const live = st.hostMetrics(b.name).live;
    return {
      id: b.name,
      chassisOn: b.state.host.powerOn,
      live,
      enabled: st.host(b.name).enabled,
      freeBytes: live ? st.freeMemory(b.name) : 0,
      haVmBytes: guests.filter((g) => g.ha_restart_priority === 'restart' && (g.resident_on === ref || g.scheduled_to_be_resident_on === ref)).map((g) => g.memory_target),
    };
  });
  const vms: SampleVm[] = guests.map((g) => ({ id: g.name_label, host: st.hostName(g.resident_on) ?? null, running: g.power_state === 'Running' }));
  return { atMs, failuresToTolerate: pool.ha_enabled ? pool.ha_host_failures_to_tolerate : 0, hosts, vms };
}

function cutCounts(runner: LocalRunner, host: string): CutCounts {
  const b = runner.fleet.bmcs.find((x) => x.name === host);
  const c = b?.state.host.controlCounts;
  return { off: c?.off ?? 0, soft: c?.soft ?? 0, cycle: c?.cycle ?? 0 };
}

function onCount(runner: LocalRunner, host: string): number {
  return runner.fleet.bmcs.find((x) => x.name === host)?.state.host.controlCounts.on ?? 0;
}

async function readEnd(runner: LocalRunner, slept: Iterable<string>): Promise<EndState> {
  const st = runner.xapi.state;
  const stored = new Map((await runner.store.listHosts(runner.poolId)).map((h) => [h.hostId, h]));
  const operations = await Promise.all((await runner.store.listOperations(runner.poolId)).map(async (o) => (await runner.store.getOperation(o.operationId)) ?? { ...o, steps: [] }));
  const alerts = await runner.store.listAlerts(runner.poolId, { open: true });
  return {
    now: Date.now(),
    xapiUp: !runner.faults.list().some((f) => f.fault === 'xapi-down'),
    hosts: runner.fleet.bmcs.map((b) => ({ id: b.name, chassisOn: b.state.host.powerOn, live: st.hostMetrics(b.name).live, enabled: st.host(b.name).enabled, awaitingEnable: stored.get(b.name)?.awaitingEnable !== undefined })),
    operations: operations.map((o) => ({ id: o.operationId, kind: o.kind, state: o.state, leaseOwner: o.leaseOwner, leaseExpiresAt: o.leaseExpiresAt })),
    openAlerts: alerts.map((a) => ({ hostId: a.hostId, kind: a.kind, message: a.message })),
    slept: [...slept],
  };
}

// ---------------------------------------------------------------------------------- one case's run

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
const SAMPLE_EVERY_MS = 20;

interface StepKey {
  name: string;
  hostId?: string;
  wave?: number;
}

const keyOfStep = (s: Pick<OperationStep, 'name' | 'hostId' | 'detail'>): StepKey => ({ name: s.name, hostId: s.hostId, wave: typeof s.detail?.wave === 'number' ? s.detail.wave : undefined });
const sameKey = (a: StepKey, b: StepKey): boolean => a.name === b.name && a.hostId === b.hostId && a.wave === b.wave;

interface SleepPlanShape {
  sleep: string[];
  migrations: Array<{ from: string; to: string; wave: number }>;
}

/** The steps a sleep of this plan is made of, in order (as requestPoolSleep writes them). */
function sleepLayout(plan: SleepPlanShape): StepKey[] {
  const out: StepKey[] = plan.sleep.map((h) => ({ name: 'disable', hostId: h }));
  for (const wave of [...new Set(plan.migrations.map((m) => m.wave))].sort((a, b) => a - b)) out.push({ name: 'migrate', wave });
  for (const h of plan.sleep) for (const name of ['verify-empty', 'shutdown', 'wait-down', 'settle']) out.push({ name, hostId: h });
  out.push({ name: 'release' });
  return out;
}

/** The steps a wake of these hosts is made of, in order (as requestPoolWake writes them with no host busy). */
function wakeLayout(wake: string[], group: number): StepKey[] {
  const out: StepKey[] = [];
  for (let i = 0; i < wake.length; i += group) {
    if (i > 0) out.push({ name: 'stagger' });
    for (const h of wake.slice(i, i + group)) out.push({ name: 'power-on', hostId: h });
  }
  for (const h of wake) out.push({ name: 'wait-live', hostId: h }, { name: 'enable', hostId: h });
  out.push({ name: 'ready-check' }, { name: 'release' });
  return out;
}

/** The step of the layout the case aims at: the host's own, the first migration wave from the host, or the first of its name. */
function chosenIndex(c: ChaosCase, layout: StepKey[], plan?: SleepPlanShape): number {
  if (c.step === 'migrate' && plan) {
    const waves = plan.migrations.filter((m) => m.from === c.host || m.to === c.host).map((m) => m.wave);
    const wave = waves.length ? Math.min(...waves) : undefined;
    const i = layout.findIndex((k) => k.name === 'migrate' && (wave === undefined || k.wave === wave));
    if (i >= 0) return i;
  }
  if (POOL_STEPS.has(c.step)) return layout.findIndex((k) => k.name === c.step);
  return layout.findIndex((k) => k.name === c.step && k.hostId === c.host);
}

class Recorder {
  private readonly byKey = new Map<string, Violation>();
  constructor(private readonly t0: number) {}
  add(findings: Finding[]): void {
    const at = Date.now() - this.t0;
    for (const f of findings) {
      const v = this.byKey.get(f.key);
      if (v) v.count++;
      else this.byKey.set(f.key, { invariant: f.invariant, atMs: at, text: f.text, count: 1 });
    }
  }
  get violations(): Violation[] {
    return [...this.byKey.values()].sort((a, b) => a.atMs - b.atMs);
  }
}

type Http = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;

const httpOf =
  (runner: LocalRunner): Http =>
  async (method, path, body) => {
    const res = await fetch(`${runner.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { text };
    }
    return { status: res.status, json };
  };

const operationIdOf = (json: Record<string, unknown>): string | undefined => {
  const op = json.operation as { id?: unknown } | null | undefined;
  return typeof op?.id === 'string' ? op.id : undefined;
};

/** A runner on loopback with fresh ports (a taken BMC port range is tried again elsewhere). */
async function freshRunner(o: ChaosOptions, log: (line: string) => void): Promise<LocalRunner> {
  let last: unknown;
  for (let attempt = 0; attempt < 6; attempt++) {
    const bmcBasePort = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      return await startLocalRunner({
        port: 0,
        bmcBasePort,
        log,
        sampleSchedule: false,
        notifier: async (notices) => {
          for (const n of notices) log(`channel: ${noticeText(n)}`);
        },
        operationLeaseMs: o.operationLeaseMs ?? 1500,
        sweepEveryMs: o.sweepEveryMs ?? 500,
        migrateMsPerGiB: o.migrateMsPerGiB ?? 2,
      });
    } catch (e) {
      last = e;
      if (!/in use/.test(e instanceof Error ? e.message : String(e))) throw e;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/** One fault's switch for one case: on, off, and what it did meanwhile. */
class FaultSwitch {
  onAt?: number;
  offAt?: number;
  hits = 0;
  /** Packets the silent BMC swallowed (counted on the simulator's silent flag). */
  private dropped = 0;
  private foreignBefore?: CutCounts;
  private foreignOnsBefore = 0;
  /** Power-ons sent through the BMC while it answered as another machine (not a cut: no invariant, but worth a note). */
  foreignOns = 0;
  readonly windows: CutWindow[] = [];

  constructor(
    private readonly runner: LocalRunner,
    private readonly c: ChaosCase,
    private readonly log: (line: string) => void,
  ) {}

  get on(): boolean {
    return this.onAt !== undefined && this.offAt === undefined;
  }

  /** The host the fault is switched for (xapi-down: the whole pool). */
  private get host(): string | null {
    return this.c.fault === 'xapi-down' ? null : this.c.host;
  }

  switchOn(how: string): void {
    if (this.onAt !== undefined) return;
    const { fault } = this.c;
    const host = this.host;
    this.runner.faults.set(fault, true, host);
    this.onAt = Date.now();
    if (fault === 'bmc-foreign' && host) {
      this.foreignBefore = cutCounts(this.runner, host);
      this.foreignOnsBefore = onCount(this.runner, host);
    }
    if (fault === 'bmc-silent') {
      for (const b of this.runner.fleet.bmcs.filter((x) => host === null || x.name === host)) {
        const rest = { ...b.faults };
        const count = (): true => {
          this.dropped++;
          return true;
        };
        b.faults = Object.defineProperty(rest, 'silent', { get: count, enumerable: true, configurable: true });
      }
    }
    this.log(`chaos: ${fault} on${host ? ` for ${host}` : ''} (${how})`);
  }

  /** Hits so far (the worker kill is one-shot: a hit means it struck). */
  currentHits(): number {
    const { fault } = this.c;
    const host = this.host;
    if (fault === 'bmc-silent') return this.dropped;
    return this.runner.faults
      .list()
      .filter((f) => f.fault === fault && f.host === host)
      .reduce((a, f) => a + (f.hits ?? 0), 0);
  }

  switchOff(): void {
    if (!this.on) return;
    const { fault } = this.c;
    const host = this.host;
    this.hits = this.currentHits();
    this.runner.faults.set(fault, false, host);
    this.offAt = Date.now();
    if (fault === 'bmc-foreign' && host && this.foreignBefore) {
      this.windows.push({ host, why: 'its BMC answered as another machine (bmc-foreign)', before: this.foreignBefore, after: cutCounts(this.runner, host) });
      this.foreignOns = onCount(this.runner, host) - this.foreignOnsBefore;
    }
    this.log(`chaos: ${fault} off after ${this.offAt - (this.onAt ?? this.offAt)} ms, ${this.hits} hit(s)`);
  }
}

/** Run one case on a fresh runner; never throws, never outlives its limits by more than a runner stop. */
export async function runCase(c: ChaosCase, o: ChaosOptions = {}): Promise<CaseResult> {
  const t0 = Date.now();
  const lines: string[] = [];
  const log = (l: string): void => void lines.push(`${String(Date.now() - t0).padStart(6)} ${l}`);
  const rec = new Recorder(t0);
  const base = { ...c, violations: [] as Violation[], acted: false, trigger: 'never' as CaseResult['trigger'], operationState: 'none' };
  let runner: LocalRunner | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    runner = await withLimit(freshRunner(o, log), o.setupLimitMs ?? 30_000, 'the runner did not start');
    const r = runner;
    const http = httpOf(r);
    const slept = new Set<string>();
    let previous: PoolSample | undefined;
    const tick = (): void => {
      try {
        const s = samplePool(r, Date.now() - t0);
        for (const h of s.hosts) if (!h.chassisOn) slept.add(h.id);
        rec.add(checkSample(s, previous));
        previous = s;
      } catch (e) {
        log(`chaos: sample failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    tick();
    sampler = setInterval(tick, SAMPLE_EVERY_MS);
    const setupUntil = t0 + (o.setupLimitMs ?? 30_000);
    const who = { reason: `fault matrix: ${describeCase(c)}` };

    // A wake starts from the pool right after a clean sleep.
    if (c.operation === 'wake') {
      const pre = await http('POST', `/v1/pools/${r.poolId}/sleep`, who);
      const preId = operationIdOf(pre.json);
      if (!preId) return finish('error', `setup: the clean sleep was not started (${pre.status} ${JSON.stringify(pre.json).slice(0, 200)})`);
      const done = await waitFinished(r, preId, setupUntil);
      const asleep = (await r.store.listHosts(r.poolId)).filter((h) => h.sleepState === 'asleep').map((h) => h.hostId);
      if (done?.state !== 'succeeded' || asleep.length !== SLEEPING_HOSTS.length) return finish('error', `setup: the clean sleep ended ${done?.state ?? 'late'} with ${asleep.join(', ') || 'no host'} asleep`);
      slept.clear();
      for (const h of asleep) slept.add(h);
    }

    // The steps the operation will have, from the plan as of now; the fault goes on when the step
    // before the chosen one has been saved (the runner's afterStep hook), so it is on as the chosen
    // step begins. The first step has no step before it: the fault goes on with the request.
    const dry = await http('POST', `/v1/pools/${r.poolId}/${c.operation}`, { ...who, dryRun: true });
    const plan = dry.json.plan as (SleepPlanShape & { wake?: string[] }) | undefined;
    const group = Math.max(1, (await r.store.getPool(r.poolId))?.policy?.wakeGroupSize ?? 2);
    const layout = c.operation === 'sleep' ? sleepLayout({ sleep: plan?.sleep ?? [], migrations: plan?.migrations ?? [] }) : wakeLayout(plan?.wake ?? [], group);
    const target = chosenIndex(c, layout, c.operation === 'sleep' ? plan : undefined);
    const fault = new FaultSwitch(r, c, log);
    let trigger: CaseResult['trigger'] = 'never';
    let armed = target > 0;
    const earlier = r.ops.afterStep;
    r.ops.afterStep = (step) => {
      earlier?.(step);
      if (!armed || step.index !== target - 1 || !sameKey(keyOfStep(step), layout[step.index])) return;
      armed = false;
      try {
        fault.switchOn(`after ${step.name}${step.hostId ? ` ${step.hostId}` : ''}, before ${c.step}`);
        trigger = 'between-steps';
      } catch (e) {
        log(`chaos: could not switch ${c.fault} on: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    // xapi-down before a sleep's request would only refuse the request: it goes on once accepted.
    const atRequest = target === 0 && !(c.fault === 'xapi-down' && c.operation === 'sleep');
    if (atRequest) {
      fault.switchOn('with the request: the chosen step is the first');
      trigger = 'at-request';
    }
    const until = Date.now() + (o.caseLimitMs ?? 30_000);
    const cutsBefore = new Map(r.fleet.bmcs.map((b) => [b.name, cutCounts(r, b.name)]));
    const req = await http('POST', `/v1/pools/${r.poolId}/${c.operation}`, who);
    const opId = operationIdOf(req.json);
    if (target === 0 && !atRequest && opId) {
      fault.switchOn('as soon as the request was accepted');
      trigger = 'at-request';
    }
    let op: OperationWithSteps | undefined;
    let timedOut = false;
    if (opId) {
      let checkedLayout = false;
      for (;;) {
        op = await r.store.getOperation(opId);
        if (op && !checkedLayout) {
          checkedLayout = true;
          const actual = [...op.steps].sort((a, b) => a.index - b.index).map(keyOfStep);
          if (actual.length !== layout.length || actual.some((k, i) => !sameKey(k, layout[i]))) {
            armed = false;
            log(`chaos: the operation's steps differ from the plan's layout: the poll switches the fault on`);
          }
        }
        // The poll's own trigger: the chosen step seen running (or past) before the hook fired.
        if (op && fault.onAt === undefined && target >= 0) {
          const chosen = op.steps.find((s) => sameKey(keyOfStep(s), layout[target]));
          if (chosen && chosen.state !== 'pending') {
            armed = false;
            fault.switchOn(`seen ${chosen.state} by the poll`);
            trigger = 'late';
          }
        }
        const over = op !== undefined && FINISHED.has(op.state);
        if (fault.on && (over || Date.now() - (fault.onAt ?? 0) >= (o.faultHoldMs ?? 3000) || (c.fault === 'worker-kill-in-step' && fault.currentHits() > 0))) fault.switchOff();
        if (over) break;
        if (Date.now() > until) {
          timedOut = true;
          break;
        }
        await pause(SAMPLE_EVERY_MS);
      }
    } else {
      log(`chaos: the ${c.operation} was not started: ${req.status} ${JSON.stringify(req.json).slice(0, 300)}`);
    }
    armed = false;
    fault.switchOff();
    r.ops.afterStep = earlier;

    // The morning after a sleep: a wake without faults.
    let wakeState: string | undefined;
    if (c.operation === 'sleep' && !timedOut) {
      const w = await http('POST', `/v1/pools/${r.poolId}/wake`, { reason: 'fault matrix: the morning after' });
      const wakeId = operationIdOf(w.json);
      if (wakeId) {
        const done = await waitFinished(r, wakeId, until);
        wakeState = done?.state ?? 'late';
        if (!done) timedOut = true;
      } else wakeState = 'nothing to wake';
    }
    // The sweeper's chance: lapsed leases, hosts waiting for XAPI.
    for (let i = 0; i < 3; i++) {
      await r.sweep().catch((e: unknown) => log(`chaos: sweep failed: ${e instanceof Error ? e.message : String(e)}`));
      const waiting = (await r.store.listHosts(r.poolId)).some((h) => h.awaitingEnable);
      const open = (await r.store.listOperations(r.poolId)).some((x) => OPEN.has(x.state));
      if (!waiting && !open) break;
      await pause(o.sweepEveryMs ?? 500);
    }
    tick();
    const end = await readEnd(r, slept);
    rec.add(checkEnd(end));
    // Invariant 3 also after the fault: a binding left not bound must not be cut through.
    const stored = await r.store.listHosts(r.poolId);
    for (const h of stored) {
      const view = bindingView(h);
      if (view !== 'bound' && view !== 'trusted' && fault.offAt !== undefined && c.host === h.hostId) {
        const before = fault.windows.find((w) => w.host === h.hostId)?.after;
        if (before) fault.windows.push({ host: h.hostId, why: `its stored binding is ${view}`, before, after: cutCounts(r, h.hostId) });
      }
    }
    rec.add(checkCuts(fault.windows));

    const final = op ?? (opId ? await r.store.getOperation(opId) : undefined);
    const effect = await effectOf(r, c, final, fault.hits, fault.foreignOns);
    // One night cuts each host once at most: a second cut is a command repeated (noted, not an invariant).
    const repeated = r.fleet.bmcs
      .map((b) => {
        const was = cutsBefore.get(b.name) ?? { off: 0, soft: 0, cycle: 0 };
        const now = cutCounts(r, b.name);
        const n = now.off - was.off + now.soft - was.soft + now.cycle - was.cycle;
        return n > 1 ? `${b.name} cut ${n} times (off ${now.off - was.off}, soft ${now.soft - was.soft}, cycle ${now.cycle - was.cycle})` : '';
      })
      .filter(Boolean);
    trigger = fault.onAt === undefined ? 'never' : trigger;
    const violations = rec.violations;
    const state = final?.state ?? (opId ? 'unknown' : `not started (${req.status})`);
    let outcome: ChaosOutcome;
    if (timedOut) outcome = 'timeout';
    else if (state === 'succeeded' && (wakeState === undefined || wakeState === 'succeeded' || wakeState === 'nothing to wake')) outcome = effect.acted ? 'recovered' : 'succeeded';
    else outcome = violations.length ? 'failed-unsafe' : 'failed-safe';
    if (outcome === 'failed-safe' && violations.length) outcome = 'failed-unsafe';
    return {
      ...base,
      outcome,
      violations,
      ms: Date.now() - t0,
      acted: effect.acted,
      trigger,
      operationState: state,
      wakeState,
      note: [effect.note, ...repeated, wakeState && wakeState !== 'succeeded' ? `wake after: ${wakeState}` : '', (final?.sweeps ?? 0) > 0 ? `resumed by the sweeper ${final?.sweeps} time(s)` : ''].filter(Boolean).join('; '),
      log: o.keepLogs || violations.length || outcome === 'timeout' ? lines : undefined,
    };
  } catch (e) {
    return finish('error', `harness: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  } finally {
    if (sampler) clearInterval(sampler);
    if (runner) {
      runner.faults.clear();
      await withLimit(runner.stop(), 10_000, 'stop').catch((e: unknown) => log(`chaos: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  function finish(outcome: ChaosOutcome, note: string): CaseResult {
    return { ...base, outcome, violations: rec.violations, ms: Date.now() - t0, note, log: lines };
  }
}

async function waitFinished(r: LocalRunner, operationId: string, until: number): Promise<OperationWithSteps | undefined> {
  for (;;) {
    const op = await r.store.getOperation(operationId);
    if (op && FINISHED.has(op.state)) return op;
    if (Date.now() > until) return undefined;
    await pause(SAMPLE_EVERY_MS);
  }
}

async function withLimit<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Whether the fault did something: its hits, or for the BMC identity the refusal it caused. */
async function effectOf(r: LocalRunner, c: ChaosCase, op: OperationWithSteps | undefined, hits: number, foreignOns: number): Promise<{ acted: boolean; note: string }> {
  const failedSteps = (op?.steps ?? []).filter((s) => s.state === 'failed').map((s) => `${s.name}${s.hostId ? ` ${s.hostId}` : ''}: ${s.error ?? 'failed'}`);
  const failed = failedSteps.length ? ` failed steps: ${failedSteps.join(' | ')}` : '';
  if (c.fault === 'bmc-foreign') {
    const alerts = (await r.store.listAlerts(r.poolId, { open: true })).filter((a) => a.kind === 'bmc-identity' && a.hostId === c.host);
    const refused = (op?.steps ?? []).some((s) => s.hostId === c.host && s.detail?.refused === true);
    const ons = foreignOns > 0 ? `${foreignOns} power-on(s) sent through the foreign BMC with no identity check` : '';
    if (alerts.length > 0 || refused) return { acted: true, note: [`identity refused${failed}`, ons].filter(Boolean).join('; ') };
    return { acted: foreignOns > 0, note: ons || `no identity check met the foreign BMC${failed}` };
  }
  const what = c.fault === 'bmc-silent' ? 'packet(s) swallowed' : c.fault === 'worker-kill-in-step' ? 'kill(s)' : 'hit(s)';
  return { acted: hits > 0, note: `${hits} ${what}${failed}` };
}
