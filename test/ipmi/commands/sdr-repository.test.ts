import { describe, expect, it } from 'vitest';
import { getSdr, getSdrRepositoryInfo, reserveSdrRepository, SDR_LAST_RECORD } from '../../../lib/ipmi/commands/sdr-repository.ts';
import { decodeSdr, type SensorRecord } from '../../../lib/ipmi/sdr/records.ts';
import { fullSdr, genSensor } from '../sdr/sdr-builder.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';

const INFO = Buffer.from([0x51, 0x05, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x66, 0x10, 0x00, 0x00, 0x66, 0x22]);

describe('Get SDR Repository Info (Storage 0x20)', () => {
  it('is Storage command 0x20 with no request data', () => {
    expect([getSdrRepositoryInfo.netFn, getSdrRepositoryInfo.cmd]).toEqual([0x0a, 0x20]);
    expect(getSdrRepositoryInfo.encode()).toEqual(Buffer.alloc(0));
  });
  it('decodes the reply of table 33-3', () => {
    expect(getSdrRepositoryInfo.decode(INFO)).toEqual({ version: '1.5', recordCount: 5, freeSpace: 0x1000, lastAddition: 0x66000000, lastErase: 0x66000010, operationSupport: 0x22 });
  });
  it('reads the version as BCD with the least significant digit in bits 7:4', () => {
    const r = Buffer.from(INFO);
    r[0] = 0x02;
    expect(getSdrRepositoryInfo.decode(r).version).toBe('2.0');
  });
  it('reads 32-bit timestamps as unsigned', () => {
    const r = Buffer.from(INFO);
    r.writeUInt32LE(0xfffffffe, 5);
    expect(getSdrRepositoryInfo.decode(r).lastAddition).toBe(0xfffffffe);
  });
  it('refuses replies shorter than 14 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSdrRepositoryInfo.decode(b), INFO, 14);
  });
});

describe('Reserve SDR Repository (Storage 0x22)', () => {
  it('is Storage command 0x22 and decodes the reservation id', () => {
    expect([reserveSdrRepository.netFn, reserveSdrRepository.cmd]).toEqual([0x0a, 0x22]);
    expect(reserveSdrRepository.decode(Buffer.from([0x34, 0x12]))).toEqual({ reservationId: 0x1234 });
    expectShortRepliesRefused((b) => reserveSdrRepository.decode(b), Buffer.from([0x34, 0x12]), 2);
  });
});

describe('Get SDR (Storage 0x23)', () => {
  it('is Storage command 0x23 with "record changed" as code 0x80', () => {
    expect([getSdr.netFn, getSdr.cmd]).toEqual([0x0a, 0x23]);
    expect(getSdr.completionCodes?.[0x80]).toBe('record changed');
  });
  it('lays out the request as table 33-13: reservation, record id (LS first), offset, bytes to read', () => {
    expect(getSdr.encode({ reservationId: 0x1234, recordId: 0x0005, offset: 0, length: 0xff })).toEqual(Buffer.from([0x34, 0x12, 0x05, 0x00, 0x00, 0xff]));
    expect(getSdr.encode({ reservationId: 0, recordId: 0xabcd, offset: 0x10, length: 0x10 })).toEqual(Buffer.from([0x00, 0x00, 0xcd, 0xab, 0x10, 0x10]));
  });
  it('decodes the next record id and the record data', () => {
    const rec = fullSdr(genSensor('Inlet Temp'));
    const r = getSdr.decode(Buffer.concat([Buffer.from([0xff, 0xff]), rec]));
    expect(r.nextRecordId).toBe(SDR_LAST_RECORD);
    expect(r.data).toEqual(rec);
    expect((decodeSdr(r.data) as SensorRecord).name).toBe('Inlet Temp');
  });
  it('accepts a reply with the next id only', () => {
    expect(getSdr.decode(Buffer.from([0x02, 0x00]))).toEqual({ nextRecordId: 2, data: Buffer.alloc(0) });
  });
  it('refuses replies shorter than 2 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSdr.decode(b), Buffer.from([0x02, 0x00]), 2);
  });
});
