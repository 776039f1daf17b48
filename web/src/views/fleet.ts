/**
 * The fleet at a glance: every pool, every host as a tile (state in a word and a symbol, hottest
 * temperature, draw in watts), refreshed by polling. A tile is a link to the host's detail.
 */
import { eachLimited, type View } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { errorBox, fill, h } from '../dom.ts';
import { ago, celsius, plural, watts } from '../format.ts';
import { tileView, type TileView } from '../host-state.ts';
import type { Alert, HostSummary, Operation, PoolSummary, Reading } from '../types.ts';

/** How a host's power is reached, in words. */
export const protocolName = (p: string): string => (p === 'redfish' ? 'Redfish' : p === 'xapi' ? 'XAPI (no BMC)' : 'IPMI');

interface Tile {
  el: HTMLAnchorElement;
  sym: HTMLElement;
  label: HTMLElement;
  temp: HTMLElement;
  draw: HTMLElement;
  note: HTMLElement;
  view?: TileView;
}

export function makeTile(host: HostSummary): Tile {
  const sym = h('span', { class: 'sym', 'aria-hidden': 'true' });
  const label = h('span', { class: 'state-label' });
  const temp = h('span', { class: 'metric-value' });
  const draw = h('span', { class: 'metric-value' });
  const note = h('span', { class: 'tile-note' });
  const el = h(
    'a',
    { class: 'tile', href: `#/hosts/${encodeURIComponent(host.id)}`, 'data-host': host.id },
    h(
      'span',
      { class: 'tile-head' },
      h('span', { class: 'host-id' }, host.id),
      h('span', { class: 'badge protocol', title: `power through ${protocolName(host.protocol)}` }, host.protocol),
      host.isMaster ? h('span', { class: 'badge' }, 'master') : null,
    ),
    h('span', { class: 'tile-state' }, sym, ' ', label),
    h('span', { class: 'tile-metrics' }, h('span', { class: 'metric temp' }, temp, h('span', { class: 'metric-name' }, 'hottest')), h('span', { class: 'metric draw' }, draw, h('span', { class: 'metric-name' }, 'draw'))),
    note,
  );
  return { el, sym, label, temp, draw, note };
}

export function paintTile(t: Tile, host: HostSummary, v: TileView): void {
  t.el.dataset.state = v.state;
  t.el.className = `tile state-${v.state}${v.hot ? ' hot' : ''}`;
  t.sym.textContent = v.symbol;
  t.label.textContent = v.label;
  t.temp.textContent = `${v.hot ? '🔥 ' : ''}${celsius(v.hottestC)}`;
  t.draw.textContent = watts(v.watts);
  t.note.textContent = v.note ?? '';
  t.note.hidden = !v.note;
  t.el.title = v.readingAt ? `reading ${ago(v.readingAt)}; power seen ${ago(host.powerObservedAt)}` : `power seen ${ago(host.powerObservedAt)}`;
  const parts = [host.id, protocolName(host.protocol), host.isMaster ? 'pool master' : '', v.label, v.hottestC !== undefined ? `hottest ${celsius(v.hottestC)}` : '', v.watts !== undefined ? `drawing ${watts(v.watts)}` : '', v.hot ? 'too hot' : '', v.note ?? ''];
  t.el.setAttribute('aria-label', parts.filter(Boolean).join(', '));
  t.view = v;
}

