/**
 * The FRU inventory image, Platform Management FRU Information Storage Definition v1.0 (rev 1.3):
 * the common header (section 8) and the Chassis (10), Board (11) and Product (12) Info Areas,
 * decoded from bytes and encoded to bytes. The internal use and multi-record areas are located
 * but not read: lowpower needs serials and names, nothing else. Every length and checksum is
 * checked; a wrong one is an IpmiProtocolError naming the area. Pure: no I/O.
 */
import { IpmiProtocolError } from '../errors.ts';
import { decodeField, encodeField, isEnglish, type FruField } from './type-length.ts';

export interface FruChassisArea {
  /** SMBIOS chassis type (23 is "Rack Mount Chassis"). */
  type: number;
  typeName: string;
  partNumber?: FruField;
  serialNumber?: FruField;
  custom: FruField[];
}

export interface FruBoardArea {
  language: number;
  /** Manufacturing date and time (ISO 8601, UTC), when the board gives one. */
  manufactured?: string;
  manufacturer?: FruField;
  productName?: FruField;
  serialNumber?: FruField;
  partNumber?: FruField;
  fruFileId?: FruField;
  custom: FruField[];
}

export interface FruProductArea {
  language: number;
  manufacturer?: FruField;
  productName?: FruField;
  /** Part / model number. */
  partNumber?: FruField;
  version?: FruField;
  serialNumber?: FruField;
  assetTag?: FruField;
  fruFileId?: FruField;
  custom: FruField[];
}

/**
 * The decoded areas of one FRU device. A standard field that is empty (length 0) or missing is
 * left out; custom fields are kept as they are.
 */
export interface FruInventory {
  chassis?: FruChassisArea;
  board?: FruBoardArea;
  product?: FruProductArea;
}

export const FRU_HEADER_SIZE = 8;
/** Minutes since this instant date the boards (section 11). */
const FRU_EPOCH_MS = Date.UTC(1996, 0, 1, 0, 0, 0);

// SMBIOS 3.x system enclosure types, as the FRU specification's chassis type refers to them.
const CHASSIS_TYPES = [
  undefined, 'Other', 'Unknown', 'Desktop', 'Low Profile Desktop', 'Pizza Box', 'Mini Tower', 'Tower', 'Portable', 'Laptop',
  'Notebook', 'Hand Held', 'Docking Station', 'All in One', 'Sub Notebook', 'Space-saving', 'Lunch Box', 'Main Server Chassis',
  'Expansion Chassis', 'SubChassis', 'Bus Expansion Chassis', 'Peripheral Chassis', 'RAID Chassis', 'Rack Mount Chassis',
  'Sealed-case PC', 'Multi-system Chassis', 'CompactPCI', 'AdvancedTCA', 'Blade', 'Blade Enclosure', 'Tablet', 'Convertible',
  'Detachable', 'IoT Gateway', 'Embedded PC', 'Mini PC', 'Stick PC',
];

export function chassisTypeName(type: number): string {
  return CHASSIS_TYPES[type] ?? `type 0x${type.toString(16).padStart(2, '0')}`;
}

const sum = (b: Uint8Array): number => b.reduce((a, x) => (a + x) & 0xff, 0);
const zeroChecksum = (b: Uint8Array): number => (0x100 - sum(b)) & 0xff;

/** All 0x00 or all 0xFF: a FRU device that was never written. */
export function isBlankFru(header: Uint8Array): boolean {
  return header.length > 0 && (header.every((x) => x === 0) || header.every((x) => x === 0xff));
}

export interface FruHeader {
  /** Byte offsets of the areas; 0 when the area is absent. */
  internalUse: number;
  chassis: number;
  board: number;
  product: number;
  multiRecord: number;
}

