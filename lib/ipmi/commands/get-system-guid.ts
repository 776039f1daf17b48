/** Get System GUID, IPMI v2.0 section 22.14 (App 0x37). */
import { defineCommand, emptyRequest, noData } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

/**
 * The reply is the 16-byte system GUID, kept as the bytes in the order the BMC sends them (BMCs
 * differ in the byte order of the GUID fields, so no text form is made here).
 */
export const getSystemGuid = defineCommand<void, { guid: Buffer }>({
  name: 'Get System GUID',
  netFn: NetFn.app,
  cmd: 0x37,
  encode: noData,
  decode: (data) => ({ guid: new ByteReader(data, 'Get System GUID').bytes(16) }),
  decodeRequest: emptyRequest('Get System GUID'),
  encodeResponse(res) {
    if (res.guid.length !== 16) throw new IpmiProtocolError(`Get System GUID: the GUID is ${res.guid.length} bytes, not 16`);
    return Buffer.from(res.guid);
  },
});
