/**
 * Schedule advice and a host's last days in a real browser (Debian's chromium through
 * playwright-core) against the local runner: a week of load samples made by the simulator's load
 * model is written to the runner's store and the pool given a price and a grid intensity; the
 * energy view then shows the week as a 7 x 24 grid that matches the API's advice cell by cell, the
 * proposed window outlined, and the savings in energy, money and CO2; the bar chart spans its
 * container with axis labels that differ; the host page plots CPU and memory with draw and
 * temperature over the last days. Screenshots go to test/artifacts/.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet, ARTIFACTS, failFirstWith503, startDashboard, type Dashboard } from './dashboard-harness.ts';
import { LoadModel } from '../../lib/sim/xen/load-model.ts';
import { LOAD_BUCKET_MS, type LoadSampleInput } from '../../lib/store/index.ts';
import type { AdviceAnswer } from '../../lib/api/schemas/advice.ts';
import { windowHoursOf } from '../../web/src/views/advice.ts';

let d: Dashboard;
const HOUR = 3_600_000;
const errors: string[] = [];

beforeAll(async () => {
  d = await startDashboard();
  const pool = d.runner.poolId;
  const model = new LoadModel({ seed: 11, utcOffsetMinutes: 60 });
  const guests = d.runner.xapi.state.guests().map((vm) => ({ name: vm.name_label, uuid: vm.uuid, host: d.runner.xapi.state.vmHost(vm.name_label) as string, vcpus: vm.VCPUs_at_startup, memoryBytes: vm.memory_static_max }));
  const hosts = [...new Set(guests.map((g) => g.host))];
  const now = Math.floor(Date.now() / LOAD_BUCKET_MS) * LOAD_BUCKET_MS - LOAD_BUCKET_MS;
  const samples: LoadSampleInput[] = [];
  // Every 15 minutes for 7.5 days: each hour of the week seen.
  for (let t = now - 7.5 * 24 * HOUR; t <= now; t += 3 * LOAD_BUCKET_MS) {
    for (const hostId of hosts) {
      const vms = guests.filter((g) => g.host === hostId).map((g) => {
        const busy = model.vcpuBusy(g.uuid, g.vcpus, t);
        return { uuid: g.uuid, vmId: g.name, cpuPercent: (100 * busy.reduce((a, b) => a + b, 0)) / busy.length, hostCpuPercent: null, memoryUsedBytes: Math.round(model.memoryUsed(g.uuid, t) * g.memoryBytes), memoryBytes: g.memoryBytes };
      });
      const cpu = Math.min(100, 3 + vms.reduce((a, v) => a + (v.cpuPercent * 4) / 100, 0) * 4);
      samples.push({ poolId: pool, hostId, at: new Date(t).toISOString(), host: { cpuPercent: Math.round(cpu * 100) / 100, memoryUsedBytes: (40 + 30 * model.activity(t)) * 2 ** 30, memoryTotalBytes: 256 * 2 ** 30 }, vms });
    }
  }
  await d.runner.store.putLoadSamples(samples);
  const res = await fetch(`${d.url}/v1/pools/${pool}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${d.keys.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ policy: { electricityPricePerKwh: 0.28, electricityCurrency: 'EUR', gridCarbonGramsPerKwh: 380 } }),
  });
  expect(res.status).toBe(200);
}, 90_000);

afterAll(async () => {
  await d?.stop();
}, 30_000);

describe('schedule advice and load in chromium', () => {
  it('the energy view: the week grid matches the API, the window is outlined, savings in energy, money and CO2', async () => {
    const { page, errors: e } = await d.open('viewer', '#/energy');
    // Should the advice not come, the failure says what the view showed instead.
    await page
      .locator('.advice[data-advice]')
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(async (err: unknown) => {
        throw new Error(`no advice shown: ${String(err)}\nthe view: ${(await page.locator('main').innerText().catch(() => '?')).slice(0, 1500)}\npage errors: ${e.join('; ') || 'none'}`);
      });
    const advice = await apiGet<AdviceAnswer>(d, `/v1/pools/${d.runner.poolId}/advice`);
    expect(advice.history.enough).toBe(true);
    expect(advice.proposal.length).toBeGreaterThan(0);
    expect(await page.locator('.advice').getAttribute('data-advice')).toBe('window');
    const cells = page.locator('table.advice-grid td');
    expect(await cells.count()).toBe(168);
    const shown = await cells.evaluateAll((tds) => tds.map((td) => [Number(td.getAttribute('data-hour')), td.getAttribute('data-hosts'), td.classList.contains('in-window')] as const));
    const window = windowHoursOf(advice.proposal);
    for (const [hour, hosts, inWindow] of shown) {
      const n = advice.week[hour].hostsCanSleep;
      expect(hosts, `hour ${hour}`).toBe(n === null ? '' : String(n));
      expect(inWindow, `hour ${hour}`).toBe(window.has(hour));
    }
    expect(shown.filter(([, , w]) => w).length).toBeGreaterThan(0);
    const big = page.locator('.advice [data-savings-money]');
    expect(Number(await big.getAttribute('data-savings-money'))).toBe(advice.savingsPerWeek.money);
    expect(Number(await big.getAttribute('data-savings-co2'))).toBe(advice.savingsPerWeek.co2Kg);
    const text = await big.locator('.big-value').textContent();
    expect(text).toContain(`${(advice.savingsPerWeek.money as number).toFixed(2)} EUR`);
    expect(text).toMatch(/kg CO₂/);
    expect(await page.locator('.advice-windows li').first().textContent()).toContain(advice.proposal[0].sleepExpression);
    await page.locator('.advice').first().screenshot({ path: join(ARTIFACTS, 'advice.png') });
    errors.push(...e);
  }, 60_000);

  it('a failed advice read is shown as such and asked again within seconds, not kept on screen', async () => {
    const { page, errors: e } = await d.open('viewer', '#/fleet');
    await page.locator('h1').first().waitFor();
    // The first advice answer fails as a Lambda timeout would (503); later ones reach the server.
    const asked = await failFirstWith503(page, /\/v1\/pools\/[^/]+\/advice$/, 'the advice timed out');
    await page.evaluate(() => (location.hash = '#/energy'));
    // Read in the same step as it appears: the error is on screen only until the retry.
    const shownError = await page.waitForFunction(() => document.querySelector('.advice-box .notice.error')?.textContent, undefined, { timeout: 30_000 });
    expect(await shownError.jsonValue()).toContain('Could not read the schedule advice: the advice timed out');
    // Asked again by itself (2 s later), the advice replaces the error: well before the view's
    // 30-s poll would have asked, which this wait does not reach.
    await page.locator('.advice-box .advice[data-advice]').first().waitFor({ timeout: 20_000 });
    expect(asked()).toBe(2);
    expect(await page.locator('.advice-box .notice.error').count()).toBe(0);
    // The 503 is the one console error the test caused.
    errors.push(...e.filter((x) => !/status of 503/.test(x)));
  }, 60_000);

  it('the energy chart spans its container and no two axis labels read the same', async () => {
    const { page, errors: e } = await d.open('operator', '#/energy');
    const chart = page.locator('svg.bar-chart').first();
    await chart.waitFor();
    const [svgWidth, boxWidth] = await chart.evaluate((svg) => {
      const bars = [...svg.querySelectorAll('rect.bar')].map((r) => r.getBoundingClientRect());
      const box = svg.getBoundingClientRect();
      const span = bars.length ? Math.max(...bars.map((b) => b.right)) - box.left : 0;
      return [span, (svg.parentElement as HTMLElement).getBoundingClientRect().width];
    });
    // The last bar ends near the right edge of the figure: the plot uses the whole width.
    expect(svgWidth / boxWidth).toBeGreaterThan(0.95);
    const ticks = await chart.locator('text.tick:not(.unit)').allTextContents();
    const yLabels = ticks.filter((t) => /^[\d.,]+$/.test(t) && Number(t) !== 0);
    expect(new Set(ticks).size).toBeGreaterThan(3);
    expect(new Set(yLabels).size).toBe(yLabels.length);
    errors.push(...e);
  });

  it('a host page plots CPU and memory with draw and temperature over the last days', async () => {
    const { page, errors: e } = await d.open('viewer', '#/hosts/host-002');
    const history = page.locator('.charts.history svg.history-chart');
    await history.nth(2).waitFor({ timeout: 20_000 });
    expect(await history.count()).toBe(3);
    const cpuChart = history.first();
    expect(await cpuChart.locator('path[data-series="CPU"]').count()).toBe(1);
    expect(await cpuChart.locator('path[data-series="Memory"]').count()).toBe(1);
    expect(await cpuChart.getAttribute('aria-label')).toMatch(/^CPU: \d+ readings .*; Memory: \d+ readings/);
    // Three days of samples: the time axis is labelled by day.
    const labels = await cpuChart.locator('text.tick').allTextContents();
    expect(labels.filter((l) => /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+$/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(labels).toEqual(expect.arrayContaining(['0', '50', '100']));
    await page.locator('section[aria-labelledby="history-h"]').screenshot({ path: join(ARTIFACTS, 'host-history.png') });
    errors.push(...e);
  });

  it('on a phone the week grid scrolls inside its box, not the page', async () => {
    const { page, errors: e } = await d.open('viewer', '#/energy', { viewport: { width: 390, height: 844 } });
    await page.locator('table.advice-grid').first().waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    errors.push(...e);
  }, 45_000);

  it('no script errors', () => {
    expect(errors).toEqual([]);
  });
});
