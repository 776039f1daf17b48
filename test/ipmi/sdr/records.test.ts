import { describe, expect, it } from 'vitest';
import { decodeSdr, decodeSdrHeader, isSensorRecord, type SdrRecord, type SensorRecord } from '../../../lib/ipmi/sdr/records.ts';
import { compactSdr, fullSdr, genSensor, GEN_SDRS_SENSORS } from './sdr-builder.ts';
import { expectProtocolError } from '../commands/expect-protocol-error.ts';

function sensor(r: SdrRecord): SensorRecord {
  expect(isSensorRecord(r)).toBe(true);
  return r as SensorRecord;
}

describe('the builder follows the specification byte numbers (1-based)', () => {
  it('lays out "Inlet Temp" like gen_sdrs.py', () => {
    const rec = fullSdr(genSensor('Inlet Temp'));
    const byte = (n: number) => rec[n - 1];
    expect([byte(1), byte(2)]).toEqual([0x00, 0x00]); // record id
    expect(byte(3)).toBe(0x51); // SDR version
    expect(byte(4)).toBe(0x01); // full sensor record
    expect(byte(5)).toBe(rec.length - 5); // remaining record length
    expect(byte(6)).toBe(0x20); // owner id
    expect(byte(8)).toBe(0x03); // sensor number
    expect(byte(9)).toBe(0x37); // entity id
    expect(byte(13)).toBe(0x01); // sensor type: temperature
    expect(byte(14)).toBe(0x01); // event/reading type: threshold
    expect(byte(19)).toBe(0x38); // readable threshold mask
    expect(byte(21) >> 6).toBe(0); // analog format unsigned
    expect(byte(22)).toBe(0x01); // degrees C
    expect(byte(25)).toBe(5); // M LS
    expect(byte(30)).toBe(0xf0); // R exp -1, B exp 0
    expect([byte(37), byte(38), byte(39)]).toEqual([0x64, 0x5a, 0x50]); // UNR, UCR, UNC
    expect(byte(48)).toBe(0xc0 | 'Inlet Temp'.length);
    expect(rec.subarray(48).toString('latin1')).toBe('Inlet Temp');
  });
  it('encodes B = -40 as 10-bit two\'s complement split over bytes 27 and 28', () => {
    const rec = fullSdr(genSensor('System Temp'));
    expect(rec[26]).toBe(0xd8);
    expect(rec[27] >> 6).toBe(0x3);
  });
});

