import { describe, expect, it } from 'vitest';
import { getSensorReading } from '../../../lib/ipmi/commands/get-sensor-reading.ts';
import { expectShortRepliesRefused } from './expect-protocol-error.ts';

describe('Get Sensor Reading (Sensor/Event 0x2D)', () => {
  it('is Sensor/Event command 0x2D with the sensor number', () => {
    expect([getSensorReading.netFn, getSensorReading.cmd]).toEqual([0x04, 0x2d]);
    expect(getSensorReading.encode({ sensorNumber: 5 })).toEqual(Buffer.from([0x05]));
    expect(getSensorReading.encode({ sensorNumber: 0xff })).toEqual(Buffer.from([0xff]));
  });
  it('decodes a threshold reading with its comparison bits', () => {
    expect(getSensorReading.decode(Buffer.from([250, 0xc0, 0x38]))).toEqual({
      raw: 250,
      eventMessagesEnabled: true,
      scanningEnabled: true,
      unavailable: false,
      state0: 0x38,
      state1: undefined,
    });
  });
  it('decodes the flag bits of byte 3', () => {
    expect(getSensorReading.decode(Buffer.from([0, 0x20, 0]))).toMatchObject({ eventMessagesEnabled: false, scanningEnabled: false, unavailable: true });
    expect(getSensorReading.decode(Buffer.from([0, 0x40, 0]))).toMatchObject({ eventMessagesEnabled: false, scanningEnabled: true, unavailable: false });
    expect(getSensorReading.decode(Buffer.from([0, 0x80, 0]))).toMatchObject({ eventMessagesEnabled: true, scanningEnabled: false, unavailable: false });
  });
  it('decodes discrete states 14:8 without the reserved bit 7', () => {
    expect(getSensorReading.decode(Buffer.from([0, 0xc0, 0x01, 0xff])).state1).toBe(0x7f);
  });
  it('accepts a reply without the optional state bytes', () => {
    expect(getSensorReading.decode(Buffer.from([45, 0xc0]))).toMatchObject({ raw: 45, state0: 0, state1: undefined });
  });
  it('refuses replies shorter than 2 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => getSensorReading.decode(b), Buffer.from([45, 0xc0]), 2);
  });
});
