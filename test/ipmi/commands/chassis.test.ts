import { describe, expect, it } from 'vitest';
import {
  BootDevice,
  bootFlagsNextBoot,
  ChassisAction,
  chassisControl,
  chassisIdentify,
  getChassisStatus,
  setSystemBootOptions,
} from '../../../lib/ipmi/commands/chassis.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';

describe('Get Chassis Status (Chassis 0x01)', () => {
  it('is Chassis command 0x01 with no request data', () => {
    expect([getChassisStatus.netFn, getChassisStatus.cmd]).toEqual([0x00, 0x01]);
    expect(getChassisStatus.encode()).toEqual(Buffer.alloc(0));
  });

  it('decodes a powered-off chassis with nothing set', () => {
    expect(getChassisStatus.decode(Buffer.from([0x00, 0x00, 0x00]))).toEqual({
      powerOn: false,
      powerOverload: false,
      interlock: false,
      powerFault: false,
      powerControlFault: false,
      restorePolicy: 'always-off',
      lastPowerEvent: { acFailed: false, overload: false, interlock: false, fault: false, commandOn: false },
      intrusion: false,
      frontPanelLockout: false,
      driveFault: false,
      coolingFault: false,
      identify: 'unknown',
      frontPanel: undefined,
    });
  });

  it('decodes every bit of table 28-3', () => {
    expect(getChassisStatus.decode(Buffer.from([0x5f, 0x1f, 0x6f, 0xaa]))).toEqual({
      powerOn: true,
      powerOverload: true,
      interlock: true,
      powerFault: true,
      powerControlFault: true,
      restorePolicy: 'always-on',
      lastPowerEvent: { acFailed: true, overload: true, interlock: true, fault: true, commandOn: true },
      intrusion: true,
      frontPanelLockout: true,
      driveFault: true,
      coolingFault: true,
      identify: 'on',
      frontPanel: 0xaa,
    });
  });

  it('decodes each bit on its own', () => {
    const power = (b: number) => getChassisStatus.decode(Buffer.from([b, 0, 0]));
    expect(power(0x01).powerOn).toBe(true);
    expect(power(0x01).powerOverload).toBe(false);
    expect(power(0x02).powerOverload).toBe(true);
    expect(power(0x04).interlock).toBe(true);
    expect(power(0x08).powerFault).toBe(true);
    expect(power(0x10).powerControlFault).toBe(true);
    expect(power(0x10).powerOn).toBe(false);
    const last = (b: number) => getChassisStatus.decode(Buffer.from([0, b, 0])).lastPowerEvent;
    expect(last(0x01)).toEqual({ acFailed: true, overload: false, interlock: false, fault: false, commandOn: false });
    expect(last(0x10)).toEqual({ acFailed: false, overload: false, interlock: false, fault: false, commandOn: true });
    const misc = (b: number) => getChassisStatus.decode(Buffer.from([0, 0, b]));
    expect(misc(0x04).driveFault).toBe(true);
    expect(misc(0x04).coolingFault).toBe(false);
    expect(misc(0x08).coolingFault).toBe(true);
  });

  it('decodes the power restore policy (bits 6:5)', () => {
    const policy = (b: number) => getChassisStatus.decode(Buffer.from([b, 0, 0])).restorePolicy;
    expect(policy(0x00)).toBe('always-off');
    expect(policy(0x20)).toBe('previous');
    expect(policy(0x40)).toBe('always-on');
    expect(policy(0x60)).toBe('unknown');
    expect(policy(0x81)).toBe('always-off'); // bit 7 reserved
  });

  it('reports the identify state only when bit 6 says it is supported', () => {
    const identify = (b: number) => getChassisStatus.decode(Buffer.from([0, 0, b])).identify;
    expect(identify(0x40)).toBe('off');
    expect(identify(0x50)).toBe('timed');
    expect(identify(0x60)).toBe('on');
    expect(identify(0x70)).toBe('unknown');
    expect(identify(0x20)).toBe('unknown');
  });

  it('refuses replies shorter than 3 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getChassisStatus.decode(b), Buffer.from([0x01, 0x00, 0x40]), 3);
  });
});

