/**
 * Add a pool (admin): the pool's XAPI and credentials, where its BMCs are and their credentials; a
 * dry run shows the proposed table (host, BMC, protocol, match, what will be written), and a
 * confirm writes the matched hosts, bound. The passwords go to the API only; the page keeps none
 * once the import is done.
 */
import type { View } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { errorBox, fill, h } from '../dom.ts';
import type { ImportAnswer, ImportBody } from '../types.ts';

/** One labelled input with its hint (the hint is the input's description for screen readers). */
function field(id: string, label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  input.id = id;
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { class: 'import-field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
}

const MATCH_WORDS: Record<string, string> = {
  matched: 'matched by serial',
  'placeholder-serial': 'placeholder serial',
  'no-bmc': 'no BMC found',
  'no-host': 'no host with this serial',
  'duplicate-serial': 'two BMCs, one serial',
  'already-bound': 'already in lowpower',
  'bound-elsewhere': "another host's BMC",
  unreadable: 'identity not readable',
};

/** The table of an answer: one row per host and per BMC that matched no host. */
export function importTable(a: ImportAnswer): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'import-table' },
      h('caption', {}, a.dryRun ? 'Proposed: nothing is written until you confirm' : 'Imported'),
      h('thead', {}, h('tr', {}, ['Host', 'BMC', 'Protocol', 'Match', a.dryRun ? 'Will write' : 'Wrote'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        a.rows.map((r) =>
          h(
            'tr',
            { 'data-match': r.match, 'data-host': r.host ?? '' },
            h('th', { scope: 'row' }, r.host ?? '—'),
            h('td', {}, r.bmc ?? '—'),
            h('td', {}, r.protocol ?? '—'),
            h('td', { class: 'match' }, h('span', { title: MATCH_WORDS[r.match] ?? r.match }, r.match)),
            h('td', { class: 'write' }, r.write),
          ),
        ),
      ),
    ),
  );
}