describe('decodeSdr: full sensor records of the ipmi_sim peer', () => {
  it('decodes the header', () => {
    const rec = fullSdr({ ...genSensor('CPU1 Temp'), recordId: 0x1234 });
    expect(decodeSdrHeader(rec)).toEqual({ recordId: 0x1234, version: 0x51, type: 0x01, length: 43 + 9 });
  });

  const expected = {
    'CPU1 Temp': { number: 1, entity: [0x03, 1], m: 1, b: 0, rExp: 0, format: 'unsigned', thresholds: { unr: 105, ucr: 95, unc: 85 } },
    'CPU2 Temp': { number: 2, entity: [0x03, 2], m: 1, b: 0, rExp: 0, format: 'unsigned', thresholds: { unr: 105, ucr: 95, unc: 85 } },
    'Inlet Temp': { number: 3, entity: [0x37, 1], m: 5, b: 0, rExp: -1, format: 'unsigned', thresholds: { unr: 50, ucr: 45, unc: 40 } },
    'System Temp': { number: 4, entity: [0x07, 1], m: 1, b: -40, rExp: 0, format: 'unsigned', thresholds: { unr: 95, ucr: 85, unc: 75 } },
    'PSU1 Temp': { number: 5, entity: [0x0a, 1], m: 1, b: 0, rExp: 0, format: 'twos-complement', thresholds: { unr: 90, ucr: 80, unc: 70 } },
  } as const;

  for (const spec of GEN_SDRS_SENSORS) {
    it(`decodes "${spec.name}"`, () => {
      const want = expected[spec.name as keyof typeof expected];
      const r = sensor(decodeSdr(fullSdr(spec)));
      expect(r.recordType).toBe('full');
      expect(r.recordId).toBe(0);
      expect(r.ownerId).toBe(0x20);
      expect(r.ownerLun).toBe(0);
      expect(r.sensorNumber).toBe(want.number);
      expect([r.entityId, r.entityInstance]).toEqual(want.entity);
      expect(r.sensorType).toBe(0x01);
      expect(r.sensorTypeName).toBe('temperature');
      expect(r.eventReadingType).toBe(0x01);
      expect(r.name).toBe(spec.name);
      expect(r.units).toBe('degrees C');
      expect(r.conversion).toEqual({ m: want.m, b: want.b, bExp: 0, rExp: want.rExp, format: want.format, linearization: 0 });
      // Readable mask 0x38: UNC, UCR and UNR only; the lower thresholds are not reported.
      expect(r.thresholdsRaw).toEqual({ unr: spec.unr, ucr: spec.ucr, unc: spec.unc });
      expect(r.thresholds).toEqual(want.thresholds);
    });
  }

  it('reports only the thresholds the readable mask names (bit 0 LNC ... bit 5 UNR)', () => {
    const base = { ...genSensor('CPU1 Temp'), lower: [5, 10, 15] as [number, number, number] };
    const all = sensor(decodeSdr(fullSdr({ ...base, readableMask: 0x3f })));
    expect(all.thresholdsRaw).toEqual({ lnr: 5, lcr: 10, lnc: 15, unc: 0x55, ucr: 0x5f, unr: 0x69 });
    const lower = sensor(decodeSdr(fullSdr({ ...base, readableMask: 0x07 })));
    expect(lower.thresholds).toEqual({ lnr: 5, lcr: 10, lnc: 15 });
    const lncAndUnr = sensor(decodeSdr(fullSdr({ ...base, readableMask: 0x21 })));
    expect(lncAndUnr.thresholds).toEqual({ lnc: 15, unr: 0x69 });
    const none = sensor(decodeSdr(fullSdr({ ...base, readableMask: 0x00 })));
    expect(none.thresholds).toEqual({});
    expect(none.thresholdsRaw).toEqual({});
  });

  it("converts 2's complement lower thresholds to negative values", () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('PSU1 Temp'), readableMask: 0x3f, lower: [0xec, 0xf6, 0xfb] })));
    expect(r.thresholds).toEqual({ lnr: -20, lcr: -10, lnc: -5, unc: 70, ucr: 80, unr: 90 });
  });

  it('decodes negative M, 1\'s complement format and both exponents', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), m: -3, b: 511, bExp: -8, rExp: 7, format: 1 })));
    expect(r.conversion).toEqual({ m: -3, b: 511, bExp: -8, rExp: 7, format: 'ones-complement', linearization: 0 });
  });

  it('has no conversion and no thresholds for a record without analog readings', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), format: 3 })));
    expect(r.conversion).toBeUndefined();
    expect(r.thresholds).toEqual({});
  });

  it('has no thresholds for a discrete full record even if the mask byte is set', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), eventReadingType: 0x6f, sensorType: 0x08 })));
    expect(r.sensorTypeName).toBe('power supply');
    expect(r.thresholds).toEqual({});
    expect(r.thresholdsRaw).toEqual({});
  });

  it('keeps raw thresholds but no converted ones for a non-linear OEM linearization', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), linearization: 0x71 })));
    expect(r.conversion?.linearization).toBe(0x71);
    expect(r.thresholdsRaw).toEqual({ unr: 0x69, ucr: 0x5f, unc: 0x55 });
    expect(r.thresholds).toEqual({});
  });

  it('describes percentage and modifier units (byte 21 bits 2:0)', () => {
    const rpm = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), sensorType: 0x04, baseUnit: 18 })));
    expect(rpm.units).toBe('RPM');
    const perHour = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), units1Low: 0x02, baseUnit: 6, modifierUnit: 24 })));
    expect(perHour.units).toBe('Watts/hour');
    const times = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), units1Low: 0x04, baseUnit: 6, modifierUnit: 24 })));
    expect(times.units).toBe('Watts*hour');
    const pct = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), units1Low: 0x01, baseUnit: 0 })));
    expect(pct.units).toBe('% unspecified');
  });

  it('ignores bytes after the length the header gives (Get SDR may read more)', () => {
    const rec = fullSdr(genSensor('CPU1 Temp'));
    const r = sensor(decodeSdr(Buffer.concat([rec, Buffer.from('garbage')])));
    expect(r.name).toBe('CPU1 Temp');
  });
});

