import { describe, expect, it } from 'vitest';
import { sensorValue, thresholdStatus } from '../../../lib/ipmi/sdr/sensor-value.ts';
import { decodeSdr, type SensorRecord } from '../../../lib/ipmi/sdr/records.ts';
import { getSensorReading, type SensorReadingRaw } from '../../../lib/ipmi/commands/get-sensor-reading.ts';
import { compactSdr, fullSdr, genSensor } from './sdr-builder.ts';

const record = (name: string): SensorRecord => decodeSdr(fullSdr(genSensor(name))) as SensorRecord;
/** Get Sensor Reading reply data: reading, flags (events + scanning enabled), comparison bits. */
const reading = (raw: number, flags = 0xc0, state0 = 0x00, state1?: number): SensorReadingRaw =>
  getSensorReading.decode(Buffer.from(state1 === undefined ? [raw, flags, state0] : [raw, flags, state0, state1]));

describe('sensorValue: threshold sensors of the ipmi_sim peer', () => {
  it('CPU1 Temp raw 45 is 45 degrees C, ok', () => {
    expect(sensorValue(record('CPU1 Temp'), reading(45))).toEqual({ number: 1, name: 'CPU1 Temp', type: 'temperature', value: 45, unit: 'degrees C', status: 'ok' });
  });
  it('Inlet Temp raw 49 is 24.5', () => {
    const v = sensorValue(record('Inlet Temp'), reading(49));
    expect(v.value).toBe(24.5);
    expect(v.status).toBe('ok');
  });
  it('System Temp raw 65 is 25', () => {
    expect(sensorValue(record('System Temp'), reading(65)).value).toBe(25);
  });
  it("PSU1 Temp raw 250 (2's complement) is -6 and ok, whatever the BMC's comparison bits say", () => {
    // A BMC comparing unsigned bytes sees 250 above UNC/UCR/UNR (0x46/0x50/0x5a) and sets bits 3-5.
    const v = sensorValue(record('PSU1 Temp'), reading(250, 0xc0, 0x38));
    expect(v.value).toBe(-6);
    expect(v.status).toBe('ok');
    expect(v.unit).toBe('degrees C');
  });
  it('computes the status from the SDR thresholds in units, worst first', () => {
    const cpu = record('CPU1 Temp'); // UNC 85, UCR 95, UNR 105
    expect(sensorValue(cpu, reading(84)).status).toBe('ok');
    expect(sensorValue(cpu, reading(85)).status).toBe('unc');
    expect(sensorValue(cpu, reading(94)).status).toBe('unc');
    expect(sensorValue(cpu, reading(95)).status).toBe('ucr');
    expect(sensorValue(cpu, reading(105)).status).toBe('unr');
    expect(sensorValue(cpu, reading(255)).status).toBe('unr');
    const inlet = record('Inlet Temp'); // UNC 40, UCR 45, UNR 50 (0.5 steps)
    expect(sensorValue(inlet, reading(79)).status).toBe('ok'); // 39.5
    expect(sensorValue(inlet, reading(80)).status).toBe('unc'); // 40
    expect(sensorValue(inlet, reading(91)).status).toBe('ucr'); // 45.5
    const psu = record('PSU1 Temp');
    expect(sensorValue(psu, reading(0x50)).status).toBe('ucr');
    expect(sensorValue(psu, reading(0x80)).value).toBe(-128);
    expect(sensorValue(psu, reading(0x80)).status).toBe('ok');
  });
  it('ignores the BMC comparison bits when the value is above a threshold but the bits are clear', () => {
    expect(sensorValue(record('CPU1 Temp'), reading(100, 0xc0, 0x00)).status).toBe('ucr');
  });
});

