import { describe, expect, it } from 'vitest';
import { getDeviceId } from '../../../lib/ipmi/commands/get-device-id.ts';
import { NetFn } from '../../../lib/ipmi/codec/ipmi-message.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';

/**
 * ipmi_sim's `mc_add 0x20 0x20 no-device-sdrs 0x01 2 0x17 0x9f 0x00a2b1 0x0623`: device id 0x20,
 * no device SDRs, revision 1, firmware 2.17, support 0x9f, manufacturer 0x00a2b1, product 0x0623.
 * Reply data (after the completion code), table 20-2 bytes 2-12; the IPMI version byte (0x02,
 * "2.0") is not set by mc_add and is ours.
 */
const SIM_REPLY = Buffer.from([0x20, 0x01, 0x02, 0x17, 0x02, 0x9f, 0xb1, 0xa2, 0x00, 0x23, 0x06]);

describe('Get Device ID (App 0x01)', () => {
  it('is App command 0x01 with no request data', () => {
    expect(getDeviceId.netFn).toBe(NetFn.app);
    expect(getDeviceId.netFn).toBe(0x06);
    expect(getDeviceId.cmd).toBe(0x01);
    expect(getDeviceId.encode()).toEqual(Buffer.alloc(0));
  });

  it("decodes ipmi_sim's 11-byte reply", () => {
    expect(getDeviceId.decode(SIM_REPLY)).toEqual({
      deviceId: 0x20,
      deviceRevision: 1,
      providesSdrs: false,
      firmwareMajor: 2,
      firmwareMinor: 17,
      deviceAvailable: true,
      ipmiVersion: '2.0',
      additionalSupport: 0x9f,
      manufacturerId: 41649,
      productId: 0x0623,
      auxFirmware: undefined,
    });
  });

  it('decodes a 15-byte reply with the auxiliary firmware revision', () => {
    const d = getDeviceId.decode(Buffer.concat([SIM_REPLY, Buffer.from([0x01, 0x02, 0x03, 0x04])]));
    expect(d.auxFirmware).toEqual(Buffer.from([0x01, 0x02, 0x03, 0x04]));
    expect(d.manufacturerId).toBe(41649);
    expect(d.productId).toBe(0x0623);
  });

  it('reads the flag bits and BCD fields', () => {
    const d = getDeviceId.decode(Buffer.from([0x01, 0x83, 0x85, 0x99, 0x51, 0x00, 0x57, 0x01, 0xf0, 0x34, 0x12]));
    expect(d.providesSdrs).toBe(true);
    expect(d.deviceRevision).toBe(3);
    expect(d.deviceAvailable).toBe(false); // bit 7: update or self-initialisation in progress
    expect(d.firmwareMajor).toBe(5);
    expect(d.firmwareMinor).toBe(99);
    expect(d.ipmiVersion).toBe('1.5');
    expect(d.manufacturerId).toBe(0x0157); // 20 bits: byte 10 bits 7:4 are reserved
    expect(d.productId).toBe(0x1234);
  });

  it('ignores an incomplete auxiliary firmware field', () => {
    expect(getDeviceId.decode(Buffer.concat([SIM_REPLY, Buffer.from([1, 2, 3])])).auxFirmware).toBeUndefined();
  });

  it('refuses replies shorter than 11 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getDeviceId.decode(b), SIM_REPLY, 11);
  });
});
