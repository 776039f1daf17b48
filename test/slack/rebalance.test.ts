/**
 * `/lowpower rebalance POOL [restore|balance]` end to end on the local runner: signed requests over
 * HTTP to its Slack endpoint, the real API and its roles behind it, the simulated pool moving VMs.
 * After a night (sleep, then a wake that rebalances nothing by itself), the question shows the
 * dry-run plan and starts nothing; the click starts one rebalance as the Slack user, and every VM
 * the sleep moved is home again. A viewer is refused by the API; forged requests never get in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { CONFIRM_ACTION, signSlackRequest, type SlackMessage } from '../../lib/slack/index.ts';
import { freePort } from '../support/peers.ts';
import { runnerHttp, type Json } from '../support/runner-http.ts';
import { allText, blockActions, commandBody, interactionBody, startCapture, type CaptureServer } from './support.ts';

let runner: LocalRunner;
let capture: CaptureServer;
let home: Map<string, string>;
let moved: Array<[string, string]>;
let sent = 0;

const placement = (): Map<string, string> => new Map(runner.xapi.state.guests().map((vm) => [vm.name_label, runner.xapi.state.vmHost(vm.name_label) as string]));

const { api, finished } = runnerHttp(() => runner.url);

/** A POST to the runner's Slack endpoint, signed now (with another secret to forge one). */
async function slack(path: '/slack/commands' | '/slack/interactions', body: string, secret = runner.slackSigningSecret): Promise<{ status: number; json: Json }> {
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${runner.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(secret, body, ts) }, body });
  return { status: res.status, json: (await res.json()) as Json };
}

/** A slash command as a user: its answer (at once, or later at response_url when slow). */
async function command(text: string, user: { id: string; name: string }): Promise<SlackMessage> {
  const path = `/cmd-${++sent}`;
  const res = await slack('/slack/commands', commandBody(text, { user_id: user.id, user_name: user.name, trigger_id: `t-${sent}`, response_url: capture.url(path) }));
  expect(res.status).toBe(200);
  if (!String(res.json.text ?? '').startsWith(':hourglass:')) return res.json as unknown as SlackMessage;
  for (let i = 0; i < 100; i++) {
    const post = capture.posts.find((p) => p.path === path);
    if (post) return post.body as unknown as SlackMessage;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer for ${text}`);
}

const buttonValue = (m: SlackMessage): string | undefined => {
  for (const b of m.blocks ?? []) if (b.type === 'actions') return b.elements[0].value;
  return undefined;
};
const rebalances = async () => (await runner.store.listOperations(runner.poolId)).filter((o) => o.kind === 'rebalance');

const OPERATOR = { id: 'U_OPER', name: 'oper' };
const VIEWER = { id: 'U_NOBODY', name: 'nobody' };

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'lowpower-slack-rebalance-'));
  writeFileSync(join(stateDir, 'slack-users.json'), JSON.stringify({ ULOCALADMIN: 'admin', [OPERATOR.id]: 'operator' }), { mode: 0o600 });
  capture = await startCapture();
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, stateDir, log: () => undefined, migrateMsPerGiB: 1, sampleSchedule: false, notifier: async () => undefined });
  // A night whose morning leaves the VMs where the sleep packed them.
  expect((await api('PATCH', `/v1/pools/${runner.poolId}`, { policy: { afterWake: 'none', wakeGroupSize: 10, wakeStaggerMs: 0 } })).status).toBe(200);
  home = placement();
  const sleep = await api('POST', `/v1/pools/${runner.poolId}/sleep`, { reason: 'test night' });
  expect((await finished((sleep.json.operation as { id: string }).id)).state).toBe('succeeded');
  const wake = await api('POST', `/v1/pools/${runner.poolId}/wake`, { reason: 'test morning' });
  expect((await finished((wake.json.operation as { id: string }).id)).state).toBe('succeeded');
  const after = placement();
  moved = [...home].filter(([vm, h]) => after.get(vm) !== h);
}, 120_000);
afterAll(async () => {
  await runner?.stop();
  await capture?.stop();
});

describe('/lowpower rebalance on the local runner', () => {
  it('a viewer asking gets the API refusal (operator needed), no button, nothing started', async () => {
    const m = await command(`rebalance ${runner.poolId}`, VIEWER);
    expect(allText(m)).toMatch(/POST \/v1\/pools\/pool-1\/rebalance needs the operator role/);
    expect(buttonValue(m)).toBeUndefined();
    expect(await rebalances()).toEqual([]);
  });

  it('forged requests (another secret, no signature) are refused before anything runs', async () => {
    expect((await slack('/slack/commands', commandBody(`rebalance ${runner.poolId}`, { user_id: OPERATOR.id, trigger_id: 'forged-1' }), 'not-the-secret')).status).toBe(401);
    const value = JSON.stringify({ v: 1, c: `rebalance ${runner.poolId} restore` });
    const forgedClick = interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl: capture.url('/forged'), userId: OPERATOR.id, userName: OPERATOR.name }));
    expect((await slack('/slack/interactions', forgedClick, 'not-the-secret')).status).toBe(401);
    const unsigned = await fetch(`${runner.url}/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: forgedClick });
    expect(unsigned.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(await rebalances()).toEqual([]);
    expect(capture.posts.filter((p) => p.path === '/forged')).toEqual([]);
  });

  it('an operator: the question shows the dry-run moves and starts nothing; the click starts one rebalance as the Slack user; every moved VM is home', async () => {
    expect(moved.length).toBeGreaterThan(0);
    const asked = await command(`rebalance ${runner.poolId}`, OPERATOR);
    const text = allText(asked);
    expect(text).toContain(`Move ${moved.length} VM${moved.length === 1 ? '' : 's'} of pool pool-1 back to their hosts before the last sleep now`);
    for (const [vm, h] of moved) expect(text).toMatch(new RegExp(`${vm}: host-\\d+ → ${h} \\(wave \\d+\\)`));
    const value = buttonValue(asked);
    expect(value).toBe(JSON.stringify({ v: 1, c: 'rebalance pool-1 restore' }));
    expect(await rebalances()).toEqual([]);

    const click = await slack('/slack/interactions', interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl: capture.url('/click'), userId: OPERATOR.id, userName: OPERATOR.name })));
    expect(click).toEqual({ status: 200, json: {} });
    const posted = (await capture.waitFor(capture.posts.length + 1)).find((p) => p.path === '/click');
    const id = /operation `([^`]+)`/.exec(String(posted?.body.text))?.[1];
    expect(id, JSON.stringify(posted?.body)).toBeDefined();
    expect(String(posted?.body.text)).toContain('`/lowpower rebalance pool-1 restore` started by <@U_OPER>');
    const op = await finished(id as string);
    expect(op).toMatchObject({ kind: 'rebalance', state: 'succeeded', actor: 'slack:oper', source: 'slack', reason: 'slack: oper: rebalance pool-1 restore' });
    expect(await rebalances()).toHaveLength(1);
    const after = placement();
    for (const [vm, h] of moved) expect(after.get(vm), vm).toBe(h);

    // Asked again: nothing to move, and no button.
    const again = await command(`rebalance ${runner.poolId} restore`, OPERATOR);
    expect(allText(again)).toContain('Pool *pool-1*: nothing to move (restore): every VM is on its origin already.');
    expect(buttonValue(again)).toBeUndefined();
  }, 60_000);
});
