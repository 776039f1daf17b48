/** Small byte helpers shared by the codecs. All multi-byte IPMI fields are little-endian. */
import { IpmiProtocolError } from '../errors.ts';

/** Reads fields from a buffer; running past the end is a typed decode error, never a RangeError. */
export class ByteReader {
  private pos = 0;
  constructor(
    readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new IpmiProtocolError(
        `${this.what}: truncated (needs ${this.pos + n} bytes, has ${this.buf.length})`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.buf[this.pos] | (this.buf[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

export function u16le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

export function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function readU32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
}

/** A string in a fixed-size, zero-padded field (user names, 1.5 passwords). */
export function fixedField(text: string | Buffer, size: number, what: string): Buffer {
  const raw = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (raw.length > size) throw new IpmiProtocolError(`${what} is longer than ${size} bytes`);
  const out = Buffer.alloc(size);
  raw.copy(out);
  return out;
}

/** Text of a zero-padded field, up to its first NUL. */
export function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString('latin1');
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
