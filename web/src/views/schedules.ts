/**
 * Schedules: the week ahead per pool as a timeline in the pool's time zone (sleep ▼ and wake ▲
 * times, the nights asleep shaded, skipped runs struck through, a hold drawn as a band), the
 * exceptions in words, and (operator) skip tonight and hold awake; (admin) clear them.
 */
import type { App, View } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { askReason } from '../dialog.ts';
import { errorBox, fill, h } from '../dom.ts';
import { dateTime, dayLabel } from '../format.ts';
import type { PoolSummary, ScheduleView } from '../types.ts';
import { nextSleep, weekAhead, type Week, type WeekEvent } from '../week.ts';
import { localDate, resolveLocal, wallClockAt } from '../../../lib/schedules/zoned.ts';

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

function eventMark(e: WeekEvent): HTMLElement {
  const el = h(
    'li',
    { class: `event ${e.direction} ${e.runs ? 'runs' : 'skipped'} ${e.x > 0.5 ? 'end' : 'start'}`, 'data-schedule': e.schedule, 'data-runs': String(e.runs), title: e.why ?? `${e.schedule}: ${e.action} at ${e.time}` },
    h('span', { 'aria-hidden': 'true' }, e.direction === 'down' ? '▼' : '▲'),
    ` ${e.time} ${e.action}`,
    e.runs ? '' : h('span', { class: 'skip-word' }, ' skipped'),
  );
  el.style.setProperty('--x', pct(e.x));
  return el;
}

export function weekTimeline(week: Week): HTMLElement {
  const swatch = (cls: string): HTMLElement => h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' });
  return h(
    'div',
    { class: 'week' },
    h('div', { class: 'week-hours', 'aria-hidden': 'true' }, h('span', {}), h('span', { class: 'hours' }, ['00', '06', '12', '18', '24'].map((x) => h('span', {}, x)))),
    week.days.map((d) => {
      const track = h('div', { class: 'track' });
      for (const sp of d.spans) {
        const band = h('span', { class: `span ${sp.kind}${sp.x1 - sp.x0 < 0.08 ? ' narrow' : ''}` }, sp.kind === 'held' ? 'held awake' : 'asleep');
        band.style.setProperty('--x0', pct(sp.x0));
        band.style.setProperty('--w', pct(sp.x1 - sp.x0));
        band.setAttribute('aria-hidden', 'true');
        track.append(band);
      }
      if (week.now >= d.start && week.now < d.end) {
        const now = h('span', { class: 'now', 'aria-hidden': 'true' });
        now.style.setProperty('--x', pct((week.now - d.start) / (d.end - d.start)));
        track.append(now);
      }
      const words = d.spans.map((sp) => (sp.kind === 'held' ? 'held awake' : 'asleep')).filter((w, i, a) => a.indexOf(w) === i);
      return h(
        'div',
        { class: 'day', role: 'group', 'aria-label': `${dayLabel(d.date)}${words.length ? `, ${words.join(' and ')} part of the day` : ''}`, 'data-date': d.date },
        h('span', { class: 'day-name' }, dayLabel(d.date)),
        h('div', { class: 'day-body' }, track, d.events.length ? h('ul', { class: 'events' }, d.events.map(eventMark)) : h('span', { class: 'no-events' }, 'nothing scheduled')),
      );
    }),
    h(
      'ul',
      { class: 'legend', 'aria-label': 'Legend' },
      h('li', {}, swatch('asleep'), 'asleep (a sleep ran, no wake yet)'),
      h('li', {}, swatch('held'), 'held awake'),
      h('li', {}, swatch('now-mark'), 'now'),
      h('li', {}, '▼ sleep · ▲ wake · ', h('s', {}, 'struck'), ' = will not run'),
    ),
  );
}

