/**
 * SEL records, IPMI v2.0 section 32: system event records (type 0x02) decoded into words a person
 * reads; OEM records kept as bytes.
 */
import { ByteReader } from '../codec/bytes.ts';
import { sensorTypeName } from '../sdr/units.ts';

export const SEL_RECORD_LENGTH = 16;

/** Threshold event offsets (generic event/reading type 0x01), table 42-2. */
const THRESHOLD_OFFSETS = [
  'Lower Non-critical going low',
  'Lower Non-critical going high',
  'Lower Critical going low',
  'Lower Critical going high',
  'Lower Non-recoverable going low',
  'Lower Non-recoverable going high',
  'Upper Non-critical going low',
  'Upper Non-critical going high',
  'Upper Critical going low',
  'Upper Critical going high',
  'Upper Non-recoverable going low',
  'Upper Non-recoverable going high',
];

/** A few sensor-specific offsets (type 0x6F) that a power scheduler meets most. */
const SENSOR_SPECIFIC: Readonly<Record<number, readonly string[]>> = {
  0x08: ['Presence detected', 'Power Supply Failure detected', 'Predictive failure', 'Power Supply AC lost', 'AC lost or out-of-range', 'AC out-of-range, but present', 'Config error'],
  0x09: ['Power off/down', 'Power cycle', '240VA power down', 'Interlock power down', 'AC lost', 'Soft power control failure', 'Failure detected', 'Predictive failure'],
  0x10: ['Correctable memory error logging disabled', 'Event logging disabled', 'Log area reset/cleared', 'All event logging disabled', 'Log full', 'Log almost full'],
  0x12: ['System Reconfigured', 'OEM System boot event', 'Undetermined system hardware failure', 'Entry added to auxiliary log', 'PEF action', 'Timestamp clock synch'],
  0x1d: ['Initiated by power up', 'Initiated by hard reset', 'Initiated by warm reset', 'User requested PXE boot', 'Automatic boot to diagnostic', 'OS / run-time software initiated hard reset', 'OS / run-time software initiated warm reset', 'System restart'],
  0x22: ['S0/G0: working', 'S1: sleeping with system h/w & processor context maintained', 'S2: sleeping, processor context lost', 'S3: sleeping, processor & h/w context lost, memory retained', 'S4: non-volatile sleep/suspend-to disk', 'S5/G2: soft-off', 'S4/S5: soft-off', 'G3: mechanical off'],
};

export interface SelEvent {
  recordId: number;
  recordType: number;
  /** Seconds since 1970, or since BMC start when below 0x20000000 ("pre-init" time). */
  timestamp: number | null;
  preInit: boolean;
  generatorId?: number;
  sensorType?: string;
  sensorTypeCode?: number;
  sensorNumber?: number;
  eventType?: number;
  direction?: 'assertion' | 'deassertion';
  offset?: number;
  description: string;
  /** Event data 2 and 3 (trigger reading and threshold for threshold events). */
  data?: [number, number, number];
  raw: Buffer;
}

/** Timestamps at or below this are seconds since the BMC initialised, not wall time (section 37). */
const PRE_INIT_LIMIT = 0x20000000;
const UNSPECIFIED_TIME = 0xffffffff;

export function decodeSelRecord(bytes: Uint8Array): SelEvent {
  const r = new ByteReader(bytes, 'SEL record');
  const recordId = r.u16();
  const recordType = r.u8();
  const raw = Buffer.from(bytes.subarray(0, SEL_RECORD_LENGTH));
  if (recordType >= 0xe0) {
    r.skip(13);
    return { recordId, recordType, timestamp: null, preInit: false, description: 'OEM record (non-timestamped)', raw };
  }
  const stamp = r.u32();
  // 0xFFFFFFFF: "invalid or unspecified" (section 37.1), not a date in 2106.
  const timestamp = stamp === UNSPECIFIED_TIME ? null : stamp;
  const preInit = timestamp !== null && timestamp <= PRE_INIT_LIMIT;
  if (recordType >= 0xc0) {
    r.skip(9);
    return { recordId, recordType, timestamp, preInit, description: 'OEM record (timestamped)', raw };
  }
  const generatorId = r.u16();
  r.u8(); // event message format revision
  const sensorTypeCode = r.u8();
  const sensorNumber = r.u8();
  const dirType = r.u8();
  const d1 = r.u8();
  const d2 = r.u8();
  const d3 = r.u8();
  const eventType = dirType & 0x7f;
  const direction = dirType & 0x80 ? 'deassertion' : 'assertion';
  const offset = d1 & 0x0f;
  return {
    recordId,
    recordType,
    timestamp,
    preInit,
    generatorId,
    sensorTypeCode,
    sensorType: sensorTypeName(sensorTypeCode),
    sensorNumber,
    eventType,
    direction,
    offset,
    description: describeEvent(eventType, sensorTypeCode, offset),
    data: [d1, d2, d3],
    raw,
  };
}

export function describeEvent(eventType: number, sensorType: number, offset: number): string {
  if (eventType === 0x01) return THRESHOLD_OFFSETS[offset] ?? `threshold offset ${offset}`;
  if (eventType === 0x6f) return SENSOR_SPECIFIC[sensorType]?.[offset] ?? `sensor-specific offset ${offset}`;
  if (eventType >= 0x02 && eventType <= 0x0c) {
    if (eventType === 0x03) return offset ? 'State Asserted' : 'State Deasserted';
    if (eventType === 0x08) return offset ? 'Device Present' : 'Device Absent';
    return `generic offset ${offset}`;
  }
  return `event type 0x${eventType.toString(16)} offset ${offset}`;
}

export interface SystemEventSpec {
  recordId: number;
  timestamp: number;
  generatorId?: number;
  sensorType: number;
  sensorNumber: number;
  /** Event/reading type code (0x01 threshold, 0x6F sensor-specific...). */
  eventType: number;
  direction: 'assertion' | 'deassertion';
  /** Event data 1-3; data1's low nibble is the offset. */
  data: [number, number, number];
}

/** The BMC side of decodeSelRecord for system event records (type 0x02). */
export function encodeSystemEvent(e: SystemEventSpec): Buffer {
  const out = Buffer.alloc(SEL_RECORD_LENGTH);
  out.writeUInt16LE(e.recordId & 0xffff, 0);
  out[2] = 0x02;
  out.writeUInt32LE(e.timestamp >>> 0, 3);
  out.writeUInt16LE(e.generatorId ?? 0x0020, 7);
  out[9] = 0x04; // event message format revision (IPMI 2.0)
  out[10] = e.sensorType & 0xff;
  out[11] = e.sensorNumber & 0xff;
  out[12] = (e.direction === 'deassertion' ? 0x80 : 0) | (e.eventType & 0x7f);
  out[13] = e.data[0] & 0xff;
  out[14] = e.data[1] & 0xff;
  out[15] = e.data[2] & 0xff;
  return out;
}
