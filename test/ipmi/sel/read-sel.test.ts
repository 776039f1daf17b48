/** Reading and erasing the SEL through a runner: chain order, its ends, and the erase that takes a while. */
import { describe, expect, it } from 'vitest';
import { clearSel, readSel } from '../../../lib/ipmi/sel/read-sel.ts';
import { clearSel as clearSelCommand, getSelEntry, getSelInfo, reserveSel, type SelInfo } from '../../../lib/ipmi/commands/sel.ts';
import { encodeSystemEvent } from '../../../lib/ipmi/sel/event.ts';
import { ScriptedBmc } from '../scripted-bmc.ts';

const info = (entries: number): SelInfo => ({ version: '1.5', entries, freeSpace: 1000, lastAddition: 0, lastErase: 0, overflow: false, operationSupport: 0x0f });
const event = (recordId: number, reading: number): Buffer =>
  encodeSystemEvent({ recordId, timestamp: 0x66000000 + recordId, sensorType: 0x01, sensorNumber: 1, eventType: 0x01, direction: 'assertion', data: [0x57, reading, 85] });

/** A SEL whose entries chain as `next` says (record id -> next record id). */
function selBmc(entries: number, next: Record<number, number>): ScriptedBmc {
  return new ScriptedBmc()
    .on(getSelInfo, () => info(entries))
    .on(getSelEntry, (r) => ({ nextRecordId: next[r.recordId] ?? 0xffff, data: event(r.recordId === 0 ? 1 : r.recordId, 80 + r.recordId) }));
}

describe('readSel', () => {
  it('follows the next-record chain from the first entry to 0xFFFF', async () => {
    // Record 0 asks for the first entry (record 1); the BMC chains 1 -> 5 -> 9, then the end.
    const bmc = selBmc(3, { 0: 5, 5: 9 });
    const events = await readSel(bmc);
    expect(events.map((e) => e.recordId)).toEqual([1, 5, 9]);
    expect(events.map((e) => e.data?.[1])).toEqual([80, 85, 89]);
    expect(bmc.count(getSelEntry)).toBe(3);
  });

  it('an empty SEL costs one Get SEL Info and no entry read', async () => {
    const bmc = selBmc(0, {});
    expect(await readSel(bmc)).toEqual([]);
    expect(bmc.asked).toEqual(['Get SEL Info']);
  });

  it('a next-record ID that points to itself ends the read', async () => {
    const bmc = selBmc(5, { 0: 2, 2: 2 });
    const events = await readSel(bmc);
    expect(events.map((e) => e.recordId)).toEqual([1, 2]);
  });

  it('a chain that never ends is cut shortly after the count the BMC gave', async () => {
    const next = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [i, i + 1]));
    const bmc = selBmc(4, next);
    const events = await readSel(bmc);
    // The count, the growth allowance of 16, and the read that found the count exceeded.
    expect(events).toHaveLength(4 + 16 + 1);
  });
});

describe('clearSel', () => {
  it('reserves, starts the erase, and asks for its status until it is complete', async () => {
    const calls: Array<{ reservationId: number; initiate: boolean }> = [];
    let polls = 0;
    const bmc = new ScriptedBmc()
      .on(reserveSel, () => ({ reservationId: 0x1234 }))
      .on(clearSelCommand, (r) => {
        calls.push(r);
        return { complete: !r.initiate && ++polls >= 2 };
      });
    await clearSel(bmc, '127.0.0.1:623');
    expect(bmc.asked[0]).toBe('Reserve SEL');
    expect(calls).toEqual([
      { reservationId: 0x1234, initiate: true },
      { reservationId: 0x1234, initiate: false },
      { reservationId: 0x1234, initiate: false },
    ]);
  });
});
