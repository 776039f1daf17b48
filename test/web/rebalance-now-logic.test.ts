/** "Rebalance now"'s words, without a browser: the dry-run plan in the confirm dialog, and what the page says once it started. */
import { describe, expect, it } from 'vitest';
import { rebalancePreview, rebalanceStartedText } from '../../web/src/views/rebalance-now.ts';
import type { RebalancePlan } from '../../web/src/types.ts';

const figures = { hosts: [], meanCpuPercent: 0, meanMemoryPercent: 0 };
const plan = (o: Partial<RebalancePlan> = {}): RebalancePlan => ({ mode: 'restore', moves: [], stays: [], home: [], before: figures, after: figures, ...o });
const move = (vmId: string, from: string, to: string, wave: number) => ({ vmId, from, to, memoryBytes: 2 ** 31, wave });

describe('rebalance now', () => {
  it('the preview counts moves and waves, names each move, and says what stays', () => {
    expect(rebalancePreview(plan({ moves: [move('vm-1', 'host-001', 'host-004', 1), move('vm-2', 'host-002', 'host-005', 1), move('vm-3', 'host-001', 'host-006', 2)], stays: [{ vmId: 'vm-9', hostId: 'host-003', why: 'its origin is disabled' }] }))).toEqual({
      text: '3 VMs move in 2 waves. 1 stays where it is.',
      moves: ['vm-1: host-001 → host-004, wave 1', 'vm-2: host-002 → host-005, wave 1', 'vm-3: host-001 → host-006, wave 2'],
    });
    expect(rebalancePreview(plan({ moves: [move('vm-1', 'a', 'b', 1)], stays: [{ hostId: 'a', why: 'x' }, { hostId: 'b', why: 'y' }] })).text).toBe('1 VM move in 1 wave. 2 stay where they are.');
  });

  it('nothing to move says why (the plan\'s own words, or the mode\'s)', () => {
    expect(rebalancePreview(plan({ why: 'every VM is on its origin already' }))).toEqual({ text: 'Nothing to move: every VM is on its origin already.', moves: [] });
    expect(rebalancePreview(plan()).text).toBe('Nothing to move: the VMs are where this mode wants them.');
  });

  it('started: the operation (short id) and its moves; none: why nothing moves', () => {
    expect(rebalanceStartedText('balance', { operation: { id: '4a8d2f78-dca2-4af8-b1de-b877421961e5' }, plan: plan({ mode: 'balance', moves: [move('vm-1', 'a', 'b', 1)] }) })).toBe(
      'Started: rebalance (balance), operation 4a8d2f78: 1 VM to move. Its steps show below as they happen.',
    );
    expect(rebalanceStartedText('restore', { operation: null, plan: plan({ why: 'every VM is on its origin already' }) })).toBe('Nothing to move (restore): every VM is on its origin already.');
  });
});
