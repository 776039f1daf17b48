/**
 * System Event Log, IPMI v2.0 chapter 31: Get SEL Info (Storage 0x40), Reserve SEL (0x42),
 * Get SEL Entry (0x43), Clear SEL (0x47).
 */
import { decodeVersionNibbles, defineCommand, emptyRequest, encodeVersionNibbles, invalidRequestField, noData, requestLength } from './command.ts';
import { ByteReader, u16le, u32le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface SelInfo {
  /** "1.5" for IPMI v1.5 and v2.0 (byte 0x51). */
  version: string;
  entries: number;
  freeSpace: number;
  lastAddition: number;
  lastErase: number;
  /** Bit 7 of the operation support byte. */
  overflow: boolean;
  /** The whole operation support byte, overflow bit included. */
  operationSupport: number;
}

/** Section 31.2, table 31-2. */
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
    return { version: decodeVersionNibbles(v), entries, freeSpace, lastAddition, lastErase, overflow: (op & 0x80) !== 0, operationSupport: op };
  },
  decodeRequest: emptyRequest('Get SEL Info'),
  encodeResponse: (i) =>
    Buffer.from([
      encodeVersionNibbles(i.version, 'Get SEL Info: SEL version'),
      ...u16le(i.entries),
      ...u16le(i.freeSpace),
      ...u32le(i.lastAddition),
      ...u32le(i.lastErase),
      // The overflow flag is bit 7 of the operation support byte; `overflow` decides it.
      (i.overflow ? 0x80 : 0) | (i.operationSupport & 0x7f),
    ]),
});

/** Section 31.4. */
export const reserveSel = defineCommand<void, { reservationId: number }>({
  name: 'Reserve SEL',
  netFn: NetFn.storage,
  cmd: 0x42,
  completionCodes: { 0x81: 'cannot execute command, SEL erase in progress' },
  encode: noData,
  decode: (data) => ({ reservationId: new ByteReader(data, 'Reserve SEL').u16() }),
  decodeRequest: emptyRequest('Reserve SEL'),
  encodeResponse: (res) => Buffer.from(u16le(res.reservationId)),
});

/** Section 31.5: the next record ID (0xFFFF after the last), then the record bytes asked for. */
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
  decodeRequest(data) {
    requestLength(data, 'Get SEL Entry', 6);
    const r = new ByteReader(data, 'Get SEL Entry request');
    return { reservationId: r.u16(), recordId: r.u16(), offset: r.u8(), length: r.u8() };
  },
  encodeResponse: (res) => Buffer.concat([Buffer.from(u16le(res.nextRecordId)), res.data]),
});

/** Clear SEL, section 31.9: 'C' 'L' 'R' then 0xAA to start erasure or 0x00 to read its progress. */
export const clearSel = defineCommand<{ reservationId: number; initiate: boolean }, { complete: boolean }>({
  name: 'Clear SEL',
  netFn: NetFn.storage,
  cmd: 0x47,
  encode: (req) => Buffer.from([...u16le(req.reservationId), 0x43, 0x4c, 0x52, req.initiate ? 0xaa : 0x00]),
  decode: (data) => ({ complete: (new ByteReader(data, 'Clear SEL').u8() & 0x0f) === 0x01 }),
  decodeRequest(data) {
    requestLength(data, 'Clear SEL', 6);
    if (data[2] !== 0x43 || data[3] !== 0x4c || data[4] !== 0x52) throw invalidRequestField('Clear SEL', 'bytes 3-5 are not "CLR"');
    if (data[5] !== 0xaa && data[5] !== 0x00) throw invalidRequestField('Clear SEL', `action 0x${data[5].toString(16)} is neither 0xAA nor 0x00`);
    return { reservationId: data[0] | (data[1] << 8), initiate: data[5] === 0xaa };
  },
  // Erasure progress, bits 3:0: 1h erasure completed, 0h erasure in progress.
  encodeResponse: (res) => Buffer.from([res.complete ? 0x01 : 0x00]),
});
