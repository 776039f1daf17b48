/**
 * Monospaced tables over section blocks, pure: any rows within Slack's limits (3,000 characters a
 * section, a block budget) with "… and N more" for the rows that did not fit; and the two tables
 * lowpower shows, hosts' results and hosts' state.
 */
import { context, escapeMrkdwn, more, section, SLACK_LIMITS, truncate, type SlackBlock } from './kit.ts';

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
