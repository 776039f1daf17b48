import { describe, expect, it } from 'vitest';
import {
  CANCEL_ACTION,
  CONFIRM_ACTION,
  SLACK_LIMITS,
  confirmMessage,
  ephemeral,
  fitMessage,
  intentFromValue,
  planMessage,
  resultMessage,
  section,
  statusMessage,
  tableBlocks,
  textSections,
  type SlackBlock,
  type SlackMessage,
} from '../../lib/slack/index.ts';
import { planView } from '../../lib/slack/read-answers.ts';
import { planSleep } from '../../lib/planner/index.ts';

/** Every limit Slack enforces that our builders can reach. */
function expectWithinLimits(m: SlackMessage): void {
  expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  const blocks = m.blocks ?? [];
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const b of blocks) {
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (b.type === 'context') {
      expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (b.type === 'actions') {
      for (const e of b.elements) {
        expect(e.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect((e.value ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
        if (e.confirm) {
          expect(e.confirm.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmTitle);
          expect(e.confirm.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmText);
          expect(e.confirm.confirm.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmButton);
          expect(e.confirm.deny.text.length).toBeLessThanOrEqual(SLACK_LIMITS.confirmButton);
        }
      }
    }
  }
}

/** Rows shown by table sections (lines inside code fences, minus the one header line). */
function rowsShown(blocks: SlackBlock[]): number {
  let n = 0;
  for (const b of blocks) {
    if (b.type !== 'section' || !b.text.text.startsWith('```')) continue;
    n += b.text.text.split('\n').filter((l) => l !== '```' && !l.startsWith('… and')).length;
  }
  return n - 1;
}

function moreNote(blocks: SlackBlock[]): number | undefined {
  for (const b of blocks) {
    const texts = b.type === 'context' ? b.elements.map((e) => e.text) : b.type === 'section' ? [b.text.text] : [];
    for (const t of texts) {
      const m = /… and (\d+) more/.exec(t);
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}

const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ host: `host-${String(i).padStart(5, '0')}.rack-${i % 40}.example.net`, power: i % 3 ? 'on' : 'off', xen: 'enabled', temperature: 40 + (i % 30), watts: 180 + i, note: i === 0 ? 'master' : undefined }));

describe('tables', () => {
  it('a few rows: one section, aligned, nothing left out', () => {
    const blocks = tableBlocks([{ title: 'host' }, { title: 'watts', align: 'right' }], [['a', 5], ['bbbb', 120]]);
    expect(blocks).toHaveLength(1);
    expect(blocks[0].type === 'section' && blocks[0].text.text).toBe('```\nhost  watts\na         5\nbbbb    120\n```');
    expect(moreNote(blocks)).toBeUndefined();
  });

  it.each([60, 500, 5000])('%d hosts in a status message stay within the limits, and the rest is counted', (n) => {
    const m = statusMessage('Pool big', hosts(n));
    expectWithinLimits(m);
    const shown = rowsShown(m.blocks ?? []);
    const more = moreNote(m.blocks ?? []) ?? 0;
    expect(shown + more).toBe(n);
    if (n === 60) expect(more).toBe(0);
    if (n === 5000) expect(more).toBeGreaterThan(0);
  });

  it.each([1, 2, 3])('with only %d block(s) to spend, still within them and still counting', (max) => {
    const rows = hosts(400).map((h) => [h.host, h.power]);
    const blocks = tableBlocks([{ title: 'host' }, { title: 'power' }], rows, max);
    expect(blocks.length).toBeLessThanOrEqual(max);
    expect(rowsShown(blocks) + (moreNote(blocks) ?? 0)).toBe(400);
    for (const b of blocks) if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it('cuts long cells, escapes Slack control characters, keeps code fences intact', () => {
    const blocks = tableBlocks([{ title: 'host', max: 10 }, { title: 'detail' }], [['a-very-long-host-name', '<!channel> & ```boom```\nnext']]);
    const text = blocks[0].type === 'section' ? blocks[0].text.text : '';
    expect(text).toContain('a-very-lo…');
    expect(text).toContain('&lt;!channel&gt; &amp;');
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text.split('\n')).toHaveLength(4);
  });
});

describe('messages', () => {
  it('a result table with watts and a summary', () => {
    const m = resultMessage('Night of 2025-01-15', [
      { host: 'h1', result: 'done', detail: 'asleep', watts: 210.4 },
      { host: 'h2', result: 'failed', detail: 'VMs still resident' },
      { host: 'h3', result: 'skipped', detail: 'pool master' },
    ]);
    expectWithinLimits(m);
    expect(m.text).toBe('Night of 2025-01-15: 1 of 3 hosts done, 210 W');
    const table = m.blocks?.[1];
    expect(table?.type === 'section' && table.text.text).toMatch(/host\s+result\s+detail\s+watts\nh1\s+done\s+asleep\s+210 W/);
  });

  it('the plan: who sleeps, migrations, who stays on and why; 1,000 kept hosts still fit', () => {
    const small = planMessage('p1', { sleep: ['h3', 'h4'], migrations: 7, keep: [{ hostId: 'h1', reason: 'pool master' }], hostsOn: 2 });
    expect(small.text).toBe('Pool p1: 2 hosts to sleep, 7 migrations');
    const all = JSON.stringify(small.blocks);
    expect(all).toContain('Sleep: h3, h4');
    expect(all).toContain('pool master');
    const big = planMessage('p1', { sleep: Array.from({ length: 900 }, (_, i) => `h${i}`), migrations: 4000, keep: Array.from({ length: 1000 }, (_, i) => ({ hostId: `k${i}`, reason: 'needed for HA failures to tolerate = 1' })) });
    expectWithinLimits(big);
    expect(JSON.stringify(big.blocks)).toContain('… and 800 more');
    const none = planMessage('p1', { sleep: [], migrations: 0, keep: [], why: 'every host is needed' });
    expect(none.text).toBe('Pool p1: nothing can sleep');
  });

  it("nothing can sleep: said once, then the planner's reason, as the plan comes from the API", () => {
    const GiB = 1024 ** 3;
    // Two hosts, HA 1: the master holds every VM, but nothing would be left if it failed.
    const hosts = [
      { id: 'a', memoryBytes: 64 * GiB, cpus: 16, state: 'on' as const, isMaster: true },
      { id: 'b', memoryBytes: 64 * GiB, cpus: 16, state: 'on' as const, isMaster: false },
    ];
    const vms = [
      { id: 'v1', hostId: 'a', memoryBytes: 20 * GiB, vcpus: 2 },
      { id: 'v2', hostId: 'b', memoryBytes: 20 * GiB, vcpus: 2 },
    ];
    const plan = planSleep(hosts, vms, { haFailuresToTolerate: 1, headroomPercent: 0, minHostsOn: 1, vcpuOvercommit: 4, concurrentMigrations: 2 });
    expect(plan.sleep).toEqual([]);
    const m = planMessage('p1', planView(plan));
    const head = m.blocks?.[0];
    const text = head?.type === 'section' ? head.text.text : '';
    expect(text).toBe(`*Pool p1*: nothing can sleep: ${plan.why}`);
    expect(text).toMatch(/^\*Pool p1\*: nothing can sleep: of 2 hosts on, 1 must stay on \(pool master\)/);
    expect(text.match(/nothing can sleep/gi)).toHaveLength(1);
    expect(m.text).toBe('Pool p1: nothing can sleep');
  });

  it('long text spreads over sections split at line ends, then says what it left out', () => {
    const text = Array.from({ length: 4000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`).join('\n');
    const blocks = textSections(text);
    expect(blocks).toHaveLength(SLACK_LIMITS.blocks);
    expect(moreNote(blocks)).toBeGreaterThan(0);
    expectWithinLimits(ephemeral('t', blocks));
    expect(textSections('one line')).toHaveLength(1);
  });

  it('fitMessage trims to 50 blocks with a note, and trims the fallback text', () => {
    const m = fitMessage({ text: 'x'.repeat(10_000), blocks: Array.from({ length: 80 }, (_, i) => section(`b${i}`)) });
    expectWithinLimits(m);
    expect(moreNote(m.blocks ?? [])).toBe(31);
  });
});

describe('confirmation', () => {
  it('a danger button with a confirm dialog, carrying the intent; and a cancel button', () => {
    const m = confirmMessage({ intent: { kind: 'power', action: 'off', host: 'h1' }, summary: 'Hard power-off host h1 (pool p1, now on)' });
    expectWithinLimits(m);
    expect(m.response_type).toBe('ephemeral');
    const actions = m.blocks?.find((b) => b.type === 'actions');
    expect(actions?.type).toBe('actions');
    if (actions?.type !== 'actions') return;
    const [go, cancel] = actions.elements;
    expect(go.action_id).toBe(CONFIRM_ACTION);
    expect(go.style).toBe('danger');
    expect(go.confirm).toMatchObject({ title: { type: 'plain_text' }, text: { type: 'mrkdwn' }, confirm: { type: 'plain_text', text: 'Yes, off' }, deny: { type: 'plain_text' } });
    expect(go.confirm?.text.text).toContain('/lowpower off h1');
    expect(intentFromValue(go.value)).toEqual({ kind: 'power', action: 'off', host: 'h1' });
    expect(cancel.action_id).toBe(CANCEL_ACTION);
    expect(JSON.stringify(m)).toContain('Nothing has started yet.');
  });

  it('stays within the dialog limits with a long summary and 60 detail blocks', () => {
    const m = confirmMessage({
      intent: { kind: 'sleep', pool: 'p'.repeat(150) },
      summary: `Put hosts to sleep: ${'h, '.repeat(400)}`,
      details: Array.from({ length: 60 }, (_, i) => section(`detail ${i}`)),
    });
    expectWithinLimits(m);
    // The buttons are never the part cut away.
    expect(m.blocks?.some((b) => b.type === 'actions')).toBe(true);
  });
});
