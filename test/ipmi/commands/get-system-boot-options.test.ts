import { describe, expect, it } from 'vitest';
import { bootFlagsNextBoot } from '../../../lib/ipmi/commands/chassis.ts';
import { BOOT_OPTIONS_PARAMETER_VERSION, BootParam, getSystemBootOptions } from '../../../lib/ipmi/commands/get-system-boot-options.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectRequestDecodes, expectRequestRoundTrip, expectResponseRoundTrip, expectShortRequestsRefused } from './server-side-helpers.ts';

describe('Get System Boot Options (Chassis 0x09)', () => {
  it('is Chassis command 0x09: parameter selector, set selector, block selector', () => {
    expect([getSystemBootOptions.netFn, getSystemBootOptions.cmd]).toEqual([0x00, 0x09]);
    expect(getSystemBootOptions.completionCodes?.[0x80]).toMatch(/not supported/);
    expect(getSystemBootOptions.encode({ parameter: BootParam.bootFlags })).toEqual(Buffer.from([0x05, 0x00, 0x00]));
    expect(getSystemBootOptions.encode({ parameter: 0x85, setSelector: 1, blockSelector: 2 })).toEqual(Buffer.from([0x05, 0x01, 0x02]));
  });
  it('decodes the parameter version, the valid bit, the parameter and its data', () => {
    expect(getSystemBootOptions.decode(Buffer.from([0x01, 0x05, 0x80, 0x04, 0, 0, 0]))).toEqual({ version: 1, parameter: 5, invalid: false, data: Buffer.from([0x80, 0x04, 0, 0, 0]) });
    expect(getSystemBootOptions.decode(Buffer.from([0xf1, 0x85]))).toEqual({ version: 1, parameter: 5, invalid: true, data: Buffer.alloc(0) });
  });
  it('refuses replies shorter than 2 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSystemBootOptions.decode(b), Buffer.from([0x01, 0x05]), 2);
  });

  describe('BMC side', () => {
    it('decodes the three selectors', () => {
      expectRequestRoundTrip(getSystemBootOptions, { parameter: 5, setSelector: 0, blockSelector: 0 }, [0x05, 0x00, 0x00]);
      expectRequestRoundTrip(getSystemBootOptions, { parameter: 0x7f, setSelector: 0xff, blockSelector: 0x01 }, [0x7f, 0xff, 0x01]);
      expectRequestDecodes(getSystemBootOptions, [0x85, 0, 0], { parameter: 5, setSelector: 0, blockSelector: 0 });
      expectShortRequestsRefused(getSystemBootOptions, Buffer.from([0x05, 0x00, 0x00]));
      expectLongRequestRefused(getSystemBootOptions, Buffer.from([0x05, 0x00, 0x00]));
    });
    it('replies version 1, the parameter with bit 7 = invalid / locked, then the data', () => {
      expect(BOOT_OPTIONS_PARAMETER_VERSION).toBe(1);
      expectResponseRoundTrip(getSystemBootOptions, { version: 1, parameter: 5, invalid: false, data: bootFlagsNextBoot('pxe') }, [0x01, 0x05, 0x80, 0x04, 0x00, 0x00, 0x00]);
      expectResponseRoundTrip(getSystemBootOptions, { version: 1, parameter: 5, invalid: true, data: Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00]) }, [0x01, 0x85, 0, 0, 0, 0, 0]);
      expectResponseRoundTrip(getSystemBootOptions, { version: 1, parameter: BootParam.setInProgress, invalid: false, data: Buffer.from([0x00]) }, [0x01, 0x00, 0x00]);
    });
  });
});
