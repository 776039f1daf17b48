/** Get Device ID, IPMI v2.0 section 20.1 (App 0x01). */
import { decodeBcd, decodeVersionNibbles, defineCommand, emptyRequest, encodeBcd, encodeVersionNibbles, noData } from './command.ts';
import { ByteReader, u16le } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface DeviceId {
  deviceId: number;
  deviceRevision: number;
  providesSdrs: boolean;
  firmwareMajor: number;
  /** BCD minor revision decoded to a number (0x17 -> 17). */
  firmwareMinor: number;
  deviceAvailable: boolean;
  ipmiVersion: string;
  additionalSupport: number;
  manufacturerId: number;
  productId: number;
  auxFirmware?: Buffer;
}

/**
 * Standard replies carry 11 or 15 bytes (table 20-2). The quirk table rewrites known non-standard
 * shapes (see quirks.ts) before this decoder sees them.
 */
export const getDeviceId = defineCommand<void, DeviceId>({
  name: 'Get Device ID',
  netFn: NetFn.app,
  cmd: 0x01,
  encode: noData,
  decode(data) {
    const r = new ByteReader(data, 'Get Device ID');
    const deviceId = r.u8();
    const rev = r.u8();
    const fw1 = r.u8();
    const fw2 = r.u8();
    const ver = r.u8();
    const additionalSupport = r.u8();
    const manufacturerId = r.u8() | (r.u8() << 8) | ((r.u8() & 0x0f) << 16);
    const productId = r.u16();
    return {
      deviceId,
      deviceRevision: rev & 0x0f,
      providesSdrs: (rev & 0x80) !== 0,
      firmwareMajor: fw1 & 0x7f,
      deviceAvailable: (fw1 & 0x80) === 0,
      firmwareMinor: decodeBcd(fw2),
      ipmiVersion: decodeVersionNibbles(ver),
      additionalSupport,
      manufacturerId,
      productId,
      auxFirmware: r.remaining >= 4 ? r.bytes(4) : undefined,
    };
  },
  decodeRequest: emptyRequest('Get Device ID'),
  encodeResponse(d) {
    if (d.auxFirmware !== undefined && d.auxFirmware.length !== 4) {
      throw new IpmiProtocolError(`Get Device ID: the auxiliary firmware revision is ${d.auxFirmware.length} bytes, not 4`);
    }
    return Buffer.from([
      d.deviceId & 0xff,
      (d.providesSdrs ? 0x80 : 0) | (d.deviceRevision & 0x0f),
      (d.deviceAvailable ? 0 : 0x80) | (d.firmwareMajor & 0x7f),
      encodeBcd(d.firmwareMinor, 'Get Device ID: firmware minor revision'),
      encodeVersionNibbles(d.ipmiVersion, 'Get Device ID: IPMI version'),
      d.additionalSupport & 0xff,
      // Manufacturer ID: 20 bits, LS byte first; bits 7:4 of the third byte are reserved.
      d.manufacturerId & 0xff,
      (d.manufacturerId >> 8) & 0xff,
      (d.manufacturerId >> 16) & 0x0f,
      ...u16le(d.productId),
      ...(d.auxFirmware ?? []),
    ]);
  },
});
