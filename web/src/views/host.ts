/**
 * One host: its state and power buttons (operator), the last hour's readings as charts, the live
 * sensors with their thresholds, its event log (SEL), and the operations that touched it.
 */
import type { App, View } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { lineChart } from '../charts.ts';
import { askReason } from '../dialog.ts';
import { errorBox, fill, h } from '../dom.ts';
import { ago, celsius, watts } from '../format.ts';
import { hottest, tileView } from '../host-state.ts';
import { protocolName } from './fleet.ts';
import { hostHistory } from './host-history.ts';
import { followOperation, isFinished, renderOperation } from '../operation-panel.ts';
import type { Lifetime } from '../poll.ts';
import type { Alert, HostPowerAction, HostSummary, Operation, Reading, Sensor } from '../types.ts';

const THRESHOLDS = ['lnr', 'lcr', 'lnc', 'unc', 'ucr', 'unr'] as const;
const THRESHOLD_NAME: Record<(typeof THRESHOLDS)[number], string> = {
  lnr: 'lower non-recoverable',
  lcr: 'lower critical',
  lnc: 'lower non-critical',
  unc: 'upper non-critical',
  ucr: 'upper critical',
  unr: 'upper non-recoverable',
};

const ACTIONS: Array<{ action: HostPowerAction; label: string; when: 'off' | 'on'; danger: boolean; says: string }> = [
  { action: 'on', label: 'Switch on', when: 'off', danger: false, says: 'powers the host on through its BMC' },
  { action: 'soft', label: 'Shut down', when: 'on', danger: true, says: 'asks the host to shut down cleanly (ACPI soft off)' },
  { action: 'off', label: 'Switch off', when: 'on', danger: true, says: 'cuts power at once through the BMC (only an empty host: never one with running VMs, never the pool master)' },
  { action: 'cycle', label: 'Power cycle', when: 'on', danger: true, says: 'switches the host off and on again' },
];

function failureText(e: unknown): { title: string; text: string } {
  if (!(e instanceof ApiFailure)) return { title: 'Failed', text: String(e) };
  if (e.code === 'refused') return { title: 'Refused by the safety guard', text: typeof e.extra.why === 'string' ? `${e.extra.why}. ${e.message}` : e.message };
  if (e.code === 'busy') return { title: 'Busy', text: e.message };
  if (e.status === 403) return { title: 'Not allowed', text: e.message };
  return { title: `Failed (${e.code})`, text: e.message };
}

/** Whether a sensor reading is past one of its thresholds, in words. */
export function thresholdState(sn: Sensor): string | undefined {
  const v = sn.value;
  const t = sn.thresholds;
  if (v === null) return undefined;
  if (t.unr !== undefined && v >= t.unr) return 'over upper non-recoverable';
  if (t.ucr !== undefined && v >= t.ucr) return 'over upper critical';
  if (t.unc !== undefined && v >= t.unc) return 'over upper non-critical';
  if (t.lnr !== undefined && v <= t.lnr) return 'under lower non-recoverable';
  if (t.lcr !== undefined && v <= t.lcr) return 'under lower critical';
  if (t.lnc !== undefined && v <= t.lnc) return 'under lower non-critical';
  return undefined;
}

function sensorsTable(list: Sensor[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'sensors' },
      h('caption', {}, 'Sensors, read live from the BMC'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Sensor'), h('th', { scope: 'col' }, 'Reading'), h('th', { scope: 'col' }, 'Status'), THRESHOLDS.map((k) => h('th', { scope: 'col' }, h('abbr', { title: THRESHOLD_NAME[k] }, k.toUpperCase()))))),
      h(
        'tbody',
        {},
        list.map((sn) => {
          const over = thresholdState(sn);
          return h(
            'tr',
            { class: over ? (/critical|recoverable/.test(over) && !/non-critical/.test(over) ? 'crit' : 'warn') : '' },
            h('th', { scope: 'row' }, sn.name, h('span', { class: 'sensor-type' }, ` ${sn.type}`)),
            h('td', { class: 'num' }, sn.value === null ? '—' : `${sn.value} ${sn.unit}`),
            h('td', {}, over ? `⚠ ${over}` : sn.status),
            THRESHOLDS.map((k) => h('td', { class: 'num' }, sn.thresholds[k] === undefined ? '' : String(sn.thresholds[k]))),
          );
        }),
      ),
    ),
  );
}

