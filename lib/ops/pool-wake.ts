/**
 * Wake a pool (or some of its hosts): IPMI power on in small staggered groups (BMCs and power
 * feeds dislike bursts), wait for XAPI to call each host live, `host.enable`, mark it awake and
 * learn its lead time (power-on to enabled). The last step is the morning guard: by the time the
 * pool must be ready, every host is live and enabled, or it is retried once and an alert names
 * the host and the step where it stopped.
 */
import { planWake, type WakePlan } from '../planner/index.ts';
import type { Hypervisor } from '../xen/hypervisor.ts';
import type { Host, OperationWithSteps } from '../store/types.ts';
import type { Store } from '../store/store.ts';
import { recordPower, waitForPower, type OpsDeps } from './host-power.ts';
import { readPoolView } from './pool-view.ts';
import { loadPool, runPoolMachine, startPoolOperation, type PoolOpsDeps, type PoolRequest } from './pool-sleep.ts';
import { localDate } from '../schedules/zoned.ts';
import { checkLease, errorText, LeaseLostError, hostOf, sleep, stepsOfHost, waitUntil, type RunOptions, type RunResult, type StepExecution, type StepOutcome } from './step-machine.ts';
import { XapiUnreachableError } from '../xen/errors.ts';
import { HostBusyError } from '../store/errors.ts';
import { bmcOnRefusal } from './bind-host.ts';

export const POOL_WAKE = 'pool-wake';

/** Lead time of a host with no history yet: power-on, POST, boot, XAPI start, enable. */
export const DEFAULT_WAKE_LEAD_MS = 10 * 60_000;

export interface WakeRequest extends PoolRequest {
  dryRun?: boolean;
  /** Hosts to leave off (a schedule's "keep off until"). */
  excludeHostIds?: string[];
  /** When the pool must be ready (ISO); the guard checks by then. Default: now + the longest lead. */
  readyBy?: string;
}

export interface WakeAnswer {
  plan: WakePlan;
  operationId?: string;
  created?: boolean;
}

/** A host's lead time: the slowest of its recent wakes plus a quarter, or the safe default. */
export function wakeLeadMs(h: Pick<Host, 'wakeLeadsMs'>): number {
  const leads = h.wakeLeadsMs ?? [];
  return leads.length === 0 ? DEFAULT_WAKE_LEAD_MS : Math.round(Math.max(...leads) * 1.25);
}


/**
 * How many minutes before its ready time a pool's wake must start: the slowest host's lead time,
 * plus the pauses between power-on groups, rounded up to whole minutes.
 */
export async function poolWakeLeadMinutes(store: Store, poolId: string): Promise<number> {
  const [pool, hosts] = await Promise.all([store.getPool(poolId), store.listHosts(poolId)]);
  if (hosts.length === 0) return 0;
  const group = Math.max(1, pool?.policy?.wakeGroupSize ?? 2);
  const stagger = (Math.ceil(hosts.length / group) - 1) * (pool?.policy?.wakeStaggerMs ?? 10_000);
  return Math.ceil((Math.max(...hosts.map((h) => wakeLeadMs(h))) + stagger) / 60_000);
}

