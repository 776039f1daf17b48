/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the local
 * runner: tiles match the API, the night's plan is drawn and run with a confirm and a reason while
 * its steps show, a host is switched through its tile (and a refusal is shown as one), schedules
 * and energy, and a viewer key sees no button that changes anything. Screenshots go to
 * test/artifacts/ for a person to look at.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiGet, ARTIFACTS, failFirstWith503, startDashboard, type Dashboard } from './dashboard-harness.ts';

let d: Dashboard;
const pageErrors: string[] = [];

interface ApiHost {
  id: string;
  power: 'on' | 'off' | 'unknown';
  protocol: string;
}

beforeAll(async () => {
  d = await startDashboard();
  // Three weeks of booked nights, so the energy chart has something to draw.
  const today = new Date();
  for (let n = 1; n <= 21; n++) {
    const night = new Date(today.getTime() - n * 86_400_000);
    if (night.getUTCDay() === 6 || night.getUTCDay() === 0) continue;
    const date = night.toISOString().slice(0, 10);
    for (const [i, hostId] of ['host-004', 'host-005', 'host-006'].entries()) {
      const kWhSaved = Math.round((2 + i * 0.4 + (n % 5) * 0.3) * 1000) / 1000;
      await d.runner.store.putEnergy({ poolId: 'pool-1', hostId, night: date, sleptAt: `${date}T21:30:00.000Z`, wokenAt: new Date(night.getTime() + 10 * 3600_000).toISOString(), wattsBefore: 280, wattsAsleep: 12, kWhSaved });
    }
  }
}, 60_000);

afterAll(async () => {
  await d?.stop();
}, 30_000);

const tile = (page: Page, id: string) => page.locator(`a.tile[data-host="${id}"]`);

async function confirmDialog(page: Page, reason: string): Promise<void> {
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  await dialog.getByLabel('Reason').fill(reason);
  await dialog.locator('button[type=submit]').click();
  await dialog.waitFor({ state: 'detached' });
}

