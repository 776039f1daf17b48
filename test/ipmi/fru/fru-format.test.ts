/**
 * The FRU image (common header; chassis, board and product areas) decoded from hand-built bytes,
 * its checks (versions, lengths, zero checksums), and the encoder round trip.
 */
import { describe, expect, it } from 'vitest';
import { chassisTypeName, decodeFru, decodeFruHeader, encodeFru, isBlankFru, type FruInventory } from '../../../lib/ipmi/fru/fru-format.ts';
import { fruText } from '../../../lib/ipmi/fru/type-length.ts';
import { expectProtocolError } from '../commands/expect-protocol-error.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Header: version 1, chassis at 1*8, board at 3*8, checksum 0xFB.
const HEADER = '01 00 01 03 00 00 00 fb';
// Chassis: type 0x17 (rack mount), part "P1", serial "SN9", end, padding, checksum: 16 bytes.
const CHASSIS = '01 02 17 c2 5031 c3 534e39 c1 00000000 45';
// Board: language 25 (English), made 2024-01-15 08:30 UTC (0xE1079E minutes), manufacturer "ACM"
// (Latin-1), product "IPMI" (6-bit ASCII), serial "12-34.5" (BCD plus), part number empty, FRU file
// id BEEF (binary), one custom field "xy", end, padding, checksum: 32 bytes.
const BOARD = '01 04 19 9e07e1 c3 41434d 83 29dca6 44 12b34c5a c0 02 beef c2 7879 c1 00000000 08';
const IMAGE = hex(HEADER + CHASSIS + BOARD);

describe('decodeFru on a hand-built image', () => {
  it('reads the header offsets', () => {
    expect(decodeFruHeader(IMAGE)).toEqual({ internalUse: 0, chassis: 8, board: 24, product: 0, multiRecord: 0 });
  });

  it('reads the chassis and board areas, every encoding, the date, and no product area', () => {
    expect(decodeFru(IMAGE)).toEqual({
      chassis: { type: 0x17, typeName: 'Rack Mount Chassis', partNumber: { encoding: 'latin1', value: 'P1' }, serialNumber: { encoding: 'latin1', value: 'SN9' }, custom: [] },
      board: {
        language: 25,
        manufactured: '2024-01-15T08:30:00.000Z',
        manufacturer: { encoding: 'latin1', value: 'ACM' },
        productName: { encoding: 'ascii-6', value: 'IPMI' },
        serialNumber: { encoding: 'bcd-plus', value: '12-34.5 ' },
        fruFileId: { encoding: 'binary', value: 'beef' },
        custom: [{ encoding: 'latin1', value: 'xy' }],
      },
    });
  });

  it('a wrong area checksum is an error naming the area', () => {
    const bad = Buffer.from(IMAGE);
    bad[24 + 31] ^= 0x01;
    expectProtocolError(() => decodeFru(bad), /FRU board info area: checksum 0x09 is wrong/);
    const badChassis = Buffer.from(IMAGE);
    badChassis[8 + 4] ^= 0x20; // "P1" -> "p1" without fixing the checksum
    expectProtocolError(() => decodeFru(badChassis), /FRU chassis info area: checksum/);
  });

  it('a wrong header checksum or version is an error naming the header', () => {
    const bad = Buffer.from(IMAGE);
    bad[7] = 0;
    expectProtocolError(() => decodeFru(bad), /FRU common header: checksum 0x00 is wrong/);
    const v2 = Buffer.from(IMAGE);
    v2[0] = 2;
    v2[7] = (v2[7] - 1) & 0xff;
    expectProtocolError(() => decodeFru(v2), /FRU common header: format version 2, expected 1/);
    expectProtocolError(() => decodeFru(IMAGE.subarray(0, 5)), /FRU common header: 5 bytes/);
  });

  it('an area past the end of the image, of length 0 or of another version is refused', () => {
    expectProtocolError(() => decodeFru(IMAGE.subarray(0, 40)), /FRU board info area: 32 bytes at offset 24 run past the end of the FRU \(40 bytes\)/);
    const zero = Buffer.from(IMAGE);
    zero[25] = 0;
    expectProtocolError(() => decodeFru(zero), /FRU board info area: length is 0/);
    const v = Buffer.from(IMAGE);
    v[8] = 0x02;
    expectProtocolError(() => decodeFru(v), /FRU chassis info area: format version 2/);
  });

  it('an area whose fields run into the checksum byte has no end marker', () => {
    // Chassis area of 8 bytes: a field claims all of it.
    const area = [0x01, 0x01, 0x17, 0xc4, 0x41, 0x42, 0x43, 0x44];
    area[7] = (0x100 - area.slice(0, 7).reduce((a, b) => a + b, 0) % 256) % 256;
    const header = [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xfe];
    expectProtocolError(() => decodeFru(Buffer.from([...header, ...area])), /FRU chassis info area: a field at offset 3 \(4 bytes\) runs past/);
  });

  it('blank devices are all 0x00 or all 0xFF', () => {
    expect(isBlankFru(Buffer.alloc(8))).toBe(true);
    expect(isBlankFru(Buffer.alloc(8, 0xff))).toBe(true);
    expect(isBlankFru(IMAGE.subarray(0, 8))).toBe(false);
  });

  it('names chassis types', () => {
    expect(chassisTypeName(0x17)).toBe('Rack Mount Chassis');
    expect(chassisTypeName(0x11)).toBe('Main Server Chassis');
    expect(chassisTypeName(0x7f)).toBe('type 0x7f');
  });
});

