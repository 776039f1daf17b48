import { describe, expect, it } from 'vitest';
import { decodeSelRecord, describeEvent, SEL_RECORD_LENGTH } from '../../../lib/ipmi/sel/event.ts';
import { expectProtocolError } from '../commands/expect-protocol-error.ts';

/**
 * The two events preloaded by the ipmi_sim peer (test/peers/ipmi_sim/configure.py):
 *   sel_add 0x20 0x02 0x00 0x00 0x00 0x66 0x20 0x00 0x04 0x01 0x01 0x01 0x57 0x50 0x55
 *   sel_add 0x20 0x02 0x10 0x00 0x00 0x66 0x20 0x00 0x04 0x01 0x01 0x81 0x57 0x50 0x55
 * After the MC address: record type, then timestamp(4, LE) genid(2) evmrev stype snum edir/type
 * d1 d2 d3. ipmi_sim prepends the 2-byte record id when Get SEL Entry returns them.
 */
const simSelAdd = (recordId: number, line: string): Buffer => {
  const bytes = line.trim().split(/\s+/).slice(2).map(Number);
  return Buffer.from([recordId & 0xff, recordId >> 8, ...bytes]);
};
const SIM_ASSERT = simSelAdd(1, 'sel_add 0x20 0x02 0x00 0x00 0x00 0x66 0x20 0x00 0x04 0x01 0x01 0x01 0x57 0x50 0x55');
const SIM_DEASSERT = simSelAdd(2, 'sel_add 0x20 0x02 0x10 0x00 0x00 0x66 0x20 0x00 0x04 0x01 0x01 0x81 0x57 0x50 0x55');

/** A system event record: id, type 0x02, timestamp, generator, rev 0x04, sensor type/number, dir/type, data. */
function systemEvent(p: { id?: number; timestamp?: number; sensorType: number; sensorNumber?: number; dirType: number; d1: number; d2?: number; d3?: number }): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(p.id ?? 1, 0);
  b[2] = 0x02;
  b.writeUInt32LE(p.timestamp ?? 0x66000000, 3);
  b.writeUInt16LE(0x0020, 7);
  b[9] = 0x04;
  b[10] = p.sensorType;
  b[11] = p.sensorNumber ?? 1;
  b[12] = p.dirType;
  b[13] = p.d1;
  b[14] = p.d2 ?? 0xff;
  b[15] = p.d3 ?? 0xff;
  return b;
}

describe('decodeSelRecord: the ipmi_sim peer events', () => {
  it('are 16-byte records', () => {
    expect(SIM_ASSERT.length).toBe(SEL_RECORD_LENGTH);
    expect(SIM_DEASSERT.length).toBe(SEL_RECORD_LENGTH);
  });
  it('decodes the assertion: Temperature sensor 1, Upper Non-critical going high', () => {
    expect(decodeSelRecord(SIM_ASSERT)).toEqual({
      recordId: 1,
      recordType: 0x02,
      timestamp: 0x66000000,
      preInit: false,
      generatorId: 0x0020,
      sensorTypeCode: 0x01,
      sensorType: 'temperature',
      sensorNumber: 1,
      eventType: 0x01,
      direction: 'assertion',
      offset: 7,
      description: 'Upper Non-critical going high',
      data: [0x57, 0x50, 0x55],
      raw: SIM_ASSERT,
    });
  });
  it('decodes the deassertion of the same event', () => {
    const e = decodeSelRecord(SIM_DEASSERT);
    expect(e.recordId).toBe(2);
    expect(e.timestamp).toBe(0x66000010);
    expect(e.sensorType).toBe('temperature');
    expect(e.sensorNumber).toBe(1);
    expect(e.eventType).toBe(0x01);
    expect(e.direction).toBe('deassertion');
    expect(e.description).toBe('Upper Non-critical going high');
  });
  it('keeps only the 16 record bytes as raw', () => {
    const e = decodeSelRecord(Buffer.concat([SIM_ASSERT, Buffer.from([0xaa, 0xbb])]));
    expect(e.raw).toEqual(SIM_ASSERT);
  });
});

describe('decodeSelRecord: timestamps (section 37.1)', () => {
  it('marks times up to 0x20000000 as relative to BMC initialisation', () => {
    expect(decodeSelRecord(systemEvent({ timestamp: 0x1000, sensorType: 1, dirType: 1, d1: 0 })).preInit).toBe(true);
    expect(decodeSelRecord(systemEvent({ timestamp: 0x20000000, sensorType: 1, dirType: 1, d1: 0 })).preInit).toBe(true);
    expect(decodeSelRecord(systemEvent({ timestamp: 0x20000001, sensorType: 1, dirType: 1, d1: 0 })).preInit).toBe(false);
  });
  it('reads the timestamp as an unsigned 32-bit little-endian value', () => {
    expect(decodeSelRecord(systemEvent({ timestamp: 0xfffffff0, sensorType: 1, dirType: 1, d1: 0 })).timestamp).toBe(0xfffffff0);
  });
  it('does not report the "unspecified" timestamp 0xFFFFFFFF as a time', () => {
    // IPMI v2.0 section 37.1: FFFFFFFFh is an invalid or unspecified time (ipmitool prints "Unknown").
    expect(decodeSelRecord(systemEvent({ timestamp: 0xffffffff, sensorType: 1, dirType: 1, d1: 0 })).timestamp).toBeNull();
  });
});

