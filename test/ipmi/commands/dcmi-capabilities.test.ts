import { describe, expect, it } from 'vitest';
import {
  DCMI_CONFORMANCE,
  DcmiCapabilityParameter,
  dcmiGetCapabilities,
  decodeDcmiEnhancedPowerStatistics,
  decodeDcmiMandatoryAttributes,
  decodeDcmiManageabilityAccess,
  decodeDcmiOptionalAttributes,
  decodeDcmiSupportedCapabilities,
  decodeDcmiTimePeriod,
  encodeDcmiEnhancedPowerStatistics,
  encodeDcmiMandatoryAttributes,
  encodeDcmiManageabilityAccess,
  encodeDcmiOptionalAttributes,
  encodeDcmiSupportedCapabilities,
  encodeDcmiTimePeriod,
  type DcmiSupportedCapabilities,
} from '../../../lib/ipmi/commands/dcmi-capabilities.ts';
import { dcmiGetPowerReading } from '../../../lib/ipmi/commands/dcmi-power-reading.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectRequestRefused, expectRequestRoundTrip, expectResponseRoundTrip, expectShortRequestsRefused } from './server-side-helpers.ts';

/** A DCMI 1.5 BMC: power management, in-band KCS and a secondary LAN channel; byte 1 reserved. */
const DCMI15: DcmiSupportedCapabilities = {
  identification: false,
  selLogging: false,
  chassisPower: false,
  temperatureMonitor: false,
  powerManagement: true,
  inBandSystemInterface: true,
  serialTmode: false,
  secondaryLan: true,
  primaryLan: false,
  sol: false,
  vlan: false,
};

describe('DCMI Get DCMI Capabilities Info (Group Extension 0x2C, command 0x01)', () => {
  it('is group extension command 0x01: 0xDC, parameter selector', () => {
    expect([dcmiGetCapabilities.netFn, dcmiGetCapabilities.cmd]).toEqual([0x2c, 0x01]);
    expect(dcmiGetCapabilities.encode({ parameter: DcmiCapabilityParameter.supportedCapabilities })).toEqual(Buffer.from([0xdc, 0x01]));
    expect(DcmiCapabilityParameter).toEqual({ supportedCapabilities: 1, mandatoryAttributes: 2, optionalAttributes: 3, manageabilityAccess: 4, enhancedPowerStatistics: 5 });
  });
  it('decodes the conformance version, the parameter revision and the data', () => {
    expect(dcmiGetCapabilities.decode(Buffer.from([0xdc, 0x01, 0x05, 0x02, 0x00, 0x01, 0x05]))).toEqual({ major: 1, minor: 5, parameterRevision: 2, data: Buffer.from([0x00, 0x01, 0x05]) });
  });
  it('refuses another group and replies shorter than 4 bytes', () => {
    expectProtocolError(() => dcmiGetCapabilities.decode(Buffer.from([0x00, 0x01, 0x05, 0x02])), /not 0xDC/);
    expectShortRepliesRefused((b) => dcmiGetCapabilities.decode(b), Buffer.from([0xdc, 0x01, 0x05, 0x02]), 4);
  });

  describe('BMC side', () => {
    it('decodes the parameter selector after the group byte', () => {
      for (const parameter of [1, 2, 3, 4, 5]) expectRequestRoundTrip(dcmiGetCapabilities, { parameter }, [0xdc, parameter]);
      expectRequestRefused(() => dcmiGetCapabilities.decodeRequest(Buffer.from([0x00, 0x01])), 0xcc, /not 0xDC/);
      expectShortRequestsRefused(dcmiGetCapabilities, Buffer.from([0xdc, 0x01]));
      expectLongRequestRefused(dcmiGetCapabilities, Buffer.from([0xdc, 0x01]));
    });
    it('replies 0xDC, version 1.5, parameter revision 02h, then the parameter data', () => {
      expect(DCMI_CONFORMANCE).toEqual({ major: 1, minor: 5, parameterRevision: 2 });
      expectResponseRoundTrip(dcmiGetCapabilities, { ...DCMI_CONFORMANCE, data: encodeDcmiSupportedCapabilities(DCMI15) }, [0xdc, 0x01, 0x05, 0x02, 0x00, 0x01, 0x05]);
    });
  });
});

