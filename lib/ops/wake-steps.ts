/**
 * The steps of a pool wake, one named function each: wait out another operation's lock on a host,
 * power it on through its own BMC, wait until XAPI calls it live, enable it (and learn its lead
 * time, book the night's energy), pause between power-on groups, the morning guard at the ready
 * time, and the release. The order they run in is written by requestPoolWake (pool-wake.ts).
 */
import type { WakePlan } from '../planner/index.ts';
// The error modules by path: a bundle that only tells errors apart need not load the BMC clients.
import { commandFailure } from './command-outcome.ts';
import type { Hypervisor } from '../xen/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import { HostBusyError } from '../store/index.ts';
import { localDate } from '../schedules/index.ts';
import { recordPower, waitForPower } from './chassis-power.ts';
import { bmcOnRefusal } from './bind-host.ts';
import { poolHosts, type BusyHost, type PoolOpsDeps } from './pool-operation.ts';
import { checkLease, errorText, sleep, stepsOfHost, waitUntil, type StepExecution, type StepOutcome } from './step-machine.ts';

/** What the morning guard found for one host. */
export interface WakeHostReport {
  hostId: string;
  result: string;
  detail: string;
  step?: string;
}

/**
 * A power-on refused outright: the BMC said no (command-outcome.ts), or XAPI refused it (power-on
 * disabled). One whose answer went missing, or whose task ended badly, may still have been carried
 * out: wait and look.
 */
function refusedOutright(e: unknown): boolean {
  return commandFailure(e) !== 'unknown';
}

export function wakeSteps(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps) {
  const plan = op0.params?.plan as WakePlan;
  const readyBy = Date.parse(String(op0.params?.readyBy));
  const poolId = op0.poolId;
  const { now, iso, host, release: releaseLocks } = poolHosts(deps, hv, poolId);
  const stepsOf = stepsOfHost;
  const message = errorText;

  async function powerOn(x: StepExecution | undefined, hostId: string, interrupted: boolean): Promise<StepOutcome> {
    const h = await host(hostId);
    const power = await deps.driver.readPower(h).catch(() => 'unknown' as const);
    if (power === 'on') return { state: 'done', detail: { already: true, at: iso() } };
    if (power === 'unknown') return { state: 'failed', error: h.bmcProtocol === 'xapi' ? 'XAPI does not answer (the host has no BMC)' : 'the BMC does not answer' };
    // Only through this host's own BMC: a foreign one would start another machine.
    const foreign = await bmcOnRefusal(deps, h);
    if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
    // A power-on that may have left in a dead run is not sent twice: the chassis shows it soon.
    // A refusal is kept to say why if the chassis stays off (a lost answer proves nothing).
    let refusal: string | undefined;
    if (!interrupted) {
      const refused = await deps.driver.sendOnce(h, 'on').then(
        () => false,
        (e: unknown) => {
          refusal = message(e);
          return refusedOutright(e);
        },
      );
      // Refused outright (XAPI: power-on disabled; a BMC: a completion code): nothing to wait for.
      if (refused) return { state: 'failed', error: `the power-on was refused: ${refusal}` };
    }
    if ((await waitForPower(deps, h, 'on', deps.confirmMs ?? 30_000, x)) === 'on') {
      await recordPower(deps.store, poolId, hostId, 'on');
      return { state: 'done', detail: { at: iso() } };
    }
    if (interrupted) {
      await deps.driver.sendOnce(h, 'on').catch(() => undefined);
      return { state: 'done', detail: { at: iso(), note: 'sent again: the chassis stayed off after an interrupted run' } };
    }
    return { state: 'failed', error: `the chassis did not turn on${refusal ? ` (the power-on answered: ${refusal})` : ''}` };
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
      powerSource: h.bmcProtocol ?? 'ipmi',
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

  /** Wait for another operation's lock on the host to go (bounded by readyBy), then take it. */
  async function awaitLock(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const holder = (x.op.params?.busy as BusyHost[] | undefined)?.find((b) => b.hostId === hostId)?.operationId;
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

  /** Power on through the host's own BMC; a command that may have left in a dead run is not sent twice. */
  function powerOnHost(x: StepExecution, hostId: string): Promise<StepOutcome> {
    return powerOn(x, hostId, x.interrupted);
  }

  /** Live in XAPI within the wait (from the step's start, across runs), or failed with why. */
  async function waitUntilLive(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const { step } = x;
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

  /** Enabled and awake; the lead time is learnt only from a power-on this operation sent. */
  function enableHost(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const on = stepsOf(x.op, hostId).find((s) => s.name === 'power-on');
    const at = on?.detail?.already === true ? undefined : (on?.detail?.at as string | undefined);
    return enable(hostId, at);
  }

  /** The pause between power-on groups (BMCs and power feeds dislike bursts). */
  async function stagger(): Promise<StepOutcome> {
    await sleep((await deps.store.getPool(poolId))?.policy?.wakeStaggerMs ?? 10_000);
    return { state: 'done' };
  }

  /** The morning guard: every host live and enabled by readyBy, or retried once, then alerted. */
  async function readyCheck(x: StepExecution): Promise<StepOutcome> {
    const op = x.op;
    const report: WakeHostReport[] = [];
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
        deps.log?.('alert', { kind: 'wake-late', pool: poolId, host: hostId, operation: op.operationId.slice(0, 8), step: stoppedAt, readyBy: new Date(readyBy).toISOString(), error: message(e) });
        report.push({ hostId, result: 'failed', detail: text, step: stoppedAt });
      }
    }
    return { state: 'done', detail: { hosts: report } };
  }

  /**
   * Every lock of the operation let go, the ones taken late (after another operation) too. A host
   * whose power-on went out but that this wake did not see through (cancelled, or not ready in
   * time) is on or coming up: it is left for the sweeper, which enables it and records it awake
   * once XAPI calls it live, rather than staying recorded asleep.
   */
  async function release(x: StepExecution): Promise<StepOutcome> {
    const busy = ((x.op.params?.busy as BusyHost[] | undefined) ?? []).map((b) => b.hostId);
    const left: string[] = [];
    for (const s of x.op.steps.filter((st) => st.name === 'power-on' && st.state === 'done' && st.hostId)) {
      const h = await deps.store.getHost(poolId, s.hostId as string);
      if (!h || h.sleepState !== 'asleep' || h.awaitingEnable) continue;
      try {
        await deps.store.updateHost(poolId, h.hostId, h.version, { awaitingEnable: { operationId: x.op.operationId, since: iso() } });
        left.push(h.hostId);
      } catch (e) {
        deps.log?.('wake-left-unmarked', { operation: x.op.operationId.slice(0, 8), host: h.hostId, error: message(e) });
      }
    }
    await releaseLocks([...(x.op.hostIds ?? []), ...busy], x.op.operationId);
    return { state: 'done', ...(left.length ? { detail: { awaitingEnable: left } } : {}) };
  }

  return { awaitLock, powerOnHost, waitUntilLive, enableHost, stagger, readyCheck, release };
}
