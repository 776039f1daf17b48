import { describe, expect, it } from 'vitest';
import { SENSOR_TYPES, sensorTypeCode, sensorTypeName } from '../../../lib/ipmi/sdr/units.ts';

describe('sensorTypeCode', () => {
  it('reads a type name as a user types it', () => {
    expect(sensorTypeCode('temperature')).toBe(0x01);
    expect(sensorTypeCode(' Temperature ')).toBe(0x01);
    expect(sensorTypeCode('Fan')).toBe(0x04);
    expect(sensorTypeCode('power supply')).toBe(0x08);
    expect(sensorTypeCode('power_supply')).toBe(0x08);
    expect(sensorTypeCode('Power-Supply')).toBe(0x08);
    expect(sensorTypeCode('add-in card')).toBe(0x17);
    expect(sensorTypeCode('add in card')).toBe(0x17);
  });

  it('knows no other name', () => {
    expect(sensorTypeCode('temperatures')).toBeUndefined();
    expect(sensorTypeCode('')).toBeUndefined();
    expect(sensorTypeCode('oem')).toBeUndefined();
  });

  it('is the inverse of sensorTypeName for every type of the table', () => {
    const codes = Object.keys(SENSOR_TYPES).map(Number);
    expect(codes.length).toBeGreaterThan(40);
    for (const code of codes) expect(sensorTypeCode(sensorTypeName(code))).toBe(code);
  });
});