describe('decodeSelRecord: event descriptions (tables 42-2 and 42-3)', () => {
  it('names every threshold offset in table order', () => {
    const names = Array.from({ length: 12 }, (_, o) => decodeSelRecord(systemEvent({ sensorType: 0x02, dirType: 0x01, d1: 0x50 | o })).description);
    expect(names).toEqual([
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
    ]);
  });
  it('takes the offset from event data 1 bits 3:0 only', () => {
    const e = decodeSelRecord(systemEvent({ sensorType: 0x01, dirType: 0x01, d1: 0xa9 }));
    expect(e.offset).toBe(9);
    expect(e.description).toBe('Upper Critical going high');
  });
  it('names an undefined threshold offset by number', () => {
    expect(decodeSelRecord(systemEvent({ sensorType: 0x01, dirType: 0x01, d1: 0x0d })).description).toBe('threshold offset 13');
  });
  it('names sensor-specific offsets (event type 0x6F)', () => {
    expect(decodeSelRecord(systemEvent({ sensorType: 0x09, dirType: 0x6f, d1: 0x04 })).description).toBe('AC lost');
    expect(decodeSelRecord(systemEvent({ sensorType: 0x08, dirType: 0x6f, d1: 0x01 })).description).toBe('Power Supply Failure detected');
    expect(decodeSelRecord(systemEvent({ sensorType: 0x22, dirType: 0x6f, d1: 0x05 })).description).toBe('S5/G2: soft-off');
    expect(decodeSelRecord(systemEvent({ sensorType: 0x10, dirType: 0x6f, d1: 0x02 })).description).toBe('Log area reset/cleared');
    expect(decodeSelRecord(systemEvent({ sensorType: 0x1d, dirType: 0x6f, d1: 0x03 })).description).toBe('User requested PXE boot');
    expect(decodeSelRecord(systemEvent({ sensorType: 0x12, dirType: 0x6f, d1: 0x05 })).description).toBe('Timestamp clock synch');
  });
  it('names unknown sensor-specific offsets by number', () => {
    expect(decodeSelRecord(systemEvent({ sensorType: 0x09, dirType: 0x6f, d1: 0x0e })).description).toBe('sensor-specific offset 14');
    expect(decodeSelRecord(systemEvent({ sensorType: 0x2a, dirType: 0x6f, d1: 0x01 })).description).toBe('sensor-specific offset 1');
  });
  it('names generic discrete states', () => {
    expect(describeEvent(0x03, 0x05, 1)).toBe('State Asserted');
    expect(describeEvent(0x03, 0x05, 0)).toBe('State Deasserted');
    expect(describeEvent(0x08, 0x25, 1)).toBe('Device Present');
    expect(describeEvent(0x08, 0x25, 0)).toBe('Device Absent');
    expect(describeEvent(0x07, 0x05, 2)).toBe('generic offset 2');
    expect(describeEvent(0x0c, 0x05, 3)).toBe('generic offset 3');
  });
  it('names OEM and unspecified event types by number', () => {
    expect(describeEvent(0x70, 0xc0, 3)).toBe('event type 0x70 offset 3');
    expect(describeEvent(0x00, 0x01, 0)).toBe('event type 0x0 offset 0');
  });
  it('decodes the direction from bit 7 and the event type from bits 6:0', () => {
    const e = decodeSelRecord(systemEvent({ sensorType: 0x09, dirType: 0xef, d1: 0x00 }));
    expect(e.direction).toBe('deassertion');
    expect(e.eventType).toBe(0x6f);
    expect(e.description).toBe('Power off/down');
  });
  it('names OEM sensor types', () => {
    expect(decodeSelRecord(systemEvent({ sensorType: 0xc5, dirType: 0x70, d1: 0x01 })).sensorType).toBe('oem');
  });
});

describe('decodeSelRecord: OEM records', () => {
  it('keeps timestamped OEM records (0xC0-0xDF) as bytes with their time', () => {
    const rec = Buffer.from([0x07, 0x00, 0xc1, 0x10, 0x00, 0x00, 0x66, 0x57, 0x01, 0x00, 1, 2, 3, 4, 5, 6]);
    expect(decodeSelRecord(rec)).toEqual({ recordId: 7, recordType: 0xc1, timestamp: 0x66000010, preInit: false, description: 'OEM record (timestamped)', raw: rec });
    const last = Buffer.from(rec);
    last[2] = 0xdf;
    expect(decodeSelRecord(last).description).toBe('OEM record (timestamped)');
  });
  it('keeps non-timestamped OEM records (0xE0-0xFF) without a time', () => {
    const rec = Buffer.from([0x08, 0x01, 0xe0, ...Array.from({ length: 13 }, (_, i) => i)]);
    expect(decodeSelRecord(rec)).toEqual({ recordId: 0x0108, recordType: 0xe0, timestamp: null, preInit: false, description: 'OEM record (non-timestamped)', raw: rec });
    rec[2] = 0xff;
    expect(decodeSelRecord(rec).timestamp).toBeNull();
  });
});

describe('decodeSelRecord: short records throw IpmiProtocolError', () => {
  it('refuses every prefix of a system event record', () => {
    for (let n = 0; n < 16; n++) expectProtocolError(() => decodeSelRecord(SIM_ASSERT.subarray(0, n)), /SEL record/);
  });
  it('refuses every prefix of OEM records', () => {
    const ts = Buffer.from([0x07, 0x00, 0xc1, ...Array(13).fill(0)]);
    const nts = Buffer.from([0x07, 0x00, 0xe1, ...Array(13).fill(0)]);
    for (let n = 0; n < 16; n++) {
      expectProtocolError(() => decodeSelRecord(ts.subarray(0, n)));
      expectProtocolError(() => decodeSelRecord(nts.subarray(0, n)));
    }
  });
});