export function decodeFruHeader(image: Uint8Array): FruHeader {
  if (image.length < FRU_HEADER_SIZE) throw new IpmiProtocolError(`FRU common header: ${image.length} bytes, expected ${FRU_HEADER_SIZE}`);
  const h = image.subarray(0, FRU_HEADER_SIZE);
  if ((h[0] & 0x0f) !== 1) throw new IpmiProtocolError(`FRU common header: format version ${h[0] & 0x0f}, expected 1`);
  if (sum(h) !== 0) throw new IpmiProtocolError(`FRU common header: checksum 0x${h[7].toString(16).padStart(2, '0')} is wrong (the 8 bytes sum to 0x${sum(h).toString(16).padStart(2, '0')}, not 0)`);
  return { internalUse: h[1] * 8, chassis: h[2] * 8, board: h[3] * 8, product: h[4] * 8, multiRecord: h[5] * 8 };
}

/** The bytes of the area at `offset`, after its version, length and checksum are checked. */
export function fruAreaBytes(image: Uint8Array, offset: number, what: string): Uint8Array {
  if (offset + 2 > image.length) throw new IpmiProtocolError(`${what}: offset ${offset} is past the end of the FRU (${image.length} bytes)`);
  if ((image[offset] & 0x0f) !== 1) throw new IpmiProtocolError(`${what}: format version ${image[offset] & 0x0f}, expected 1`);
  const length = image[offset + 1] * 8;
  if (length === 0) throw new IpmiProtocolError(`${what}: length is 0`);
  if (offset + length > image.length) throw new IpmiProtocolError(`${what}: ${length} bytes at offset ${offset} run past the end of the FRU (${image.length} bytes)`);
  const area = image.subarray(offset, offset + length);
  if (sum(area) !== 0) throw new IpmiProtocolError(`${what}: checksum 0x${area[length - 1].toString(16).padStart(2, '0')} is wrong (the ${length} bytes sum to 0x${sum(area).toString(16).padStart(2, '0')}, not 0)`);
  return area;
}

/** The fields of an area from `at` to the end marker: the first `named` positional, the rest custom. */
function fields(area: Uint8Array, at: number, english: boolean, what: string, named: number): { named: Array<FruField | undefined>; custom: FruField[] } {
  const out: Array<FruField | undefined> = [];
  const custom: FruField[] = [];
  const limit = area.length - 1;
  for (let pos = at; ; ) {
    const f = decodeField(area, pos, limit, english, what);
    if (f.end) break;
    pos = f.next;
    const field = f.field as FruField;
    if (out.length < named) out.push(field.value === '' ? undefined : field);
    else custom.push(field);
  }
  while (out.length < named) out.push(undefined);
  return { named: out, custom };
}

/** Drops keys whose value is undefined, so decoded areas compare and print cleanly. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const CHASSIS = 'FRU chassis info area';
const BOARD = 'FRU board info area';
const PRODUCT = 'FRU product info area';

function decodeChassis(area: Uint8Array): FruChassisArea {
  if (area.length < 4) throw new IpmiProtocolError(`${CHASSIS}: too short`);
  const { named, custom } = fields(area, 3, true, CHASSIS, 2);
  return defined({ type: area[2], typeName: chassisTypeName(area[2]), partNumber: named[0], serialNumber: named[1], custom });
}

function decodeBoard(area: Uint8Array): FruBoardArea {
  if (area.length < 7) throw new IpmiProtocolError(`${BOARD}: too short`);
  const language = area[2];
  const minutes = area[3] | (area[4] << 8) | (area[5] << 16);
  const { named, custom } = fields(area, 6, isEnglish(language), BOARD, 5);
  return defined({
    language,
    manufactured: minutes === 0 ? undefined : new Date(FRU_EPOCH_MS + minutes * 60_000).toISOString(),
    manufacturer: named[0],
    productName: named[1],
    serialNumber: named[2],
    partNumber: named[3],
    fruFileId: named[4],
    custom,
  });
}

function decodeProduct(area: Uint8Array): FruProductArea {
  if (area.length < 4) throw new IpmiProtocolError(`${PRODUCT}: too short`);
  const language = area[2];
  const { named, custom } = fields(area, 3, isEnglish(language), PRODUCT, 7);
  return defined({
    language,
    manufacturer: named[0],
    productName: named[1],
    partNumber: named[2],
    version: named[3],
    serialNumber: named[4],
    assetTag: named[5],
    fruFileId: named[6],
    custom,
  });
}

/**
 * The chassis, board and product areas of a FRU image. Only the header and the bytes of those
 * areas are read, so an image in which just they are filled in (as read-fru.ts makes it) decodes.
 */
