import { describe, expect, it } from 'vitest';
import { clearSel, getSelEntry, getSelInfo, reserveSel } from '../../../lib/ipmi/commands/sel.ts';
import { decodeSelRecord } from '../../../lib/ipmi/sel/event.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';

const INFO = Buffer.from([0x51, 0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x66, 0xff, 0xff, 0xff, 0xff, 0x8f]);

describe('Get SEL Info (Storage 0x40)', () => {
  it('is Storage command 0x40 with no request data', () => {
    expect([getSelInfo.netFn, getSelInfo.cmd]).toEqual([0x0a, 0x40]);
    expect(getSelInfo.encode()).toEqual(Buffer.alloc(0));
  });
  it('decodes the reply of table 31-2', () => {
    expect(getSelInfo.decode(INFO)).toEqual({ version: '1.5', entries: 2, freeSpace: 0x400, lastAddition: 0x66000000, lastErase: 0xffffffff, overflow: true, operationSupport: 0x8f });
  });
  it('reads the overflow flag from bit 7', () => {
    const r = Buffer.from(INFO);
    r[13] = 0x0f;
    expect(getSelInfo.decode(r).overflow).toBe(false);
  });
  it('refuses replies shorter than 14 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSelInfo.decode(b), INFO, 14);
  });
});

describe('Reserve SEL (Storage 0x42)', () => {
  it('is Storage command 0x42 and decodes the reservation id', () => {
    expect([reserveSel.netFn, reserveSel.cmd]).toEqual([0x0a, 0x42]);
    expect(reserveSel.decode(Buffer.from([0x01, 0x80]))).toEqual({ reservationId: 0x8001 });
    expect(reserveSel.completionCodes?.[0x81]).toMatch(/erase in progress/);
    expectShortRepliesRefused((b) => reserveSel.decode(b), Buffer.from([0x01, 0x80]), 2);
  });
});

describe('Get SEL Entry (Storage 0x43)', () => {
  it('is Storage command 0x43', () => {
    expect([getSelEntry.netFn, getSelEntry.cmd]).toEqual([0x0a, 0x43]);
  });
  it('reads a whole record by default: reservation, record id, offset 0, 0xFF bytes', () => {
    expect(getSelEntry.encode({ reservationId: 0, recordId: 1 })).toEqual(Buffer.from([0x00, 0x00, 0x01, 0x00, 0x00, 0xff]));
    expect(getSelEntry.encode({ reservationId: 0x1234, recordId: 0xfffe, offset: 5, length: 8 })).toEqual(Buffer.from([0x34, 0x12, 0xfe, 0xff, 0x05, 0x08]));
  });
  it("decodes the next record id and a record of ipmi_sim's SEL", () => {
    const rec = [0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x66, 0x20, 0x00, 0x04, 0x01, 0x01, 0x01, 0x57, 0x50, 0x55];
    const r = getSelEntry.decode(Buffer.from([0x02, 0x00, ...rec]));
    expect(r.nextRecordId).toBe(2);
    expect(decodeSelRecord(r.data).description).toBe('Upper Non-critical going high');
  });
  it('refuses replies shorter than 2 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSelEntry.decode(b), Buffer.from([0xff, 0xff]), 2);
  });
});

describe('Clear SEL (Storage 0x47)', () => {
  it('is Storage command 0x47', () => {
    expect([clearSel.netFn, clearSel.cmd]).toEqual([0x0a, 0x47]);
  });
  it("sends the reservation, 'CLR' and AAh to start erasing or 00h to read progress", () => {
    expect(clearSel.encode({ reservationId: 0x1234, initiate: true })).toEqual(Buffer.from([0x34, 0x12, 0x43, 0x4c, 0x52, 0xaa]));
    expect(clearSel.encode({ reservationId: 0x1234, initiate: false })).toEqual(Buffer.from([0x34, 0x12, 0x43, 0x4c, 0x52, 0x00]));
  });
  it('decodes the erasure progress (bits 3:0: 0 in progress, 1 complete)', () => {
    expect(clearSel.decode(Buffer.from([0x01]))).toEqual({ complete: true });
    expect(clearSel.decode(Buffer.from([0x00]))).toEqual({ complete: false });
    expect(clearSel.decode(Buffer.from([0xf1]))).toEqual({ complete: true });
    expectShortRepliesRefused((b) => clearSel.decode(b), Buffer.from([0x01]), 1);
  });
});
