import { describe, expect, it } from 'vitest';
import { DCMI_GROUP, dcmiGetPowerReading } from '../../../lib/ipmi/commands/dcmi-power-reading.ts';
import { expectProtocolError, expectShortRepliesRefused } from './expect-protocol-error.ts';

const REPLY = Buffer.from([
  0xdc, // group extension
  0xc8, 0x00, // current 200 W
  0x64, 0x00, // minimum 100 W
  0x2c, 0x01, // maximum 300 W
  0xfa, 0x00, // average 250 W
  0x00, 0x00, 0x00, 0x66, // timestamp 0x66000000
  0xe8, 0x03, 0x00, 0x00, // period 1000 ms
  0x40, // power measurement active
]);

describe('DCMI Get Power Reading (Group Extension 0x2C, command 0x02)', () => {
  it('is group extension command 0x02 of group 0xDC', () => {
    expect(dcmiGetPowerReading.netFn).toBe(0x2c);
    expect(dcmiGetPowerReading.cmd).toBe(0x02);
    expect(DCMI_GROUP).toBe(0xdc);
  });
  it('asks for system power statistics by default', () => {
    expect(dcmiGetPowerReading.encode({})).toEqual(Buffer.from([0xdc, 0x01, 0x00, 0x00]));
  });
  it('asks for enhanced statistics over a rolling period', () => {
    expect(dcmiGetPowerReading.encode({ mode: 2, rollingPeriod: 0x45 })).toEqual(Buffer.from([0xdc, 0x02, 0x45, 0x00]));
  });
  it('decodes the reply', () => {
    expect(dcmiGetPowerReading.decode(REPLY)).toEqual({ watts: 200, minWatts: 100, maxWatts: 300, averageWatts: 250, timestamp: 0x66000000, periodMs: 1000, active: true });
  });
  it('reads "measurement active" from bit 6 of the state byte', () => {
    const r = Buffer.from(REPLY);
    r[17] = 0xbf;
    expect(dcmiGetPowerReading.decode(r).active).toBe(false);
  });
  it('refuses a reply of another group extension', () => {
    const r = Buffer.from(REPLY);
    r[0] = 0x00;
    expectProtocolError(() => dcmiGetPowerReading.decode(r), /not 0xDC/);
  });
  it('refuses replies shorter than 18 bytes with IpmiProtocolError', () => {
    expectShortRepliesRefused((b) => dcmiGetPowerReading.decode(b), REPLY, 18);
  });
});