describe('Chassis Control (Chassis 0x02)', () => {
  it('is Chassis command 0x02', () => {
    expect([chassisControl.netFn, chassisControl.cmd]).toEqual([0x00, 0x02]);
  });
  it('sends the action of table 28-4 in bits 3:0', () => {
    expect(chassisControl.encode({ action: ChassisAction.powerDown })).toEqual(Buffer.from([0x00]));
    expect(chassisControl.encode({ action: ChassisAction.powerUp })).toEqual(Buffer.from([0x01]));
    expect(chassisControl.encode({ action: ChassisAction.powerCycle })).toEqual(Buffer.from([0x02]));
    expect(chassisControl.encode({ action: ChassisAction.hardReset })).toEqual(Buffer.from([0x03]));
    expect(chassisControl.encode({ action: ChassisAction.diagnosticInterrupt })).toEqual(Buffer.from([0x04]));
    expect(chassisControl.encode({ action: ChassisAction.softShutdown })).toEqual(Buffer.from([0x05]));
  });
  it('has no response data to decode', () => {
    expect(chassisControl.decode(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('Chassis Identify (Chassis 0x04)', () => {
  it('is Chassis command 0x04', () => {
    expect([chassisIdentify.netFn, chassisIdentify.cmd]).toEqual([0x00, 0x04]);
  });
  it('sends the interval in seconds, 15 by default, clamped to a byte', () => {
    expect(chassisIdentify.encode({})).toEqual(Buffer.from([15]));
    expect(chassisIdentify.encode({ seconds: 0 })).toEqual(Buffer.from([0]));
    expect(chassisIdentify.encode({ seconds: 60 })).toEqual(Buffer.from([60]));
    expect(chassisIdentify.encode({ seconds: 1000 })).toEqual(Buffer.from([255]));
    expect(chassisIdentify.encode({ seconds: -5 })).toEqual(Buffer.from([0]));
  });
  it('sets Force Identify On (byte 2 bit 0)', () => {
    expect(chassisIdentify.encode({ forceOn: true })).toEqual(Buffer.from([0x00, 0x01]));
  });
});

describe('Set System Boot Options (Chassis 0x08)', () => {
  it('is Chassis command 0x08 with its own completion codes', () => {
    expect([setSystemBootOptions.netFn, setSystemBootOptions.cmd]).toEqual([0x00, 0x08]);
    expect(setSystemBootOptions.completionCodes?.[0x80]).toMatch(/not supported/);
  });
  it('boot flags (parameter 5) for a PXE next boot are 05 80 04 00 00 00', () => {
    expect([...setSystemBootOptions.encode({ parameter: 5, data: bootFlagsNextBoot('pxe') })]).toEqual([0x05, 0x80, 0x04, 0, 0, 0]);
  });
  it('sets the EFI boot type (data 1 bit 5) and never the persistent bit (bit 6)', () => {
    expect([...bootFlagsNextBoot('disk', true)]).toEqual([0xa0, 0x08, 0, 0, 0]);
    expect(bootFlagsNextBoot('bios')[0] & 0x40).toBe(0);
  });
  it('puts the device selector in data 2 bits 5:2', () => {
    expect(BootDevice).toEqual({ none: 0x00, pxe: 0x01 << 2, disk: 0x02 << 2, safe: 0x03 << 2, diag: 0x04 << 2, cdrom: 0x05 << 2, bios: 0x06 << 2, floppy: 0x0f << 2 });
    expect([...bootFlagsNextBoot('cdrom')]).toEqual([0x80, 0x14, 0, 0, 0]);
  });
  it('keeps the parameter-valid bit (byte 1 bit 7) clear: the parameter is marked valid', () => {
    expect(setSystemBootOptions.encode({ parameter: 0x85, data: Buffer.from([1]) })).toEqual(Buffer.from([0x05, 0x01]));
    expect(setSystemBootOptions.encode({ parameter: 0, data: Buffer.from([0x01]) })).toEqual(Buffer.from([0x00, 0x01]));
  });
});
