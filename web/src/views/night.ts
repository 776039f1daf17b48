/**
 * The night: a pool's plan for the next sleep as a picture (who sleeps, which VM goes where, why
 * each kept host stays on), buttons to run it or wake the pool (operator, with a confirm and a
 * reason), the running operations' steps as they happen, and the morning's rebalance (what moved
 * back after the wake, what stayed and why) with a button that runs one now (rebalance-now.ts).
 */
import type { App, View } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { askReason } from '../dialog.ts';
import { errorBox, fill, h } from '../dom.ts';
import { ago, gib, plural } from '../format.ts';
import { isFinished, operationSummary, renderOperation } from '../operation-panel.ts';
import { planPicture } from '../plan-picture.ts';
import type { Lifetime } from '../poll.ts';
import type { Operation, PoolDetail, PoolSummary, SleepPlan } from '../types.ts';
import { rebalanceNow } from './rebalance-now.ts';

/** The plan in one sentence: who can sleep, or why nothing can (the plan's `why` is the reason alone). */
export function planSummary(plan: SleepPlan, hostCount: number): string {
  return plan.sleep.length
    ? `${plan.sleep.length} of ${hostCount} hosts can sleep: ${plan.sleep.join(', ')}. ${plural(plan.migrations.length, 'VM')} move (${gib(plan.migratedBytes)}).`
    : `Nothing can sleep now: ${plan.why ?? 'every host is needed'}.`;
}

interface RebalanceRow {
  vmId?: string;
  from?: string;
  to?: string;
  hostId?: string | null;
  why?: string;
}

/** The morning's rebalance in a sentence and two lists: what moved, what stayed and why. */
export function morningSummary(op: Operation): { text: string; moved: string[]; stayed: string[] } {
  const rows = (v: unknown): RebalanceRow[] => (Array.isArray(v) ? (v as RebalanceRow[]) : []);
  const mode = String(op.result?.mode ?? op.params?.mode ?? 'rebalance');
  if (!isFinished(op)) {
    const planned = rows((op.params?.plan as { moves?: unknown } | undefined)?.moves).length;
    return { text: `Rebalancing (${mode}): ${plural(planned, 'move')} planned.`, moved: [], stayed: [] };
  }
  const moved = rows(op.result?.moved).map((m) => `${m.vmId ?? '?'}: ${m.from ?? '?'} → ${m.to ?? '?'}`);
  const stayed = rows(op.result?.stayed).map((m) => `${m.vmId ?? m.hostId ?? '?'}: ${m.why ?? 'no reason given'}`);
  const state = op.state === 'succeeded' ? '' : ` (${op.state}${op.error ? `: ${op.error}` : ''})`;
  return { text: `Rebalance (${mode}) ${ago(op.createdAt)}${state}: ${plural(moved.length, 'VM')} moved, ${stayed.length} stayed.`, moved, stayed };
}

function morningPanel(op: Operation | undefined): HTMLElement {
  if (!op) return h('p', { class: 'muted' }, 'No rebalance after the recent wakes. The pool’s afterWake policy spreads the VMs back after each wake: restore (each VM to where it ran before the sleep) or balance (even out the measured load); none leaves them where the night put them.');
  const m = morningSummary(op);
  return h(
    'div',
    { 'data-operation': op.operationId, 'data-state': op.state },
    h('p', { class: 'morning-summary' }, m.text),
    m.moved.length ? h('ul', { class: 'moved' }, m.moved.map((x) => h('li', {}, x))) : null,
    m.stayed.length ? h('div', {}, h('h3', {}, 'Stayed, and why'), h('ul', { class: 'stayed' }, m.stayed.map((x) => h('li', {}, x)))) : null,
  );
}

function planText(plan: SleepPlan): HTMLElement {
  const waves = new Set(plan.migrations.map((m) => m.wave)).size;
  return h(
    'div',
    { class: 'plan-text' },
    h('h3', {}, 'The plan in words'),
    plan.sleep.length
      ? h(
          'ol',
          { class: 'sleepers' },
          plan.sleep.map((id) => {
            const moves = plan.migrations.filter((m) => m.from === id);
            return h(
              'li',
              { 'data-sleeps': id },
              h('strong', {}, id),
              ` sleeps${moves.length ? `; its ${plural(moves.length, 'VM')} move first:` : '; it is empty already.'}`,
              moves.length ? h('ul', {}, moves.map((m) => h('li', {}, `${m.vmId} (${gib(m.memoryBytes)}) → ${m.to}, wave ${m.wave}`))) : null,
            );
          }),
        )
      : h('p', {}, `Nothing sleeps: ${plan.why ?? 'every host is needed'}.`),
    h('h3', {}, 'Why the others stay on'),
    h('ul', { class: 'keepers' }, plan.keep.map((k) => h('li', { 'data-keeps': k.hostId }, h('strong', {}, k.hostId), `: ${k.reason}`))),
    h('p', { class: 'muted' }, `${plan.hostsOn} hosts stay on (the rules allow no fewer than ${plan.lowerBound}); ${plural(plan.migrations.length, 'migration')} in ${plural(waves, 'wave')} move ${gib(plan.migratedBytes)}.`),
  );
}

