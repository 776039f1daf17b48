/**
 * Raw reading to value for full sensor records (IPMI v2.0 section 36.3):
 *   y = L[(M * x + B * 10^K1) * 10^K2]
 * with M and B 10-bit signed, K1 (B exponent) and K2 (R exponent) 4-bit signed, x interpreted per
 * the record's analog data format, and L the record's linearization function.
 */
import { IpmiProtocolError } from '../errors.ts';

export type AnalogFormat = 'unsigned' | 'ones-complement' | 'twos-complement' | 'none';

export interface Conversion {
  m: number;
  b: number;
  bExp: number;
  rExp: number;
  format: AnalogFormat;
  /** Linearization code, table 43-1 byte 24 bits 6:0. */
  linearization: number;
}

/** Sign-extend an n-bit two's complement value. */
export function signed(value: number, bits: number): number {
  const sign = 1 << (bits - 1);
  return (value & (sign - 1)) - (value & sign);
}

export function rawToX(raw: number, format: AnalogFormat): number {
  const b = raw & 0xff;
  switch (format) {
    case 'unsigned':
      return b;
    case 'ones-complement':
      return b & 0x80 ? -((~b) & 0x7f) : b;
    case 'twos-complement':
      return signed(b, 8);
    case 'none':
      throw new IpmiProtocolError('sensor has no analog reading');
  }
}

const LINEAR_FUNCTIONS: Readonly<Record<number, (y: number) => number>> = {
  0x00: (y) => y,
  0x01: (y) => Math.log(y),
  0x02: (y) => Math.log10(y),
  0x03: (y) => Math.log2(y),
  0x04: (y) => Math.exp(y),
  0x05: (y) => Math.pow(10, y),
  0x06: (y) => Math.pow(2, y),
  0x07: (y) => 1 / y,
  0x08: (y) => y * y,
  0x09: (y) => y * y * y,
  0x0a: (y) => Math.sqrt(y),
  0x0b: (y) => Math.cbrt(y),
};

/** True when lowpower can convert readings of this linearization code. */
export function isSupportedLinearization(code: number): boolean {
  return (code & 0x7f) in LINEAR_FUNCTIONS;
}

/**
 * Convert a raw byte. Non-linear OEM codes (0x70-0x7F) need the Get Sensor Reading Factors
 * command per reading; they give null here rather than a wrong number.
 */
export function convertReading(raw: number, c: Conversion): number | null {
  const fn = LINEAR_FUNCTIONS[c.linearization & 0x7f];
  if (!fn || c.format === 'none') return null;
  const x = rawToX(raw, c.format);
  // Exponents applied as divisions for negative powers keep 0.5 steps exact (5 * 0.1 would not be).
  const scale = (v: number, exp: number): number => (exp >= 0 ? v * 10 ** exp : v / 10 ** -exp);
  const y = fn(scale(c.m * x + scale(c.b, c.bExp), c.rExp));
  return Number.isFinite(y) ? roundTidy(y) : null;
}

/** Remove binary floating-point noise (24.499999999 -> 24.5), keeping 12 significant digits at any scale. */
function roundTidy(v: number): number {
  return Number(v.toPrecision(12));
}
