/**
 * SDR repository access, IPMI v2.0 chapter 33: Get SDR Repository Info (Storage 0x20),
 * Reserve SDR Repository (0x22), Get SDR (0x23).
 */
import { decodeVersionNibbles, defineCommand, emptyRequest, encodeVersionNibbles, noData, requestLength } from './command.ts';
import { ByteReader, u16le, u32le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface SdrRepositoryInfo {
  /** "1.5" for IPMI v1.5 and v2.0 repositories (byte 0x51). */
  version: string;
  recordCount: number;
  freeSpace: number;
  /** Seconds since 1970 (or BMC-relative before its clock is set); the SDR cache key. */
  lastAddition: number;
  lastErase: number;
  operationSupport: number;
}

/** Section 33.9, table 33-3. */
export const getSdrRepositoryInfo = defineCommand<void, SdrRepositoryInfo>({
  name: 'Get SDR Repository Info',
  netFn: NetFn.storage,
  cmd: 0x20,
  encode: noData,
  decode(data) {
    const r = new ByteReader(data, 'Get SDR Repository Info');
    const v = r.u8();
    return {
      version: decodeVersionNibbles(v),
      recordCount: r.u16(),
      freeSpace: r.u16(),
      lastAddition: r.u32(),
      lastErase: r.u32(),
      operationSupport: r.u8(),
    };
  },
  decodeRequest: emptyRequest('Get SDR Repository Info'),
  encodeResponse: (i) =>
    Buffer.from([
      encodeVersionNibbles(i.version, 'Get SDR Repository Info: SDR version'),
      ...u16le(i.recordCount),
      ...u16le(i.freeSpace),
      ...u32le(i.lastAddition),
      ...u32le(i.lastErase),
      i.operationSupport & 0xff,
    ]),
});

/** Section 33.11. */
export const reserveSdrRepository = defineCommand<void, { reservationId: number }>({
  name: 'Reserve SDR Repository',
  netFn: NetFn.storage,
  cmd: 0x22,
  encode: noData,
  decode: (data) => ({ reservationId: new ByteReader(data, 'Reserve SDR Repository').u16() }),
  decodeRequest: emptyRequest('Reserve SDR Repository'),
  encodeResponse: (res) => Buffer.from(u16le(res.reservationId)),
});

export interface GetSdrRequest {
  reservationId: number;
  recordId: number;
  offset: number;
  /** 0xFF reads the whole record. */
  length: number;
}

/** Section 33.12: the next record ID (0xFFFF after the last), then the record bytes asked for. */
export const getSdr = defineCommand<GetSdrRequest, { nextRecordId: number; data: Buffer }>({
  name: 'Get SDR',
  netFn: NetFn.storage,
  cmd: 0x23,
  completionCodes: { 0x80: 'record changed' },
  encode: (req) => Buffer.from([...u16le(req.reservationId), ...u16le(req.recordId), req.offset & 0xff, req.length & 0xff]),
  decode(data) {
    const r = new ByteReader(data, 'Get SDR');
    return { nextRecordId: r.u16(), data: r.rest() };
  },
  decodeRequest(data) {
    requestLength(data, 'Get SDR', 6);
    const r = new ByteReader(data, 'Get SDR request');
    return { reservationId: r.u16(), recordId: r.u16(), offset: r.u8(), length: r.u8() };
  },
  encodeResponse: (res) => Buffer.concat([Buffer.from(u16le(res.nextRecordId)), res.data]),
});

/** Record ID of the last record: reading stops when the BMC names it as next. */
export const SDR_LAST_RECORD = 0xffff;