export function decodeFru(image: Uint8Array): FruInventory {
  const h = decodeFruHeader(image);
  return defined({
    chassis: h.chassis ? decodeChassis(fruAreaBytes(image, h.chassis, CHASSIS)) : undefined,
    board: h.board ? decodeBoard(fruAreaBytes(image, h.board, BOARD)) : undefined,
    product: h.product ? decodeProduct(fruAreaBytes(image, h.product, PRODUCT)) : undefined,
  });
}

// ---------------------------------------------------------------------------------------------
// Encoder (the simulator's FRU, and test vectors)

const EMPTY = Buffer.from([0xc0]);

/** Version, length, the body, the end marker, zero padding to a multiple of 8, and the checksum. */
function area(head: number[], body: Buffer[], what: string): Buffer {
  const content = Buffer.concat([Buffer.from([0x01, 0, ...head]), ...body, Buffer.from([0xc1])]);
  const length = Math.ceil((content.length + 1) / 8) * 8;
  if (length > 255 * 8) throw new IpmiProtocolError(`${what}: ${length} bytes, more than an area holds (2040)`);
  const out = Buffer.alloc(length);
  content.copy(out);
  out[1] = length / 8;
  out[length - 1] = zeroChecksum(out.subarray(0, length - 1));
  return out;
}

function encodeFields(named: Array<FruField | undefined>, custom: FruField[], english: boolean, what: string): Buffer[] {
  return [...named.map((f) => (f ? encodeField(f, english, what) : EMPTY)), ...custom.map((f) => encodeField(f, english, what))];
}

function manufacturedMinutes(iso: string | undefined): number[] {
  if (iso === undefined) return [0, 0, 0];
  const ms = Date.parse(iso) - FRU_EPOCH_MS;
  const minutes = ms / 60_000;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 0xffffff) {
    throw new IpmiProtocolError(`${BOARD}: manufacturing date "${iso}" is not a whole minute from 1996-01-01 to 2027 (24-bit minutes)`);
  }
  return [minutes & 0xff, (minutes >> 8) & 0xff, (minutes >> 16) & 0xff];
}

export function encodeChassisArea(c: FruChassisArea): Buffer {
  return area([c.type & 0xff], encodeFields([c.partNumber, c.serialNumber], c.custom, true, CHASSIS), CHASSIS);
}

export function encodeBoardArea(b: FruBoardArea): Buffer {
  const english = isEnglish(b.language);
  return area([b.language & 0xff, ...manufacturedMinutes(b.manufactured)], encodeFields([b.manufacturer, b.productName, b.serialNumber, b.partNumber, b.fruFileId], b.custom, english, BOARD), BOARD);
}

export function encodeProductArea(p: FruProductArea): Buffer {
  const english = isEnglish(p.language);
  return area([p.language & 0xff], encodeFields([p.manufacturer, p.productName, p.partNumber, p.version, p.serialNumber, p.assetTag, p.fruFileId], p.custom, english, PRODUCT), PRODUCT);
}

/** A FRU image: the common header, then the chassis, board and product areas that are given. */
export function encodeFru(inv: FruInventory): Buffer {
  const parts: Buffer[] = [];
  const offsets = [0, 0, 0];
  let at = FRU_HEADER_SIZE;
  [inv.chassis && encodeChassisArea(inv.chassis), inv.board && encodeBoardArea(inv.board), inv.product && encodeProductArea(inv.product)].forEach((a, i) => {
    if (!a) return;
    if (at / 8 > 255) throw new IpmiProtocolError('FRU image: the areas do not fit in the header\'s 8-bit offsets');
    offsets[i] = at / 8;
    parts.push(a);
    at += a.length;
  });
  const header = Buffer.from([0x01, 0x00, offsets[0], offsets[1], offsets[2], 0x00, 0x00, 0x00]);
  header[7] = zeroChecksum(header.subarray(0, 7));
  return Buffer.concat([header, ...parts]);
}