function readingCharts(readings: Reading[], sensors: Sensor[] | undefined): HTMLElement {
  const w = readings.filter((r) => typeof r.powerWatts === 'number').map((r) => ({ t: Date.parse(r.at), v: r.powerWatts as number }));
  const t = readings.map((r) => ({ t: Date.parse(r.at), v: hottest(r) })).filter((p): p is { t: number; v: number } => p.v !== undefined);
  const hottestName = readings[0]?.temperatures?.reduce((a, b) => (b.celsius > a.celsius ? b : a)).name;
  const ucr = sensors?.find((sn) => sn.name === hottestName)?.thresholds.ucr;
  return h(
    'div',
    { class: 'charts' },
    h('figure', {}, lineChart(w, { label: 'Power draw', unit: 'W' }), h('figcaption', {}, 'Power draw, last hour')),
    h('figure', {}, lineChart(t, { label: 'Hottest temperature', unit: '°C', refs: ucr !== undefined ? [{ value: ucr, label: `critical ${ucr} °C` }] : [] }), h('figcaption', {}, 'Hottest temperature, last hour')),
  );
}

function touches(op: Operation, hostId: string): boolean {
  const plan = op.params?.plan as { sleep?: unknown; wake?: unknown } | undefined;
  if (op.kind === 'pool-sleep' && Array.isArray(plan?.sleep)) return plan.sleep.includes(hostId);
  if (op.kind === 'pool-wake' && Array.isArray(plan?.wake)) return plan.wake.includes(hostId);
  return (op.hostIds ?? []).includes(hostId);
}

