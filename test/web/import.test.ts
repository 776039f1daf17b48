/**
 * "Add a pool" in a real browser (Debian's chromium through playwright-core) against a local
 * runner started without a pool: the form, the dry run's proposed table (nothing written), the
 * confirm that adds the matched hosts bound, and the link from the fleet view (admins only).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { dashboardHandler } from '../../lib/local/static-files.ts';
import { freePort, REPO } from '../support/peers.ts';
import { ARTIFACTS, CHROMIUM } from './dashboard-harness.ts';

let runner: LocalRunner;
let browser: Browser;
const errors: string[] = [];

beforeAll(async () => {
  // A build of its own: the dashboard test may be building dist/web at the same time.
  const dist = mkdtempSync(join(tmpdir(), 'lowpower-web-import-'));
  await promisify(execFile)(process.execPath, [join(REPO, 'scripts/build-web.mjs'), '--outdir', dist], { cwd: REPO, timeout: 60_000 });
  mkdirSync(ARTIFACTS, { recursive: true });
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, noPool: true, log: () => undefined, notifier: async () => undefined, extra: [dashboardHandler(dist)] });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 90_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await runner?.stop();
}, 30_000);

async function open(role: 'admin' | 'viewer', hash: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  // Loopback only: the page may reach nothing but its own origin.
  await context.route(/.*/, (route) => (route.request().url().startsWith(runner.url) ? route.continue() : route.abort()));
  await page.goto(`${runner.url}/${hash}?key=${encodeURIComponent(runner.apiKeys[role])}`);
  return page;
}

describe('Add a pool, in chromium', () => {
  it('the fleet view links to it for admins only', async () => {
    const admin = await open('admin', '#/fleet');
    await admin.getByRole('link', { name: 'Add a pool' }).click();
    await admin.getByRole('heading', { name: 'Add a pool' }).waitFor();
    expect(admin.url()).toMatch(/#\/import$/);
    const viewer = await open('viewer', '#/fleet');
    await viewer.locator('.summary').waitFor();
    expect(await viewer.getByRole('link', { name: 'Add a pool' }).count()).toBe(0);
    await viewer.goto(`${runner.url}/#/import`);
    await viewer.getByText('Adding a pool needs the admin role; you are viewer.').waitFor();
    expect(await viewer.locator('form.import-form').count()).toBe(0);
    await admin.context().close();
    await viewer.context().close();
  });

  it('a dry run shows the proposed table and writes nothing; confirm adds the matched hosts bound', async () => {
    const page = await open('admin', '#/import');
    const xapiPassword = readFileSync(runner.passwordFiles?.xapi as string, 'utf8').trim();
    const first = runner.fleet.bmcs[0].port;
    await page.getByLabel('Pool id').fill('pool-1');
    await page.getByLabel('XAPI URL').fill(runner.xapi.url);
    await page.getByLabel('XAPI user').fill('root');
    await page.getByLabel('XAPI password').fill(xapiPassword);
    await page.getByLabel('BMC range').fill(`127.0.0.1:${first}-${first + 7}`);
    await page.getByLabel('BMC user').fill('admin');
    await page.getByLabel('BMC password').fill(runner.fleet.password);
    expect(await page.getByLabel('Protocol').inputValue()).toBe('auto');
    await page.getByRole('button', { name: 'Dry run' }).click();

    const rows = page.locator('table.import-table tbody tr');
    await rows.nth(5).waitFor({ timeout: 20_000 });
    expect(await page.locator('table.import-table caption').textContent()).toBe('Proposed: nothing is written until you confirm');
    const table = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    expect(table.map((r) => `${r[0]} ${r[2]} ${r[3]}`)).toEqual(['host-001 ipmi matched', 'host-002 redfish matched', 'host-003 ipmi matched', 'host-004 redfish matched', 'host-005 ipmi matched', 'host-006 redfish matched']);
    expect(table[0][4]).toMatch(/^add host-001 \(pool master\) with BMC 127\.0\.0\.1:\d+ over ipmi, bound$/);
    expect(await page.locator('.import-summary').textContent()).toBe('6 matched; would change: pool pool-1, schedule load, host host-001, host host-002, host host-003, host host-004, host host-005, host host-006. Probed 8 addresses, 6 answered as a BMC.');
    expect(await runner.store.listPools()).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'import-dry-run.png'), fullPage: true });

    await page.getByRole('button', { name: 'Confirm: add the 6 matched hosts and pool pool-1' }).click();
    await page.locator('p.notice.ok').waitFor({ timeout: 20_000 });
    expect(await page.locator('p.notice.ok').textContent()).toBe('Added pool pool-1 and 6 hosts, bound. See the fleet');
    expect(await page.locator('table.import-table caption').textContent()).toBe('Imported');
    expect(await page.locator('table.import-table tbody tr td.write').first().textContent()).toMatch(/^added host-001/);
    // The page keeps no password once the import is done.
    expect(await page.getByLabel('XAPI password').inputValue()).toBe('');
    expect(await page.getByLabel('BMC password').inputValue()).toBe('');
    const hosts = await runner.store.listHosts('pool-1');
    expect(hosts.map((h) => `${h.hostId} ${h.binding?.state}`)).toEqual(['host-001', 'host-002', 'host-003', 'host-004', 'host-005', 'host-006'].map((id) => `${id} bound`));
    // The new pool came with its load poll.
    expect((await runner.store.listSchedules('pool-1')).map((x) => `${x.scheduleId} ${x.action}`)).toEqual(['load poll-load']);
    await page.screenshot({ path: join(ARTIFACTS, 'import-done.png'), fullPage: true });

    // A second dry run: every host already bound, nothing to confirm.
    await page.getByLabel('BMC password').fill(runner.fleet.password);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('Nothing to change: every matched host is in lowpower already.').waitFor({ timeout: 20_000 });
    expect(await page.locator('table.import-table tbody tr[data-match="already-bound"]').count()).toBe(6);
    expect(await page.getByRole('button', { name: /^Confirm/ }).count()).toBe(0);
    // The fleet shows the six hosts now.
    await page.goto(`${runner.url}/#/fleet`);
    await page.locator('a.tile').nth(5).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);
});
