import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleSlackCommand, memoryReplayGuard, type SlackMessage } from '../../lib/slack/index.ts';
import { fakeApi } from './fake-api.ts';
import { NOW_MS, NOW_S, SECRET, allText, commandBody, recordingApi, signed, sleep, slackDeps, startCapture, type CaptureServer } from './support.ts';

let capture: CaptureServer;
beforeAll(async () => {
  capture = await startCapture();
});
afterAll(async () => {
  await capture?.stop();
});

const asMessage = (b: object): SlackMessage => b as SlackMessage;

describe('slash command: who gets in', () => {
  it('a signed status command reaches the API as the Slack user and answers with a table', async () => {
    const rec = recordingApi(fakeApi);
    const deps = slackDeps(rec.api);
    const out = await handleSlackCommand(deps, signed(commandBody('status pool-1', { response_url: capture.url() })));
    expect(out.status).toBe(200);
    expect(out.after).toBeUndefined();
    const m = asMessage(out.body);
    expect(m.response_type).toBe('ephemeral');
    expect(m.text).toBe('Pool pool-1: 3 hosts, 2 on');
    const text = allText(m.blocks);
    expect(text).toMatch(/h1\s+on\s+enabled\s+61 °C\s+215 W\s+master/);
    expect(text).toMatch(/h3\s+off\s+halted\s+-\s+-/);
    expect(rec.calls.map((c) => `${c.method} ${c.path}${c.query.pool ? `?pool=${c.query.pool}` : ''}`)).toEqual([
      'GET /v1/pools',
      'GET /v1/hosts?pool=pool-1',
      'GET /v1/hosts/h1?pool=pool-1',
      'GET /v1/hosts/h2?pool=pool-1',
      'GET /v1/hosts/h3?pool=pool-1',
    ]);
    for (const c of rec.calls) expect({ actor: c.actor, role: c.role }).toEqual({ actor: 'slack:alice', role: 'operator' });
  });

  it('forged, tampered, stale, future-dated and unsigned requests never reach the API', async () => {
    const rec = recordingApi(fakeApi);
    const deps = slackDeps(rec.api);
    const body = commandBody('status');
    const good = signed(body);
    const attempts = [
      signed(body, { secret: 'guessed' }),
      { ...good, rawBody: commandBody('off h1') },
      signed(body, { timestamp: NOW_S - 301 }),
      signed(body, { timestamp: NOW_S + 301 }),
      { headers: {}, rawBody: body },
      { headers: { 'x-slack-request-timestamp': String(NOW_S) }, rawBody: body },
      { headers: { ...good.headers, 'x-slack-request-timestamp': 'soon' }, rawBody: body },
    ];
    for (const a of attempts) {
      const out = await handleSlackCommand(deps, a);
      expect(out.status).toBe(401);
      expect(out.after).toBeUndefined();
      expect(JSON.stringify(out.body)).not.toContain(SECRET);
      expect(out.body).toMatchObject({ error: 'unauthorized' });
    }
    expect(rec.calls).toHaveLength(0);
    expect(deps.lines.filter((l) => l.startsWith('slack-refused reason='))).toHaveLength(attempts.length);
    // And the good one still works afterwards.
    expect((await handleSlackCommand(deps, good)).status).toBe(200);
    expect(rec.calls.length).toBeGreaterThan(0);
  });

  it('a replay of an accepted request is refused and does not reach the API again', async () => {
    const rec = recordingApi(fakeApi);
    const deps = slackDeps(rec.api);
    const req = signed(commandBody('sensors h1'));
    expect((await handleSlackCommand(deps, req)).status).toBe(200);
    const before = rec.calls.length;
    expect(before).toBe(1);
    const again = await handleSlackCommand(deps, req, NOW_MS + 60_000);
    expect(again).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'replayed' } });
    expect(rec.calls.length).toBe(before);
  });

  it('a body API Gateway handed over as base64 is checked and read', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('sensors h1'), { base64: true }));
    expect(out.status).toBe(200);
    expect(allText(out.body)).toMatch(/CPU\s+61/);
  });

  it('without a working replay guard nothing gets in (fail closed)', async () => {
    const rec = recordingApi(fakeApi);
    const deps = slackDeps(rec.api, { replay: { firstTime: () => Promise.reject(new Error('table gone')) } });
    expect(await handleSlackCommand(deps, signed(commandBody('status')))).toEqual({ status: 503, body: { error: 'unavailable' } });
    expect(rec.calls).toHaveLength(0);
  });

  it('no signing secret configured: a 500, nothing gets in', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackCommand(slackDeps(rec.api, { signingSecret: '' }), signed(commandBody('status')));
    expect(out.status).toBe(500);
    expect(rec.calls).toHaveLength(0);
  });
});