export const nightView: View = (app, root, life, params) => {
  const heading = h('h1', { tabindex: -1 }, 'Tonight');
  const chooser = h('div');
  const planBox = h('div', { class: 'plan' }, h('p', { class: 'muted' }, 'Working out the plan…'));
  const actions = h('div', { class: 'actions' });
  const result = h('div');
  const running = h('div', { 'aria-live': 'polite' });
  const recent = h('div');
  const morning = h('div', { 'aria-live': 'polite' });
  const morningActions = h('div', { class: 'actions' });
  const morningResult = h('div');
  fill(
    root,
    heading,
    chooser,
    h('section', { 'aria-labelledby': 'plan-h' }, h('h2', { id: 'plan-h' }, 'The plan for the next sleep'), planBox, actions, result),
    h('section', { 'aria-labelledby': 'running-h' }, h('h2', { id: 'running-h' }, 'Running now'), running),
    h('section', { 'aria-labelledby': 'morning-h' }, h('h2', { id: 'morning-h' }, 'The morning after: rebalance'), morning, morningActions, morningResult),
    h('section', { 'aria-labelledby': 'recent-h' }, h('h2', { id: 'recent-h' }, 'Recent operations'), recent),
  );

  let poolId = params[0];
  let plan: SleepPlan | undefined;
  let detail: PoolDetail | undefined;
  let busy = false;
  // An operation running on the pool holds its hosts: no second one can start meanwhile.
  let poolBusy = false;
  let lastAsleep = 0;

  /** Read and draw the plan; false when it could not be read (the error is shown). */
  const loadPlan = async (): Promise<boolean> => {
    if (!poolId) return true;
    try {
      [plan, detail] = await Promise.all([app.api.plan(poolId), app.api.pool(poolId)]);
    } catch (e) {
      // The first read is retried by the start-up poller; a later one (after a run) waits for this button.
      fill(
        planBox,
        errorBox(e instanceof ApiFailure ? `${e.message} (${e.code})` : String(e), 'Could not work out the plan'),
        h('p', {}, h('button', { type: 'button', onclick: () => void loadPlan() }, 'Work out the plan again')),
      );
      return false;
    }
    const asleep = detail.hosts.filter((x) => x.sleepState === 'asleep' || x.power === 'off').length;
    fill(
      planBox,
      h(
        'p',
        { class: 'plan-summary' },
        planSummary(plan, detail.hosts.length),
        asleep ? ` ${asleep} asleep or off already.` : '',
      ),
      h('div', { class: 'picture-wrap' }, planPicture(plan, detail.hosts)),
      planText(plan),
      h('p', {}, h('button', { type: 'button', onclick: () => void loadPlan() }, 'Work out the plan again'), h('span', { class: 'muted' }, ` worked out ${new Date().toLocaleTimeString('en-GB')}`)),
    );
    paintActions(asleep);
    return true;
  };

  const paintActions = (asleep: number): void => {
    lastAsleep = asleep;
    if (!app.canOperate || !plan || !poolId) return;
    const id = poolId;
    const current = plan;
    fill(
      actions,
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'data-mutates': 'true',
          'data-action': 'sleep-pool',
          disabled: busy || poolBusy || current.sleep.length === 0,
          onclick: () =>
            void run('sleep', id, {
              title: `Put ${plural(current.sleep.length, 'host')} of ${id} to sleep now?`,
              body: h('p', {}, `${current.sleep.join(', ')} will be disabled, emptied (${plural(current.migrations.length, 'live migration')}), shut down and switched off. ${current.keep.map((k) => k.hostId).join(', ')} stay on.`),
              confirmLabel: 'Put them to sleep',
            }),
        },
        current.sleep.length ? `Run the plan: sleep ${plural(current.sleep.length, 'host')}…` : 'Nothing to put to sleep',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'data-mutates': 'true',
          'data-action': 'wake-pool',
          disabled: busy || poolBusy || asleep === 0,
          onclick: () => void run('wake', id, { title: `Wake ${id} now?`, body: h('p', {}, 'Every sleeping host is powered on in small groups, waits to be live and is enabled again.'), confirmLabel: 'Wake the pool' }),
        },
        'Wake the pool…',
      ),
      poolBusy ? h('p', { class: 'hint' }, 'An operation is running on this pool; the buttons come back when it ends.') : null,
    );
    fill(
      morningActions,
      h(
        'button',
        {
          type: 'button',
          'data-mutates': 'true',
          'data-action': 'rebalance-pool',
          disabled: busy || poolBusy,
          onclick: () => void rebalance(id),
        },
        'Rebalance now…',
      ),
    );
  };

  const rebalance = async (id: string): Promise<void> => {
    busy = true;
    paintActions(lastAsleep);
    try {
      const said = await rebalanceNow(app, id, morningResult);
      if (said !== null) {
        app.announce(said);
        ops.kick();
      }
    } finally {
      busy = false;
      paintActions(lastAsleep);
    }
  };

  const run = async (what: 'sleep' | 'wake', id: string, ask: { title: string; body: HTMLElement; confirmLabel: string }): Promise<void> => {
    const reason = await askReason({ ...ask, danger: what === 'sleep' });
    if (reason === null) return;
    busy = true;
    paintActions(lastAsleep);
    try {
      const r = what === 'sleep' ? await app.api.sleepPool(id, reason) : await app.api.wakePool(id, reason);
      const text = r.operation ? `Started: operation ${r.operation.id.slice(0, 8)}. Its steps show below as they happen.` : 'Nothing to do: the plan was empty.';
      fill(result, h('p', { class: 'notice ok', role: 'status' }, text));
      app.announce(text);
      ops.kick();
    } catch (e) {
      const f = e instanceof ApiFailure ? `${e.message} (${e.code})` : String(e);
      fill(result, errorBox(f, what === 'sleep' ? 'The pool did not go to sleep' : 'The pool did not wake'));
      app.announce(f);
    } finally {
      busy = false;
      await loadPlan();
    }
  };

  const ops = followPoolOperations(app, life, () => poolId, running, recent, morning, (count) => {
    const was = poolBusy;
    poolBusy = count > 0;
    if (was && !poolBusy) void loadPlan();
    else if (was !== poolBusy) paintActions(lastAsleep);
  });

  // The pools and the plan, read until both come: a failure is shown and asked again within
  // seconds (the poller's retry), then this poller stops; later changes reload the plan themselves.
  let chosen = false;
  life.untilDone(async () => {
    if (!chosen) {
      let pools: PoolSummary[] = [];
      try {
        pools = await app.api.pools();
      } catch (e) {
        fill(planBox, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the pools'));
        throw e;
      }
      chosen = true;
      poolId ??= pools[0]?.id;
      if (!poolId) {
        fill(planBox, h('p', {}, 'There are no pools yet.'));
        return;
      }
      heading.textContent = `Tonight: ${pools.find((p) => p.id === poolId)?.name ?? poolId}`;
      if (pools.length > 1) {
        const select = h('select', { id: 'night-pool' }, pools.map((p) => h('option', { value: p.id, selected: p.id === poolId }, p.name)));
        select.addEventListener('change', () => (location.hash = `#/night/${encodeURIComponent(select.value)}`));
        fill(chooser, h('label', { for: 'night-pool' }, 'Pool '), select);
      }
      ops.kick();
    }
    if (!(await loadPlan())) throw new Error('the plan could not be read');
  }, 30_000);
};

