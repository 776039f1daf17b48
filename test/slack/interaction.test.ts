import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANCEL_ACTION, CONFIRM_ACTION, handleSlackCommand, handleSlackInteraction, runSlackJob, type SlackMessage } from '../../lib/slack/index.ts';
import { fakeApi } from './fake-api.ts';
import { NOW_MS, allText, blockActions, commandBody, interactionBody, recordingApi, signed, sleep, slackDeps, startCapture, type CaptureServer } from './support.ts';

let capture: CaptureServer;
beforeAll(async () => {
  capture = await startCapture();
});
afterAll(async () => {
  await capture?.stop();
});

const posts = <T extends { method: string }>(calls: T[]): T[] => calls.filter((c) => c.method === 'POST');

/** The confirm button's value from a confirmation message. */
function confirmValue(m: SlackMessage): string {
  for (const b of m.blocks ?? []) if (b.type === 'actions') for (const e of b.elements) if (e.action_id === CONFIRM_ACTION && e.value) return e.value;
  throw new Error('no confirm button');
}

describe('confirm click', () => {
  it('command, button, click: exactly one POST to the power route, as the clicker, and the operation id at response_url', async () => {
    const rec = recordingApi(fakeApi);
    const deps = slackDeps(rec.api);
    const asked = await handleSlackCommand(deps, signed(commandBody('off h2')));
    const value = confirmValue(asked.body as SlackMessage);
    expect(posts(rec.calls)).toHaveLength(0);

    const responseUrl = capture.url('/click-1');
    const click = signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl })));
    const t0 = Date.now();
    const out = await handleSlackInteraction(deps, click, NOW_MS + 5000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(out.status).toBe(200);
    expect(out.body).toEqual({});

    const started = posts(rec.calls);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ path: '/v1/hosts/h2/power', body: { action: 'off', reason: 'slack: alice: off h2' }, actor: 'slack:alice', role: 'operator' });
    expect(started[0].headers['idempotency-key']).toMatch(/^slack-[0-9a-f]{48}$/);
    expect(started[0].body).not.toHaveProperty('force');

    const n = capture.posts.length;
    await out.after?.();
    const post = capture.posts[n];
    expect(post.path).toBe('/click-1');
    expect(post.body.replace_original).toBe(true);
    expect(post.body.text).toContain('operation `op-0001` (pending)');
    expect(post.body.text).toContain('<@U_ALICE>');
    expect(out.job).toEqual({ kind: 'post', responseUrl, message: post.body });

    // The same click replayed: refused before anything, still one POST.
    const replay = await handleSlackInteraction(deps, click, NOW_MS + 6000);
    expect(replay.status).toBe(401);
    expect(replay.after).toBeUndefined();
    expect(posts(rec.calls)).toHaveLength(1);
  });

  it('a second click on the same button is a new request with the same idempotency key', async () => {
    const rec = recordingApi(fakeApi);
    const deps = slackDeps(rec.api);
    const value = JSON.stringify({ v: 1, c: 'cycle h1' });
    const responseUrl = capture.url('/click-2');
    await handleSlackInteraction(deps, signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl, actionTs: '1.1' }))));
    await handleSlackInteraction(deps, signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl, actionTs: '1.2' }))), NOW_MS + 1000);
    const [a, b] = posts(rec.calls);
    expect(a.headers['idempotency-key']).toBe(b.headers['idempotency-key']);
    // Another question (another message) is another operation.
    await handleSlackInteraction(deps, signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl, messageTs: '9.9' }))), NOW_MS + 2000);
    expect(posts(rec.calls)[2].headers['idempotency-key']).not.toBe(a.headers['idempotency-key']);
  });

  it('sleep and wake start through the pool routes', async () => {
    const rec = recordingApi(fakeApi);
    const deps = slackDeps(rec.api);
    for (const [i, c] of ['sleep pool-1', 'wake pool-1'].entries()) {
      const out = await handleSlackInteraction(deps, signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value: JSON.stringify({ v: 1, c }), responseUrl: capture.url(), actionTs: String(i) }))), NOW_MS + i * 1000);
      expect(allText(out.job)).toContain(i === 0 ? 'op-0002' : 'op-0003');
    }
    expect(posts(rec.calls).map((c) => [c.path, c.body])).toEqual([
      ['/v1/pools/pool-1/sleep', { reason: 'slack: alice: sleep pool-1' }],
      ['/v1/pools/pool-1/wake', { reason: 'slack: alice: wake pool-1' }],
    ]);
  });

  it('a viewer who clicks gets the API refusal in place of the question', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackInteraction(slackDeps(rec.api), signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value: JSON.stringify({ v: 1, c: 'on h3' }), responseUrl: capture.url(), userId: 'U_BOB', userName: 'bob' }))));
    expect(posts(rec.calls)[0]).toMatchObject({ role: 'viewer', actor: 'slack:bob' });
    expect(out.job?.kind === 'post' && out.job.message.text).toBe(':warning: `/lowpower on h3` did not start: POST /v1/hosts/h3/power needs the operator role; you have viewer');
  });

  it('a slow start acknowledges at once and reports later; the job can redo it with the same key', async () => {
    const rec = recordingApi(async (req) => {
      await sleep(300);
      return fakeApi(req);
    });
    const deps = slackDeps(rec.api, { answerWithinMs: 100 });
    const responseUrl = capture.url('/slow-click');
    const out = await handleSlackInteraction(deps, signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value: JSON.stringify({ v: 1, c: 'soft h2' }), responseUrl }))));
    expect(out.body).toEqual({});
    expect(out.job).toMatchObject({ kind: 'confirm', responseUrl, text: 'soft h2', user: { id: 'U_ALICE', name: 'alice' } });
    const n = capture.posts.length;
    await out.after?.();
    expect(capture.posts[n].body.text).toContain('op-0001');
    expect(posts(rec.calls)).toHaveLength(1);
    // A Lambda would hand `job` to itself instead: same route, same idempotency key.
    if (out.job?.kind !== 'confirm') throw new Error('expected a confirm job');
    await runSlackJob(deps, out.job);
    const [first, second] = posts(rec.calls);
    expect(second).toMatchObject({ path: '/v1/hosts/h2/power', body: { action: 'soft' } });
    expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
    expect(capture.posts.length).toBe(n + 2);
  });
});