describe('dashboard in chromium', () => {
  it('the fleet: one tile per host, each matching the API (state, hottest temperature, draw)', async () => {
    const { page, errors } = await d.open('operator', '#/fleet');
    await page.locator('a.tile').nth(5).waitFor();
    // Let the readings arrive (fetched right after the first host list).
    await page.waitForFunction(() => [...document.querySelectorAll('a.tile .draw .metric-value')].every((e) => e.textContent !== '—'), undefined, { timeout: 10_000 });
    const { hosts } = await apiGet<{ hosts: ApiHost[] }>(d, '/v1/hosts');
    expect(await page.locator('a.tile').count()).toBe(hosts.length);
    for (const h of hosts) {
      const t = tile(page, h.id);
      expect(await t.getAttribute('data-state')).toBe(h.power === 'unknown' ? 'error' : h.power);
      const { readings } = await apiGet<{ readings: Array<{ powerWatts: number; temperatures: Array<{ celsius: number }> }> }>(d, `/v1/hosts/${h.id}`);
      const r = readings[0];
      await expect.poll(() => t.locator('.draw .metric-value').textContent()).toBe(`${Math.round(r.powerWatts)} W`);
      expect(await t.locator('.temp .metric-value').textContent()).toContain(`${Math.round(Math.max(...r.temperatures.map((x) => x.celsius)))} °C`);
      // The state is a word too, and the whole tile is described for a screen reader.
      expect(await t.locator('.state-label').textContent()).toBe('On');
      expect(await t.getAttribute('aria-label')).toMatch(new RegExp(`^${h.id}, .*On, hottest \\d+ °C, drawing \\d+ W`));
    }
    expect(await tile(page, 'host-001').locator('.badge:not(.protocol)').textContent()).toBe('master');
    // Each tile says which protocol reaches the host's power, as the API does.
    for (const h of hosts) expect(await tile(page, h.id).locator('.badge.protocol').textContent(), h.id).toBe(h.protocol);
    pageErrors.push(...errors);
  });

  it('the night: a plan that could not be worked out is shown as such and asked again within seconds', async () => {
    const { page, errors } = await d.open('viewer', '#/fleet');
    await page.locator('h1').first().waitFor();
    const asked = await failFirstWith503(page, /\/v1\/pools\/pool-1\/plan$/, 'the plan timed out');
    await page.evaluate(() => (location.hash = '#/night'));
    // Read in the same step as it appears: the error, and the button beside it to ask again at once.
    const shownError = await page.waitForFunction(
      () => {
        const box = document.querySelector('.notice.error');
        return box ? { text: box.textContent, button: box.nextElementSibling?.querySelector('button')?.textContent } : undefined;
      },
      undefined,
      { timeout: 30_000 },
    );
    expect(await shownError.jsonValue()).toEqual({ text: expect.stringContaining('Could not work out the plan'), button: 'Work out the plan again' });
    // Asked again 2 s after the failure; before, the error stayed until an operation on the pool ended.
    await page.locator('svg.plan-picture').waitFor({ timeout: 12_000 });
    expect(asked()).toBe(2);
    expect(await page.locator('.notice.error').count()).toBe(0);
    pageErrors.push(...errors.filter((x) => !/status of 503/.test(x)));
  });

  it('the night: the plan as a picture, run with a confirm and a reason, its steps shown as they happen', async () => {
    const { page, errors } = await d.open('operator', '#/night');
    await page.locator('svg.plan-picture').waitFor();
    const { plan } = await apiGet<{ plan: { sleep: string[]; keep: Array<{ hostId: string; reason: string }>; migrations: unknown[] } }>(d, '/v1/pools/pool-1/plan');
    expect(await page.locator('[data-sleeps]').evaluateAll((els) => els.map((e) => e.getAttribute('data-sleeps')))).toEqual(plan.sleep);
    for (const k of plan.keep) expect(await page.locator(`[data-keeps="${k.hostId}"]`).textContent()).toContain(k.reason);
    expect(await page.locator('svg.plan-picture path.move').count()).toBe(plan.migrations.length);
    expect(await page.locator('svg.plan-picture').getAttribute('aria-label')).toContain(`${plan.sleep.join(', ')} go to sleep`);
    await page.screenshot({ path: join(ARTIFACTS, 'night-plan.png'), fullPage: true });

    await page.locator('button[data-action="sleep-pool"]').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(plan.sleep.join(', '));
    // No reason, no run.
    await dialog.locator('button[type=submit]').click();
    expect(await dialog.locator('.field-error').textContent()).toBe('Give a reason.');
    await confirmDialog(page, 'browser test: night plan');
    await page.getByRole('status').filter({ hasText: 'Started: operation' }).waitFor();

    // While it runs: some steps done, some still waiting.
    const running = page.locator('.operation[data-state="running"]');
    await running.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => {
      const op = document.querySelector('.operation[data-state="running"]');
      return !!op && op.querySelectorAll('.step[data-state="done"]').length > 0 && op.querySelectorAll('.step[data-state="pending"]').length > 0;
    }, undefined, { timeout: 10_000 });
    expect(await running.locator('.step').first().textContent()).toMatch(/disable host-00\d/);

    await page.locator('#recent-h ~ * [data-state="succeeded"]').first().waitFor({ timeout: 30_000 });
    const { hosts } = await apiGet<{ hosts: ApiHost[] }>(d, '/v1/hosts');
    expect(hosts.filter((h) => h.power === 'off').map((h) => h.id).sort()).toEqual([...plan.sleep].sort());
    // The plan is worked out again: nothing left to sleep, and the wake button is there.
    await page.locator('button[data-action="wake-pool"]:enabled').waitFor();
    await page.locator('button[data-action="sleep-pool"]:disabled', { hasText: 'Nothing to put to sleep' }).waitFor();
    // "Nothing can sleep" said once: the plan's why is the reason alone, the page puts its words before it.
    const again = (await apiGet<{ plan: { why?: string } }>(d, '/v1/pools/pool-1/plan')).plan;
    expect(again.why).toMatch(/^of 3 hosts on, /);
    const summary = (await page.locator('.plan-summary').textContent()) ?? '';
    expect(summary.startsWith(`Nothing can sleep now: ${again.why}.`)).toBe(true);
    expect(summary.match(/nothing can sleep/gi)).toHaveLength(1);
    pageErrors.push(...errors);
  }, 45_000);

  it('a host through its tile: a refusal is shown as one; an empty host switched on and off changes its tile', async () => {
    const { page, errors } = await d.open('operator', '#/fleet');
    await page.waitForFunction(() => document.querySelector('a.tile[data-host="host-004"]')?.getAttribute('data-state') === 'off');
    expect(await tile(page, 'host-004').locator('.state-label').textContent()).toBe('Asleep');

    // host-003 keeps a VM pinned to its local storage: the guard refuses, and the page says so.
    await tile(page, 'host-003').click();
    await page.locator('button[data-action="off"]').click();
    await confirmDialog(page, 'browser test: should be refused');
    const refusal = page.getByRole('alert').filter({ hasText: 'Refused by the safety guard' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/host-003 runs \d+ VM/);
    expect(await page.locator('.host-state').getAttribute('data-state')).toBe('on');

    await page.getByRole('link', { name: '← Fleet' }).click();
    await tile(page, 'host-004').click();
    await page.locator('h1', { hasText: 'host-004' }).waitFor();
    await page.locator('button[data-action="on"]').click();
    await confirmDialog(page, 'browser test: switch on');
    await page.locator('.action-result .operation[data-state="succeeded"]').waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: '← Fleet' }).click();
    await page.waitForFunction(() => document.querySelector('a.tile[data-host="host-004"]')?.getAttribute('data-state') === 'on', undefined, { timeout: 10_000 });
    expect(await tile(page, 'host-004').locator('.state-label').textContent()).toBe('On');

    await tile(page, 'host-004').click();
    await page.locator('button[data-action="off"]').click();
    await confirmDialog(page, 'browser test: switch off');
    await page.locator('.action-result .operation[data-state="succeeded"]').waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: '← Fleet' }).click();
    await page.waitForFunction(() => document.querySelector('a.tile[data-host="host-004"]')?.getAttribute('data-state') === 'off', undefined, { timeout: 10_000 });
    expect((await apiGet<{ host: ApiHost }>(d, '/v1/hosts/host-004')).host.power).toBe('off');
    await page.locator('.summary', { hasText: 'asleep' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'fleet.png'), fullPage: true });
    pageErrors.push(...errors);
  }, 45_000);

  it('a host detail: readings as charts, sensors with thresholds, the event log, the operations that touched it', async () => {
    const { page, errors } = await d.open('operator', '#/hosts/host-005');
    await page.locator('svg.line-chart').first().waitFor();
    expect(await page.locator('svg.line-chart').count()).toBe(2);
    await page.locator('#sensors-h ~ * table.sensors, #sensors-h ~ * .notice').first().waitFor({ timeout: 10_000 });
    if (await page.locator('table.sensors').count()) {
      const headers = await page.locator('table.sensors thead th').allTextContents();
      expect(headers).toEqual(expect.arrayContaining(['UCR', 'UNC', 'LCR']));
    }
    await page.locator('#sel-h ~ * table.sel, #sel-h ~ * p').first().waitFor({ timeout: 10_000 });
    const ops = page.locator('#ops-h ~ * .op-list summary');
    await ops.first().waitFor();
    expect(await ops.first().textContent()).toContain('pool-sleep');
    pageErrors.push(...errors);
  });

  it('schedules: the week in the pool zone; skip the next sleep and hold awake, set through the page, show up', async () => {
    const { page, errors } = await d.open('operator', '#/schedules');
    await page.locator('.week .day').nth(6).waitFor();
    expect(await page.locator('.week .day').count()).toBe(7);
    const { schedules } = await apiGet<{ schedules: Array<{ name: string; nextFire: string; timezone: string; exceptions: Record<string, { date?: string; until?: string }> }> }>(d, '/v1/schedules?pool=pool-1');
    const sleep = schedules.find((s) => s.name === 'night-sleep');
    expect(sleep?.timezone).toBe('Europe/Berlin');
    const first = page.locator('.event[data-schedule="night-sleep"]').first();
    expect(await first.textContent()).toContain('23:30 sleep');
    expect(await page.locator('.event[data-schedule="morning-wake"]').first().textContent()).toContain('06:00 wake');

    await page.locator('button[data-action="skip"]').click();
    await confirmDialog(page, 'browser test: inventory tonight');
    await page.getByRole('status').filter({ hasText: 'Skipped' }).waitFor();
    await page.locator('[data-exception="skip"]').waitFor();
    const after = await apiGet<{ schedules: typeof schedules }>(d, '/v1/schedules?pool=pool-1');
    expect(after.schedules.find((s) => s.name === 'night-sleep')?.exceptions.skipOnce?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.locator('.event[data-schedule="night-sleep"][data-runs="false"]', { hasText: 'skipped' }).first().waitFor();

    await page.locator('button[data-action="hold"]').click();
    const input = page.locator('dialog[open] input[type="datetime-local"]');
    expect(await input.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T06:00$/);
    await confirmDialog(page, 'browser test: release weekend');
    await page.getByRole('status').filter({ hasText: 'Held awake until' }).waitFor();
    await page.locator('[data-exception="hold"]').waitFor();
    await page.locator('.span.held').first().waitFor();
    const held = await apiGet<{ schedules: typeof schedules }>(d, '/v1/schedules?pool=pool-1');
    expect(Date.parse(held.schedules.find((s) => s.name === 'night-sleep')?.exceptions.holdAwakeUntil?.until ?? '')).toBeGreaterThan(Date.now());
    await page.screenshot({ path: join(ARTIFACTS, 'schedules.png'), fullPage: true });
    pageErrors.push(...errors);
  });

  it('a failed read is shown, then asked again within seconds, not at the next slow poll (schedules: every 15 s)', async () => {
    const { page, errors } = await d.open('viewer', '#/fleet');
    await page.locator('h1').first().waitFor();
    // The first schedules answer fails as a Lambda timeout would (503); later ones reach the server.
    const asked = await failFirstWith503(page, /\/v1\/schedules\?/, 'the schedules timed out');
    await page.evaluate(() => (location.hash = '#/schedules'));
    const shownError = await page.waitForFunction(() => document.querySelector('.notice.error')?.textContent, undefined, { timeout: 30_000 });
    expect(await shownError.jsonValue()).toContain('Could not read the schedules: the schedules timed out');
    // The retry comes 2 s after the failure; the next regular poll would come 15 s after it.
    await page.locator('.week .day').first().waitFor({ timeout: 12_000 });
    expect(asked()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.notice.error').count()).toBe(0);
    pageErrors.push(...errors.filter((x) => !/status of 503/.test(x)));
  });

  it('energy: the total at the top is the API total, one bar per night', async () => {
    const { page, errors } = await d.open('operator', '#/energy');
    await page.locator('[data-total-kwh]').waitFor();
    const report = await apiGet<{ totalKWhSaved: number; nights: unknown[] }>(d, '/v1/pools/pool-1/energy?days=28');
    expect(report.nights.length).toBeGreaterThan(5);
    expect(Number(await page.locator('[data-total-kwh]').getAttribute('data-total-kwh'))).toBeCloseTo(report.totalKWhSaved, 3);
    expect(await page.locator('[data-total-kwh] .big-value').textContent()).toBe(`${report.totalKWhSaved.toFixed(1)} kWh`);
    // One bar per night of the range (and a night just before it whose hosts woke inside it).
    const bars28 = await page.locator('svg.bar-chart rect.bar').count();
    expect(bars28 === 28 || bars28 === 29).toBe(true);
    await page.getByRole('button', { name: '7 days' }).click();
    await page.waitForFunction(() => [7, 8].includes(document.querySelectorAll('svg.bar-chart rect.bar').length));
    expect(await page.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'energy.png'), fullPage: true });
    pageErrors.push(...errors);
  });

  it('a viewer key sees every view and no button that changes anything', async () => {
    const { page, errors } = await d.open('viewer', '#/fleet');
    await page.locator('.role[data-role="viewer"]').waitFor();
    const routes: Array<[string, string]> = [
      ['#/fleet', 'a.tile'],
      ['#/hosts/host-004', 'svg.line-chart'],
      ['#/night', 'svg.plan-picture'],
      ['#/schedules', '.week .day'],
      ['#/energy', '[data-total-kwh]'],
    ];
    for (const [hash, ready] of routes) {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(300);
      expect(await page.locator('[data-mutates]').count(), hash).toBe(0);
      const labels = await page.locator('button:visible').allTextContents();
      for (const l of labels) expect(l, `${hash}: ${l}`).not.toMatch(/switch|shut|cycle|sleep|wake|skip|hold|clear|run the plan/i);
    }
    // The same views as an operator do have them (so the check above can fail).
    const op = await d.open('operator', '#/hosts/host-004');
    await op.page.locator('button[data-mutates]').first().waitFor();
    pageErrors.push(...errors, ...op.errors);
  });

  it('a wrong key gets a form asking for a key, and no view', async () => {
    const { page, context } = await d.open(undefined, '#/fleet');
    await page.evaluate(() => localStorage.setItem('lowpower.apiKey', 'not-a-key'));
    await page.reload();
    await page.getByLabel('API key').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('unknown API key');
    expect(await page.locator('a.tile').count()).toBe(0);
    await page.getByLabel('API key').fill(d.keys.viewer);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('.role[data-role="viewer"]').waitFor();
    await page.locator('a.tile').first().waitFor();
    // The key never stays in the address bar.
    await page.goto(`${d.url}/#/fleet?key=${d.keys.operator}`);
    await page.locator('.role[data-role="operator"]').waitFor();
    expect(page.url()).not.toContain('key=');
    await context.close();
  });

  it('keyboard and phone: tiles are reachable by Tab, Escape cancels a dialog, every field has a label, no sideways scroll', async () => {
    const { page, errors } = await d.open('operator', '#/fleet', { viewport: { width: 390, height: 844 } });
    await page.locator('a.tile').nth(5).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    let focused = '';
    for (let i = 0; i < 20 && !focused.startsWith('host-'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-host') ?? '');
    }
    expect(focused).toBe('host-001');
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'host-001' }).waitFor();
    await page.locator('button[data-mutates]').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('dialog[open]').waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')].filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label')).length);
    expect(unlabelled).toBe(0);
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    for (const hash of ['#/night', '#/schedules', '#/energy']) {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.locator('h1').first().waitFor();
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), hash).toBe(true);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'phone-energy.png'), fullPage: true });
    pageErrors.push(...errors);
  });

  it('no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
