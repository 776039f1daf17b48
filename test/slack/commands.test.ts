import { describe, expect, it } from 'vitest';
import { commandText, intentFromValue, intentToValue, needsConfirm, parseCommand, type SlackIntent } from '../../lib/slack/index.ts';

const cases: Array<[string, SlackIntent, boolean]> = [
  ['', { kind: 'help' }, false],
  ['help', { kind: 'help' }, false],
  ['  HELP  ', { kind: 'help' }, false],
  ['status', { kind: 'status' }, false],
  ['status pool-1', { kind: 'status', target: 'pool-1' }, false],
  ['Status  host-07', { kind: 'status', target: 'host-07' }, false],
  ['sensors h1', { kind: 'sensors', host: 'h1' }, false],
  ['on h1', { kind: 'power', action: 'on', host: 'h1' }, true],
  ['off h1', { kind: 'power', action: 'off', host: 'h1' }, true],
  ['soft h1', { kind: 'power', action: 'soft', host: 'h1' }, true],
  ['cycle h1', { kind: 'power', action: 'cycle', host: 'h1' }, true],
  ['power OFF h1', { kind: 'power', action: 'off', host: 'h1' }, true],
  ['sleep pool-1', { kind: 'sleep', pool: 'pool-1' }, true],
  ['wake pool-1', { kind: 'wake', pool: 'pool-1' }, true],
  ['plan pool-1', { kind: 'plan', pool: 'pool-1' }, false],
  ['rebalance pool-1', { kind: 'rebalance', pool: 'pool-1', mode: 'restore' }, true],
  ['rebalance pool-1 balance', { kind: 'rebalance', pool: 'pool-1', mode: 'balance' }, true],
  ['REBALANCE pool-1 Restore', { kind: 'rebalance', pool: 'pool-1', mode: 'restore' }, true],
  ['schedule list', { kind: 'schedules' }, false],
  ['schedule list pool-1', { kind: 'schedules', pool: 'pool-1' }, false],
  ['schedules pool-1', { kind: 'schedules', pool: 'pool-1' }, false],
  ['skip-tonight pool-1', { kind: 'skip-tonight', pool: 'pool-1' }, false],
  ['skip tonight pool-1', { kind: 'skip-tonight', pool: 'pool-1' }, false],
  ['hold pool-1 until 08:00', { kind: 'hold', pool: 'pool-1', until: '08:00' }, false],
  ['hold pool-1 until 7:05', { kind: 'hold', pool: 'pool-1', until: '07:05' }, false],
  ['hold pool-1 23:59', { kind: 'hold', pool: 'pool-1', until: '23:59' }, false],
  ['op 0f3c-aa', { kind: 'operation', id: '0f3c-aa' }, false],
  ['status\u00a0pool-1', { kind: 'status', target: 'pool-1' }, false],
  // Slack's link escaping of names that look like domains.
  ['off <http://h1.example.com|h1.example.com>', { kind: 'power', action: 'off', host: 'h1.example.com' }, true],
  ['sensors <http://h1.example.com>', { kind: 'sensors', host: 'h1.example.com' }, false],
];

describe('parseCommand: what it understands', () => {
  it.each(cases)('%j', (text, intent, confirm) => {
    const r = parseCommand(text);
    expect(r).toEqual({ ok: true, intent, needsConfirm: confirm });
    expect(needsConfirm(intent)).toBe(confirm);
  });

  it('writes each intent back as a command that parses to the same intent', () => {
    for (const [, intent] of cases) {
      const again = parseCommand(commandText(intent));
      expect(again.ok && again.intent).toEqual(intent);
    }
  });
});

const bad: Array<[string, RegExp]> = [
  ['reboot everything', /I do not know `reboot`/],
  ['status a b', /at most one/],
  ['status ../etc', /not a pool or host name/],
  ['sensors', /takes one host/],
  ['sensors h1 h2', /takes one host/],
  ['off', /takes one host/],
  ['off h1 now', /takes one host/],
  ['off h%2F1', /not a host name/],
  ['power', /wants on, off, soft or cycle/],
  ['power dance h1', /wants on, off, soft or cycle/],
  ['sleep', /takes one pool/],
  ['wake pool/1', /not a pool name/],
  ['schedule', /knows `list`/],
  ['schedule delete nightly', /knows `list`/],
  ['schedule list a b', /at most one pool/],
  ['skip-tonight', /takes one pool/],
  ['hold pool-1', /wants a pool and a time/],
  ['hold pool-1 until', /wants a pool and a time/],
  ['hold pool-1 until 24:00', /not a time HH:MM/],
  ['hold pool-1 until 8am', /not a time HH:MM/],
  ['hold pool-1 until 08:60', /not a time HH:MM/],
  ['op', /takes one operation/],
  ['rebalance', /`rebalance` wants a pool, then restore or balance\.\nUsage: `\/lowpower rebalance POOL \[restore\|balance\]`/],
  ['rebalance pool-1 sideways', /`sideways` is not restore or balance/],
  ['rebalance pool-1 balance now', /wants a pool, then restore or balance/],
  ['rebalance ../x restore', /not a pool name/],
  ['<!channel> `rm -rf` *bold*', /I do not know/],
];

describe('parseCommand: friendly answers for the rest', () => {
  it.each(bad)('%j', (text, message) => {
    const r = parseCommand(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(message);
      expect(r.message).toMatch(/Usage|commands/);
    }
  });

  it('never echoes mentions or backticks back', () => {
    const r = parseCommand('<!channel>`x`');
    expect(!r.ok && r.message).not.toMatch(/<!channel>/);
  });

  it('never throws, whatever arrives', () => {
    const inputs = ['\u0000', '\n\n\t', 'x'.repeat(100_000), '🙂 🙂', 'hold  until until 08:00', String.fromCharCode(0xd800)];
    for (const t of inputs) expect(() => parseCommand(t)).not.toThrow();
    expect(() => parseCommand(undefined as unknown as string)).not.toThrow();
  });
});

describe('button values', () => {
  it('round-trip a destructive intent and stay small', () => {
    const intent: SlackIntent = { kind: 'power', action: 'cycle', host: 'h'.repeat(200) };
    const v = intentToValue(intent);
    expect(v.length).toBeLessThan(300);
    expect(intentFromValue(v)).toEqual(intent);
  });

  it.each([undefined, '', 'not json', '{}', '[1]', '{"v":2,"c":"off h1"}', '{"v":1,"c":"off ../x"}', '{"v":1,"c":"reboot all"}', 'x'.repeat(3000)])('refuse %j', (v) => {
    expect(intentFromValue(v)).toBeUndefined();
  });
});
