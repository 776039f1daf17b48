/**
 * Every change asks first: a modal <dialog> (focus stays inside, Escape cancels) that says what
 * will happen and needs a reason, which the API records in the audit log with the actor.
 */
import { h, type Child } from './dom.ts';

export interface AskOptions {
  title: string;
  /** What will happen, in words. */
  body: Child;
  confirmLabel: string;
  /** Red confirm button for what switches something off. */
  danger?: boolean;
  /** Extra labelled inputs shown above the reason (e.g. "hold until"). */
  fields?: HTMLElement[];
  /** A message when the extra fields are not acceptable; undefined when they are. */
  validate?: () => string | undefined;
  defaultReason?: string;
}

let counter = 0;

/** The reason typed, or null when cancelled. */
export function askReason(o: AskOptions): Promise<string | null> {
  const id = `ask-${++counter}`;
  const reason = h('textarea', { id: `${id}-reason`, name: 'reason', required: true, maxlength: 500, rows: 2, 'aria-describedby': `${id}-hint` });
  reason.value = o.defaultReason ?? '';
  const problem = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const confirm = h('button', { type: 'submit', class: o.danger ? 'danger' : 'primary', value: 'confirm' }, o.confirmLabel);
  const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: `${id}-title` }, o.title),
    h('div', { class: 'dialog-body' }, o.body),
    o.fields ?? [],
    h('label', { for: `${id}-reason` }, 'Reason'),
    h('p', { id: `${id}-hint`, class: 'hint' }, 'Who asked, and why. It goes into the audit log with your name.'),
    reason,
    problem,
    h('div', { class: 'dialog-buttons' }, cancel, confirm),
  );
  const dialog = h('dialog', { 'aria-labelledby': `${id}-title`, class: 'ask' }, form);
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    let answer: string | null = null;
    form.addEventListener('submit', (e) => {
      const text = reason.value.trim();
      const bad = !text ? 'Give a reason.' : o.validate?.();
      if (bad) {
        e.preventDefault();
        problem.textContent = bad;
        problem.hidden = false;
        return;
      }
      answer = text;
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
    const first = o.fields?.[0]?.querySelector<HTMLElement>('input,select,textarea');
    (first ?? reason).focus();
  });
}