describe('DCMI capability parameters', () => {
  it('1, supported capabilities: byte 2 bit 0 power management, byte 3 the access channels', () => {
    expect([...encodeDcmiSupportedCapabilities(DCMI15)]).toEqual([0x00, 0x01, 0x05]);
    expect(decodeDcmiSupportedCapabilities(Buffer.from([0x00, 0x01, 0x05]))).toEqual(DCMI15);
    // DCMI 1.0 / 1.1 also set the mandatory platform capabilities (byte 1) and three more access bits.
    const all = Object.fromEntries(Object.keys(DCMI15).map((k) => [k, true])) as unknown as DcmiSupportedCapabilities;
    expect([...encodeDcmiSupportedCapabilities(all)]).toEqual([0x0f, 0x01, 0x3f]);
    expect(decodeDcmiSupportedCapabilities(Buffer.from([0xff, 0xff, 0xff]))).toEqual(all);
    expectShortRepliesRefused((b) => decodeDcmiSupportedCapabilities(b), Buffer.from([0, 1, 5]), 3);
  });
  it('2, mandatory platform attributes: 12-bit SEL entries with flush and rollover bits, sampling period', () => {
    const a = { selEntries: 0x200, recordLevelFlush: false, entireFlush: false, selAutoRollover: true, guid: false, dhcpHostName: false, assetTag: false, inletTemperature: false, processorTemperature: false, baseboardTemperature: false, temperatureSamplingSeconds: 5 };
    expect([...encodeDcmiMandatoryAttributes(a)]).toEqual([0x00, 0x82, 0x00, 0x00, 0x05]);
    expect(decodeDcmiMandatoryAttributes(Buffer.from([0x00, 0x82, 0x00, 0x00, 0x05]))).toEqual(a);
    const v10 = { selEntries: 0xfff, recordLevelFlush: true, entireFlush: true, selAutoRollover: false, guid: true, dhcpHostName: true, assetTag: true, inletTemperature: true, processorTemperature: true, baseboardTemperature: true };
    expect([...encodeDcmiMandatoryAttributes(v10)]).toEqual([0xff, 0x3f, 0x07, 0x07]);
    expect(decodeDcmiMandatoryAttributes(Buffer.from([0xff, 0x3f, 0x07, 0x07]))).toEqual(v10);
    expectShortRepliesRefused((b) => decodeDcmiMandatoryAttributes(b), Buffer.from([0xff, 0x3f, 0x07, 0x07]), 4);
  });
  it('3, optional platform attributes: slave address, channel in bits 7:4, revision in bits 3:0', () => {
    const a = { powerManagementAddress: 0x20, powerManagementChannel: 0, deviceRevision: 1 };
    expect([...encodeDcmiOptionalAttributes(a)]).toEqual([0x20, 0x01]);
    expect(decodeDcmiOptionalAttributes(Buffer.from([0x20, 0x01]))).toEqual(a);
    expect(decodeDcmiOptionalAttributes(Buffer.from([0x41, 0x23]))).toEqual({ powerManagementAddress: 0x40, powerManagementChannel: 2, deviceRevision: 3 });
    expectShortRepliesRefused((b) => decodeDcmiOptionalAttributes(b), Buffer.from([0x20, 0x01]), 2);
  });
  it('4, manageability access attributes: channel numbers, 0xFF where there is none', () => {
    const a = { primaryLanChannel: 1, secondaryLanChannel: null, serialTmodeChannel: null };
    expect([...encodeDcmiManageabilityAccess(a)]).toEqual([0x01, 0xff, 0xff]);
    expect(decodeDcmiManageabilityAccess(Buffer.from([0x01, 0xff, 0xff]))).toEqual(a);
    expectProtocolError(() => encodeDcmiManageabilityAccess({ ...a, primaryLanChannel: 0xff }), /primary LAN channel 255/);
    expectShortRepliesRefused((b) => decodeDcmiManageabilityAccess(b), Buffer.from([1, 0xff, 0xff]), 3);
  });
  it('5, enhanced power statistics: a count, then periods with the unit in bits 7:6', () => {
    const s = { rollingAveragePeriods: [{ duration: 30, unit: 'seconds' as const }, { duration: 5, unit: 'minutes' as const }, { duration: 1, unit: 'hours' as const }, { duration: 1, unit: 'days' as const }] };
    expect([...encodeDcmiEnhancedPowerStatistics(s)]).toEqual([4, 0x1e, 0x45, 0x81, 0xc1]);
    expect(decodeDcmiEnhancedPowerStatistics(Buffer.from([4, 0x1e, 0x45, 0x81, 0xc1]))).toEqual(s);
    expect([...encodeDcmiEnhancedPowerStatistics({ rollingAveragePeriods: [] })]).toEqual([0]);
    expectProtocolError(() => decodeDcmiEnhancedPowerStatistics(Buffer.from([4, 0x1e, 0x45])), /truncated/);
    expectProtocolError(() => decodeDcmiEnhancedPowerStatistics(Buffer.alloc(0)), /truncated/);
  });
  it('a time period is the rolling period byte of Get Power Reading mode 2', () => {
    const period = encodeDcmiTimePeriod({ duration: 5, unit: 'minutes' });
    expect(period).toBe(0x45);
    expect(dcmiGetPowerReading.encode({ mode: 2, rollingPeriod: period })).toEqual(Buffer.from([0xdc, 0x02, 0x45, 0x00]));
    for (let b = 0; b < 256; b++) expect(encodeDcmiTimePeriod(decodeDcmiTimePeriod(b))).toBe(b);
    expectProtocolError(() => encodeDcmiTimePeriod({ duration: 64, unit: 'seconds' }), /0-63/);
    expectProtocolError(() => encodeDcmiTimePeriod({ duration: 1, unit: 'weeks' as never }), /unit "weeks"/);
  });
});
