import { describe, expect, it } from 'vitest';
import { convertReading, isSupportedLinearization, rawToX, signed, type Conversion } from '../../../lib/ipmi/sdr/linearize.ts';
import { expectProtocolError } from '../commands/expect-protocol-error.ts';

const linear = (over: Partial<Conversion> = {}): Conversion => ({ m: 1, b: 0, bExp: 0, rExp: 0, format: 'unsigned', linearization: 0, ...over });

describe('signed', () => {
  it('sign-extends 10-bit M and B values', () => {
    expect(signed(0x000, 10)).toBe(0);
    expect(signed(0x1ff, 10)).toBe(511);
    expect(signed(0x200, 10)).toBe(-512);
    expect(signed(0x3ff, 10)).toBe(-1);
    expect(signed(0x3d8, 10)).toBe(-40); // gen_sdrs.py's s2(-40, 10)
  });
  it('sign-extends 4-bit exponents', () => {
    expect(signed(0x7, 4)).toBe(7);
    expect(signed(0x8, 4)).toBe(-8);
    expect(signed(0xf, 4)).toBe(-1);
    expect(signed(0x0, 4)).toBe(0);
  });
  it('ignores bits above the field', () => {
    expect(signed(0xf0 | 0x1, 4)).toBe(1);
    expect(signed(0x4ff, 10)).toBe(255);
  });
});

describe('rawToX', () => {
  it('unsigned: the byte as is', () => {
    expect(rawToX(0, 'unsigned')).toBe(0);
    expect(rawToX(0x80, 'unsigned')).toBe(128);
    expect(rawToX(0xff, 'unsigned')).toBe(255);
    expect(rawToX(0x1ff, 'unsigned')).toBe(255); // only the low byte is a reading
  });
  it("1's complement: the high bit negates the inverted magnitude", () => {
    expect(rawToX(0x7f, 'ones-complement')).toBe(127);
    expect(rawToX(0x80, 'ones-complement')).toBe(-127);
    expect(rawToX(0xfe, 'ones-complement')).toBe(-1);
    expect(rawToX(0xfa, 'ones-complement')).toBe(-5);
    expect(rawToX(0xff, 'ones-complement') === 0).toBe(true); // "negative zero"
  });
  it("2's complement", () => {
    expect(rawToX(0x7f, 'twos-complement')).toBe(127);
    expect(rawToX(0x80, 'twos-complement')).toBe(-128);
    expect(rawToX(0xff, 'twos-complement')).toBe(-1);
    expect(rawToX(250, 'twos-complement')).toBe(-6);
  });
  it('a sensor without analog reading has no x', () => {
    expectProtocolError(() => rawToX(1, 'none'), /no analog reading/);
  });
});

describe('convertReading: the ipmi_sim peer sensors (gen_sdrs.py)', () => {
  it('CPU1 Temp: M=1, raw 45 -> 45', () => {
    expect(convertReading(45, linear())).toBe(45);
  });
  it('Inlet Temp: M=5, R_exp=-1, raw 48 -> 24 and raw 49 -> 24.5 exactly', () => {
    const inlet = linear({ m: 5, rExp: -1 });
    expect(convertReading(48, inlet)).toBe(24);
    expect(convertReading(49, inlet)).toBe(24.5);
    expect(convertReading(0x50, inlet)).toBe(40);
  });
  it('System Temp: M=1, B=-40, raw 65 -> 25', () => {
    const sys = linear({ b: -40 });
    expect(convertReading(65, sys)).toBe(25);
    expect(convertReading(0, sys)).toBe(-40);
    expect(convertReading(255, sys)).toBe(215);
  });
  it("PSU1 Temp: 2's complement raw 250 -> -6", () => {
    const psu = linear({ format: 'twos-complement' });
    expect(convertReading(250, psu)).toBe(-6);
    expect(convertReading(0x5a, psu)).toBe(90);
    // The same byte read as unsigned would be 250.
    expect(convertReading(250, linear())).toBe(250);
  });
});

