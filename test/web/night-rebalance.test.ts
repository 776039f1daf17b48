/** The night view's morning: the last rebalance in a sentence, what moved and what stayed with why (pure, no page). */
import { describe, expect, it } from 'vitest';
import { morningSummary } from '../../web/src/views/night.ts';
import type { Operation } from '../../web/src/types.ts';

const op = (o: Partial<Operation>): Operation => ({
  operationId: 'op-1',
  poolId: 'pool-1',
  kind: 'rebalance',
  state: 'succeeded',
  actor: 'schedule:morning',
  source: 'schedule',
  reason: 'afterWake restore',
  hostIds: [],
  createdAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  updatedAt: new Date().toISOString(),
  ...o,
});

describe('the morning rebalance in the night view', () => {
  it('a finished restore: each move, each stay with why', () => {
    const m = morningSummary(
      op({
        result: {
          mode: 'restore',
          moved: [{ vmId: 'vm-01', from: 'host-004', to: 'host-001' }, { vmId: 'vm-02', from: 'host-004', to: 'host-005' }],
          stayed: [{ vmId: 'vm-13', hostId: 'host-002', why: 'its origin host-003 is disabled in XAPI' }],
        },
      }),
    );
    expect(m.text).toBe('Rebalance (restore) 5 min ago: 2 VMs moved, 1 stayed.');
    expect(m.moved).toEqual(['vm-01: host-004 → host-001', 'vm-02: host-004 → host-005']);
    expect(m.stayed).toEqual(['vm-13: its origin host-003 is disabled in XAPI']);
  });

  it('a balance whose migration failed says so; a host that stays is named', () => {
    const m = morningSummary(op({ state: 'failed', error: '1 migration(s) failed', result: { mode: 'balance', moved: [], stayed: [{ hostId: 'host-003', why: "CPU 22 points above the pool's mean: no move to a host with room brings it closer to the mean" }] } }));
    expect(m.text).toMatch(/^Rebalance \(balance\) .*\(failed: 1 migration\(s\) failed\): 0 VMs moved, 1 stayed\.$/);
    expect(m.stayed[0]).toMatch(/^host-003: CPU 22 points/);
  });

  it('a running one shows the moves its plan holds', () => {
    const m = morningSummary(op({ state: 'running', params: { mode: 'restore', plan: { moves: [{}, {}, {}] } } }));
    expect(m).toEqual({ text: 'Rebalancing (restore): 3 moves planned.', moved: [], stayed: [] });
  });
});
