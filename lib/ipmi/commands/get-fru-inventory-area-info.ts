/**
 * Get FRU Inventory Area Info, IPMI v2.0 section 34.1 (Storage 0x10): how big a FRU device's
 * inventory area is, and whether it is read by bytes or by 16-bit words. Reading a FRU starts here.
 */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader, u16le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface FruAreaInfo {
  /** Size of the inventory area in bytes (0 to 65535). */
  size: number;
  /** Byte 3 bit 0: offsets and counts of Read FRU Data are in words, not bytes. */
  byWords: boolean;
}

export const getFruInventoryAreaInfo = defineCommand<{ deviceId: number }, FruAreaInfo>({
  name: 'Get FRU Inventory Area Info',
  netFn: NetFn.storage,
  cmd: 0x10,
  encode: (req) => Buffer.from([req.deviceId & 0xff]),
  decode(data) {
    const r = new ByteReader(data, 'Get FRU Inventory Area Info');
    return { size: r.u16(), byWords: (r.u8() & 0x01) !== 0 };
  },
  decodeRequest(data) {
    requestLength(data, 'Get FRU Inventory Area Info', 1);
    return { deviceId: data[0] };
  },
  encodeResponse: (res) => Buffer.from([...u16le(res.size), res.byWords ? 0x01 : 0x00]),
});
