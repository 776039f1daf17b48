/** FRU type/length fields (FRU specification section 13) on hand-built bytes, and their encoder. */
import { describe, expect, it } from 'vitest';
import { decodeField, encodeField, fitsAscii6, fruText, isEnglish, type FruField } from '../../../lib/ipmi/fru/type-length.ts';
import { expectProtocolError } from '../commands/expect-protocol-error.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** Decodes the one field at the start of `bytes` (followed by the end marker and a checksum byte). */
const one = (bytes: Buffer, english = true) => decodeField(Buffer.concat([bytes, hex('c1 00')]), 0, bytes.length + 1, english, 'test area');

describe('decoding', () => {
  it('6-bit ASCII packed: "IPMI" is 29 DC A6 (the specification\'s example)', () => {
    const f = one(hex('83 29dca6'));
    expect(f).toEqual({ field: { encoding: 'ascii-6', value: 'IPMI' }, next: 4, end: false });
  });

  it('6-bit ASCII: 2 bytes hold 2 characters, 6 bytes hold 8', () => {
    expect(one(hex('82 29 0c')).field).toEqual({ encoding: 'ascii-6', value: 'IP' });
    // "IPMIIPMI": two groups of 4 characters in 3 bytes each.
    expect(one(hex('86 29dca6 29dca6')).field).toEqual({ encoding: 'ascii-6', value: 'IPMIIPMI' });
  });

  it('BCD plus: digits, space, dash and period, high nibble first; reserved codes read as "?"', () => {
    expect(one(hex('44 12b34c5a')).field).toEqual({ encoding: 'bcd-plus', value: '12-34.5 ' });
    expect(one(hex('41 0d')).field).toEqual({ encoding: 'bcd-plus', value: '0?' });
  });

  it('8-bit ASCII + Latin-1 in an English area, 2-byte Unicode (LS byte first) in another language', () => {
    expect(one(hex('c4 53e9726e')).field).toEqual({ encoding: 'latin1', value: 'Sérn' });
    expect(one(hex('c4 53006e00'), false).field).toEqual({ encoding: 'unicode', value: 'Sn' });
    expectProtocolError(() => one(hex('c3 530000'), false), /odd length/);
  });

  it('binary as lowercase hex, and 0xC0 an empty field', () => {
    expect(one(hex('03 00beef')).field).toEqual({ encoding: 'binary', value: '00beef' });
    expect(one(hex('c0')).field).toEqual({ encoding: 'latin1', value: '' });
  });

  it('0xC1 ends the fields', () => {
    expect(decodeField(hex('c1 00'), 0, 1, true, 'test area')).toEqual({ next: 1, end: true });
  });

  it('a field running past the area, or no end marker, is an error naming the area', () => {
    expectProtocolError(() => decodeField(hex('c5 4142 00'), 0, 3, true, 'FRU board info area'), /FRU board info area: a field at offset 0 \(5 bytes\) runs past/);
    expectProtocolError(() => decodeField(hex('c2 4142 00'), 3, 3, true, 'FRU board info area'), /FRU board info area: no end-of-fields marker/);
  });
});

describe('encoding', () => {
  const roundTrip = (f: FruField, english = true) => {
    const bytes = encodeField(f, english, 'test');
    const back = decodeField(Buffer.concat([bytes, hex('c1 00')]), 0, bytes.length + 1, english, 'test');
    expect(back.field, `${f.encoding} "${f.value}"`).toEqual(f);
    expect(back.next).toBe(bytes.length);
    return bytes;
  };

  it('writes the hand-built vectors above', () => {
    expect(encodeField({ encoding: 'ascii-6', value: 'IPMI' }, true, 't').toString('hex')).toBe('8329dca6');
    expect(encodeField({ encoding: 'bcd-plus', value: '12-34.5' }, true, 't').toString('hex')).toBe('4412b34c5a');
    expect(encodeField({ encoding: 'latin1', value: 'Sérn' }, true, 't').toString('hex')).toBe('c453e9726e');
    expect(encodeField({ encoding: 'unicode', value: 'Sn' }, false, 't').toString('hex')).toBe('c453006e00');
  });

  it('round-trips every encoding', () => {
    for (const value of ['A', 'AB', 'ABCD', 'SN 12-XY', 'LPSIM_01!', '#$%&()*+,-./0123456789:;<=>?@[\\]^_']) {
      if (value.length % 4 !== 3) roundTrip({ encoding: 'ascii-6', value });
    }
    roundTrip({ encoding: 'bcd-plus', value: '2024-01.15' });
    roundTrip({ encoding: 'latin1', value: 'LPSIM-host-001' });
    roundTrip({ encoding: 'latin1', value: 'x'.repeat(63) });
    roundTrip({ encoding: 'unicode', value: 'Größe' }, false);
    roundTrip({ encoding: 'binary', value: '0102ff' });
  });

  it('6-bit ASCII of 3 characters fills 3 bytes, which read back with a trailing space', () => {
    const bytes = encodeField({ encoding: 'ascii-6', value: 'ABC' }, true, 't');
    expect(bytes.length).toBe(4);
    expect(one(bytes).field).toEqual({ encoding: 'ascii-6', value: 'ABC ' });
  });

  it('refuses what the encoding cannot hold', () => {
    expectProtocolError(() => encodeField({ encoding: 'ascii-6', value: 'lower' }, true, 'serial'), /serial: "l" is not in 6-bit ASCII/);
    expectProtocolError(() => encodeField({ encoding: 'bcd-plus', value: '12A' }, true, 'serial'), /no BCD plus code/);
    expectProtocolError(() => encodeField({ encoding: 'latin1', value: 'x'.repeat(64) }, true, 'serial'), /64 bytes, more than the 63/);
    expectProtocolError(() => encodeField({ encoding: 'latin1', value: 'x' }, true, 'serial'), /end marker 0xC1/);
    expectProtocolError(() => encodeField({ encoding: 'latin1', value: 'ab' }, false, 'serial'), /needs an English area/);
    expectProtocolError(() => encodeField({ encoding: 'binary', value: 'xyz' }, true, 'serial'), /not hex/);
  });

  it('fruText avoids the end marker for one character', () => {
    expect(fruText('LPSIM')).toEqual({ encoding: 'latin1', value: 'LPSIM' });
    expect(fruText('A')).toEqual({ encoding: 'ascii-6', value: 'A' });
    expect(fruText('a')).toEqual({ encoding: 'latin1', value: 'a ' });
    expect(fitsAscii6('A_B')).toBe(true);
    expect(fitsAscii6('a')).toBe(false);
    expect([isEnglish(0), isEnglish(25), isEnglish(1)]).toEqual([true, true, false]);
  });
});