describe('encodeFru', () => {
  const inventory: FruInventory = {
    chassis: { type: 0x11, typeName: 'Main Server Chassis', partNumber: fruText('CH-PART'), serialNumber: fruText('CH-0001'), custom: [fruText('rack 4')] },
    board: {
      language: 0,
      manufactured: '2023-06-30T23:59:00.000Z',
      manufacturer: fruText('Acme'),
      productName: { encoding: 'ascii-6', value: 'MB-X1' },
      serialNumber: { encoding: 'bcd-plus', value: '0123-4567.89' },
      partNumber: fruText('MB-PART'),
      custom: [],
    },
    product: {
      language: 0,
      manufacturer: fruText('Acme'),
      productName: fruText('Server 9000'),
      partNumber: fruText('S9K'),
      version: fruText('A'),
      serialNumber: fruText('PRD-42'),
      assetTag: fruText('asset 7'),
      fruFileId: { encoding: 'binary', value: '0a0b' },
      custom: [fruText(''), { encoding: 'binary', value: '' }],
    },
  };

  it('round-trips an inventory with every area and encoding', () => {
    const image = encodeFru(inventory);
    expect(decodeFru(image)).toEqual(inventory);
  });

  it('lays out a header, areas on 8-byte boundaries and zero checksums', () => {
    const image = encodeFru(inventory);
    const h = decodeFruHeader(image);
    for (const at of [h.chassis, h.board, h.product]) {
      expect(at % 8).toBe(0);
      const length = image[at + 1] * 8;
      expect(image.subarray(at, at + length).reduce((a, b) => (a + b) & 0xff, 0)).toBe(0);
    }
    expect(image.length).toBe(h.product + image[h.product + 1] * 8);
    expect(image.subarray(0, 8).reduce((a, b) => (a + b) & 0xff, 0)).toBe(0);
  });

  it('encodes the hand-built chassis area byte for byte', () => {
    const image = encodeFru({ chassis: { type: 0x17, typeName: '', partNumber: fruText('P1'), serialNumber: fruText('SN9'), custom: [] } });
    expect(image.subarray(8).toString('hex')).toBe(CHASSIS.replace(/\s+/g, ''));
  });

  it('writes missing standard fields as empty ones, read back as missing', () => {
    const image = encodeFru({ product: { language: 0, serialNumber: fruText('ONLY'), custom: [] } });
    expect(decodeFru(image)).toEqual({ product: { language: 0, serialNumber: fruText('ONLY'), custom: [] } });
  });

  it('refuses a date it cannot hold', () => {
    expectProtocolError(() => encodeFru({ board: { language: 0, manufactured: '1990-01-01T00:00:00Z', custom: [] } }), /manufacturing date/);
    expectProtocolError(() => encodeFru({ board: { language: 0, manufactured: '2024-01-01T00:00:30Z', custom: [] } }), /whole minute/);
  });
});
