/**
 * System Event Log, IPMI v2.0 chapter 31: Get SEL Info (Storage 0x40), Reserve SEL (0x42),
 * Get SEL Entry (0x43), Clear SEL (0x47).
 */
import { defineCommand, noData } from './command.ts';
import { ByteReader, u16le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface SelInfo {
  version: string;
  entries: number;
  freeSpace: number;
  lastAddition: number;
  lastErase: number;
  overflow: boolean;
  operationSupport: number;
}

export const getSelInfo = defineCommand<void, SelInfo>({
  name: 'Get SEL Info',
  netFn: NetFn.storage,
  cmd: 0x40,
  encode: noData,
  decode(data) {
    const r = new ByteReader(data, 'Get SEL Info');
    const v = r.u8();
    const entries = r.u16();
    const freeSpace = r.u16();
    const lastAddition = r.u32();
    const lastErase = r.u32();
    const op = r.u8();
    return { version: `${v & 0x0f}.${v >> 4}`, entries, freeSpace, lastAddition, lastErase, overflow: (op & 0x80) !== 0, operationSupport: op };
  },
});

export const reserveSel = defineCommand<void, { reservationId: number }>({
  name: 'Reserve SEL',
  netFn: NetFn.storage,
  cmd: 0x42,
  completionCodes: { 0x81: 'cannot execute command, SEL erase in progress' },
  encode: noData,
  decode: (data) => ({ reservationId: new ByteReader(data, 'Reserve SEL').u16() }),
});

export const getSelEntry = defineCommand<{ reservationId: number; recordId: number; offset?: number; length?: number }, { nextRecordId: number; data: Buffer }>({
  name: 'Get SEL Entry',
  netFn: NetFn.storage,
  cmd: 0x43,
  completionCodes: { 0x81: 'cannot execute command, SEL erase in progress' },
  encode: (req) => Buffer.from([...u16le(req.reservationId), ...u16le(req.recordId), req.offset ?? 0, req.length ?? 0xff]),
  decode(data) {
    const r = new ByteReader(data, 'Get SEL Entry');
    return { nextRecordId: r.u16(), data: r.rest() };
  },
});

/** Clear SEL: 'C' 'L' 'R' then 0xAA to start erasure or 0x00 to read its progress. */
export const clearSel = defineCommand<{ reservationId: number; initiate: boolean }, { complete: boolean }>({
  name: 'Clear SEL',
  netFn: NetFn.storage,
  cmd: 0x47,
  encode: (req) => Buffer.from([...u16le(req.reservationId), 0x43, 0x4c, 0x52, req.initiate ? 0xaa : 0x00]),
  decode: (data) => ({ complete: (new ByteReader(data, 'Clear SEL').u8() & 0x0f) === 0x01 }),
});