describe('convertReading: y = L[(M x + B 10^K1) 10^K2]', () => {
  it('applies the B exponent to B only', () => {
    expect(convertReading(10, linear({ b: 5, bExp: 2 }))).toBe(510);
    expect(convertReading(0, linear({ b: 1, bExp: -1 }))).toBe(0.1);
    expect(convertReading(10, linear({ b: -3, bExp: 1 }))).toBe(-20);
  });
  it('applies the R exponent to the whole sum', () => {
    expect(convertReading(3, linear({ rExp: 2 }))).toBe(300);
    expect(convertReading(100, linear({ m: 2, b: -3, bExp: 1, rExp: -2 }))).toBe(1.7);
    expect(convertReading(7, linear({ rExp: -2 }))).toBe(0.07);
  });
  it('gives decimal results without binary floating-point noise', () => {
    // 3 * 0.1 is 0.30000000000000004 in IEEE doubles.
    expect(convertReading(3, linear({ rExp: -1 }))).toBe(0.3);
    expect(convertReading(33, linear({ rExp: -1 }))).toBe(3.3);
    expect(convertReading(1, linear({ m: 3, rExp: -1 }))).toBe(0.3);
  });
  it('uses signed 10-bit M and B across their whole range', () => {
    expect(convertReading(10, linear({ m: -2 }))).toBe(-20);
    expect(convertReading(255, linear({ m: 511 }))).toBe(130305);
    expect(convertReading(255, linear({ m: -512, b: -512 }))).toBe(-512 * 255 - 512);
  });
  it("converts 1's complement readings", () => {
    expect(convertReading(0x80, linear({ format: 'ones-complement' }))).toBe(-127);
    expect(convertReading(0xfe, linear({ format: 'ones-complement', m: 5, rExp: -1 }))).toBe(-0.5);
  });
  it('has no value for a sensor without analog readings', () => {
    expect(convertReading(10, linear({ format: 'none' }))).toBeNull();
  });
});

describe('convertReading: linearization functions (table 43-1 byte 24)', () => {
  const lin = (code: number, over: Partial<Conversion> = {}) => linear({ linearization: code, ...over });
  it('0x00 linear', () => expect(convertReading(42, lin(0x00))).toBe(42));
  it('0x01 ln', () => {
    expect(convertReading(1, lin(0x01))).toBe(0);
    expect(convertReading(10, lin(0x01))).toBeCloseTo(Math.LN10, 8);
  });
  it('0x02 log10', () => expect(convertReading(100, lin(0x02))).toBe(2));
  it('0x03 log2', () => expect(convertReading(8, lin(0x03))).toBe(3));
  it('0x04 e', () => {
    expect(convertReading(0, lin(0x04))).toBe(1);
    expect(convertReading(1, lin(0x04))).toBeCloseTo(Math.E, 8);
  });
  it('0x05 exp10', () => expect(convertReading(2, lin(0x05))).toBe(100));
  it('0x06 exp2', () => expect(convertReading(10, lin(0x06))).toBe(1024));
  it('0x07 1/x', () => {
    expect(convertReading(4, lin(0x07))).toBe(0.25);
    // The function applies after the R exponent: 1 / (5 * 10^-1) = 2.
    expect(convertReading(5, lin(0x07, { rExp: -1 }))).toBe(2);
  });
  it('0x08 sqr', () => expect(convertReading(12, lin(0x08))).toBe(144));
  it('0x09 cube', () => expect(convertReading(3, lin(0x09))).toBe(27));
  it('0x0A sqrt', () => expect(convertReading(81, lin(0x0a))).toBe(9));
  it('0x0B cube root', () => {
    expect(convertReading(27, lin(0x0b))).toBe(3);
    expect(convertReading(0xf8, lin(0x0b, { format: 'twos-complement' }))).toBe(-2);
  });
  it('undefined results (1/0, ln 0, ln of a negative) give null, not Infinity or NaN', () => {
    expect(convertReading(0, lin(0x07))).toBeNull();
    expect(convertReading(0, lin(0x01))).toBeNull();
    expect(convertReading(0xfb, lin(0x01, { format: 'twos-complement' }))).toBeNull();
    expect(convertReading(0xfb, lin(0x0a, { format: 'twos-complement' }))).toBeNull();
  });
  it('non-linear OEM codes 0x70-0x7F give null (they need Get Sensor Reading Factors)', () => {
    for (let code = 0x70; code <= 0x7f; code++) {
      expect(convertReading(45, lin(code))).toBeNull();
      expect(isSupportedLinearization(code)).toBe(false);
    }
  });
  it('reserved codes 0x0C-0x6F give null too', () => {
    expect(convertReading(45, lin(0x0c))).toBeNull();
    expect(convertReading(45, lin(0x6f))).toBeNull();
    expect(isSupportedLinearization(0x0c)).toBe(false);
  });
  it('the standard codes 0x00-0x0B are supported; bit 7 is not part of the code', () => {
    for (let code = 0; code <= 0x0b; code++) expect(isSupportedLinearization(code)).toBe(true);
    expect(isSupportedLinearization(0x82)).toBe(true);
    expect(convertReading(100, lin(0x82))).toBe(2);
  });
});
