/**
 * The night view in a real browser (chromium) against the local runner: the morning's rebalance
 * is part of the night, with what moved and what stayed and why, read from the operation record a
 * rebalance writes (put in the store here, as a finished one looks). A screenshot goes to
 * test/artifacts/ for a person to look at.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startDashboard, type Dashboard } from './dashboard-harness.ts';

let d: Dashboard;

beforeAll(async () => {
  d = await startDashboard();
}, 90_000);

afterAll(async () => {
  await d?.stop();
}, 30_000);

describe('the night view', () => {
  it('shows the morning rebalance: a sentence, each move, each stay with why', async () => {
    const { page, errors } = await d.open('viewer', '#/night');
    await page.locator('#morning-h').waitFor();
    await page.getByText('No rebalance after the recent wakes').waitFor();

    const { operation } = await d.runner.store.createOperation({ operationId: 'op-morning-1', poolId: d.runner.poolId, kind: 'rebalance', actor: 'schedule:morning-wake', source: 'schedule', reason: 'afterWake restore, after schedule morning-wake', hostIds: [], params: { mode: 'restore' } }, 'after-wake:test');
    await d.runner.store.updateOperation(operation.operationId, operation.version, {
      state: 'succeeded',
      result: {
        mode: 'restore',
        moved: [{ vmId: 'vm-16', from: 'host-001', to: 'host-004', result: 'done', detail: 'host-001 -> host-004' }, { vmId: 'vm-21', from: 'host-002', to: 'host-005', result: 'done', detail: 'host-002 -> host-005' }],
        stayed: [{ vmId: 'vm-26', hostId: 'host-003', why: 'its origin host-006 is disabled in XAPI' }],
      },
    });
    const summary = page.locator('.morning-summary');
    await summary.waitFor({ timeout: 10_000 });
    expect(await summary.textContent()).toMatch(/^Rebalance \(restore\) .*: 2 VMs moved, 1 stayed\.$/);
    expect(await page.locator('ul.moved li').allTextContents()).toEqual(['vm-16: host-001 → host-004', 'vm-21: host-002 → host-005']);
    expect(await page.locator('ul.stayed li').allTextContents()).toEqual(['vm-26: its origin host-006 is disabled in XAPI']);
    await page.screenshot({ path: join(ARTIFACTS, 'night-morning-rebalance.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});
