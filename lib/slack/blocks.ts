/**
 * Block Kit messages, pure: answers, confirmations with a dialog, and monospaced tables (hosts and
 * results, status, the night's plan). Every builder stays inside Slack's limits (3,000 characters
 * per section, 50 blocks per message) and says "… and N more" for what it had to leave out.
 */
import { commandText, intentToValue, type SlackIntent } from './commands.ts';

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

export const CONFIRM_ACTION = 'lowpower_confirm';
export const CANCEL_ACTION = 'lowpower_cancel';

/** Slack's three control characters in mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

const plain = (text: string, max: number): PlainText => ({ type: 'plain_text', text: truncate(text, max) });
const more = (n: number, what = ''): string => `… and ${n} more${what ? ` ${what}` : ''}`;

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

// ---- tables ----

export interface Column {
  title: string;
  /** Cells longer than this are cut with "…". */
  max?: number;
  align?: 'left' | 'right';
}

function cell(v: string | number | undefined | null): string {
  if (v === undefined || v === null || v === '') return '-';
  // Inside a code block: no backticks, no line breaks; Slack's three escapes still apply.
  return escapeMrkdwn(String(v).replace(/`/g, "'").replace(/\s+/g, ' '));
}

/**
 * Rows as a monospaced table over section blocks of at most 3,000 characters each, using at most
 * `maxBlocks` blocks; rows that do not fit end in one "… and N more" context block.
 */
export function tableBlocks(columns: Column[], rows: Array<Array<string | number | undefined | null>>, maxBlocks: number = SLACK_LIMITS.blocks): SlackBlock[] {
  if (maxBlocks < 1) return [];
  const cells = rows.map((r) => columns.map((c, i) => truncate(cell(r[i]), c.max ?? 40)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r
      .map((v, i) => (columns[i].align === 'right' ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const head = line(columns.map((c) => c.title));
  const fence = (body: string[]): SlackBlock => section(`\`\`\`\n${body.join('\n')}\n\`\`\``);
  // The fences take 8 characters; keep room to fold a "… and N more" line into the last section.
  const budget = SLACK_LIMITS.sectionText - 8 - 40;
  const blocks: SlackBlock[] = [];
  let cur: string[] = [head];
  let size = head.length;
  let i = 0;
  for (; i < cells.length; i++) {
    const l = truncate(line(cells[i]), budget);
    if (size + 1 + l.length > budget) {
      // Keep a block free for the "… and N more" note unless this is the last row.
      if (blocks.length + 2 >= maxBlocks) break;
      blocks.push(fence(cur));
      cur = [];
      size = 0;
    }
    cur.push(l);
    size += (cur.length > 1 ? 1 : 0) + l.length;
  }
  if (i < cells.length && blocks.length + 1 >= maxBlocks) {
    // Only one block left: fold the note into the last section's text.
    cur.push(more(cells.length - i));
    blocks.push(fence(cur));
    return blocks.slice(0, maxBlocks);
  }
  blocks.push(fence(cur));
  if (i < cells.length) blocks.push(context(more(cells.length - i, cells.length - i === 1 ? 'row' : 'rows')));
  return blocks;
}

// ---- the tables lowpower shows ----

/** One host's outcome in an operation. */
export interface HostResultRow {
  host: string;
  result: string;
  detail?: string;
  /** Watts switched off (sleep) or drawn; absent when unknown. */
  watts?: number;
}

/** One host's state now. */
export interface HostStatusRow {
  host: string;
  pool?: string;
  power: string;
  xen?: string | null;
  /** Hottest temperature of the latest reading, in °C. */
  temperature?: number;
  watts?: number;
  note?: string;
}

export interface PlanView {
  sleep: string[];
  migrations: number;
  keep: Array<{ hostId: string; reason: string }>;
  hostsOn?: number;
  why?: string;
}

const watts = (w: number | undefined): string | undefined => (typeof w === 'number' && Number.isFinite(w) ? `${Math.round(w)} W` : undefined);
const celsius = (t: number | undefined): string | undefined => (typeof t === 'number' && Number.isFinite(t) ? `${Math.round(t)} °C` : undefined);

/** Per-host results of an operation, with the watts total when any host has a figure. */
export function resultBlocks(rows: HostResultRow[], maxBlocks: number = SLACK_LIMITS.blocks): SlackBlock[] {
  const withWatts = rows.some((r) => r.watts !== undefined);
  const columns: Column[] = [{ title: 'host', max: 40 }, { title: 'result', max: 12 }, { title: 'detail', max: 60 }];
  if (withWatts) columns.push({ title: 'watts', align: 'right', max: 10 });
  return tableBlocks(columns, rows.map((r) => [r.host, r.result, r.detail, ...(withWatts ? [watts(r.watts)] : [])]), maxBlocks);
}

export function statusBlocks(rows: HostStatusRow[], maxBlocks: number = SLACK_LIMITS.blocks): SlackBlock[] {
  return tableBlocks(
    [{ title: 'host', max: 40 }, { title: 'power', max: 8 }, { title: 'xen', max: 12 }, { title: 'temp', align: 'right', max: 8 }, { title: 'draw', align: 'right', max: 10 }, { title: 'note', max: 40 }],
    rows.map((r) => [r.host, r.power, r.xen, celsius(r.temperature), watts(r.watts), r.note]),
    maxBlocks,
  );
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

// ---- confirmation ----

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