describe('slash command: answers', () => {
  it('an unknown user is a viewer', async () => {
    const rec = recordingApi(fakeApi);
    await handleSlackCommand(slackDeps(rec.api), signed(commandBody('sensors h1', { user_id: 'U_STRANGER', user_name: 'mallory' })));
    expect(rec.calls[0]).toMatchObject({ actor: 'slack:mallory', role: 'viewer' });
  });

  it('a roleOf that throws or answers nonsense still means viewer', async () => {
    const rec = recordingApi(fakeApi);
    await handleSlackCommand(slackDeps(rec.api, { roleOf: () => { throw new Error('directory down'); } }), signed(commandBody('sensors h1')));
    await handleSlackCommand(slackDeps(rec.api, { roleOf: () => 'root' as never }), signed(commandBody('sensors h1')));
    expect(rec.calls.map((c) => c.role)).toEqual(['viewer', 'viewer']);
  });

  it('malformed text gets the usage, and the API is not asked', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('reboot the world')));
    expect(out.status).toBe(200);
    expect(allText(out.body)).toMatch(/I do not know `reboot`[\s\S]*\/lowpower status/);
    expect(rec.calls).toHaveLength(0);
  });

  it('a destructive command asks first: a look at the host, no POST', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('off h2')));
    const m = asMessage(out.body);
    expect(m.text).toBe('Confirm: Hard power-off (refused while VMs run on it) host h2 (pool pool-1, now on)');
    expect(m.blocks?.some((b) => b.type === 'actions')).toBe(true);
    expect(rec.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v1/hosts/h2']);
  });

  it('sleep asks first, showing the dry-run plan; nothing but the dry run is sent', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('sleep pool-1')));
    const text = allText(out.body);
    expect(text).toContain('Put 1 host of pool pool-1 to sleep now (1 migrations)');
    expect(text).toMatch(/h1\s+pool master/);
    expect(rec.calls).toHaveLength(1);
    expect(rec.calls[0]).toMatchObject({ method: 'POST', path: '/v1/pools/pool-1/sleep', body: { dryRun: true, reason: 'slack: alice: sleep pool-1' } });
  });

  it('an API refusal is shown as it is, with no button', async () => {
    const rec = recordingApi(fakeApi);
    const out = await handleSlackCommand(slackDeps(rec.api), signed(commandBody('cycle nope')));
    expect(asMessage(out.body).text).toBe(':warning: no host nope');
    expect(JSON.stringify(out.body)).not.toContain('"actions"');
  });

  it('an API that throws gives an apology, not a crash', async () => {
    const out = await handleSlackCommand(slackDeps(() => Promise.reject(new Error('boom'))), signed(commandBody('sensors h1')));
    expect(out.status).toBe(200);
    expect(asMessage(out.body).text).toContain('could not answer');
  });

  it('ssl_check pings get an empty 200', async () => {
    const rec = recordingApi(fakeApi);
    expect(await handleSlackCommand(slackDeps(rec.api), signed('ssl_check=1&token=x'))).toEqual({ status: 200, body: {} });
  });
});

describe('the 3-second rule', () => {
  it('an API taking 4 s: "working on it" within ~2.6 s, the answer later at response_url', async () => {
    const rec = recordingApi(async (req) => {
      await sleep(4000);
      return fakeApi(req);
    });
    const deps = slackDeps(rec.api);
    const responseUrl = capture.url('/slow-command');
    const t0 = Date.now();
    const out = await handleSlackCommand(deps, signed(commandBody('sensors h1', { response_url: responseUrl })));
    const answeredIn = Date.now() - t0;
    expect(answeredIn).toBeGreaterThanOrEqual(2400);
    expect(answeredIn).toBeLessThan(2700);
    expect(out.status).toBe(200);
    expect(asMessage(out.body).text).toContain('Working on `sensors h1`');
    expect(out.job).toEqual({ kind: 'command', responseUrl, text: 'sensors h1', user: { id: 'U_ALICE', name: 'alice' } });
    const n = capture.posts.length;
    expect(out.after).toBeDefined();
    await out.after?.();
    const post = capture.posts[n];
    expect(post.path).toBe('/slow-command');
    expect(post.at - t0).toBeGreaterThanOrEqual(3900);
    expect(post.body.response_type).toBe('ephemeral');
    expect(allText(post.body)).toMatch(/CPU\s+61/);
    // The work ran once: the late answer reused it rather than asking again.
    expect(rec.calls).toHaveLength(1);
  });

  it('a failing response_url is logged without the URL, and after() does not reject', async () => {
    const rec = recordingApi(async (req) => {
      await sleep(150);
      return fakeApi(req);
    });
    const deps = slackDeps(rec.api, { answerWithinMs: 50 });
    capture.answer.status = 404;
    capture.answer.text = 'expired_url';
    try {
      const secretUrl = capture.url('/hooks/T1/SECRETPATH');
      const out = await handleSlackCommand(deps, signed(commandBody('sensors h1', { response_url: secretUrl })));
      await expect(out.after?.()).resolves.toBeUndefined();
      const line = deps.lines.find((l) => l.startsWith('slack-response-url-failed '));
      expect(line).toContain('404 expired_url');
      expect(line).not.toContain('SECRETPATH');
    } finally {
      capture.answer.status = 200;
      capture.answer.text = 'ok';
    }
  });

  it('a response_url outside Slack is refused unless loopback is allowed', async () => {
    const rec = recordingApi(async (req) => {
      await sleep(100);
      return fakeApi(req);
    });
    const { responseUrlPoster } = await import('../../lib/slack/index.ts');
    const deps = slackDeps(rec.api, { answerWithinMs: 20, postToResponseUrl: responseUrlPoster(), replay: memoryReplayGuard() });
    const n = capture.posts.length;
    const out = await handleSlackCommand(deps, signed(commandBody('sensors h1', { response_url: capture.url('/nope') })));
    await out.after?.();
    expect(capture.posts.length).toBe(n);
    expect(deps.lines.some((l) => /not a Slack URL/.test(l))).toBe(true);
  });
});
