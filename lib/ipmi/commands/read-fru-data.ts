/**
 * Read FRU Data, IPMI v2.0 section 34.2 (Storage 0x11): up to `count` units of a FRU device's
 * inventory area from `offset`. A unit is a byte, or a 16-bit word when Get FRU Inventory Area
 * Info says the device is accessed by words; the reply's count is in the same units. Small BMCs
 * refuse long reads (0xCA, 0xC7 or 0xC8): the reader in fru/read-fru.ts asks again with less.
 */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader, u16le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface ReadFruDataRequest {
  deviceId: number;
  /** In bytes, or words for a device accessed by words. */
  offset: number;
  /** Units to read, 1-based (as the specification says). */
  count: number;
}

export interface ReadFruDataResponse {
  /** Units returned: bytes, or words for a device accessed by words. */
  count: number;
  /** Every byte after the count, as sent (a reader takes `count` units of it). */
  data: Buffer;
}

export const readFruData = defineCommand<ReadFruDataRequest, ReadFruDataResponse>({
  name: 'Read FRU Data',
  netFn: NetFn.storage,
  cmd: 0x11,
  completionCodes: { 0x81: 'FRU device busy' },
  encode: (req) => Buffer.from([req.deviceId & 0xff, ...u16le(req.offset), req.count & 0xff]),
  decode(data) {
    const r = new ByteReader(data, 'Read FRU Data');
    return { count: r.u8(), data: r.rest() };
  },
  decodeRequest(data) {
    requestLength(data, 'Read FRU Data', 4);
    return { deviceId: data[0], offset: data[1] | (data[2] << 8), count: data[3] };
  },
  encodeResponse: (res) => Buffer.concat([Buffer.from([res.count & 0xff]), res.data]),
});