function exceptionsList(app: App, poolId: string, schedules: ScheduleView[], tz: string, changed: () => void): HTMLElement {
  const items: HTMLElement[] = [];
  const clear = (s: ScheduleView, key: 'skipOnce' | 'holdAwakeUntil', what: string): HTMLElement | null =>
    app.isAdmin
      ? h(
          'button',
          {
            type: 'button',
            class: 'link',
            'data-mutates': 'true',
            onclick: async () => {
              const reason = await askReason({ title: `Clear ${what} on ${s.name}?`, body: h('p', {}, `${s.name} runs as usual again.`), confirmLabel: 'Clear' });
              if (reason === null) return;
              const exceptions = { ...s.exceptions };
              delete exceptions[key];
              try {
                await app.api.patchSchedule(poolId, s.name, { exceptions, version: s.version });
                app.announce(`${what} cleared on ${s.name}`);
              } catch (e) {
                app.announce(`Could not clear: ${e instanceof ApiFailure ? e.message : String(e)}`);
              }
              changed();
            },
          },
          `Clear ${what}…`,
        )
      : null;
  for (const s of schedules) {
    const e = s.exceptions;
    if (e.skipOnce) items.push(h('li', { 'data-exception': 'skip' }, h('strong', {}, `${s.name}: skip once`), ` on ${dayLabel(e.skipOnce.date)}${e.skipOnce.reason ? ` — ${e.skipOnce.reason}` : ''} `, clear(s, 'skipOnce', 'the skip')));
    if (e.holdAwakeUntil && Date.parse(e.holdAwakeUntil.until) > Date.now())
      items.push(h('li', { 'data-exception': 'hold' }, h('strong', {}, `${s.name}: held awake`), ` until ${dateTime(e.holdAwakeUntil.until, tz)}${e.holdAwakeUntil.reason ? ` — ${e.holdAwakeUntil.reason}` : ''} `, clear(s, 'holdAwakeUntil', 'the hold')));
    for (const k of e.keepOff ?? []) items.push(h('li', {}, h('strong', {}, `${s.name}: ${k.hostId} kept off`), ` until ${dayLabel(k.until)}${k.reason ? ` — ${k.reason}` : ''}`));
    for (const c of e.calendar ?? []) items.push(h('li', {}, h('strong', {}, `${s.name}: ${dayLabel(c.date)}`), ` ${c.kind === 'skip' ? 'no run' : `${c.action ?? '?'} instead`}${c.label ? ` (${c.label})` : ''}`));
  }
  return items.length ? h('ul', { class: 'exceptions' }, items) : h('p', { class: 'muted' }, 'No exceptions: every schedule runs as written.');
}

/** "2026-11-27T06:00" (a datetime-local value) in `tz` as an ISO instant. */
export function localInputToIso(value: string, tz: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const r = resolveLocal({ year, month, day, hour, minute, second: 0 }, tz);
  return new Date(r.kind === 'single' ? r.instant : r.kind === 'ambiguous' ? r.earlier : r.after).toISOString();
}

