/** Get Device ID, IPMI v2.0 section 20.1 (App 0x01). */
import { defineCommand, noData } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
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

function bcd(b: number): number {
  return (b >> 4) * 10 + (b & 0x0f);
}

/**
 * Standard replies carry 11 or 15 bytes. The quirk table rewrites known non-standard shapes
 * (see quirks.ts) before this decoder sees them.
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
      firmwareMinor: bcd(fw2),
      ipmiVersion: `${ver & 0x0f}.${ver >> 4}`,
      additionalSupport,
      manufacturerId,
      productId,
      auxFirmware: r.remaining >= 4 ? r.bytes(4) : undefined,
    };
  },
});
