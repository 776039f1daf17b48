/**
 * The quirk table as data: every entry says what it is, where it was seen and how it is chosen,
 * names the simulator mode that shows it, and has a test in this folder by its id; the manufacturer
 * entries are on only for their makers; what is learned per host can be taken out and put back
 * (a driver persists it between processes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HostQuirkMemory } from '../../../lib/ipmi/host-quirks.ts';
import { DEFAULT_QUIRKS, MANUFACTURER, QUIRK_TABLE, quirkOn, withoutQuirks } from '../../../lib/ipmi/quirks.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const tests = readdirSync(HERE)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => readFileSync(join(HERE, f), 'utf8'))
  .join('\n');
const simModes = readFileSync(join(HERE, '../../../lib/sim/ipmi/quirk-modes.ts'), 'utf8');

describe('the quirk table', () => {
  it('every entry is described, has a simulator mode (or a peer) and a test here', () => {
    expect(new Set(QUIRK_TABLE.map((e) => e.id)).size).toBe(QUIRK_TABLE.length);
    for (const e of QUIRK_TABLE) {
      expect(e.what.length, e.id).toBeGreaterThan(20);
      expect(e.handling.length, e.id).toBeGreaterThan(10);
      expect(e.seenOn.length, e.id).toBeGreaterThan(3);
      if (e.shownBy.startsWith('peer: ')) continue;
      expect(simModes, `${e.id}: no simulator mode ${e.shownBy}`).toMatch(new RegExp(`\\b${e.shownBy}\\?:`));
      expect(tests, `${e.id}: no test`).toContain(e.id);
    }
  });

  it('a manufacturer quirk is on for its makers only; taking an entry out turns it off', () => {
    const dell = { manufacturerId: MANUFACTURER.dell, productId: 0x100 };
    const hp = { manufacturerId: MANUFACTURER.hp, productId: 0x2000 };
    expect(quirkOn(DEFAULT_QUIRKS, 'ignore-scanning-disabled', dell)).toBe(true);
    expect(quirkOn(DEFAULT_QUIRKS, 'ignore-scanning-disabled', hp)).toBe(false);
    expect(quirkOn(DEFAULT_QUIRKS, 'ignore-scanning-disabled')).toBe(false);
    expect(quirkOn(DEFAULT_QUIRKS, 'discrete-reading', hp)).toBe(true);
    expect(quirkOn(DEFAULT_QUIRKS, 'discrete-reading', { manufacturerId: MANUFACTURER.hpe, productId: 1 })).toBe(true);
    expect(quirkOn(DEFAULT_QUIRKS, 'sensor-odd-code')).toBe(true);
    expect(quirkOn(withoutQuirks(DEFAULT_QUIRKS, 'sensor-odd-code'), 'sensor-odd-code')).toBe(false);
    const byProduct = { ...DEFAULT_QUIRKS, table: QUIRK_TABLE.map((e) => (e.id === 'discrete-reading' ? { ...e, selection: { by: 'manufacturer' as const, manufacturerIds: [MANUFACTURER.hp], productIds: [0x2000] } } : e)) };
    expect(quirkOn(byProduct, 'discrete-reading', hp)).toBe(true);
    expect(quirkOn(byProduct, 'discrete-reading', { ...hp, productId: 0x2001 })).toBe(false);
  });

  it('what is learned per host is kept by host:port, and can be taken out and loaded elsewhere', () => {
    const a = new HostQuirkMemory();
    a.learn('10.0.0.1:623', { privilege: 3 });
    a.learn('10.0.0.1:623', { paddedUserName: true });
    a.learn('10.0.0.2:623', { device: { manufacturerId: 674, productId: 256 } });
    expect(a.get('10.0.0.1:623')).toEqual({ privilege: 3, paddedUserName: true });
    expect(a.get('10.0.0.3:623')).toEqual({});
    const b = new HostQuirkMemory();
    b.load(JSON.parse(JSON.stringify(a.entries())) as Array<[string, object]>);
    expect(b.entries()).toEqual(a.entries());
    b.forget('10.0.0.1:623');
    expect(b.get('10.0.0.1:623')).toEqual({});
    expect(a.get('10.0.0.1:623').privilege).toBe(3);
  });
});