function toLocalInput(at: number, tz: string): string {
  const w = wallClockAt(at, tz);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${localDate(at, tz)}T${p(w.hour)}:${p(w.minute)}`;
}

function poolSection(app: App, pool: PoolSummary, schedules: ScheduleView[], now: number, asleepNow: boolean, result: HTMLElement, changed: () => void): HTMLElement {
  const drawnTz = schedules.find((s) => s.action === 'sleep' || s.action === 'power-off')?.timezone ?? schedules.find((s) => s.action !== 'poll-sensors')?.timezone ?? 'UTC';
  const week = weekAhead(schedules, drawnTz, now, { asleepNow });
  const next = nextSleep(week);
  const nextUp = week.days.flatMap((d) => d.events).find((e) => e.direction === 'up' && e.runs && (!next || e.at > next.at));
  const act = async (f: () => Promise<string>): Promise<void> => {
    try {
      const text = await f();
      fill(result, h('p', { class: 'notice ok', role: 'status' }, text));
      app.announce(text);
    } catch (e) {
      fill(result, errorBox(e instanceof ApiFailure ? `${e.message} (${e.code})` : String(e), 'Not changed'));
    }
    changed();
  };
  const buttons = app.canOperate
    ? h(
        'div',
        { class: 'actions' },
        next
          ? h(
              'button',
              {
                type: 'button',
                'data-mutates': 'true',
                'data-action': 'skip',
                onclick: async () => {
                  const reason = await askReason({ title: `Skip ${next.schedule} on ${dateTime(next.at, drawnTz)}?`, body: h('p', {}, `The pool stays awake that night; ${next.schedule} runs again the night after.`), confirmLabel: 'Skip it' });
                  if (reason !== null) await act(async () => `Skipped: ${(await app.api.skipNext(pool.id, next.schedule, reason)).schedule.name} on ${dateTime(next.at, drawnTz)}`);
                },
              },
              `Skip the next sleep (${dateTime(next.at, drawnTz, false)})…`,
            )
          : null,
        h(
          'button',
          {
            type: 'button',
            'data-mutates': 'true',
            'data-action': 'hold',
            onclick: async () => {
              const input = h('input', { type: 'datetime-local', id: `hold-${pool.id}`, required: true });
              input.value = toLocalInput(nextUp?.at ?? now + 86_400_000, drawnTz);
              const field = h('div', {}, h('label', { for: `hold-${pool.id}` }, `Hold awake until (${drawnTz} time)`), input);
              const reason = await askReason({
                title: `Hold ${pool.name} awake?`,
                body: h('p', {}, 'No sleep runs before this time; the schedules carry on after it.'),
                fields: [field],
                confirmLabel: 'Hold awake',
                validate: () => {
                  const iso = localInputToIso(input.value, drawnTz);
                  return !iso ? 'Give a date and time.' : Date.parse(iso) <= Date.now() ? 'That time has passed.' : undefined;
                },
              });
              const until = localInputToIso(input.value, drawnTz);
              if (reason !== null && until) await act(async () => `Held awake until ${dateTime((await app.api.hold(pool.id, until, reason)).until, drawnTz)}`);
            },
          },
          'Hold awake until…',
        ),
      )
    : null;
  return h(
    'section',
    { class: 'schedule-pool', 'data-pool': pool.id },
    h('h2', {}, `${pool.name}: the week ahead`),
    h('p', { class: 'muted' }, `Times in ${drawnTz}. ${next ? `Next sleep: ${dateTime(next.at, drawnTz)} (${next.schedule}).` : 'No sleep in the next 7 days.'}`),
    weekTimeline(week),
    h('h3', {}, 'Exceptions'),
    exceptionsList(app, pool.id, schedules, drawnTz, changed),
    buttons,
    h(
      'details',
      {},
      h('summary', {}, `All schedules (${schedules.length})`),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ['Name', 'Action', 'When', 'Zone', 'Enabled', 'Next'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, schedules.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.name), h('td', {}, s.action), h('td', {}, h('code', {}, s.expression)), h('td', {}, s.timezone), h('td', {}, s.enabled ? 'yes' : 'no'), h('td', {}, s.nextFire ? dateTime(s.nextFire, s.timezone) : '—')))),
        ),
      ),
    ),
  );
}

export const schedulesView: View = (app, root, life) => {
  const box = h('div', {}, h('p', { class: 'muted' }, 'Reading the schedules…'));
  const result = h('div');
  fill(root, h('h1', { tabindex: -1 }, 'Schedules'), result, box);
  let shown = '';
  const refresh = life.poll(async () => {
    try {
      const pools = await app.api.pools();
      const all = await Promise.all(pools.map((p) => app.api.schedules(p.id)));
      // Repaint on a change (or a new minute), so focus and open details stay put.
      const now = Date.now();
      const sig = JSON.stringify([all, Math.floor(now / 60_000), pools.map((p) => p.asleep)]);
      if (sig === shown) return;
      shown = sig;
      fill(box, pools.map((p, i) => poolSection(app, p, all[i], now, p.asleep > 0, result, () => refresh.kick())));
    } catch (e) {
      fill(box, errorBox(e instanceof ApiFailure ? e.message : String(e), 'Could not read the schedules'));
      throw e;
    }
  }, 15_000);
};