export const hostView: View = (app, root, life, params) => {
  const id = params[0] ?? '';
  const title = h('h1', { tabindex: -1 }, id);
  const state = h('p', { class: 'host-state' }, 'Loading…');
  const facts = h('dl', { class: 'facts' });
  const actions = h('div', { class: 'actions' });
  const actionResult = h('div', { class: 'action-result' });
  const charts = h('div');
  const sensorsBox = h('div', {}, h('p', { class: 'muted' }, 'Reading the sensors…'));
  const selBox = h('div', {}, h('p', { class: 'muted' }, 'Reading the event log…'));
  const opsBox = h('div', {}, h('p', { class: 'muted' }, 'Reading the operations…'));
  const history = hostHistory(app, life, id, () => host?.pool);
  fill(
    root,
    h('p', {}, h('a', { href: '#/fleet' }, '← Fleet')),
    title,
    state,
    facts,
    app.canOperate ? h('section', { 'aria-labelledby': 'power-h' }, h('h2', { id: 'power-h' }, 'Power'), actions, actionResult) : null,
    h('section', { 'aria-labelledby': 'readings-h' }, h('h2', { id: 'readings-h' }, 'Last readings'), charts),
    h('section', { 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h' }, 'Last days'), history.element),
    h('section', { 'aria-labelledby': 'sensors-h' }, h('h2', { id: 'sensors-h' }, 'Sensors'), sensorsBox),
    h('section', { 'aria-labelledby': 'sel-h' }, h('h2', { id: 'sel-h' }, 'Event log (SEL)'), selBox),
    h('section', { 'aria-labelledby': 'ops-h' }, h('h2', { id: 'ops-h' }, 'Operations on this host'), opsBox),
  );

  let host: HostSummary | undefined;
  let readings: Reading[] = [];
  let sensors: Sensor[] | undefined;
  let alerts: Alert[] = [];
  let op: Operation | undefined;
  let shownActionsFor = '';
  let acting = false;

  const paintActions = (): void => {
    if (!host || !app.canOperate) return;
    const key = `${host.power}|${host.operation ?? ''}|${acting}`;
    if (key === shownActionsFor) return;
    shownActionsFor = key;
    const applicable = ACTIONS.filter((a) => host?.power === 'unknown' || a.when === host?.power);
    fill(
      actions,
      applicable.map((a) =>
        h('button', { type: 'button', class: a.danger ? 'danger' : 'primary', 'data-mutates': 'true', 'data-action': a.action, disabled: acting || !!host?.operation, onclick: () => void act(a) }, `${a.label}…`),
      ),
      host.operation ? h('p', { class: 'hint' }, `Busy with operation ${host.operation.slice(0, 8)}; the buttons come back when it ends.`) : null,
    );
  };

  const act = async (a: (typeof ACTIONS)[number]): Promise<void> => {
    if (!host) return;
    const reason = await askReason({ title: `${a.label} ${host.id}?`, body: h('p', {}, `This ${a.says}.`), confirmLabel: a.label, danger: a.danger });
    if (reason === null) return;
    acting = true;
    paintActions();
    fill(actionResult, h('p', { class: 'muted' }, `Asking for ${a.action}…`));
    try {
      const r = await app.api.power(host.id, a.action, reason);
      const box = h('div');
      fill(actionResult, box);
      app.announce(`${a.label} ${host.id}: accepted`);
      await followOperation(app.api, life, box, r.operation.id, app.announce);
      refresh.kick();
    } catch (e) {
      const f = failureText(e);
      fill(actionResult, errorBox(f.text, f.title));
      app.announce(`${f.title}: ${f.text}`);
    } finally {
      acting = false;
      paintActions();
    }
  };

  const paint = (): void => {
    if (!host) return;
    const v = tileView(host, { op, alerts, reading: readings[0] });
    state.className = `host-state state-${v.state}`;
    state.dataset.state = v.state;
    fill(state, h('span', { class: 'sym', 'aria-hidden': 'true' }, v.symbol), ' ', h('strong', {}, v.label), v.note ? ` — ${v.note}` : '', v.hot ? ' — 🔥 too hot' : '');
    const fact = (k: string, val: string): HTMLElement[] => [h('dt', {}, k), h('dd', {}, val)];
    fill(
      facts,
      fact('Pool', host.pool),
      fact('Role', host.isMaster ? 'pool master' : 'member'),
      fact('BMC', host.bmc ?? '—'),
      fact('Protocol', `${protocolName(host.protocol)}${host.tls?.fingerprint256 ? ` (certificate ${host.tls.fingerprint256.slice(0, 23)}…, pinned ${ago(host.tls.pinnedAt)})` : ''}`),
      fact('Power', `${host.power}, seen ${ago(host.powerObservedAt)}${host.powerSource ? ` (${host.powerSource})` : ''}`),
      fact('XAPI', host.xenState ?? '—'),
      fact('Hottest', celsius(v.hottestC)),
      fact('Draw', watts(v.watts)),
    );
    fill(charts, readingCharts(readings, sensors));
    paintActions();
  };

  const refresh = life.poll(async () => {
    try {
      const r = await app.api.host(id);
      const first = !host;
      host = r.host;
      if (first) history.kick();
      readings = r.readings;
      title.textContent = host.id;
      op = host.operation ? await app.api.operation(host.operation).catch(() => undefined) : undefined;
      alerts = await app.api.alerts(host.pool).catch(() => []);
      paint();
    } catch (e) {
      fill(state, errorBox(e instanceof ApiFailure ? e.message : String(e), `Could not read ${id}`));
      throw e;
    }
  }, 2000);

  const readBmc = async <T>(box: HTMLElement, what: string, read: () => Promise<T>, show: (v: T) => HTMLElement): Promise<void> => {
    try {
      fill(box, show(await read()));
    } catch (e) {
      const text = e instanceof ApiFailure ? (e.status === 501 ? `${e.message}.` : `${e.message} (${e.code})`) : String(e);
      fill(box, h('p', { class: 'notice' }, `The ${what} could not be read: ${text}`));
      // Not implemented by this BMC (501) is its answer for good; anything else is asked again soon.
      if (!(e instanceof ApiFailure && e.status === 501)) throw e;
    }
  };
  life.poll(async () => {
    await readBmc(
      sensorsBox,
      'sensors',
      () => app.api.sensors(id),
      (list) => {
        sensors = list;
        paint();
        return list.length ? sensorsTable(list) : h('p', { class: 'muted' }, 'The BMC reports no sensors.');
      },
    );
  }, 30_000);
  life.poll(async () => {
    await readBmc(selBox, 'event log', () => app.api.sel(id), selTable);
  }, 30_000);
  pollOperations(app, life, id, opsBox, () => host?.pool);
};

function selTable(entries: import('../types.ts').SelEntry[]): HTMLElement {
  if (!entries.length) return h('p', { class: 'muted' }, 'The event log is empty.');
  const latest = [...entries].sort((a, b) => b.id - a.id).slice(0, 50);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'sel' },
      h('caption', {}, `Event log, newest first (${latest.length} of ${entries.length})`),
      h('thead', {}, h('tr', {}, ['#', 'When', 'Sensor', 'Event', 'Direction'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, latest.map((e) => h('tr', {}, h('td', { class: 'num' }, String(e.id)), h('td', {}, e.timestamp ? `${e.timestamp.replace('T', ' ').slice(0, 19)} (${ago(e.timestamp)})` : 'before clock set'), h('td', {}, e.sensor ?? '—'), h('td', {}, e.event), h('td', {}, e.direction ?? '—')))),
    ),
  );
}

function pollOperations(app: App, life: Lifetime, hostId: string, box: HTMLElement, poolOf: () => string | undefined): void {
  const open = new Set<string>();
  const details = new Map<string, Operation>();
  let shown = '';
  life.poll(async () => {
    const pool = poolOf();
    if (!pool) return;
    let list: Operation[];
    try {
      list = (await app.api.operations(pool, 100)).filter((o) => touches(o, hostId)).slice(0, 20);
    } catch (e) {
      fill(box, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the operations'));
      throw e;
    }
    for (const o of list) if (open.has(o.operationId) || !isFinished(o)) details.set(o.operationId, await app.api.operation(o.operationId).catch(() => o));
    // Repaint only on a change, so a focused summary keeps its focus.
    const sig = JSON.stringify(list.map((o) => [o.operationId, o.updatedAt, details.get(o.operationId)?.updatedAt]));
    if (sig === shown) return;
    shown = sig;
    if (!list.length) {
      fill(box, h('p', { class: 'muted' }, 'No operation has touched this host yet.'));
      return;
    }
    fill(
      box,
      h(
        'ul',
        { class: 'op-list' },
        list.map((o) => {
          const d = h(
            'details',
            { open: open.has(o.operationId) || !isFinished(o) },
            h('summary', {}, `${o.kind}${o.params?.action ? ` ${String(o.params.action)}` : ''} · ${o.state} · ${ago(o.createdAt)} · ${o.actor} · “${o.reason}”`),
            renderOperation(details.get(o.operationId) ?? o),
          );
          d.addEventListener('toggle', () => {
            if (!d.open) {
              open.delete(o.operationId);
              return;
            }
            open.add(o.operationId);
            void app.api.operation(o.operationId).then((full) => {
              details.set(o.operationId, full);
              d.querySelector('.operation')?.replaceWith(renderOperation(full));
            }, () => undefined);
          });
          return h('li', {}, d);
        }),
      ),
    );
  }, 3000);
}
