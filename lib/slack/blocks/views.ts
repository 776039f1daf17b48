/**
 * The messages lowpower answers with, pure: an operation's results, the hosts' state, the night's
 * plan (who sleeps, how many migrations, who stays on and why), and the question before a
 * destructive command, whose button carries the command and opens a dialog before it fires.
 */
import { commandText, intentToValue, type SlackIntent } from '../commands.ts';
import { context, ephemeral, escapeMrkdwn, fitMessage, more, plain, section, SLACK_LIMITS, truncate, type ButtonElement, type SlackBlock, type SlackMessage } from './kit.ts';
import { resultBlocks, statusBlocks, tableBlocks, type HostResultRow, type HostStatusRow } from './tables.ts';

export const CONFIRM_ACTION = 'lowpower_confirm';
export const CANCEL_ACTION = 'lowpower_cancel';

export interface PlanView {
  sleep: string[];
  migrations: number;
  keep: Array<{ hostId: string; reason: string }>;
  hostsOn?: number;
  why?: string;
}

export function resultMessage(title: string, rows: HostResultRow[], footer?: string): SlackMessage {
  const done = rows.filter((r) => r.result === 'done').length;
  const total = rows.reduce((a, r) => a + (r.watts ?? 0), 0);
  const summary = `${done} of ${rows.length} hosts done${rows.some((r) => r.watts !== undefined) ? `, ${Math.round(total)} W` : ''}`;
  const tail = footer ? [context(footer)] : [];
  return ephemeral(`${title}: ${summary}`, [section(`*${escapeMrkdwn(title)}*: ${summary}`), ...resultBlocks(rows, SLACK_LIMITS.blocks - 1 - tail.length), ...tail]);
}

export function statusMessage(title: string, rows: HostStatusRow[], footer?: string): SlackMessage {
  const on = rows.filter((r) => r.power === 'on').length;
  const summary = `${rows.length} hosts, ${on} on`;
  const tail = footer ? [context(footer)] : [];
  return ephemeral(`${title}: ${summary}`, [section(`*${escapeMrkdwn(title)}*: ${summary}`), ...statusBlocks(rows, SLACK_LIMITS.blocks - 1 - tail.length), ...tail]);
}

/** The night's plan: who sleeps, how many migrations, who stays on and why. */
export function planBlocks(pool: string, plan: PlanView, maxBlocks: number = SLACK_LIMITS.blocks): SlackBlock[] {
  const head =
    plan.sleep.length === 0
      ? `*Pool ${escapeMrkdwn(pool)}*: nothing can sleep${plan.why ? `: ${escapeMrkdwn(plan.why)}` : ''}`
      : `*Pool ${escapeMrkdwn(pool)}*: ${plan.sleep.length} host${plan.sleep.length === 1 ? '' : 's'} to sleep, ${plan.migrations} migration${plan.migrations === 1 ? '' : 's'}${plan.hostsOn !== undefined ? `, ${plan.hostsOn} stay on` : ''}`;
  const blocks: SlackBlock[] = [section(head)];
  if (plan.sleep.length) {
    const shown = plan.sleep.slice(0, 100).map(escapeMrkdwn);
    blocks.push(section(truncate(`Sleep: ${shown.join(', ')}${plan.sleep.length > shown.length ? ` ${more(plan.sleep.length - shown.length)}` : ''}`, SLACK_LIMITS.sectionText)));
  }
  if (plan.keep.length && maxBlocks > blocks.length) {
    blocks.push(...tableBlocks([{ title: 'stays on', max: 40 }, { title: 'why', max: 80 }], plan.keep.map((k) => [k.hostId, k.reason]), maxBlocks - blocks.length));
  }
  return blocks.slice(0, maxBlocks);
}

export function planMessage(pool: string, plan: PlanView): SlackMessage {
  const text = plan.sleep.length ? `Pool ${pool}: ${plan.sleep.length} hosts to sleep, ${plan.migrations} migrations` : `Pool ${pool}: nothing can sleep`;
  return ephemeral(text, planBlocks(pool, plan));
}

export interface ConfirmOptions {
  intent: SlackIntent;
  /** One line: what will happen. */
  summary: string;
  /** Blocks shown between the summary and the buttons (e.g. the plan). */
  details?: SlackBlock[];
}

/**
 * Asks before a destructive intent: the confirm button carries the intent as its value and opens
 * a dialog before it fires; the cancel button just clears the question. Nothing has started.
 */
export function confirmMessage(o: ConfirmOptions): SlackMessage {
  const command = commandText(o.intent);
  const value = intentToValue(o.intent);
  if (value.length > SLACK_LIMITS.buttonValue) throw new RangeError('intent too large for a button value');
  const buttons: ButtonElement[] = [
    {
      type: 'button',
      text: plain('Go ahead', SLACK_LIMITS.buttonText),
      action_id: CONFIRM_ACTION,
      value,
      style: 'danger',
      confirm: {
        title: plain('Are you sure?', SLACK_LIMITS.confirmTitle),
        text: { type: 'mrkdwn', text: truncate(`${escapeMrkdwn(o.summary)}\n(\`/lowpower ${escapeMrkdwn(command)}\`)`, SLACK_LIMITS.confirmText) },
        confirm: plain(`Yes, ${command.split(' ')[0]}`, SLACK_LIMITS.confirmButton),
        deny: plain('No, leave it', SLACK_LIMITS.confirmButton),
        style: 'danger',
      },
    },
    { type: 'button', text: plain('Cancel', SLACK_LIMITS.buttonText), action_id: CANCEL_ACTION, value: 'cancel' },
  ];
  const tail: SlackBlock[] = [{ type: 'actions', block_id: 'lowpower_confirm', elements: buttons }, context('Nothing has started yet.')];
  const details = (o.details ?? []).slice(0, SLACK_LIMITS.blocks - 1 - tail.length);
  return fitMessage({ response_type: 'ephemeral', text: `Confirm: ${o.summary}`, blocks: [section(`:warning: ${escapeMrkdwn(o.summary)}`), ...details, ...tail] });
}
