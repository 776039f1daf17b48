/**
 * Sensor Data Records, IPMI v2.0 chapter 43: header, Full Sensor Record (type 0x01) and Compact
 * Sensor Record (type 0x02). Other record types are kept as opaque records. Byte numbers in the
 * comments are the specification's (1-based).
 */
import { ByteReader } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { convertReading, signed, type AnalogFormat, type Conversion } from './linearize.ts';
import { describeUnits, sensorTypeName } from './units.ts';

export const SDR_HEADER_LENGTH = 5;
export const SdrType = { full: 0x01, compact: 0x02, eventOnly: 0x03, fruLocator: 0x11, mcLocator: 0x12 } as const;

export interface SdrHeader {
  recordId: number;
  version: number;
  type: number;
  /** Bytes after the 5-byte header. */
  length: number;
}

export function decodeSdrHeader(b: Uint8Array): SdrHeader {
  const r = new ByteReader(b, 'SDR header');
  return { recordId: r.u16(), version: r.u8(), type: r.u8(), length: r.u8() };
}

export type ThresholdName = 'lnr' | 'lcr' | 'lnc' | 'unc' | 'ucr' | 'unr';
/** Bit order of readable / settable masks and of Get Sensor Reading's comparison byte. */
export const THRESHOLD_BITS: readonly ThresholdName[] = ['lnc', 'lcr', 'lnr', 'unc', 'ucr', 'unr'];

export interface SensorRecord {
  recordId: number;
  recordType: 'full' | 'compact';
  /** The controller that owns the sensor: 0x20 the BMC; another address (0x2C, the Intel ME) is reached by bridging. */
  ownerId: number;
  ownerLun: number;
  /** The channel the owner sits on (byte 7 bits 7:4): where a bridged request goes. */
  ownerChannel: number;
  sensorNumber: number;
  entityId: number;
  entityInstance: number;
  sensorType: number;
  sensorTypeName: string;
  /** Event/reading type code: 0x01 threshold, 0x02-0x0C generic discrete, 0x6F sensor-specific. */
  eventReadingType: number;
  name: string;
  units: string;
  /** The base unit code (table 43-15): 0 unspecified, 1 degrees C, 6 Watts... */
  unitCode: number;
  /** Analog conversion; only for full records with an analog format. */
  conversion?: Conversion;
  /** Raw threshold bytes the SDR marks readable, by name. */
  thresholdsRaw: Partial<Record<ThresholdName, number>>;
  /** The same thresholds converted to units. */
  thresholds: Partial<Record<ThresholdName, number>>;
}

export interface OpaqueRecord {
  recordId: number;
  recordType: number;
}

export type SdrRecord = SensorRecord | OpaqueRecord;

export function isSensorRecord(r: SdrRecord): r is SensorRecord {
  return typeof r.recordType === 'string';
}

const FORMATS: AnalogFormat[] = ['unsigned', 'ones-complement', 'twos-complement', 'none'];

function idString(r: ByteReader): string {
  if (r.remaining < 1) return '';
  const typeLength = r.u8();
  const len = Math.min(typeLength & 0x1f, r.remaining);
  const type = typeLength >> 6;
  const bytes = r.bytes(len);
  if (type === 3) return Buffer.from(bytes).toString('latin1').replace(/\0+$/, '').trim();
  if (type === 2) return unpackSixBitAscii(bytes);
  // Unicode and BCD plus are rare in practice: show the bytes rather than guess.
  return bytes.toString('hex');
}

/** 6-bit packed ASCII (section 43.15): four characters in three bytes, least significant bits first, 0x20 added. */
export function unpackSixBitAscii(bytes: Uint8Array): string {
  let bits = 0;
  let nbits = 0;
  let out = '';
  for (const b of bytes) {
    bits |= b << nbits;
    nbits += 8;
    while (nbits >= 6) {
      out += String.fromCharCode((bits & 0x3f) + 0x20);
      bits >>= 6;
      nbits -= 6;
    }
  }
  return out.trimEnd();
}

/** Decode a whole record (header included). */
export function decodeSdr(record: Uint8Array): SdrRecord {
  const header = decodeSdrHeader(record);
  if (record.length < SDR_HEADER_LENGTH + header.length) {
    throw new IpmiProtocolError(`SDR ${header.recordId}: ${record.length} bytes, header says ${SDR_HEADER_LENGTH + header.length}`);
  }
  const body = record.subarray(SDR_HEADER_LENGTH, SDR_HEADER_LENGTH + header.length);
  if (header.type === SdrType.full) return decodeFull(header.recordId, body);
  if (header.type === SdrType.compact) return decodeCompact(header.recordId, body);
  return { recordId: header.recordId, recordType: header.type };
}

