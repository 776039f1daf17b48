/**
 * "Rebalance now" on the night view (operator): the mode chosen in the confirm dialog (restore:
 * each VM back to where it ran before the last sleep; balance: even out the measured load), the
 * dry-run plan of that mode shown in the dialog before anything moves, a reason, then the
 * existing POST /v1/pools/{id}/rebalance and the operation it started.
 */
import type { App } from '../app.ts';
import { ApiFailure } from '../api.ts';
import { askReason } from '../dialog.ts';
import { errorBox, fill, h } from '../dom.ts';
import { plural } from '../format.ts';
import type { RebalanceMode, RebalancePlan } from '../types.ts';

export const REBALANCE_MODE_WORDS: Record<RebalanceMode, string> = {
  restore: 'Restore: each VM back to the host it ran on before the last sleep',
  balance: 'Balance: even out the measured CPU and memory',
};

/** The dry-run plan in a sentence and one line per move. */
export function rebalancePreview(plan: RebalancePlan): { text: string; moves: string[] } {
  if (plan.moves.length === 0) return { text: `Nothing to move: ${plan.why ?? 'the VMs are where this mode wants them'}.`, moves: [] };
  const waves = new Set(plan.moves.map((m) => m.wave)).size;
  const stays = plan.stays.length ? ` ${plan.stays.length} stay${plan.stays.length === 1 ? 's' : ''} where ${plan.stays.length === 1 ? 'it is' : 'they are'}.` : '';
  return { text: `${plural(plan.moves.length, 'VM')} move in ${plural(waves, 'wave')}.${stays}`, moves: plan.moves.map((m) => `${m.vmId}: ${m.from} → ${m.to}, wave ${m.wave}`) };
}

/** What the page says once the API answered the real request. */
export function rebalanceStartedText(mode: RebalanceMode, r: { operation: { id: string } | null; plan: RebalancePlan }): string {
  if (!r.operation) return `Nothing to move (${mode}): ${r.plan.why ?? 'the VMs are where this mode wants them'}.`;
  return `Started: rebalance (${mode}), operation ${r.operation.id.slice(0, 8)}: ${plural(r.plan.moves.length, 'VM')} to move. Its steps show below as they happen.`;
}

const failure = (e: unknown): string => (e instanceof ApiFailure ? `${e.message} (${e.code})` : String(e));

/**
 * Ask (mode, the plan it would carry out, a reason), then start it. Resolves with the line said
 * on the page, or null when cancelled; `result` shows it (or the refusal).
 */
export async function rebalanceNow(app: App, poolId: string, result: HTMLElement): Promise<string | null> {
  const select = h('select', { id: `rebalance-mode-${poolId}`, name: 'mode' }, (Object.keys(REBALANCE_MODE_WORDS) as RebalanceMode[]).map((m) => h('option', { value: m }, REBALANCE_MODE_WORDS[m])));
  const preview = h('div', { class: 'rebalance-preview', 'aria-live': 'polite' });
  let asked = 0;
  const showPlan = async (): Promise<void> => {
    const mine = ++asked;
    const mode = select.value as RebalanceMode;
    fill(preview, h('p', { class: 'muted' }, 'Working out the moves…'));
    try {
      const p = rebalancePreview(await app.api.rebalancePlan(poolId, mode));
      // A later choice of mode wins over a slower answer for the one before.
      if (mine !== asked) return;
      fill(preview, h('p', { class: 'rebalance-summary' }, p.text), p.moves.length ? h('ul', { class: 'rebalance-moves' }, p.moves.map((m) => h('li', {}, m))) : null);
    } catch (e) {
      if (mine === asked) fill(preview, errorBox(failure(e), 'Could not work out the moves'));
    }
  };
  select.addEventListener('change', () => void showPlan());
  void showPlan();
  const field = h('div', {}, h('label', { for: select.id }, 'How'), select);
  const reason = await askReason({
    title: `Rebalance ${poolId} now?`,
    body: h('div', {}, h('p', {}, 'The VMs are live-migrated in waves, within the pool’s migration limits; a host is never left without room for the HA spare.'), preview),
    fields: [field],
    confirmLabel: 'Rebalance',
  });
  if (reason === null) return null;
  const mode = select.value as RebalanceMode;
  try {
    const text = rebalanceStartedText(mode, await app.api.rebalancePool(poolId, mode, reason));
    fill(result, h('p', { class: 'notice ok', role: 'status' }, text));
    return text;
  } catch (e) {
    const f = failure(e);
    fill(result, errorBox(f, 'The rebalance did not start'));
    return f;
  }
}