export const fleetView: View = (app, root, life) => {
  const summary = h('p', { class: 'summary', 'aria-live': 'off' }, 'Loading the fleet…');
  const problems = h('div');
  const poolsBox = h('div', { class: 'pools' });
  // Admins onboard a pool from here: its hosts from XAPI, its BMCs found in a range.
  const addPool = app.isAdmin ? h('p', { class: 'add-pool' }, h('a', { href: '#/import' }, 'Add a pool')) : null;
  fill(root, h('h1', { tabindex: -1 }, 'Fleet'), summary, addPool, problems, poolsBox);

  const tiles = new Map<string, Tile>();
  const sections = new Map<string, { el: HTMLElement; head: HTMLElement; grid: HTMLElement }>();
  const readings = new Map<string, Reading | undefined>();
  const ops = new Map<string, Operation>();
  const alerts = new Map<string, Alert[]>();
  let pools: PoolSummary[] = [];
  let hosts: HostSummary[] = [];

  const section = (poolId: string): { el: HTMLElement; head: HTMLElement; grid: HTMLElement } => {
    let sec = sections.get(poolId);
    if (!sec) {
      const head = h('h2', { id: `pool-${poolId}` }, poolId);
      const grid = h('ul', { class: 'tiles', 'aria-labelledby': `pool-${poolId}` });
      sec = { el: h('section', { class: 'pool', 'data-pool': poolId }, head, grid), head, grid };
      sections.set(poolId, sec);
      poolsBox.append(sec.el);
    }
    return sec;
  };

  const paint = (): void => {
    let on = 0;
    let asleep = 0;
    let draw = 0;
    for (const host of hosts) {
      let t = tiles.get(host.id);
      if (!t) {
        t = makeTile(host);
        tiles.set(host.id, t);
        section(host.pool).grid.append(h('li', {}, t.el));
      }
      const op = host.operation ? ops.get(host.operation) : undefined;
      const v = tileView(host, { op, alerts: alerts.get(host.pool), reading: readings.get(host.id) });
      if (t.view && t.view.label !== v.label) app.announce(`${host.id}: ${v.label}`);
      paintTile(t, host, v);
      if (v.state === 'on') on++;
      if (v.label === 'Asleep') asleep++;
      if (v.state === 'on' && v.watts !== undefined) draw += v.watts;
    }
    for (const p of pools) {
      const mine = hosts.filter((x) => x.pool === p.id);
      section(p.id).head.textContent = `${p.name} · ${plural(mine.length, 'host')} · ${mine.filter((x) => x.power === 'on').length} on · ${mine.filter((x) => x.power === 'off').length} off`;
    }
    summary.textContent = `${plural(pools.length, 'pool')} · ${plural(hosts.length, 'host')} · ${on} on · ${asleep} asleep · drawing ${watts(draw)}`;
  };

  const fail = (what: string, e: unknown): void => {
    fill(problems, errorBox(e instanceof ApiFailure ? `${e.message} (${e.code})` : String(e), `Could not read ${what}`));
  };

  const fetchReadings = async (ids: string[]): Promise<void> => {
    await eachLimited(ids, 4, async (id) => {
      try {
        readings.set(id, (await app.api.host(id)).readings[0]);
      } catch {
        // a host that vanished; the next host list drops it
      }
    });
  };

  life.poll(async () => {
    try {
      const before = new Map(hosts.map((x) => [x.id, x.power]));
      hosts = await app.api.hosts();
      fill(problems);
      const busy = [...new Set(hosts.map((x) => x.operation).filter((o): o is string => !!o))];
      await eachLimited(
        busy.filter((id) => ops.get(id)?.state !== 'succeeded' && ops.get(id)?.state !== 'failed'),
        4,
        async (id) => {
          try {
            ops.set(id, await app.api.operation(id));
          } catch {
            // shown as plain "busy" until it can be read
          }
        },
      );
      // New tiles and hosts whose power just changed get a fresh reading now, the rest every 15 s.
      const changed = hosts.filter((x) => !readings.has(x.id) || (before.has(x.id) && before.get(x.id) !== x.power)).map((x) => x.id);
      if (changed.length) await fetchReadings(changed);
      paint();
    } catch (e) {
      fail('the hosts', e);
      throw e;
    }
  }, 1500);

  life.poll(async () => {
    try {
      pools = await app.api.pools();
      await Promise.all(pools.map(async (p) => alerts.set(p.id, await app.api.alerts(p.id).catch(() => []))));
      paint();
    } catch (e) {
      fail('the pools', e);
      throw e;
    }
  }, 10_000);

  let firstRound = true;
  life.poll(async () => {
    if (!firstRound) {
      await fetchReadings(hosts.map((x) => x.id));
      paint();
    }
    firstRound = false;
  }, 15_000);

};