function decodeCommon(r: ByteReader) {
  const ownerId = r.u8(); // byte 6
  const lunByte = r.u8(); // 7: channel (7:4), owner LUN (1:0)
  const ownerLun = lunByte & 0x03;
  const ownerChannel = lunByte >> 4;
  const sensorNumber = r.u8(); // 8
  const entityId = r.u8(); // 9
  const entityInstance = r.u8() & 0x7f; // 10
  r.skip(2); // 11 initialization, 12 capabilities
  const sensorType = r.u8(); // 13
  const eventReadingType = r.u8(); // 14
  r.skip(4); // 15-18 assertion / deassertion masks
  const readable = r.u8(); // 19 readable threshold mask (threshold sensors)
  r.u8(); // 20 settable threshold mask
  const units1 = r.u8(); // 21
  const unitBase = r.u8(); // 22
  const unitModifier = r.u8(); // 23
  return { ownerId, ownerLun, ownerChannel, sensorNumber, entityId, entityInstance, sensorType, eventReadingType, readable, units1, unitBase, unitModifier };
}

function decodeFull(recordId: number, body: Uint8Array): SensorRecord {
  const r = new ByteReader(body, `full SDR ${recordId}`);
  const c = decodeCommon(r);
  const linearization = r.u8() & 0x7f; // 24
  const mLow = r.u8(); // 25
  const mHigh = r.u8(); // 26: M MS 2 bits, tolerance
  const bLow = r.u8(); // 27
  const bHigh = r.u8(); // 28: B MS 2 bits, accuracy
  r.u8(); // 29 accuracy, direction
  const exps = r.u8(); // 30 R exp (7:4), B exp (3:0)
  r.skip(6); // 31 analog flags, 32 nominal, 33 normal max, 34 normal min, 35 sensor max, 36 sensor min
  const raw = {
    unr: r.u8(), // 37
    ucr: r.u8(), // 38
    unc: r.u8(), // 39
    lnr: r.u8(), // 40
    lcr: r.u8(), // 41
    lnc: r.u8(), // 42
  };
  r.skip(2); // 43-44 hysteresis
  if (r.remaining >= 3) r.skip(3); // 45-46 reserved, 47 OEM
  const name = idString(r);
  const format = FORMATS[(c.units1 >> 6) & 3];
  const conversion: Conversion = {
    m: signed(mLow | ((mHigh >> 6) << 8), 10),
    b: signed(bLow | ((bHigh >> 6) << 8), 10),
    rExp: signed(exps >> 4, 4),
    bExp: signed(exps & 0x0f, 4),
    format,
    linearization,
  };
  const thresholdsRaw: Partial<Record<ThresholdName, number>> = {};
  const thresholds: Partial<Record<ThresholdName, number>> = {};
  if (c.eventReadingType === 0x01 && format !== 'none') {
    THRESHOLD_BITS.forEach((t, bit) => {
      if (c.readable & (1 << bit)) {
        thresholdsRaw[t] = raw[t];
        const v = convertReading(raw[t], conversion);
        if (v !== null) thresholds[t] = v;
      }
    });
  }
  return {
    recordId,
    recordType: 'full',
    ownerId: c.ownerId,
    ownerLun: c.ownerLun,
    ownerChannel: c.ownerChannel,
    sensorNumber: c.sensorNumber,
    entityId: c.entityId,
    entityInstance: c.entityInstance,
    sensorType: c.sensorType,
    sensorTypeName: sensorTypeName(c.sensorType),
    eventReadingType: c.eventReadingType,
    name,
    units: describeUnits(c.units1, c.unitBase, c.unitModifier),
    unitCode: c.unitBase,
    conversion: format === 'none' ? undefined : conversion,
    thresholdsRaw,
    thresholds,
  };
}

function decodeCompact(recordId: number, body: Uint8Array): SensorRecord {
  const r = new ByteReader(body, `compact SDR ${recordId}`);
  const c = decodeCommon(r);
  r.skip(2); // 24-25 record sharing
  r.skip(2); // 26-27 hysteresis
  r.skip(3); // 28-30 reserved
  r.skip(1); // 31 OEM
  const name = idString(r);
  return {
    recordId,
    recordType: 'compact',
    ownerId: c.ownerId,
    ownerLun: c.ownerLun,
    ownerChannel: c.ownerChannel,
    sensorNumber: c.sensorNumber,
    entityId: c.entityId,
    entityInstance: c.entityInstance,
    sensorType: c.sensorType,
    sensorTypeName: sensorTypeName(c.sensorType),
    eventReadingType: c.eventReadingType,
    name,
    units: describeUnits(c.units1, c.unitBase, c.unitModifier),
    unitCode: c.unitBase,
    thresholdsRaw: {},
    thresholds: {},
  };
}