describe('decodeSdr: ID strings (section 43.15)', () => {
  it('trims trailing NULs of 8-bit ASCII names', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), idBytes: [...Buffer.from('Fan 1\0\0\0', 'latin1')] })));
    expect(r.name).toBe('Fan 1');
  });
  it('reads Latin-1 bytes as Latin-1', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), idBytes: [0x54, 0xb0] })));
    expect(r.name).toBe('T\u00b0');
  });
  it('gives an empty name when the record ends before the ID string', () => {
    const rec = fullSdr({ ...genSensor('CPU1 Temp'), idBytes: [] });
    const cut = Buffer.from(rec.subarray(0, rec.length - 1)); // drop the type/length byte
    cut[4] = cut.length - 5;
    expect(sensor(decodeSdr(cut)).name).toBe('');
  });
  it('reads no more ID bytes than the record holds', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), idTypeLength: 0xc0 | 16, idBytes: [...Buffer.from('CPU')] })));
    expect(r.name).toBe('CPU');
  });
  it('shows Unicode (type 00b) IDs as hex rather than guessing', () => {
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), idTypeLength: 0x02, idBytes: [0x41, 0x00] })));
    expect(r.name).toBe('4100');
  });
  it('does not read 6-bit packed ASCII (type 10b) as Latin-1', () => {
    // "IPMI" packed 6 bits per character (0x20-based), least significant bits first: 29 dc a6.
    const r = sensor(decodeSdr(fullSdr({ ...genSensor('CPU1 Temp'), idTypeLength: 0x80 | 3, idBytes: [0x29, 0xdc, 0xa6] })));
    // Decoded per the specification, or shown as bytes as the module says it does for this type.
    expect(['IPMI', '29dca6']).toContain(r.name);
  });
});

describe('decodeSdr: compact and other records', () => {
  it('decodes a compact sensor record (type 0x02)', () => {
    const rec = compactSdr({ recordId: 7, sensorNumber: 0x30, entityId: 0x0a, entityInstance: 0x81, sensorType: 0x08, eventReadingType: 0x6f, name: 'PS1 Status' });
    const r = sensor(decodeSdr(rec));
    expect(r).toEqual({
      recordId: 7,
      recordType: 'compact',
      ownerId: 0x20,
      ownerLun: 0,
      ownerChannel: 0,
      sensorNumber: 0x30,
      entityId: 0x0a,
      entityInstance: 0x01,
      sensorType: 0x08,
      sensorTypeName: 'power supply',
      eventReadingType: 0x6f,
      name: 'PS1 Status',
      units: 'unspecified',
      unitCode: 0,
      thresholdsRaw: {},
      thresholds: {},
    });
    expect(r.conversion).toBeUndefined();
  });
  it('reads the compact ID string at byte 32', () => {
    const rec = compactSdr({ sensorNumber: 1, entityId: 1, entityInstance: 1, sensorType: 0xc3, eventReadingType: 0x03, name: 'X' });
    expect(rec[31]).toBe(0xc1);
    const r = sensor(decodeSdr(rec));
    expect(r.name).toBe('X');
    expect(r.sensorTypeName).toBe('oem');
  });
  it('keeps an MC device locator record (type 0x12) as an opaque record', () => {
    const body = [0x20, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc3, ...Buffer.from('BMC')];
    const rec = Buffer.from([0x05, 0x00, 0x51, 0x12, body.length, ...body]);
    const r = decodeSdr(rec);
    expect(r).toEqual({ recordId: 5, recordType: 0x12 });
    expect(isSensorRecord(r)).toBe(false);
  });
  it('keeps FRU locator (0x11) and event-only (0x03) records opaque', () => {
    expect(decodeSdr(Buffer.from([0x01, 0x02, 0x51, 0x11, 0x00]))).toEqual({ recordId: 0x0201, recordType: 0x11 });
    expect(decodeSdr(Buffer.from([0x03, 0x00, 0x51, 0x03, 0x01, 0x00]))).toEqual({ recordId: 3, recordType: 0x03 });
  });
});

describe('decodeSdr: truncated records throw IpmiProtocolError', () => {
  it('refuses a record shorter than its header', () => {
    for (let n = 0; n < 5; n++) expectProtocolError(() => decodeSdr(Buffer.alloc(n)));
  });
  it('refuses a record shorter than the header says', () => {
    const rec = fullSdr(genSensor('CPU1 Temp'));
    for (const n of [5, 6, 30, rec.length - 1]) {
      expectProtocolError(() => decodeSdr(rec.subarray(0, n)), /header says/);
    }
  });
  it('refuses a full record whose stated length stops before the thresholds', () => {
    const rec = Buffer.from(fullSdr(genSensor('CPU1 Temp')).subarray(0, 30));
    rec[4] = 25;
    expectProtocolError(() => decodeSdr(rec), /truncated/);
  });
  it('refuses a compact record that stops before byte 31', () => {
    const rec = Buffer.from(compactSdr({ sensorNumber: 1, entityId: 1, entityInstance: 1, sensorType: 8, eventReadingType: 0x6f, name: 'PS' }).subarray(0, 28));
    rec[4] = 23;
    expectProtocolError(() => decodeSdr(rec), /truncated/);
  });
});
