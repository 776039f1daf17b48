/**
 * SDR repository access, IPMI v2.0 chapter 33: Get SDR Repository Info (Storage 0x20),
 * Reserve SDR Repository (0x22), Get SDR (0x23).
 */
import { defineCommand, noData } from './command.ts';
import { ByteReader, u16le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface SdrRepositoryInfo {
  version: string;
  recordCount: number;
  freeSpace: number;
  /** Seconds since 1970 (or BMC-relative before its clock is set); the SDR cache key. */
  lastAddition: number;
  lastErase: number;
  operationSupport: number;
}

export const getSdrRepositoryInfo = defineCommand<void, SdrRepositoryInfo>({
  name: 'Get SDR Repository Info',
  netFn: NetFn.storage,
  cmd: 0x20,
  encode: noData,
  decode(data) {
    const r = new ByteReader(data, 'Get SDR Repository Info');
    const v = r.u8();
    return {
      version: `${v & 0x0f}.${v >> 4}`,
      recordCount: r.u16(),
      freeSpace: r.u16(),
      lastAddition: r.u32(),
      lastErase: r.u32(),
      operationSupport: r.u8(),
    };
  },
});

export const reserveSdrRepository = defineCommand<void, { reservationId: number }>({
  name: 'Reserve SDR Repository',
  netFn: NetFn.storage,
  cmd: 0x22,
  encode: noData,
  decode: (data) => ({ reservationId: new ByteReader(data, 'Reserve SDR Repository').u16() }),
});

export interface GetSdrRequest {
  reservationId: number;
  recordId: number;
  offset: number;
  /** 0xFF reads the whole record. */
  length: number;
}

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
});

/** Record ID of the last record: reading stops when the BMC names it as next. */
export const SDR_LAST_RECORD = 0xffff;
