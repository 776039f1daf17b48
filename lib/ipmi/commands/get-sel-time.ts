/** Get SEL Time, IPMI v2.0 section 31.10 (Storage 0x48). */
import { defineCommand, emptyRequest, noData } from './command.ts';
import { ByteReader, u32le } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

/**
 * The reply is the BMC's present time, 4 bytes LS first: seconds since 1970, or since the BMC
 * initialised when at or below 0x20000000 (section 37.1).
 */
export const getSelTime = defineCommand<void, { timestamp: number }>({
  name: 'Get SEL Time',
  netFn: NetFn.storage,
  cmd: 0x48,
  encode: noData,
  decode: (data) => ({ timestamp: new ByteReader(data, 'Get SEL Time').u32() }),
  decodeRequest: emptyRequest('Get SEL Time'),
  encodeResponse: (res) => Buffer.from(u32le(res.timestamp)),
});
