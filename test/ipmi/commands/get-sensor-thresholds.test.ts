import { describe, expect, it } from 'vitest';
import { getSensorThresholds } from '../../../lib/ipmi/commands/get-sensor-thresholds.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';
import { expectLongRequestRefused, expectRequestRoundTrip, expectResponseRoundTrip, expectShortRequestsRefused } from './server-side-helpers.ts';

describe('Get Sensor Thresholds (Sensor/Event 0x27)', () => {
  it('is Sensor/Event command 0x27 with the sensor number', () => {
    expect([getSensorThresholds.netFn, getSensorThresholds.cmd]).toEqual([0x04, 0x27]);
    expect(getSensorThresholds.encode({ sensorNumber: 0x30 })).toEqual(Buffer.from([0x30]));
  });
  it('decodes the readable mask and the thresholds in the order LNC, LCR, LNR, UNC, UCR, UNR', () => {
    expect(getSensorThresholds.decode(Buffer.from([0x3f, 1, 2, 3, 4, 5, 6]))).toEqual({ thresholdsRaw: { lnc: 1, lcr: 2, lnr: 3, unc: 4, ucr: 5, unr: 6 } });
  });
  it('keeps only the thresholds the mask marks readable, and ignores reserved bits 7:6', () => {
    expect(getSensorThresholds.decode(Buffer.from([0xd2, 1, 2, 3, 4, 5, 6]))).toEqual({ thresholdsRaw: { lcr: 2, ucr: 5 } });
    expect(getSensorThresholds.decode(Buffer.from([0x00, 1, 2, 3, 4, 5, 6]))).toEqual({ thresholdsRaw: {} });
  });
  it('refuses replies shorter than 7 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSensorThresholds.decode(b), Buffer.from([0x3f, 1, 2, 3, 4, 5, 6]), 7);
  });

  describe('BMC side', () => {
    it('decodes the sensor number', () => {
      expectRequestRoundTrip(getSensorThresholds, { sensorNumber: 0x30 }, [0x30]);
      expectShortRequestsRefused(getSensorThresholds, Buffer.from([0x30]));
      expectLongRequestRefused(getSensorThresholds, Buffer.from([0x30]));
    });
    it('sets a mask bit per given threshold and sends the others as 0', () => {
      expectResponseRoundTrip(getSensorThresholds, { thresholdsRaw: { lcr: 0x10, ucr: 0x60 } }, [0x12, 0x00, 0x10, 0x00, 0x00, 0x60, 0x00]);
      expectResponseRoundTrip(getSensorThresholds, { thresholdsRaw: { lnc: 0xec, lcr: 0xf6, lnr: 0xfb, unc: 0x50, ucr: 0x5a, unr: 0x64 } }, [0x3f, 0xec, 0xf6, 0xfb, 0x50, 0x5a, 0x64]);
      expectResponseRoundTrip(getSensorThresholds, { thresholdsRaw: {} }, [0, 0, 0, 0, 0, 0, 0]);
      expectResponseRoundTrip(getSensorThresholds, { thresholdsRaw: { unr: 0 } }, [0x20, 0, 0, 0, 0, 0, 0]);
    });
  });
});
