/**
 * An operation as it happens: its state and each step (waiting, running, done, failed, skipped)
 * with a symbol and a word, refreshed until it ends. Screen readers hear when it ends.
 */
import type { Api } from './api.ts';
import { ApiFailure } from './api.ts';
import { fill, h } from './dom.ts';
import { ago } from './format.ts';
import type { Lifetime } from './poll.ts';
import type { Operation, OperationStep, StepState } from './types.ts';

const STEP_MARK: Record<StepState, string> = { pending: '◌', running: '◐', done: '✓', failed: '✗', skipped: '–' };
const STEP_WORD: Record<StepState, string> = { pending: 'waiting', running: 'running', done: 'done', failed: 'failed', skipped: 'skipped' };
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

export const isFinished = (op: Pick<Operation, 'state'>): boolean => FINAL.has(op.state);

function stepDetail(st: OperationStep): string {
  const d = st.detail ?? {};
  if (st.name === 'migrate') {
    const moves = Array.isArray(d.moves) ? (d.moves as Array<{ vm?: string; detail?: string; result?: string }>) : [];
    const wave = typeof d.wave === 'number' ? `wave ${d.wave}` : '';
    return moves.length ? `${wave}: ${moves.map((m) => `${m.vm ?? '?'} ${m.detail ?? ''}${m.result && m.result !== 'done' ? ` (${m.result})` : ''}`).join(', ')}` : wave;
  }
  const bits: string[] = [];
  for (const [k, v] of Object.entries(d)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') bits.push(`${k} ${String(v)}`);
  return bits.join(', ');
}

export function operationSummary(op: Operation): string {
  const r = op.result ?? {};
  const watts = typeof r.wattsSwitchedOff === 'number' ? `, ${r.wattsSwitchedOff} W switched off` : '';
  return `${op.kind} ${op.state}${watts}${op.error ? `: ${op.error}` : ''}`;
}

export function renderOperation(op: Operation): HTMLElement {
  const steps = [...(op.steps ?? [])].sort((a, b) => a.index - b.index);
  const done = steps.filter((x) => x.state === 'done' || x.state === 'skipped').length;
  return h(
    'div',
    { class: `operation op-${op.state}`, 'data-operation': op.operationId, 'data-state': op.state },
    h(
      'p',
      { class: 'op-head' },
      h('strong', {}, op.kind),
      ` · `,
      h('span', { class: 'op-state' }, op.state),
      ` · ${done}/${steps.length} steps · by ${op.actor} (${op.source}) ${ago(op.createdAt)} · “${op.reason}”`,
    ),
    steps.length
      ? h(
          'ol',
          { class: 'steps' },
          steps.map((st) =>
            h(
              'li',
              { class: `step step-${st.state}`, 'data-state': st.state },
              h('span', { class: 'mark', 'aria-hidden': 'true' }, STEP_MARK[st.state]),
              h('span', { class: 'step-name' }, `${st.name}${st.hostId ? ` ${st.hostId}` : ''}`),
              h('span', { class: 'step-state' }, STEP_WORD[st.state]),
              stepDetail(st) ? h('span', { class: 'step-detail' }, stepDetail(st)) : null,
              st.error ? h('span', { class: 'step-error' }, st.error) : null,
            ),
          ),
        )
      : null,
    isFinished(op) ? h('p', { class: 'op-result' }, operationSummary(op)) : null,
  );
}

/** Follow one operation in `box` until it ends; resolves with its last state. */
export function followOperation(api: Api, life: Lifetime, box: HTMLElement, id: string, announce: (text: string) => void): Promise<Operation | undefined> {
  return new Promise((resolve) => {
    let last: Operation | undefined;
    const p = life.poll(async () => {
      try {
        last = await api.operation(id);
      } catch (e) {
        fill(box, h('p', { class: 'notice error', role: 'alert' }, `operation ${id.slice(0, 8)}: ${e instanceof ApiFailure ? e.message : String(e)}`));
        throw e;
      }
      fill(box, renderOperation(last));
      if (isFinished(last)) {
        p.stop();
        announce(`Operation ${last.kind} ${last.state}.`);
        resolve(last);
      }
    }, 500);
    life.onEnd(() => resolve(last));
  });
}
