/**
 * What lowpower tells people after an operation or a poll, from the records alone: typed notices
 * with their fields as data (the notifier port), and the same notices rendered for Slack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { noticesAfterOperation, noticesForAlerts, noticeText, POOL_SLEEP, POOL_WAKE, HOST_POWER, REBALANCE, type Notice } from '../../lib/ops/index.ts';
import { renderNotice } from '../../lib/slack/index.ts';
import type { Alert, OperationWithSteps } from '../../lib/store/index.ts';

const op = (o: Partial<OperationWithSteps>): OperationWithSteps => ({
  operationId: 'op-12345678',
  poolId: 'pool-1',
  kind: POOL_SLEEP,
  actor: 'schedule:night-sleep',
  source: 'schedule',
  reason: 'schedule night-sleep',
  state: 'succeeded',
  idempotencyKey: 'k',
  steps: [],
  version: 3,
  createdAt: '2026-11-25T22:30:00.000Z',
  updatedAt: '2026-11-25T22:35:00.000Z',
  ...o,
});

const messagesAfterOperation = (o: OperationWithSteps, tz?: string) => noticesAfterOperation(o, tz).map(renderNotice);
const messagesForAlerts = (a: Alert[]) => noticesForAlerts(a).map(renderNotice);

describe('notices as data', () => {
  it('a wake with a host not ready names the host and its step as fields, not in text to be parsed', () => {
    const notices = noticesAfterOperation(op({ kind: POOL_WAKE, state: 'failed', result: { readyBy: '2026-11-26T06:00:00.000Z', hosts: [{ hostId: 'host-005', result: 'failed', step: 'wait-live', detail: 'not live' }, { hostId: 'host-004', result: 'done' }] } }));
    expect(notices).toEqual([{ kind: 'wake-late', poolId: 'pool-1', hostId: 'host-005', step: 'wait-live', deadline: '2026-11-26T06:00:00.000Z', operationId: 'op-12345678', detail: 'not live' }]);
    expect(noticeText(notices[0] as Notice)).toBe('host host-005 not ready by 2026-11-26T06:00:00.000Z: stopped at wait-live (not live)');
  });

  it('drift carries what was expected as a field of the alert', () => {
    const base = { poolId: 'pool-1', state: 'open' as const, openedAt: 'x', lastSeenAt: 'x', count: 1, version: 1, createdAt: 'x', updatedAt: 'x' };
    const [n] = noticesForAlerts([{ ...base, hostId: 'host-003', kind: 'drift', message: 'host-003 should be awake but is off', detail: { found: 'off', expected: 'awake' } }]);
    expect(n).toMatchObject({ kind: 'drift', hostId: 'host-003', expected: 'awake', found: 'off' });
  });

  it('lib/ops imports nothing from lib/slack (the notifier port)', () => {
    const dir = new URL('../../lib/ops/', import.meta.url);
    const offenders = readdirSync(dir).filter((f) => f.endsWith('.ts') && /from '\.\.\/slack\//.test(readFileSync(new URL(f, dir), 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('the morning rebalance', () => {
  const rebalance = (state: 'succeeded' | 'failed', error?: string) =>
    op({
      kind: REBALANCE,
      state,
      ...(error ? { error } : {}),
      result: {
        mode: 'restore',
        moved: [{ vmId: 'vm-01', from: 'host-004', to: 'host-001', result: 'done', detail: 'host-004 -> host-001' }],
        stayed: [{ vmId: 'vm-13', hostId: 'host-002', why: 'its origin host-003 is disabled in XAPI' }, { vmId: 'vm-07', hostId: 'host-005', why: 'the migration failed: VM_MIGRATE_FAILED' }],
      },
    });

  it('one report with what moved and what stayed, as fields; a failed one is that report, not a second alert', () => {
    for (const state of ['succeeded', 'failed'] as const) {
      const notices = noticesAfterOperation(rebalance(state, state === 'failed' ? '1 migration(s) failed' : undefined));
      expect(notices).toEqual([
        {
          kind: 'rebalance-report',
          poolId: 'pool-1',
          operationId: 'op-12345678',
          mode: 'restore',
          moved: [{ vmId: 'vm-01', from: 'host-004', to: 'host-001' }],
          stayed: [{ vmId: 'vm-13', hostId: 'host-002', why: 'its origin host-003 is disabled in XAPI' }, { vmId: 'vm-07', hostId: 'host-005', why: 'the migration failed: VM_MIGRATE_FAILED' }],
        },
      ]);
      expect(noticeText(notices[0])).toBe('rebalance (restore) of pool pool-1: 1 VM moved, 2 stayed; vm-13: its origin host-003 is disabled in XAPI; vm-07: the migration failed: VM_MIGRATE_FAILED');
    }
    expect(noticesAfterOperation(op({ kind: REBALANCE, state: 'cancelled' }))).toEqual([]);
  });

  it('rendered for Slack: the counts in the title, each stay with why', () => {
    const [m] = messagesAfterOperation(rebalance('succeeded'));
    expect(m.text).toBe('Rebalance (restore) of pool pool-1: 1 VM moved, 2 stayed');
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('vm-13: its origin host-003 is disabled in XAPI');
    expect(text).toContain('op-12345678');
  });
});

describe('channel messages', () => {
  it('a finished sleep is a night report marked as planned, with the watts, dated by the pool time zone', () => {
    const [m, ...rest] = messagesAfterOperation(op({ result: { hosts: [{ hostId: 'host-004', result: 'done', detail: 'asleep', wattsSaved: 250 }, { hostId: 'host-001', result: 'skipped', detail: 'pool master' }], wattsSwitchedOff: 250 }, createdAt: '2026-11-25T23:30:00.000Z' }), 'Europe/Berlin');
    expect(rest).toEqual([]);
    expect(m.text).toMatch(/Night of 2026-11-26, pool pool-1: 1 host asleep, 250 W switched off/);
    expect(JSON.stringify(m)).toMatch(/planned: nightly sleep, no action needed/);
  });

  it('a wake with a host not ready: one alert naming the host and the step it stopped at', () => {
    const ms = messagesAfterOperation(op({ kind: POOL_WAKE, state: 'failed', result: { readyBy: '2026-11-26T06:00:00.000Z', hosts: [{ hostId: 'host-005', result: 'failed', step: 'wait-live', detail: 'host-005 is not ready by 2026-11-26T06:00:00.000Z: stopped at wait-live (not live)' }, { hostId: 'host-004', result: 'done' }] } }));
    expect(ms).toHaveLength(1);
    expect(ms[0].text).toMatch(/host-005 not ready by 2026-11-26T06:00:00.000Z/);
    expect(JSON.stringify(ms[0])).toMatch(/wait-live/);
  });

  it('a failed host power operation is an alert; a succeeded one says nothing', () => {
    expect(messagesAfterOperation(op({ kind: HOST_POWER, state: 'succeeded' }))).toEqual([]);
    const [m] = messagesAfterOperation(op({ kind: HOST_POWER, state: 'failed', result: { hosts: [{ hostId: 'h1', result: 'failed', detail: 'chassis is on, not off' }] } }));
    expect(m.text).toMatch(/host-power failed in pool pool-1/);
    expect(JSON.stringify(m)).toMatch(/chassis is on, not off/);
  });

  it('drift and heat from a poll become alerts', () => {
    const base = { poolId: 'pool-1', state: 'open' as const, openedAt: 'x', lastSeenAt: 'x', count: 1, version: 1, createdAt: 'x', updatedAt: 'x' };
    const alerts: Alert[] = [
      { ...base, hostId: 'host-006', kind: 'drift', message: 'host-006 was put to sleep by lowpower but is on', detail: { found: 'on' } },
      { ...base, hostId: 'host-002', kind: 'thermal', message: 'CPU1 Temp 97.5 C over critical', detail: { sensor: 'CPU1 Temp', celsius: 97.5 } },
    ];
    const [drift, heat] = messagesForAlerts(alerts);
    expect(drift.text).toMatch(/Drift: host host-006 is on, expected asleep/);
    expect(heat.text).toMatch(/Heat: host host-002 at 98 °C/);
  });
});