export async function requestPoolWake(deps: PoolOpsDeps, r: WakeRequest): Promise<WakeAnswer> {
  if (!r.reason.trim()) throw new Error('a reason is required');
  const { pool, hv } = await loadPool(deps, r.poolId);
  const stored = await deps.store.listHosts(r.poolId);
  const byId = new Map(stored.map((h) => [h.hostId, h]));
  const exclude = new Set(r.excludeHostIds ?? []);
  // A person naming hosts may wake any of them; otherwise (and always for a schedule) only the
  // hosts lowpower put to sleep wake: a host off for maintenance stays off.
  const named = r.source !== 'schedule' && r.hostIds !== undefined;
  const wanted = (id: string): boolean => byId.has(id) && !exclude.has(id) && (r.hostIds === undefined || r.hostIds.includes(id)) && (named || byId.get(id)?.sleepState === 'asleep');
  let plan: WakePlan;
  try {
    const view = await readPoolView(deps.store, hv, pool);
    plan = planWake(view.hosts.filter((h) => wanted(h.id)), view.plannerVms, view.policy, { all: true });
    for (const h of view.hosts) {
      const s = byId.get(h.id);
      if (s && h.state === 'off' && !exclude.has(h.id) && !wanted(h.id) && (r.hostIds === undefined || r.hostIds.includes(h.id))) plan.why.push(`${h.id}: off, but lowpower did not put it to sleep (maintenance?): left off`);
    }
  } catch (e) {
    if (!(e instanceof XapiUnreachableError)) throw e;
    // Rule 4: the morning goes on through the BMCs when XAPI is down; nothing is guessed from
    // XAPI's silence: the hosts are enabled once XAPI is back and calls them live.
    const wake = stored.filter((h) => wanted(h.hostId) && h.power !== 'on').map((h) => h.hostId);
    plan = { wake, why: [...wake.map((h) => `${h}: put to sleep by lowpower; woken through its BMC`), `XAPI does not answer (${errorText(e)}): the hosts are powered on through their BMCs and enabled once XAPI is back`] };
  }
  for (const h of exclude) if (byId.has(h)) plan.why.push(`${h}: kept off by a schedule exception`);
  if (r.dryRun || plan.wake.length === 0) {
    await deps.store.appendAudit({ poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'wake pool', result: r.dryRun ? 'dry-run' : 'ok', message: plan.wake.length ? `would wake ${plan.wake.join(', ')}` : 'nothing to wake' });
    return { plan };
  }
  const lead = Math.max(...plan.wake.map((h) => wakeLeadMs(byId.get(h) ?? {})));
  const readyBy = r.readyBy ?? new Date((deps.now ?? Date.now)() + lead).toISOString();
  // A host that another operation holds does not stop the morning: it is woken after that ends.
  const started = await startPoolOperation(deps, { ...r, kind: POOL_WAKE, params: { plan, readyBy }, busyOk: plan.wake, asked: { excludeHostIds: r.excludeHostIds, readyBy: r.readyBy } });
  if (!started.created) return { plan: started.params?.plan as WakePlan, operationId: started.operationId, created: false };
  const { operationId } = started;
  const busy = new Set((started.busy ?? []).map((b) => b.hostId));
  for (const b of started.busy ?? []) plan.why.push(`${b.hostId}: busy with operation ${b.operationId}; woken once that ends`);
  const group = Math.max(1, pool.policy?.wakeGroupSize ?? 2);
  const free = plan.wake.filter((h) => !busy.has(h));
  let index = 0;
  const step = (name: string, hostId?: string) => deps.store.createStep(operationId, { index: index++, name, hostId, state: 'pending' });
  for (let i = 0; i < free.length; i += group) {
    if (i > 0) await step('stagger');
    for (const h of free.slice(i, i + group)) await step('power-on', h);
  }
  for (const h of free) {
    await step('wait-live', h);
    await step('enable', h);
  }
  for (const h of plan.wake.filter((x) => busy.has(x))) {
    await step('await-lock', h);
    await step('power-on', h);
    await step('wait-live', h);
    await step('enable', h);
  }
  await step('ready-check');
  await step('release');
  // Not ready by readyBy is alerted at readyBy, however long the wake itself still waits.
  await deps.checkAt?.(new Date(readyBy), operationId).catch((e: unknown) => deps.log?.(`wake ${operationId.slice(0, 8)}: could not book the ready check at ${readyBy}: ${errorText(e)}`));
  await deps.store.appendAudit({ operationId, poolId: r.poolId, actor: r.actor, source: r.source, reason: r.reason, action: 'wake pool requested', result: 'ok', message: `wake ${plan.wake.join(', ')}; ready by ${readyBy}${busy.size ? `; busy now: ${[...busy].join(', ')}` : ''}` });
  return { plan, operationId, created: true };
}

