/**
 * The steps of a pool sleep, one named function each: disable a host, migrate one wave of the
 * plan, verify a host empty, shut it down (the safety rules checked right before), wait until it
 * is down (XAPI not live and the BMC off), settle it (asleep, or enabled again and left on), and
 * release the locks. The order they run in is written by requestPoolSleep (pool-sleep.ts).
 */
import type { SleepPlan } from '../planner/index.ts';
import type { Hypervisor } from '../xen/index.ts';
import { XapiUnreachableError } from '../xen/index.ts';
import type { OperationStep, OperationWithSteps } from '../store/index.ts';
import { recordPower } from './chassis-power.ts';
import { bmcCutRefusal } from './bind-host.ts';
import { poolRulesRefusal } from './xen-guard.ts';
import { readPoolView } from './pool-view.ts';
import { poolHosts, type PoolOpsDeps } from './pool-operation.ts';
import { checkLease, errorText, isCancelled, sleep, stepsOfHost, waitUntil, type StepExecution, type StepOutcome } from './step-machine.ts';

export function sleepSteps(deps: PoolOpsDeps, hv: Hypervisor, op0: OperationWithSteps) {
  const plan = op0.params?.plan as SleepPlan;
  const poolId = op0.poolId;
  const { now, host, liveOrUnknown, release: releaseLocks } = poolHosts(deps, hv, poolId);
  const stepsOf = stepsOfHost;
  const message = errorText;

  /** The host's step that failed (or was cancelled) before this one: the host is being left on. */
  const failedBefore = (op: OperationWithSteps, hostId: string, before: number): OperationStep | undefined =>
    stepsOf(op, hostId).find((s) => s.index < before && (s.state === 'failed' || isCancelled(s)));

  /**
   * A brief XAPI outage (a master restarting, a dropped connection) is waited out, bounded by
   * `xapiRetryMs` and the worker's time; a longer one fails the step (the host stays on). Only
   * for calls that may safely be asked again.
   */
  async function xapiRetry<T>(x: StepExecution, f: () => Promise<T>): Promise<T> {
    const { until } = waitUntil(x, now() + (deps.xapiRetryMs ?? 20_000));
    for (;;) {
      try {
        return await f();
      } catch (e) {
        if (!(e instanceof XapiUnreachableError) || now() > until) throw e;
        checkLease(x, x.op.operationId);
        await sleep(deps.pollMs ?? 250);
      }
    }
  }

  /** Wait (from the step's start, across runs) until XAPI says not live and the BMC says off. */
  async function watchDown(x: StepExecution, hostId: string): Promise<{ live: boolean | undefined; power: 'on' | 'off' | 'unknown'; cutShort: boolean }> {
    const began = x.step.startedAt ? Date.parse(x.step.startedAt) : now();
    const { until, cutShort } = waitUntil(x, began + (deps.downTimeoutMs ?? 300_000));
    const h = await host(hostId);
    for (;;) {
      checkLease(x, x.op.operationId);
      const live = await liveOrUnknown(hostId);
      const power = await deps.driver.readPower(h).catch(() => 'unknown' as const);
      if ((live === false && power === 'off') || now() > until) return { live, power, cutShort: cutShort && now() > until };
      await sleep(deps.pollMs ?? 250);
    }
  }

  /** Rule 4: the host is disabled in XAPI before anything moves off it. */
  async function disableHost(x: StepExecution, hostId: string): Promise<StepOutcome> {
    await xapiRetry(x, () => hv.disableHost(hostId));
    const h = await host(hostId);
    await deps.store.updateHost(poolId, hostId, h.version, { xenState: 'disabled' });
    return { state: 'done' };
  }

  /** The plan's migrations of one wave, all at once; a failed one fails no step (its host fails verify-empty). */
  async function migrateWave(x: StepExecution): Promise<StepOutcome> {
    const wave = Number(x.step.detail?.wave);
    const moves = plan.migrations.filter((m) => m.wave === wave);
    let vms;
    try {
      vms = await hv.vms();
    } catch (e) {
      // Nothing moves without XAPI; the hosts of this wave then fail verify-empty and stay on.
      return { state: 'done', detail: { wave, moves: [], error: `no VM moved: ${message(e)}` } };
    }
    const where = new Map(vms.map((v) => [v.vmId, v]));
    const results = await Promise.all(
      moves.map(async (m) => {
        const vm = where.get(m.vmId);
        if (!vm || vm.powerState !== 'Running') return { vm: m.vmId, result: 'gone', detail: vm ? vm.powerState : 'no longer exists' };
        if (vm.hostId === m.to) return { vm: m.vmId, result: 'done', detail: `already on ${m.to}` };
        if (vm.hostId !== m.from) return { vm: m.vmId, result: 'skipped', detail: `now on ${vm.hostId}, not ${m.from}` };
        // A host that failed before this wave keeps its VMs: it will be re-enabled and left on.
        if (failedBefore(x.op, m.from, x.step.index)) return { vm: m.vmId, result: 'skipped', detail: `${m.from} is being left on` };
        try {
          await hv.migrateVm(m.vmId, m.to);
          return { vm: m.vmId, result: 'done', detail: `${m.from} -> ${m.to}` };
        } catch (e) {
          // An interrupted run may find the first attempt still under way: let it finish, look again.
          const { until } = waitUntil(x, now() + (/OTHER_OPERATION_IN_PROGRESS/.test(message(e)) ? 60_000 : 500));
          while (now() < until) {
            checkLease(x, x.op.operationId);
            await sleep(250);
            const again = (await hv.vms()).find((v) => v.vmId === m.vmId);
            if (again?.hostId === m.to) return { vm: m.vmId, result: 'done', detail: `${m.from} -> ${m.to}` };
          }
          return { vm: m.vmId, result: 'failed', detail: message(e) };
        }
      }),
    );
    deps.log?.('migrate-wave', {
      operation: x.op.operationId.slice(0, 8),
      wave,
      moved: results.filter((r) => r.result === 'done').map((r) => `${r.vm} ${r.detail}`),
      notMoved: results.filter((r) => r.result !== 'done').map((r) => `${r.vm} ${r.result}: ${r.detail}`),
    });
    // A failed migration fails no step here: its source host fails verify-empty and stays on.
    return { state: 'done', detail: { wave, moves: results } };
  }

  /** No guest VM left on the host, from XAPI; the watts it draws now are kept for the night's energy. */
  async function verifyEmpty(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const left = await xapiRetry(x, () => hv.residentGuestVms(hostId));
    if (left.length) return { state: 'failed', detail: { vms: left }, error: `still runs ${left.length} VM(s): ${left.join(', ')}` };
    return { state: 'done', detail: { vms: [], watts: await deps.driver.readWatts(await host(hostId)) } };
  }

  /** `host.shutdown`, once, and only after the pool's rules (VMs, master, HA) are checked again right before it. */
  async function shutdownHost(x: StepExecution, hostId: string): Promise<StepOutcome> {
    if (x.interrupted) {
      // An earlier run may have sent it: give the host time to go down before sending again.
      const until = now() + 30_000;
      while (now() < until && (await liveOrUnknown(hostId)) !== false) {
        checkLease(x, x.op.operationId);
        await sleep(deps.pollMs ?? 250);
      }
      if ((await liveOrUnknown(hostId)) === false) return { state: 'done', detail: { sent: 'by an earlier run; the host is going down' } };
    }
    // Rule 2 first: the BMC that will prove the host off (and wake it) must be this host's.
    const h = await host(hostId);
    const foreign = await bmcCutRefusal(deps, h);
    if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
    // Rules 1 and 2, right before the cut: XAPI's own shutdown would kill what still runs.
    const [left, incoming, xen] = await xapiRetry(x, () => Promise.all([hv.residentGuestVms(hostId), hv.incomingGuestVms(hostId), hv.pool()]));
    if (xen.masterHostId === hostId) return { state: 'failed', detail: { refused: true }, error: 'refused: the host is the pool master' };
    if (left.length) return { state: 'failed', detail: { refused: true, vms: left }, error: `refused: ${left.join(', ')} arrived on the host` };
    if (incoming.length) return { state: 'failed', detail: { refused: true, vms: incoming }, error: `refused: ${incoming.join(', ')} migrating to the host` };
    // HA too, as the pool is now: VMs started on the hosts that stay since the plan was made may
    // leave no room to restart the pool's VMs after its tolerated failures without this host.
    const pool = await deps.store.getPool(poolId);
    if (!pool) return { state: 'failed', detail: { refused: true }, error: `refused: pool ${poolId} is not known` };
    const view = await xapiRetry(x, () => readPoolView(deps.store, hv, pool));
    const rules = poolRulesRefusal(view, hostId, incoming);
    if (rules) return { state: 'failed', detail: { refused: true, why: rules }, error: `refused: ${rules}` };
    // A power-feed outage tonight must not bring the host up unmanaged.
    const policy = (await deps.store.getPool(poolId))?.policy?.powerRestorePolicy ?? 'previous';
    const restore = await deps.driver.setRestorePolicy(h, policy).then(() => policy, (e: unknown) => `not set (${message(e)})`);
    if (restore === policy) {
      const fresh = await host(hostId);
      await deps.store.updateHost(poolId, hostId, fresh.version, { restorePolicy: { policy, setAt: new Date(now()).toISOString() } });
    }
    await hv.shutdownHost(hostId);
    return { state: 'done', detail: { sent: true, restorePolicy: restore } };
  }

  /** Down means XAPI says not live and the BMC says off; a chassis left on may be cut by policy, when empty. */
  async function waitDown(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const { step } = x;
    let seen = await watchDown(x, hostId);
    if (seen.live === false && seen.power === 'on' && !seen.cutShort && step.detail?.hardOff === undefined && (await deps.store.getPool(poolId))?.policy?.hardOffWhenEmpty === true) {
      // Shut down as far as XAPI knows, yet the chassis stays on: empty, so policy may cut it
      // (through its bound BMC only).
      const h = await host(hostId);
      const foreign = await bmcCutRefusal(deps, h);
      if (foreign) return { state: 'failed', detail: { refused: true, why: foreign }, error: `refused: ${foreign}` };
      await deps.driver.sendOnce(h, 'off').catch(() => undefined);
      seen = await watchDown({ ...x, step: { ...step, startedAt: new Date(now()).toISOString() } }, hostId);
    }
    await recordPower(deps.store, poolId, hostId, seen.power);
    if (seen.live === false && seen.power === 'off') return { state: 'done', detail: { live: seen.live, power: seen.power } };
    if (seen.cutShort) return { state: 'wait', detail: { live: seen.live ?? null, power: seen.power } };
    // XAPI silent, but the BMC (bound, checked before the cut) shows the chassis off: that is
    // a measurement, not a guess, and the host must be woken in the morning like the others.
    if (seen.live === undefined && seen.power === 'off') return { state: 'done', detail: { live: null, power: seen.power, why: 'XAPI does not answer; the BMC shows the chassis off' } };
    const xen = seen.live === undefined ? 'XAPI does not answer (liveness unknown)' : seen.live ? 'still live in XAPI' : 'not live';
    return { state: 'failed', detail: { live: seen.live ?? null, power: seen.power }, error: `after shutdown: ${xen}, chassis ${seen.power}` };
  }

  /** Asleep when every step before went well; otherwise enabled again (only when live) and left on, or alerted. */
  async function settle(x: StepExecution, hostId: string): Promise<StepOutcome> {
    const bad = failedBefore(x.op, hostId, x.step.index);
    if (!bad) {
      const h = await host(hostId);
      const verify = stepsOf(x.op, hostId).find((s) => s.name === 'verify-empty');
      const wattsBefore = typeof verify?.detail?.watts === 'number' ? verify.detail.watts : undefined;
      const wattsAsleep = (await deps.driver.readWatts(h)) ?? undefined;
      const sleptAt = new Date(now()).toISOString();
      await deps.store.updateHost(poolId, hostId, h.version, {
        power: 'off',
        powerObservedAt: sleptAt,
        powerSource: h.bmcProtocol ?? 'ipmi',
        xenState: 'asleep',
        sleepState: 'asleep',
        sleptAt,
        sleptByOperation: x.op.operationId,
        wattsBeforeSleep: wattsBefore,
        wattsAsleep,
      });
      return { state: 'done', detail: { asleep: true, wattsBefore, wattsAsleep } };
    }
    // Rule 4: enabled again only when live. A host that went down anyway is recorded as it is.
    const live = await liveOrUnknown(hostId);
    if (live === undefined) {
      // XAPI does not answer: neither enabled nor marked asleep on a guess. The sweeper enables
      // it once XAPI is back and calls it live; the alert says so meanwhile.
      const h = await host(hostId);
      await deps.store.updateHost(poolId, hostId, h.version, { awaitingEnable: { operationId: x.op.operationId, since: new Date(now()).toISOString() } });
      await deps.store.openAlert({ poolId, hostId, kind: 'sleep-failed', message: `${hostId}: ${bad.name} failed (${bad.error ?? '?'}) and XAPI does not answer: the host may be live and disabled; lowpower enables it when XAPI is back`, detail: { operationId: x.op.operationId } });
      return { state: 'failed', detail: { leftOn: true, awaitingXapi: true }, error: `${bad.name} failed and XAPI does not answer: left for the sweeper to enable once XAPI is back` };
    }
    if (live) {
      await hv.enableHost(hostId);
      const h = await host(hostId);
      await deps.store.updateHost(poolId, hostId, h.version, { xenState: 'enabled', sleepState: 'awake' });
      return { state: 'done', detail: { leftOn: true, why: isCancelled(bad) ? 'left on: the operation was cancelled' : `left on: ${bad.name} failed: ${bad.error ?? 'no reason given'}` } };
    }
    const power = await deps.driver.readPower(await host(hostId)).catch(() => 'unknown' as const);
    await recordPower(deps.store, poolId, hostId, power);
    await deps.store.openAlert({ poolId, hostId, kind: 'sleep-failed', message: `${hostId}: ${bad.name} failed (${bad.error ?? '?'}); host not live, chassis ${power}`, detail: { operationId: x.op.operationId } });
    return { state: 'failed', detail: { power }, error: `${bad.name} failed and the host is not live (chassis ${power}): see the alert` };
  }

  /** Every lock of the operation let go. */
  async function release(x: StepExecution): Promise<StepOutcome> {
    await releaseLocks(x.op.hostIds ?? [], x.op.operationId);
    return { state: 'done', detail: { released: x.op.hostIds?.length ?? 0 } };
  }

  return { failedBefore, disableHost, migrateWave, verifyEmpty, shutdownHost, waitDown, settle, release };
}