export const importView: View = (app, root) => {
  const heading = h('h1', { tabindex: -1 }, 'Add a pool');
  if (!app.isAdmin) {
    fill(root, heading, h('p', { class: 'notice' }, `Adding a pool needs the admin role; you are ${app.me.role}.`), h('p', {}, h('a', { href: '#/fleet' }, 'Back to the fleet')));
    return;
  }
  const input = (attrs: Record<string, string | boolean>): HTMLInputElement => h('input', { autocomplete: 'off', spellcheck: false, ...attrs });
  const pool = input({ required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._:@+=\\-]{0,99}', placeholder: 'pool-1' });
  const xapiUrl = input({ type: 'url', placeholder: 'https://pool-master' });
  const xapiUser = input({ value: 'root' });
  const xapiPassword = input({ type: 'password', autocomplete: 'new-password' });
  const range = input({ required: true, placeholder: '10.20.0.0/24' });
  const bmcUser = input({ required: true, placeholder: 'admin' });
  const bmcPassword = input({ type: 'password', required: true, autocomplete: 'new-password' });
  const protocol = h('select', {}, ['auto', 'ipmi', 'redfish'].map((p) => h('option', { value: p }, p)));
  // Set through the CSSOM: the page's CSP refuses style attributes.
  Object.assign(protocol.style, { display: 'block', font: 'inherit', padding: '0.45rem', borderRadius: '6px' });
  const dryRun = h('button', { type: 'submit', class: 'primary' }, 'Dry run');
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const result = h('section', { class: 'import-result', 'aria-label': 'Import table' });
  const form = h(
    'form',
    // The key form's look (labelled full-width inputs in a column) serves this form too.
    { class: 'key-form import-form' },
    h('fieldset', {}, h('legend', {}, 'The pool (XAPI)'), field('imp-pool', 'Pool id', pool, 'How lowpower names the pool.'), field('imp-xapi', 'XAPI URL', xapiUrl, 'The pool master. Needed for a new pool; an existing pool keeps its own.'), field('imp-xapi-user', 'XAPI user', xapiUser), field('imp-xapi-password', 'XAPI password', xapiPassword, 'Needed for a new pool; kept in the secret store.')),
    h(
      'fieldset',
      {},
      h('legend', {}, 'The BMCs'),
      field('imp-range', 'BMC range', range, 'A network (10.20.0.0/24), a span (10.20.0.21-10.20.0.36), addresses (10.20.0.7, bmc-7.lan:623) or HOST:PORT-PORT; at most 1,024 addresses. Each gets a presence ping first; the credentials go only to those that answer as a BMC.'),
      field('imp-bmc-user', 'BMC user', bmcUser),
      field('imp-bmc-password', 'BMC password', bmcPassword, 'Kept in the secret store, one copy per host added.'),
      field('imp-protocol', 'Protocol', protocol, 'auto asks the Redfish service root first, then the IPMI presence ping.'),
    ),
    h('div', { class: 'actions' }, dryRun),
  );
  fill(root, heading, h('p', { class: 'hint' }, "lowpower reads the pool's hosts from XAPI, finds the BMCs in the range and matches them by serial. Only matched hosts are added, bound to their BMC; the rest are listed with the command that adds each by hand."), form, status, result);

  /** The request as the form says now; the confirm sends the one its dry run showed. */
  const body = (): ImportBody => ({
    xapi: xapiUrl.value || xapiPassword.value ? { url: xapiUrl.value || undefined, user: xapiUser.value || undefined, password: xapiPassword.value || undefined } : undefined,
    bmcRange: range.value.trim(),
    bmcUser: bmcUser.value,
    bmcPassword: bmcPassword.value,
    protocol: protocol.value as 'auto' | 'ipmi' | 'redfish',
  });
  let busy = false;
  const run = async (poolId: string, b: ImportBody, dry: boolean): Promise<ImportAnswer | undefined> => {
    busy = true;
    dryRun.disabled = true;
    fill(status, h('p', { class: 'muted' }, dry ? 'Looking for the BMCs…' : 'Adding the matched hosts…'));
    try {
      return await app.api.importPool(poolId, { ...b, dryRun: dry });
    } catch (e) {
      fill(status, errorBox(e instanceof ApiFailure ? `${e.message} (${e.code})` : String(e), dry ? 'The dry run failed' : 'The import failed'));
      return undefined;
    } finally {
      busy = false;
      dryRun.disabled = false;
    }
  };

  const showConfirm = (poolId: string, b: ImportBody, a: ImportAnswer): void => {
    const hosts = a.changes.filter((c) => c.what === 'host').length;
    const confirm = h('button', { type: 'button', class: 'primary', 'data-mutates': 'true' }, `Confirm: add ${hosts === 1 ? 'the matched host' : `the ${hosts} matched hosts`}${a.pool.existed ? '' : ` and pool ${poolId}`}`);
    confirm.addEventListener('click', async () => {
      if (busy) return;
      confirm.disabled = true;
      const done = await run(poolId, b, false);
      if (!done) {
        confirm.disabled = false;
        return;
      }
      xapiPassword.value = '';
      bmcPassword.value = '';
      const added = done.changes.filter((c) => c.what === 'host').length;
      const text = done.changes.length ? `Added ${done.pool.existed ? '' : `pool ${poolId} and `}${added === 1 ? '1 host' : `${added} hosts`}, bound.` : 'Nothing changed: everything matched was there already.';
      fill(status, h('p', { class: 'notice ok' }, text, ' ', h('a', { href: '#/fleet' }, 'See the fleet')));
      app.announce(text);
      showAnswer(poolId, b, done);
    });
    const changes = a.changes.length ? h('ul', { class: 'import-changes' }, a.changes.map((c) => h('li', {}, c.change))) : h('p', {}, 'Nothing to change: every matched host is in lowpower already.');
    result.append(h('h2', {}, 'Confirm'), changes);
    if (a.changes.length) result.append(h('div', { class: 'actions' }, confirm));
  };

  const showAnswer = (poolId: string, b: ImportBody, a: ImportAnswer): void => {
    const byHand = [...new Set(a.rows.map((r) => r.byHand).filter((x): x is string => !!x))];
    fill(
      result,
      h('h2', {}, a.dryRun ? 'Proposed' : 'Result'),
      h('p', { class: 'summary import-summary' }, `${a.summary}. Probed ${a.probed} address${a.probed === 1 ? '' : 'es'}, ${a.answered} answered as a BMC.`),
      a.pool.note ? h('p', { class: 'notice' }, a.pool.note) : null,
      importTable(a),
      byHand.length ? h('details', { class: 'by-hand' }, h('summary', {}, `Not added: add by hand (${byHand.length})`), h('pre', {}, byHand.join('\n'))) : null,
    );
    if (a.dryRun) showConfirm(poolId, b, a);
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy || !form.reportValidity()) return;
    const poolId = pool.value.trim();
    const b = body();
    fill(result);
    const a = await run(poolId, b, true);
    if (!a) return;
    fill(status, h('p', {}, 'Dry run done: nothing was written.'));
    app.announce(`Dry run done: ${a.summary}`);
    showAnswer(poolId, b, a);
  });
  // A changed form needs a new dry run: the confirm shown belongs to the old one.
  form.addEventListener('input', () => {
    if (!busy && result.querySelector('[data-mutates]')) fill(result, h('p', { class: 'hint' }, 'The form changed: run the dry run again to see what will be written.'));
  });
};
