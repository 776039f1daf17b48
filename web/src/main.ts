/**
 * The dashboard's entry: find the caller's key (#key=... or the one saved before), ask the API who
 * that is (GET /v1/me) so only the buttons the role allows are drawn, then route on the fragment:
 * #/fleet, #/hosts/<id>, #/night[/<pool>], #/energy, #/schedules, #/import (add a pool).
 */
import type { App, View } from './app.ts';
import { Api, ApiFailure, saveKey, splitKey, takeKeyFromLocation } from './api.ts';
import { fill, h } from './dom.ts';
import { Lifetime } from './poll.ts';
import { energyView } from './views/energy.ts';
import { fleetView } from './views/fleet.ts';
import { hostView } from './views/host.ts';
import { importView } from './views/import.ts';
import { nightView } from './views/night.ts';
import { schedulesView } from './views/schedules.ts';

const ROUTES: Array<{ path: string; label: string; view: View; nav: boolean }> = [
  { path: 'fleet', label: 'Fleet', view: fleetView, nav: true },
  { path: 'night', label: 'Night', view: nightView, nav: true },
  { path: 'energy', label: 'Energy', view: energyView, nav: true },
  { path: 'schedules', label: 'Schedules', view: schedulesView, nav: true },
  { path: 'hosts', label: 'Host', view: hostView, nav: false },
  { path: 'import', label: 'Add a pool', view: importView, nav: false },
];

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
const live = document.getElementById('announce') as HTMLElement;

function announce(text: string): void {
  // A fresh node each time, so the same words twice are read twice.
  fill(live, h('span', {}, text));
}

function route(): { path: string; params: string[] } {
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  return { path: parts[0] ?? 'fleet', params: parts.slice(1) };
}

function keyForm(message: string, api: Api): void {
  const input = h('input', { id: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: false });
  const form = h(
    'form',
    { class: 'key-form' },
    h('h1', { tabindex: -1 }, 'An API key is needed'),
    h('p', { role: 'alert' }, message),
    h('label', { for: 'key' }, 'API key'),
    input,
    h('p', { class: 'hint' }, 'The local runner prints its keys at start and writes them to api-keys.json in its state folder. The key stays in this browser.'),
    h('button', { type: 'submit', class: 'primary' }, 'Use this key'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saveKey(localStorage, input.value.trim());
    api.setKey(input.value.trim());
    void start(api);
  });
  fill(main, form);
  fill(nav);
  fill(who);
  input.focus();
}

let life: Lifetime | undefined;

function show(app: App): void {
  life?.end();
  life = new Lifetime();
  const { path, params } = route();
  const r = ROUTES.find((x) => x.path === path) ?? ROUTES[0];
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.path === (r.nav ? r.path : 'fleet')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  r.view(app, main, life, params);
  document.title = `${r.label}${params[0] ? ` ${params[0]}` : ''} · lowpower`;
  main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
}

async function start(api: Api): Promise<void> {
  fill(main, h('p', { class: 'muted' }, 'Connecting…'));
  let me;
  try {
    me = await api.me();
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) return keyForm(e.message, api);
    fill(main, h('div', { class: 'notice error', role: 'alert' }, `The API did not answer: ${e instanceof ApiFailure ? e.message : String(e)}. `, h('button', { type: 'button', onclick: () => void start(api) }, 'Try again')));
    return;
  }
  const app: App = { api, me, canOperate: me.role !== 'viewer', isAdmin: me.role === 'admin', announce };
  fill(
    nav,
    h('ul', {}, ROUTES.filter((r) => r.nav).map((r) => h('li', {}, h('a', { href: `#/${r.path}`, 'data-path': r.path }, r.label)))),
  );
  fill(
    who,
    h('span', { class: 'role', 'data-role': me.role }, me.role),
    h('span', { class: 'actor' }, me.actor),
    h('button', { type: 'button', class: 'link', onclick: () => keyForm('Give another key.', api) }, 'Change key'),
  );
  document.body.dataset.role = me.role;
  window.onhashchange = () => {
    // A link with another key, pasted into this tab: take it and start again as that caller.
    if (splitKey(location.hash).key) {
      api.setKey(takeKeyFromLocation(location, localStorage, history));
      void start(api);
      return;
    }
    show(app);
  };
  show(app);
}

// The skip link focuses the content without touching the fragment, which is the route.
document.querySelector('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

void start(new Api(takeKeyFromLocation(location, localStorage, history)));
