/**
 * The night view in a real browser (chromium) against the local runner: the morning's rebalance
 * is part of the night, with what moved and what stayed and why, read from the operation record a
 * rebalance writes (put in the store here, as a finished one looks); and "Rebalance now" after a
 * real night: the mode chosen in the confirm dialog, its dry-run moves shown there, nothing started
 * on cancel, the operation started on confirm and every VM the sleep moved back home. Screenshots
 * go to test/artifacts/ for a person to look at.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startDashboard, type Dashboard } from './dashboard-harness.ts';

type Json = Record<string, unknown>;

let d: Dashboard;

beforeAll(async () => {
  // Fast simulated migrations: a night and a rebalance in seconds.
  d = await startDashboard({ migrateMsPerGiB: 1 });
}, 90_000);

afterAll(async () => {
  await d?.stop();
}, 30_000);

describe('the night view', () => {
  it('shows the morning rebalance: a sentence, each move, each stay with why', async () => {
    const { page, errors } = await d.open('viewer', '#/night');
    await page.locator('#morning-h').waitFor();
    await page.getByText('No rebalance after the recent wakes').waitFor();
    // A viewer may look, not move VMs.
    expect(await page.locator('button[data-action="rebalance-pool"]').count()).toBe(0);

    const { operation } = await d.runner.store.createOperation({ operationId: 'op-morning-1', poolId: d.runner.poolId, kind: 'rebalance', actor: 'schedule:morning-wake', source: 'schedule', reason: 'afterWake restore, after schedule morning-wake', hostIds: [], params: { mode: 'restore' } }, 'after-wake:test');
    await d.runner.store.updateOperation(operation.operationId, operation.version, {
      state: 'succeeded',
      result: {
        mode: 'restore',
        moved: [{ vmId: 'vm-16', from: 'host-001', to: 'host-004', result: 'done', detail: 'host-001 -> host-004' }, { vmId: 'vm-21', from: 'host-002', to: 'host-005', result: 'done', detail: 'host-002 -> host-005' }],
        stayed: [{ vmId: 'vm-26', hostId: 'host-003', why: 'its origin host-006 is disabled in XAPI' }],
      },
    });
    // The record is written running, then finished: a poll between the two shows it running
    // ("Rebalancing…") for a second, so wait for the finished summary before reading it.
    const summary = page.locator('.morning-summary', { hasText: /^Rebalance / });
    await summary.waitFor({ timeout: 10_000 });
    expect(await summary.textContent()).toMatch(/^Rebalance \(restore\) .*: 2 VMs moved, 1 stayed\.$/);
    expect(await page.locator('ul.moved li').allTextContents()).toEqual(['vm-16: host-001 → host-004', 'vm-21: host-002 → host-005']);
    expect(await page.locator('ul.stayed li').allTextContents()).toEqual(['vm-26: its origin host-006 is disabled in XAPI']);
    await page.screenshot({ path: join(ARTIFACTS, 'night-morning-rebalance.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);

  it('"Rebalance now": the mode and its dry-run moves in the confirm dialog, nothing on cancel, the operation on confirm, the VMs home', async () => {
    const api = async (method: string, path: string, body?: unknown): Promise<Json> => {
      const res = await fetch(`${d.url}${path}`, { method, headers: { authorization: `Bearer ${d.keys.admin}` }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as Json;
    };
    const finished = async (id: string): Promise<Json> => {
      for (let i = 0; i < 600; i++) {
        const op = (await api('GET', `/v1/operations/${id}`)).operation as Json;
        if (['succeeded', 'failed', 'cancelled'].includes(String(op.state))) return op;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`operation ${id} did not finish`);
    };
    const placement = (): Map<string, string> => new Map(d.runner.xapi.state.guests().map((vm) => [vm.name_label, d.runner.xapi.state.vmHost(vm.name_label) as string]));
    const rebalances = async () => (await d.runner.store.listOperations(d.runner.poolId)).filter((o) => o.kind === 'rebalance');

    // A night whose morning leaves the VMs where the sleep packed them.
    await api('PATCH', `/v1/pools/${d.runner.poolId}`, { policy: { afterWake: 'none', wakeGroupSize: 10, wakeStaggerMs: 0 } });
    const home = placement();
    expect((await finished(((await api('POST', `/v1/pools/${d.runner.poolId}/sleep`, { reason: 'browser test night' })).operation as Json).id as string)).state).toBe('succeeded');
    expect((await finished(((await api('POST', `/v1/pools/${d.runner.poolId}/wake`, { reason: 'browser test morning' })).operation as Json).id as string)).state).toBe('succeeded');
    const night = placement();
    const moved = [...home].filter(([vm, h]) => night.get(vm) !== h);
    expect(moved.length).toBeGreaterThan(0);
    const before = (await rebalances()).length;

    const { page, errors } = await d.open('operator', '#/night');
    const button = page.locator('button[data-action="rebalance-pool"]:enabled');
    await button.waitFor({ timeout: 10_000 });
    await button.click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    expect(await dialog.getByLabel('How').inputValue()).toBe('restore');
    const summary = dialog.locator('.rebalance-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(new RegExp(`^${moved.length} VMs? move in \\d+ waves?\\.$`));
    const lines = await dialog.locator('.rebalance-moves li').allTextContents();
    expect(lines).toHaveLength(moved.length);
    for (const [vm, h] of moved) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${vm}: ${night.get(vm)} → ${h}, wave \\d+$`)));
    // Another mode: its own dry run in place of the first.
    await dialog.getByLabel('How').selectOption('balance');
    await page.waitForFunction(() => {
      const p = document.querySelector('dialog[open] .rebalance-preview');
      return !!p && !p.textContent?.includes('Working out') && !!p.querySelector('.rebalance-summary');
    });
    expect(await summary.textContent()).toMatch(/^(Nothing to move: .+\.|\d+ VMs? move in \d+ waves?\..*)$/);
    await page.screenshot({ path: join(ARTIFACTS, 'night-rebalance-now-dialog.png') });
    // Cancelled: nothing starts.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await rebalances()).toHaveLength(before);

    await button.click();
    await dialog.waitFor();
    await dialog.locator('.rebalance-summary').waitFor();
    await dialog.getByLabel('Reason').fill('browser test: rebalance now');
    await dialog.locator('button[type=submit]').click();
    await dialog.waitFor({ state: 'detached' });
    const started = page.getByRole('status').filter({ hasText: 'Started: rebalance (restore), operation' });
    await started.waitFor();
    expect(await started.textContent()).toMatch(new RegExp(`^Started: rebalance \\(restore\\), operation [0-9a-f-]{8}: ${moved.length} VMs? to move\\. Its steps show below as they happen\\.$`));
    const mine = (await rebalances()).filter((o) => o.reason === 'browser test: rebalance now');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ source: 'api', params: { mode: 'restore' } });
    expect((await finished(mine[0].operationId)).state).toBe('succeeded');
    const after = placement();
    for (const [vm, h] of moved) expect(after.get(vm), vm).toBe(h);
    // The morning panel tells it as part of the night.
    await page.locator(`#morning-h ~ div > [data-operation="${mine[0].operationId}"][data-state="succeeded"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('.morning-summary').textContent()).toMatch(new RegExp(`^Rebalance \\(restore\\) .*: ${moved.length} VMs? moved, 0 stayed\\.$`));
    await page.screenshot({ path: join(ARTIFACTS, 'night-rebalance-now.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
