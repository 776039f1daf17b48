/**
 * One case of the fault matrix on a fresh local runner: start it (for a wake, after a clean sleep),
 * switch the fault on as the chosen step begins, sample the invariants every 20 ms while the
 * operation runs, switch the fault off, wake the pool the morning after a sleep, give the sweeper
 * its chance, check the end, and say what happened in one line. It is one sequence that reads
 * best in one place, so runCase is long; its parts (layout, fault switch, probes, I/O) are not.
 */
import type { LocalRunner } from './runner.ts';
import { bindingView } from '../ops/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import { SLEEPING_HOSTS, type ChaosCase } from './chaos-cases.ts';
import { checkCuts, checkEnd, checkSample, OPEN, type Finding, type InvariantId, type PoolSample } from './chaos-invariants.ts';
import { cutCounts, readEnd, samplePool } from './chaos-probes.ts';
import { chosenIndex, keyOfStep, sameKey, sleepLayout, wakeLayout, type SleepPlanShape } from './chaos-layout.ts';
import { FaultSwitch } from './chaos-fault-switch.ts';
import { FINISHED, freshRunner, httpOf, operationIdOf, pause, SAMPLE_EVERY_MS, waitFinished, withLimit } from './chaos-io.ts';

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

export const describeCase = (c: ChaosCase): string => `${c.operation} ${c.fault} @ ${c.step}${c.host ? ` ${c.host}` : ''}`;

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