function wakeMachine(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps) {
  const plan = op0.params?.plan as WakePlan;
  const readyBy = Date.parse(String(op0.params?.readyBy));
  const poolId = op0.poolId;
  const now = deps.now ?? Date.now;
  const iso = (): string => new Date(now()).toISOString();
  const stepsOf = stepsOfHost;
  const host = (hostId: string): Promise<Host> => hostOf(deps.store, poolId, hostId);
  const message = errorText;

  async function powerOn(x: StepExecution | undefined, hostId: string, interrupted: boolean): Promise<StepOutcome> {
    const h = await host(hostId);
    const power = await deps.driver.readPower(h).catch(() => 'unknown' as const);
    if (power === 'on') return { state: 'done', detail: { already: true, at: iso() } };
    if (power === 'unknown') return { state: 'failed', error: 'the BMC does not answer' };
    // Only through this host's own BMC: a foreign one would start another machine.
    const foreign = await bmcOnRefusal(deps, h);
    if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
    // A power-on that may have left in a dead run is not sent twice: the chassis shows it soon.
    if (!interrupted) await deps.driver.sendOnce(h, 'on').catch(() => undefined);
    if ((await waitForPower(deps, h, 'on', deps.confirmMs ?? 30_000, x)) === 'on') {
      await recordPower(deps.store, poolId, hostId, 'on');
      return { state: 'done', detail: { at: iso() } };
    }
    if (interrupted) {
      await deps.driver.sendOnce(h, 'on').catch(() => undefined);
      return { state: 'done', detail: { at: iso(), note: 'sent again: the chassis stayed off after an interrupted run' } };
    }
    return { state: 'failed', error: 'the chassis did not turn on' };
  }

  /**
   * Wait for XAPI to call the host live. `xapi-down` when XAPI did not answer at the end (the
   * host's liveness is unknown, not false); `wait` when this run's time is up first.
   */
  async function waitLive(x: Pick<StepExecution, 'deadlineAt' | 'signal' | 'op'> | undefined, hostId: string, untilAt: number): Promise<'live' | 'not-live' | 'xapi-down' | 'wait'> {
    const { until, cutShort } = x ? waitUntil(x, untilAt) : { until: untilAt, cutShort: false };
    for (;;) {
      if (x) checkLease(x, x.op.operationId);
      const live = await hv.hostLive(hostId).catch(() => undefined);
      if (live === true) return 'live';
      if (now() > until) return cutShort ? 'wait' : live === undefined ? 'xapi-down' : 'not-live';
      await sleep(deps.pollMs ?? 250);
    }
  }

  /** Powered on through the BMC, but XAPI does not answer: the sweeper enables it once XAPI is back. */
  async function leaveForXapi(hostId: string, operationId: string): Promise<void> {
    const h = await host(hostId);
    await deps.store.updateHost(poolId, hostId, h.version, { awaitingEnable: { operationId, since: iso() } });
  }

  /** Wait for another operation's lock on the host to go (bounded by readyBy), then take it. */
  async function awaitLock(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const holder = (x.op.params?.busy as Array<{ hostId: string; operationId: string }> | undefined)?.find((b) => b.hostId === hostId)?.operationId;
    const { until, cutShort } = waitUntil(x, Math.max(readyBy, now() + (deps.liveTimeoutMs ?? 600_000)));
    for (;;) {
      checkLease(x, x.op.operationId);
      try {
        await deps.store.acquireHostLock(poolId, hostId, x.op.operationId, deps.leaseMs ?? 60 * 60_000, now());
        return { state: 'done', detail: { after: holder ?? null, at: iso() } };
      } catch (e) {
        if (!(e instanceof HostBusyError)) throw e;
        if (e.operationId === x.op.operationId) return { state: 'done', detail: { after: holder ?? null, at: iso() } };
        if (now() > until) return cutShort ? { state: 'wait' } : { state: 'failed', error: `still busy with operation ${e.operationId}` };
      }
      await sleep(Math.max(deps.pollMs ?? 250, 500));
    }
  }

  /** Enable in XAPI (rule 4: only once live), mark awake, learn the lead time, book the energy. */
  async function enable(hostId: string, poweredOnAt: string | undefined): Promise<StepOutcome> {
    await hv.enableHost(hostId);
    const h = await host(hostId);
    const at = iso();
    const leads = [...(h.wakeLeadsMs ?? [])];
    if (poweredOnAt) leads.push(Date.parse(at) - Date.parse(poweredOnAt));
    if (h.sleptAt && h.sleepState === 'asleep' && typeof h.wattsBeforeSleep === 'number') {
      const hours = (Date.parse(at) - Date.parse(h.sleptAt)) / 3600_000;
      const saved = Math.max(0, h.wattsBeforeSleep - (h.wattsAsleep ?? 0));
      const pool = await deps.store.getPool(poolId);
      await deps.store.putEnergy({
        poolId,
        hostId,
        sleptAt: h.sleptAt,
        wokenAt: at,
        night: localDate(new Date(h.sleptAt), pool?.policy?.timeZone ?? 'UTC'),
        wattsBefore: h.wattsBeforeSleep,
        wattsAsleep: h.wattsAsleep ?? 0,
        kWhSaved: Math.round(((saved * hours) / 1000) * 1000) / 1000,
      });
    }
    await deps.store.updateHost(poolId, hostId, h.version, {
      power: 'on',
      powerObservedAt: at,
      powerSource: 'ipmi',
      xenState: 'enabled',
      sleepState: 'awake',
      lastWokenAt: at,
      wakeLeadsMs: leads.slice(-5),
      sleptAt: undefined,
      sleptByOperation: undefined,
      awaitingEnable: undefined,
    });
    await deps.store.closeAlert(poolId, 'wake-late', hostId);
    return { state: 'done', detail: { at, leadMs: poweredOnAt ? Date.parse(at) - Date.parse(poweredOnAt) : undefined } };
  }

  /** The morning guard: every host live and enabled by readyBy, or retried once, then alerted. */
  async function readyCheck(x: StepExecution): Promise<StepOutcome> {
    const op = x.op;
    const report: Array<{ hostId: string; result: string; detail: string; step?: string }> = [];
    const xenHosts = await hv.hosts().catch(() => undefined);
    for (const hostId of plan.wake) {
      const failedStep = stepsOf(op, hostId).find((s) => s.state === 'failed');
      const xen = xenHosts?.find((h) => h.hostId === hostId);
      if (!failedStep && xen?.live === true && xen.enabled) {
        report.push({ hostId, result: 'done', detail: 'live and enabled' });
        continue;
      }
      // One retry: power on again if the chassis is off, wait for live (until readyBy), enable.
      let stoppedAt = failedStep?.name ?? (xen?.live ? 'enable' : 'wait-live');
      try {
        if (failedStep?.name === 'await-lock') throw new Error(failedStep.error ?? 'busy');
        const on = await powerOn(x, hostId, false);
        if (on.state === 'failed') throw new Error(on.error);
        stoppedAt = 'wait-live';
        const seen = await waitLive(x, hostId, Math.max(now() + (deps.pollMs ?? 250), readyBy));
        if (seen === 'xapi-down') {
          await leaveForXapi(hostId, op.operationId);
          throw new Error('powered on through its BMC, but XAPI does not answer: it is enabled once XAPI is back');
        }
        if (seen !== 'live') throw new Error('not live');
        stoppedAt = 'enable';
        await enable(hostId, undefined);
        report.push({ hostId, result: 'done', detail: `ready after a retry (first stop: ${failedStep?.name ?? 'check'})` });
      } catch (e) {
        const text = `${hostId} is not ready by ${new Date(readyBy).toISOString()}: stopped at ${stoppedAt} (${message(e)})`;
        await deps.store.openAlert({ poolId, hostId, kind: 'wake-late', message: text, detail: { operationId: op.operationId, step: stoppedAt } });
        deps.log?.(`ALERT wake-late ${text}`);
        report.push({ hostId, result: 'failed', detail: text, step: stoppedAt });
      }
    }
    return { state: 'done', detail: { hosts: report } };
  }

  return {
    alwaysRun: ['release'],
    async execute(x: StepExecution): Promise<StepOutcome> {
      const { step } = x;
      if (step.name === 'release') {
        const busy = ((x.op.params?.busy as Array<{ hostId: string }> | undefined) ?? []).map((b) => b.hostId);
        for (const h of [...(x.op.hostIds ?? []), ...busy]) await deps.store.releaseHostLock(poolId, h, x.op.operationId);
        return { state: 'done' };
      }
      if (step.name === 'stagger') {
        await sleep((await deps.store.getPool(poolId))?.policy?.wakeStaggerMs ?? 10_000);
        return { state: 'done' };
      }
      if (step.name === 'ready-check') return readyCheck(x);
      const hostId = step.hostId as string;
      const mine = stepsOf(x.op, hostId);
      const bad = mine.find((s) => s.index < step.index && s.state === 'failed');
      if (bad) return { state: 'skipped', detail: { why: `${bad.name} failed` } };
      try {
        if (step.name === 'await-lock') return await awaitLock(x, hostId);
        if (step.name === 'power-on') return await powerOn(x, hostId, x.interrupted);
        if (step.name === 'wait-live') {
          const began = step.startedAt ? Date.parse(step.startedAt) : now();
          // XAPI already found silent for a whole wait in this operation: the next hosts wait
          // briefly (they are on; the sweeper enables them once XAPI is back).
          const xapiSilent = x.op.steps.some((s) => s.name === 'wait-live' && s.detail?.awaitingXapi === true);
          const budget = xapiSilent ? Math.min(30_000, deps.liveTimeoutMs ?? 600_000) : Math.max(deps.liveTimeoutMs ?? 600_000, readyBy - began);
          const seen = await waitLive(x, hostId, began + budget);
          if (seen === 'live') return { state: 'done', detail: { at: iso() } };
          if (seen === 'wait') return { state: 'wait' };
          if (seen === 'xapi-down') {
            await leaveForXapi(hostId, x.op.operationId);
            return { state: 'failed', detail: { awaitingXapi: true }, error: `XAPI does not answer after ${Math.round(budget / 1000)} s: the host is on (BMC); it is enabled once XAPI is back and calls it live` };
          }
          return { state: 'failed', error: `not live after ${Math.round(budget / 1000)} s` };
        }
        if (step.name === 'enable') {
          const on = mine.find((s) => s.name === 'power-on');
          const at = on?.detail?.already === true ? undefined : (on?.detail?.at as string | undefined);
          return await enable(hostId, at);
        }
      } catch (e) {
        if (e instanceof LeaseLostError) throw e;
        return { state: 'failed', error: message(e) };
      }
      throw new Error(`unknown step ${step.name}`);
    },
    async finish(op: OperationWithSteps) {
      const check = op.steps.find((s) => s.name === 'ready-check');
      const hosts = (check?.detail?.hosts as Array<{ hostId: string; result: string; detail: string; step?: string }> | undefined) ?? [];
      for (const h of hosts) {
        await deps.store.appendAudit({ at: check?.finishedAt, once: `host-${h.hostId}`, operationId: op.operationId, poolId, hostId: h.hostId, actor: op.actor, source: op.source, reason: op.reason, action: 'wake host', result: h.result === 'done' ? 'ok' : 'failed', message: h.detail });
      }
      // Late but done is reported too: the pool was not ready when it had to be.
      const lateByMs = Math.max(0, Date.parse(check?.finishedAt ?? new Date(now()).toISOString()) - readyBy);
      const busy = (op.params?.busy as Array<{ hostId: string; operationId: string }> | undefined) ?? [];
      return {
        state: hosts.every((h) => h.result === 'done') ? ('succeeded' as const) : ('failed' as const),
        result: { hosts, readyBy: op.params?.readyBy, ...(lateByMs > 0 ? { lateByMs } : {}), ...(busy.length ? { wokenAfterBusy: busy } : {}) },
      };
    },
  };
}

export const runPoolWake = (deps: OpsDeps, operationId: string, run: RunOptions = {}): Promise<RunResult> => runPoolMachine(deps, operationId, run, wakeMachine);