/** What a BMC needs to describe one analog threshold sensor in a Full Sensor Record. */
export interface FullSensorSpec {
  recordId: number;
  sensorNumber: number;
  entityId: number;
  entityInstance: number;
  sensorType: number;
  /** Base unit code (table 43-15): 1 degrees C, 4 Volts, 18 RPM... */
  unit: number;
  name: string;
  conversion: Conversion;
  /** Raw threshold bytes; the ones given are marked readable. */
  thresholdsRaw: Partial<Record<ThresholdName, number>>;
  nominalRaw?: number;
  /** The owning controller (0x20, the BMC, by default), its LUN and its channel. */
  ownerId?: number;
  ownerLun?: number;
  ownerChannel?: number;
  /** 0x01 threshold (the default); a discrete code (0x6F sensor-specific...) for a discrete sensor. */
  eventReadingType?: number;
}

/** The BMC side of decodeSdr for Full Sensor Records (the simulator builds its repository with it). */
export function encodeFullSensorRecord(s: FullSensorSpec): Buffer {
  const name = Buffer.from(s.name, 'latin1').subarray(0, 16);
  const mask = THRESHOLD_BITS.reduce((m, t, bit) => (s.thresholdsRaw[t] !== undefined ? m | (1 << bit) : m), 0);
  const lower = (mask & 0x07) ? 0x0a : 0;
  const upper = (mask & 0x38) ? 0x0a : 0;
  const m = s.conversion.m & 0x3ff;
  const b = s.conversion.b & 0x3ff;
  const formats: Record<AnalogFormat, number> = { unsigned: 0, 'ones-complement': 1, 'twos-complement': 2, none: 3 };
  const t = s.thresholdsRaw;
  const eventReadingType = s.eventReadingType ?? 0x01;
  // A discrete sensor has state masks where a threshold one has threshold masks: offset 0 only.
  const masks = eventReadingType === 0x01 ? [0x80 | (lower ? 0x05 : 0), upper, 0x80 | (lower ? 0x05 : 0), upper, mask, mask] : [0x01, 0x00, 0x01, 0x00, 0x01, 0x00];
  const body = [
    (s.ownerId ?? 0x20) & 0xff, // 6 owner
    (((s.ownerChannel ?? 0) & 0x0f) << 4) | ((s.ownerLun ?? 0) & 0x03), // 7 channel, owner LUN
    s.sensorNumber & 0xff, // 8
    s.entityId & 0xff, // 9
    s.entityInstance & 0x7f, // 10
    0x7f, // 11 initialization: scanning, events, thresholds, hysteresis, type
    eventReadingType === 0x01 ? 0x68 : 0x40, // 12 capabilities: auto re-arm (and readable/settable thresholds)
    s.sensorType & 0xff, // 13
    eventReadingType & 0xff, // 14 event/reading type
    ...masks, // 15-20 assertion, deassertion and reading masks (threshold: readable / settable thresholds)
    formats[s.conversion.format] << 6, // 21 units 1
    s.unit & 0xff, // 22 base unit
    0x00, // 23 modifier unit
    s.conversion.linearization & 0x7f, // 24
    m & 0xff, // 25 M LS
    (m >> 8) << 6, // 26 M MS, tolerance
    b & 0xff, // 27 B LS
    (b >> 8) << 6, // 28 B MS, accuracy
    0x00, // 29 accuracy, direction
    ((s.conversion.rExp & 0x0f) << 4) | (s.conversion.bExp & 0x0f), // 30
    s.nominalRaw !== undefined ? 0x01 : 0x00, // 31 analog characteristic flags
    s.nominalRaw ?? 0, // 32 nominal
    0, 0, // 33-34 normal max / min
    s.conversion.format === 'unsigned' ? 0xff : 0x7f, // 35 sensor max
    s.conversion.format === 'unsigned' ? 0x00 : 0x80, // 36 sensor min
    t.unr ?? 0, t.ucr ?? 0, t.unc ?? 0, t.lnr ?? 0, t.lcr ?? 0, t.lnc ?? 0, // 37-42
    0x02, 0x02, // 43-44 hysteresis
    0, 0, // 45-46 reserved
    0, // 47 OEM
    0xc0 | name.length, // 48 ID string: 8-bit ASCII + Latin-1
  ];
  const bytes = Buffer.concat([Buffer.from(body), name]);
  return Buffer.concat([Buffer.from([s.recordId & 0xff, (s.recordId >> 8) & 0xff, 0x51, SdrType.full, bytes.length]), bytes]);
}
