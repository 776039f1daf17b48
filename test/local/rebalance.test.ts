/**
 * The morning rebalance on the local runner, driven over HTTP and the CLI as a user would: the
 * pool's afterWake policy set with PATCH (a bad value is a 400), a sleep and a wake over HTTP, the
 * runner launching the rebalance the wake requested by itself, every VM the sleep moved back on its
 * host, the channel told what moved; then POST /v1/pools/{id}/rebalance and `lowpower pool
 * rebalance` (dry run, bad mode, nothing to do).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { runPoolCommand } from '../../lib/cli/pool-command.ts';
import { noticeText, type Notice } from '../../lib/ops/notices.ts';
import { freePort } from '../support/peers.ts';
import { runnerHttp, type Json } from '../support/runner-http.ts';
import { capture } from '../cli/capture.ts';

let runner: LocalRunner;
const channel: Notice[] = [];

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => undefined, migrateMsPerGiB: 1, sampleSchedule: false, notifier: async (ns) => void channel.push(...ns) });
}, 60_000);
afterAll(async () => {
  await runner?.stop();
});

const { api, finished } = runnerHttp(() => runner.url);

const placement = (): Map<string, string> => new Map(runner.xapi.state.guests().map((vm) => [vm.name_label, runner.xapi.state.vmHost(vm.name_label) as string]));

describe('the morning rebalance on the local runner', () => {
  it('afterWake restore: the wake over HTTP is followed by a rebalance the runner launches; every VM the sleep moved is home again', async () => {
    const bad = await api('PATCH', `/v1/pools/${runner.poolId}`, { policy: { afterWake: 'sideways' } });
    expect(bad).toMatchObject({ status: 400, json: { error: { field: 'policy.afterWake', message: 'policy.afterWake must be restore, balance or none' } } });
    expect((await api('PATCH', `/v1/pools/${runner.poolId}`, { policy: { afterWake: 'restore' } })).status).toBe(200);
    expect((await runner.store.getPool(runner.poolId))?.policy?.afterWake).toBe('restore');

    const home = placement();
    const sleep = await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'test night' });
    expect(sleep.status).toBe(202);
    expect((await finished((sleep.json.operation as { id: string }).id)).state).toBe('succeeded');
    const night = placement();
    const moved = [...home].filter(([vm, h]) => night.get(vm) !== h);
    expect(moved.length).toBeGreaterThan(0);

    const wake = await api('POST', `/v1/pools/${runner.poolId}/wake`, { reason: 'test morning' });
    expect(wake.status).toBe(202);
    const woke = await finished((wake.json.operation as { id: string }).id);
    expect(woke.state).toBe('succeeded');
    const rebalanceId = (woke.result as { rebalance: { operationId: string } }).rebalance.operationId;
    const op = await finished(rebalanceId);
    expect(op).toMatchObject({ kind: 'rebalance', state: 'succeeded' });
    const after = placement();
    for (const [vm, h] of moved) expect(after.get(vm), vm).toBe(h);
    // The channel hears it once the runner has run it.
    for (let i = 0; i < 50 && !channel.some((n) => n.kind === 'rebalance-report'); i++) await new Promise((r) => setTimeout(r, 100));
    const report = channel.find((n) => n.kind === 'rebalance-report');
    expect(report && noticeText(report)).toBe(`rebalance (restore) of pool ${runner.poolId}: ${moved.length} VMs moved, 0 stayed`);
  }, 120_000);

  it('POST /v1/pools/{id}/rebalance and `lowpower pool rebalance`: a dry run, nothing to do, a bad mode', async () => {
    const dry = await api('POST', `/v1/pools/${runner.poolId}/rebalance`, { reason: 'look', mode: 'restore', dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ dryRun: true, plan: { mode: 'restore', moves: [], why: 'every VM is on its origin already' } });
    const before = (await runner.store.listOperations(runner.poolId)).length;
    const none = await api('POST', `/v1/pools/${runner.poolId}/rebalance`, { reason: 'again', mode: 'restore' });
    expect(none.json).toMatchObject({ operation: null });
    expect((await runner.store.listOperations(runner.poolId)).length).toBe(before);
    expect((await api('POST', `/v1/pools/${runner.poolId}/rebalance`, { reason: 'x', mode: 'sideways' })).json.error).toMatchObject({ code: 'bad_mode' });
    expect((await api('POST', `/v1/pools/${runner.poolId}/rebalance`, { mode: 'balance' })).status).toBe(400);

    const cli = await capture(() => runPoolCommand(['rebalance', runner.poolId, '-r', 'look', '--mode', 'balance', '--dry-run', '--url', runner.url]));
    expect(cli.code).toBe(0);
    expect(cli.out.split('\n')[0]).toMatch(/^(balance: \d+ moves|nothing to balance: every live host is within 15 points of the pool's mean CPU and memory)$/);
    const noMode = await capture(() => runPoolCommand(['rebalance', runner.poolId, '-r', 'look', '--url', runner.url]));
    expect(noMode.code).toBe(1);
    expect(noMode.err).toContain('give --mode restore or --mode balance');
  }, 60_000);
});
