import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_NOTE,
  PLANNED_NOTE,
  SLACK_LIMITS,
  SlackPostError,
  checkSlackUrl,
  driftMessage,
  failedOperationMessage,
  nightReportMessage,
  nightReportOf,
  notify,
  thermalMessage,
  wakeLateMessage,
  webhookChannel,
  type SlackMessage,
} from '../../lib/slack/index.ts';
import { allText, startCapture, type CaptureServer } from './support.ts';
import { lineLog } from '../../lib/util/log.ts';

let capture: CaptureServer;
beforeAll(async () => {
  capture = await startCapture();
});
afterAll(async () => {
  await capture?.stop();
});

const contextLines = (m: SlackMessage): string[] => (m.blocks ?? []).flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : []));

describe('alerts', () => {
  it('a failed operation names pool, operation, who and why, with its host table', () => {
    const m = failedOperationMessage({ operationId: 'op-9', kind: 'pool-sleep', poolId: 'pool-1', actor: 'schedule:nightly', source: 'schedule', reason: 'nightly', error: 'h2: VMs still resident', hosts: [{ host: 'h2', result: 'failed', detail: 'VMs still resident' }] });
    expect(m.text).toBe(':rotating_light: pool-sleep failed in pool pool-1');
    const t = allText(m);
    expect(t).toContain('operation `op-9`');
    expect(t).toContain('asked by schedule:nightly (schedule): nightly');
    expect(t).toMatch(/h2\s+failed\s+VMs still resident/);
    expect(contextLines(m)).toEqual([ALERT_NOTE]);
  });

  it('a host not ready by the wake deadline names the host and the step', () => {
    const m = wakeLateMessage({ poolId: 'pool-1', hostId: 'h3', step: 'wait-live', deadline: '2025-01-16T06:00:00.000Z', operationId: 'op-7' });
    expect(m.text).toBe(':rotating_light: Host h3 not ready by 2025-01-16T06:00:00.000Z');
    expect(allText(m)).toContain('stuck at step `wait-live` (operation `op-7`)');
  });

  it('drift and heat', () => {
    expect(driftMessage({ poolId: 'pool-1', hostId: 'h2', expected: 'asleep', found: 'on' }).text).toBe(':rotating_light: Drift: host h2 is on, expected asleep');
    const heat = thermalMessage({ poolId: 'pool-1', hostId: 'h1', sensor: 'CPU1 Temp', celsius: 91.6, criticalCelsius: 90, action: 'draining and sleeping the host' });
    expect(heat.text).toBe(':rotating_light: Heat: host h1 at 92 °C');
    expect(allText(heat)).toContain('sensor `CPU1 Temp` (critical 90 °C)');
  });

  it('escapes what comes from outside', () => {
    expect(allText(driftMessage({ poolId: 'p', hostId: 'h', expected: 'x', found: 'y', detail: '<!channel> & co' }))).toContain('&lt;!channel&gt; &amp; co');
  });
});

describe('night report', () => {
  const op = {
    operationId: 'op-night',
    poolId: 'pool-1',
    result: {
      hosts: [
        { hostId: 'h2', result: 'done', detail: 'asleep', wattsSaved: 212.5 },
        { hostId: 'h3', result: 'done', detail: 'asleep', wattsSaved: 190 },
        { hostId: 'h1', result: 'skipped', detail: 'pool master' },
      ],
      wattsSwitchedOff: 402.5,
    },
  };

  it('is marked planned, so nobody is paged, with watts per host', () => {
    const m = nightReportMessage(nightReportOf(op, '2025-01-15'));
    expect(m.text).toBe(`:crescent_moon: Night of 2025-01-15, pool pool-1: 2 hosts asleep, 403 W switched off (${PLANNED_NOTE})`);
    expect(contextLines(m)[0]).toBe('planned: nightly sleep, no action needed');
    expect(allText(m)).not.toContain(ALERT_NOTE);
    expect(allText(m)).not.toContain(':rotating_light:');
    expect(allText(m)).toMatch(/h2\s+done\s+asleep\s+213 W/);
    expect(allText(m)).toMatch(/h1\s+skipped\s+pool master/);
  });

  it('says when hosts did not sleep, and stays within the limits for 2,000 hosts', () => {
    const hosts = Array.from({ length: 2000 }, (_, i) => ({ host: `h${i}`, result: i % 10 ? 'done' : 'failed', detail: i % 10 ? 'asleep' : 'still live in XAPI', watts: i % 10 ? 200 : undefined }));
    const m = nightReportMessage({ poolId: 'big', night: '2025-01-15', hosts });
    expect(m.blocks?.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(contextLines(m)).toContain('200 hosts did not sleep and stay on; an alert follows if it needs a look');
    expect(m.text).toContain('1800 hosts asleep, 360000 W');
  });
});

describe('posting', () => {
  it('an incoming webhook gets the message as JSON', async () => {
    const n = capture.posts.length;
    await webhookChannel(capture.url('/services/T1/B1/x'), { allowLoopback: true }).post(driftMessage({ poolId: 'p', hostId: 'h', expected: 'asleep', found: 'on' }));
    expect(capture.posts[n]).toMatchObject({ path: '/services/T1/B1/x', body: { text: ':rotating_light: Drift: host h is on, expected asleep' } });
  });

  it('notify reports a failure instead of throwing', async () => {
    capture.answer.status = 500;
    try {
      const lines: string[] = [];
      expect(await notify(webhookChannel(capture.url('/services/x'), { allowLoopback: true }), { text: 'x' }, lineLog((l) => lines.push(l)))).toBe(false);
      expect(lines[0]).toMatch(/answered 500/);
    } finally {
      capture.answer.status = 200;
    }
    expect(await notify(webhookChannel(capture.url('/services/x'), { allowLoopback: true }), { text: 'x' })).toBe(true);
  });

  it.each([
    ['https://hooks.slack.com/commands/T1/1/x', true, false],
    ['https://hooks.slack-gov.com/services/x', true, false],
    ['http://hooks.slack.com/commands/x', false, false],
    ['https://hooks.slack.com.evil.example/x', false, false],
    ['https://evilslack.com/x', false, false],
    ['http://127.0.0.1:9/x', false, false],
    ['http://127.0.0.1:9/x', true, true],
    ['http://169.254.169.254/latest/meta-data', false, true],
    ['file:///etc/passwd', false, true],
    ['not a url', false, true],
  ])('checkSlackUrl(%s) allowed: %s (loopback allowed: %s)', (url, ok, loopback) => {
    if (ok) expect(checkSlackUrl(url, loopback).href).toBeTruthy();
    else expect(() => checkSlackUrl(url, loopback)).toThrow(SlackPostError);
  });
});