describe('other clicks', () => {
  it('cancel only updates the message', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackInteraction(slackDeps(rec.api), signed(interactionBody(blockActions({ actionId: CANCEL_ACTION, value: 'cancel', responseUrl: capture.url('/cancel') }))));
    expect(out.body).toEqual({});
    const n = capture.posts.length;
    await out.after?.();
    expect(capture.posts[n].body).toMatchObject({ replace_original: true, text: 'Cancelled by <@U_ALICE>: nothing was started.' });
    expect(rec.calls).toHaveLength(0);
  });

  it.each([
    ['a read-only command', JSON.stringify({ v: 1, c: 'status' })],
    ['a value that is not ours', '{"kind":"power","action":"off","host":"h1"}'],
    ['a path trick', JSON.stringify({ v: 1, c: 'off ../../v1/pools' })],
    ['no value', undefined],
  ])('a confirm carrying %s starts nothing', async (_what, value) => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackInteraction(slackDeps(rec.api), signed(interactionBody(blockActions({ actionId: CONFIRM_ACTION, value, responseUrl: capture.url() }))));
    expect(rec.calls).toHaveLength(0);
    expect(out.job?.kind === 'post' && out.job.message.text).toContain('not one lowpower made');
  });

  it.each([
    ['another payload type', interactionBody({ type: 'view_submission', user: { id: 'U_ALICE' } })],
    ['another button', interactionBody(blockActions({ actionId: 'something_else', value: 'x', responseUrl: 'https://hooks.slack.com/actions/x' }))],
    ['a payload that is not JSON', 'payload=%7Bnot-json'],
    ['no payload', 'foo=bar'],
  ])('%s is acknowledged and ignored', async (_what, body) => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackInteraction(slackDeps(rec.api), signed(body));
    expect(out).toEqual({ status: 200, body: {} });
    expect(rec.calls).toHaveLength(0);
  });

  it('an unsigned click is refused before its payload is read', async () => {
    const rec = recordingApi(fakeApi);
    const body = interactionBody(blockActions({ actionId: CONFIRM_ACTION, value: JSON.stringify({ v: 1, c: 'off h1' }), responseUrl: capture.url() }));
    const out = await handleSlackInteraction(slackDeps(rec.api), { headers: {}, rawBody: body });
    expect(out.status).toBe(401);
    expect(rec.calls).toHaveLength(0);
  });
});