/** Running operations of the pool with live steps; the last few finished ones below. */
function followPoolOperations(app: App, life: Lifetime, poolOf: () => string | undefined, running: HTMLElement, recent: HTMLElement, morning: HTMLElement, onRunning: (count: number) => void): { kick(): void } {
  let shownMorning: string | undefined;
  const wasRunning = new Set<string>();
  let shownRecent: string | undefined;
  return life.poll(async () => {
    const pool = poolOf();
    if (!pool) return;
    let list: Operation[];
    try {
      list = await app.api.operations(pool, 15);
    } catch (e) {
      fill(running, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the operations'));
      throw e;
    }
    const live = list.filter((o) => !isFinished(o));
    const full = await Promise.all(live.map((o) => app.api.operation(o.operationId).catch(() => o)));
    fill(running, full.length ? full.map(renderOperation) : h('p', { class: 'muted' }, 'Nothing is running.'));
    for (const id of [...wasRunning]) {
      if (!live.some((o) => o.operationId === id)) {
        wasRunning.delete(id);
        const done = list.find((o) => o.operationId === id);
        if (done) app.announce(`Operation ${done.kind} ${done.state}.`);
      }
    }
    for (const o of live) wasRunning.add(o.operationId);
    onRunning(live.length);
    const rebalance = list.find((o) => o.kind === 'rebalance');
    const morningSig = rebalance ? rebalance.operationId + rebalance.state : '';
    if (morningSig !== shownMorning) {
      shownMorning = morningSig;
      fill(morning, morningPanel(rebalance));
    }
    const finished = list.filter(isFinished).slice(0, 8);
    const sig = finished.map((o) => o.operationId + o.state).join();
    if (sig !== shownRecent) {
      shownRecent = sig;
      fill(
        recent,
        finished.length
          ? h('ul', { class: 'op-list' }, finished.map((o) => h('li', { 'data-operation': o.operationId, 'data-state': o.state }, h('strong', {}, operationSummary(o)), ` · ${ago(o.createdAt)} · ${o.actor} · “${o.reason}”`)))
          : h('p', { class: 'muted' }, 'None yet.'),
      );
    }
  }, 1000);
}
