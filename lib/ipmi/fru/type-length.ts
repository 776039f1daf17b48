/**
 * FRU type/length fields, Platform Management FRU Information Storage Definition v1.0 (rev 1.3)
 * section 13: one byte whose bits 7:6 give the encoding and bits 5:0 the number of data bytes,
 * then the data. 00b binary, 01b BCD plus, 10b 6-bit ASCII packed, 11b 8-bit ASCII + Latin-1 when
 * the area's language is English (2-byte Unicode, least significant byte first, otherwise).
 * 0xC1 (11b, length 1) ends the fields of an area. Pure: no I/O.
 */
import { IpmiProtocolError } from '../errors.ts';

export type FruEncoding = 'binary' | 'bcd-plus' | 'ascii-6' | 'latin1' | 'unicode';

/** One field as stored: its encoding and its text (binary data as lowercase hex). */
export interface FruField {
  encoding: FruEncoding;
  value: string;
}

export const END_OF_FIELDS = 0xc1;
const MAX_DATA = 0x3f;

/** Language codes 0 and 25 are English (section 15); everything else makes 11b fields Unicode. */
export function isEnglish(language: number): boolean {
  return language === 0 || language === 25;
}

// BCD plus, table 13-1: 0-9, space, dash, period; Dh-Fh are reserved (read as "?").
const BCD_PLUS = '0123456789 -.???';

function decodeBcdPlus(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += BCD_PLUS[x >> 4] + BCD_PLUS[x & 0x0f];
  return s;
}

function encodeBcdPlus(s: string, what: string): Buffer {
  const nibbles = [...s].map((c) => {
    const n = BCD_PLUS.slice(0, 13).indexOf(c);
    if (n < 0) throw new IpmiProtocolError(`${what}: "${c}" has no BCD plus code (0-9, space, dash, period)`);
    return n;
  });
  if (nibbles.length % 2) nibbles.push(0x0a); // an odd count ends with a space
  const out = Buffer.alloc(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
  return out;
}

/** 6-bit ASCII packed: characters 0x20-0x5F less 0x20, packed least significant bit first, 4 to 3 bytes. */
function decodeAscii6(b: Uint8Array): string {
  const chars = Math.floor((b.length * 8) / 6);
  let s = '';
  for (let i = 0; i < chars; i++) {
    const bit = 6 * i;
    const word = b[bit >> 3] | ((b[(bit >> 3) + 1] ?? 0) << 8);
    s += String.fromCharCode(((word >> (bit & 7)) & 0x3f) + 0x20);
  }
  return s;
}

function encodeAscii6(s: string, what: string): Buffer {
  const out = Buffer.alloc(Math.ceil((s.length * 6) / 8));
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x5f) throw new IpmiProtocolError(`${what}: "${s[i]}" is not in 6-bit ASCII (space to underscore, upper case)`);
    const v = (c - 0x20) << ((6 * i) & 7);
    const at = (6 * i) >> 3;
    out[at] |= v & 0xff;
    if (v > 0xff) out[at + 1] |= v >> 8;
  }
  return out;
}

/** True when every character of `s` has a 6-bit ASCII code. */
export function fitsAscii6(s: string): boolean {
  return /^[\x20-\x5f]*$/.test(s);
}

/** A text field as an encoder writes it by default: 8-bit ASCII + Latin-1 (6-bit ASCII for one character, since 0xC1 is the end marker). */
export function fruText(value: string): FruField {
  if (value.length === 1) return fitsAscii6(value) ? { encoding: 'ascii-6', value } : { encoding: 'latin1', value: `${value} ` };
  return { encoding: 'latin1', value };
}

/**
 * The field at `at` in `area`, or `end` at the 0xC1 marker. `limit` is where field data must stop
 * (the area's checksum byte). `what` names the area in errors.
 */
export function decodeField(area: Uint8Array, at: number, limit: number, english: boolean, what: string): { field?: FruField; next: number; end: boolean } {
  if (at >= limit) throw new IpmiProtocolError(`${what}: no end-of-fields marker (0xC1) before the checksum`);
  const tl = area[at];
  if (tl === END_OF_FIELDS) return { next: at + 1, end: true };
  const length = tl & MAX_DATA;
  const start = at + 1;
  if (start + length > limit) throw new IpmiProtocolError(`${what}: a field at offset ${at} (${length} bytes) runs past the end of the area`);
  const data = area.subarray(start, start + length);
  const type = tl >> 6;
  let field: FruField;
  if (type === 0) field = { encoding: 'binary', value: Buffer.from(data).toString('hex') };
  else if (type === 1) field = { encoding: 'bcd-plus', value: decodeBcdPlus(data) };
  else if (type === 2) field = { encoding: 'ascii-6', value: decodeAscii6(data) };
  else if (english) field = { encoding: 'latin1', value: Buffer.from(data).toString('latin1') };
  else {
    if (length % 2) throw new IpmiProtocolError(`${what}: a Unicode field at offset ${at} has an odd length (${length})`);
    field = { encoding: 'unicode', value: Buffer.from(data).toString('utf16le') };
  }
  return { field, next: start + length, end: false };
}

/** The type/length byte and data of a field. `english` is the area's language (11b fields are Latin-1 or Unicode by it). */
export function encodeField(f: FruField, english: boolean, what: string): Buffer {
  let data: Buffer;
  let type: number;
  switch (f.encoding) {
    case 'binary':
      if (!/^([0-9a-fA-F]{2})*$/.test(f.value)) throw new IpmiProtocolError(`${what}: binary value "${f.value}" is not hex`);
      [type, data] = [0, Buffer.from(f.value, 'hex')];
      break;
    case 'bcd-plus':
      [type, data] = [1, encodeBcdPlus(f.value, what)];
      break;
    case 'ascii-6':
      [type, data] = [2, encodeAscii6(f.value, what)];
      break;
    case 'latin1':
      if (!english) throw new IpmiProtocolError(`${what}: an 8-bit ASCII field needs an English area (language 0 or 25)`);
      if (!/^[\x00-\xff]*$/.test(f.value)) throw new IpmiProtocolError(`${what}: "${f.value}" is not Latin-1`);
      [type, data] = [3, Buffer.from(f.value, 'latin1')];
      break;
    case 'unicode':
      if (english) throw new IpmiProtocolError(`${what}: a Unicode field needs a language other than English`);
      [type, data] = [3, Buffer.from(f.value, 'utf16le')];
      break;
  }
  if (data.length > MAX_DATA) throw new IpmiProtocolError(`${what}: "${f.value}" takes ${data.length} bytes, more than the 63 a field holds`);
  const tl = (type << 6) | data.length;
  if (tl === END_OF_FIELDS) throw new IpmiProtocolError(`${what}: a one-byte 8-bit field is the end marker 0xC1 (use 6-bit ASCII, or pad it)`);
  return Buffer.concat([Buffer.from([tl]), data]);
}
