/**
 * Which `ResetType` carries out a lowpower power action on this BMC, from the types it offers.
 * on: `On`, else `ForceOn`. off (hard): `ForceOff`. soft: `GracefulShutdown`, else `PushPowerButton`.
 * cycle: `PowerCycle`, else off, confirmed off, then on. `ForceRestart` and `GracefulRestart` are
 * warm resets that keep power applied, so they never stand in for a power cycle.
 */
import { RedfishNotSupportedError } from '../errors.ts';

export type RedfishPowerAction = 'on' | 'off' | 'soft' | 'cycle';

export type ResetPlan = { kind: 'one'; type: string } | { kind: 'off-then-on'; off: string; on: string };

const PREFERENCES: Record<RedfishPowerAction, readonly string[]> = {
  on: ['On', 'ForceOn'],
  off: ['ForceOff'],
  soft: ['GracefulShutdown', 'PushPowerButton'],
  cycle: ['PowerCycle'],
};

/** The plan for `action`; `offered` null means the BMC does not list its types (the first choice is tried). */
export function planReset(action: RedfishPowerAction, offered: readonly string[] | null, bmc: string): ResetPlan {
  const wanted = PREFERENCES[action];
  if (!wanted) throw new RedfishNotSupportedError(`${bmc}: '${String(action)}' is not a power action (on, off, soft, cycle)`);
  if (offered === null) return { kind: 'one', type: wanted[0] };
  const one = wanted.find((t) => offered.includes(t));
  if (one) return { kind: 'one', type: one };
  if (action === 'cycle') {
    const on = PREFERENCES.on.find((t) => offered.includes(t));
    if (offered.includes('ForceOff') && on) return { kind: 'off-then-on', off: 'ForceOff', on };
  }
  const needs = action === 'cycle' ? 'PowerCycle, or ForceOff with On or ForceOn' : wanted.join(' or ');
  throw new RedfishNotSupportedError(`${bmc}: the BMC offers no reset type for '${action}' (needs ${needs}; it offers ${offered.join(', ') || 'none'})`);
}
