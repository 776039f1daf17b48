/**
 * The Block Kit kit, pure: the message and block shapes, Slack's limits, text objects, sections,
 * context and header blocks, text over as many sections as it needs, and messages cut to the block
 * limit with "… and N more" for what was left out.
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface ConfirmDialog {
  title: PlainText;
  text: TextObject;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}

export type SlackBlock =
  | { type: 'section'; text: TextObject; block_id?: string }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'actions'; block_id?: string; elements: ButtonElement[] }
  | { type: 'header'; text: PlainText }
  | { type: 'divider' };

export interface SlackMessage {
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
  delete_original?: boolean;
  /** The notification and fallback text. */
  text: string;
  blocks?: SlackBlock[];
}

export const SLACK_LIMITS = {
  sectionText: 3000,
  blocks: 50,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Slack truncates longer top-level text; keep the fallback short. */
  messageText: 3000,
} as const;

/** Slack's three control characters in mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Plain text cut to a limit of Slack's. */
export const plain = (text: string, max: number): PlainText => ({ type: 'plain_text', text: truncate(text, max) });
/** The note that stands for what did not fit. */
export const more = (n: number, what = ''): string => `… and ${n} more${what ? ` ${what}` : ''}`;

export function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

export function context(...lines: string[]): SlackBlock {
  return { type: 'context', elements: lines.slice(0, SLACK_LIMITS.contextElements).map((t) => ({ type: 'mrkdwn', text: truncate(t, SLACK_LIMITS.sectionText) })) };
}

export function header(text: string): SlackBlock {
  return { type: 'header', text: plain(text, SLACK_LIMITS.headerText) };
}

/** Mrkdwn text over as many sections as it needs (split at line ends), at most `maxBlocks`. */
export function textSections(text: string, maxBlocks: number = SLACK_LIMITS.blocks): SlackBlock[] {
  const limit = SLACK_LIMITS.sectionText;
  const out: string[] = [];
  let cur = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = truncate(lines[i], limit);
    const next = cur ? `${cur}\n${line}` : line;
    if (next.length <= limit) {
      cur = next;
      continue;
    }
    out.push(cur);
    cur = line;
    if (out.length === maxBlocks - 1) {
      const left = lines.length - i;
      out.push(truncate(`${cur}\n${more(left - 1, 'lines')}`, limit));
      return out.map(section);
    }
  }
  if (cur || out.length === 0) out.push(cur || ' ');
  return out.map(section);
}

/** Cuts a message to Slack's block limit; the last block says how many were left out. */
export function fitMessage(message: SlackMessage): SlackMessage {
  const text = truncate(message.text, SLACK_LIMITS.messageText);
  const blocks = message.blocks;
  if (!blocks || blocks.length <= SLACK_LIMITS.blocks) return { ...message, text };
  const kept = blocks.slice(0, SLACK_LIMITS.blocks - 1);
  return { ...message, text, blocks: [...kept, context(more(blocks.length - kept.length, 'blocks'))] };
}

/** An answer only the asker sees. */
export function ephemeral(text: string, blocks?: SlackBlock[]): SlackMessage {
  return fitMessage({ response_type: 'ephemeral', text, blocks: blocks ?? textSections(text) });
}

/** Replaces the message a button sat on (through `response_url`). */
export function replaceOriginal(text: string, blocks?: SlackBlock[]): SlackMessage {
  return fitMessage({ replace_original: true, text, blocks: blocks ?? textSections(text) });
}

export function errorMessage(text: string): SlackMessage {
  return ephemeral(`:warning: ${text}`);
}