describe('sensorValue: unavailable readings', () => {
  it('"reading unavailable" (bit 5) gives no value', () => {
    expect(sensorValue(record('CPU1 Temp'), reading(45, 0xe0))).toEqual({ number: 1, name: 'CPU1 Temp', type: 'temperature', value: null, unit: 'degrees C', status: 'unavailable' });
  });
  it('scanning disabled (bit 6 clear) gives no value', () => {
    const v = sensorValue(record('CPU1 Temp'), reading(45, 0x80));
    expect(v.value).toBeNull();
    expect(v.status).toBe('unavailable');
  });
  it('no reading at all gives no value', () => {
    expect(sensorValue(record('Inlet Temp'), null).status).toBe('unavailable');
  });
  it('a non-linear OEM conversion gives no value rather than a wrong one', () => {
    const r = decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), linearization: 0x70 })) as SensorRecord;
    const v = sensorValue(r, reading(45));
    expect(v.value).toBeNull();
    expect(v.status).toBe('unavailable');
  });
});

describe('sensorValue: discrete sensors', () => {
  it('reports the asserted state bits 14:0 of a compact sensor-specific sensor', () => {
    const r = decodeSdr(compactSdr({ sensorNumber: 0x30, entityId: 0x0a, entityInstance: 1, sensorType: 0x08, eventReadingType: 0x6f, name: 'PS1 Status' })) as SensorRecord;
    // state1 bit 7 is reserved and must not leak into the states.
    expect(sensorValue(r, reading(0x00, 0xc0, 0x05, 0xc1))).toEqual({ number: 0x30, name: 'PS1 Status', type: 'power supply', value: null, unit: '', status: 'discrete', states: 0x4105 });
  });
  it('a discrete reply without the optional second state byte', () => {
    const r = decodeSdr(compactSdr({ sensorNumber: 1, entityId: 1, entityInstance: 1, sensorType: 0x22, eventReadingType: 0x6f, name: 'ACPI' })) as SensorRecord;
    expect(sensorValue(r, reading(0, 0xc0, 0x20)).states).toBe(0x20);
  });
  it('a full record with a generic discrete event type is discrete', () => {
    const r = decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), eventReadingType: 0x03 })) as SensorRecord;
    const v = sensorValue(r, reading(0, 0xc0, 0x02));
    expect(v.status).toBe('discrete');
    expect(v.states).toBe(0x02);
  });
  it('an unavailable discrete sensor is unavailable, not discrete', () => {
    const r = decodeSdr(compactSdr({ sensorNumber: 1, entityId: 1, entityInstance: 1, sensorType: 0x08, eventReadingType: 0x6f, name: 'PS' })) as SensorRecord;
    expect(sensorValue(r, reading(0, 0xe0, 0x01)).status).toBe('unavailable');
  });
});

describe('thresholdStatus', () => {
  const all = { lnr: -10, lcr: 0, lnc: 10, unc: 80, ucr: 90, unr: 100 };
  it('is ok strictly between the non-critical thresholds', () => {
    expect(thresholdStatus(11, all)).toBe('ok');
    expect(thresholdStatus(79.5, all)).toBe('ok');
  });
  it('counts reaching a threshold as crossing it', () => {
    expect(thresholdStatus(10, all)).toBe('lnc');
    expect(thresholdStatus(0, all)).toBe('lcr');
    expect(thresholdStatus(-10, all)).toBe('lnr');
    expect(thresholdStatus(80, all)).toBe('unc');
    expect(thresholdStatus(90, all)).toBe('ucr');
    expect(thresholdStatus(100, all)).toBe('unr');
  });
  it('reports the worst threshold crossed', () => {
    expect(thresholdStatus(-50, all)).toBe('lnr');
    expect(thresholdStatus(500, all)).toBe('unr');
    expect(thresholdStatus(95, { unc: 80, ucr: 90 })).toBe('ucr');
  });
  it('is ok with no thresholds', () => {
    expect(thresholdStatus(1e6, {})).toBe('ok');
    expect(thresholdStatus(-1e6, {})).toBe('ok');
  });
});
