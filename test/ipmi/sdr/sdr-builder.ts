/**
 * Builds Sensor Data Records byte by byte, the way the ipmi_sim peer's generator
 * (test/peers/ipmi_sim/configure.py) does. Its comments count bytes from 0 (header 0-4, body from
 * 5); the IPMI v2.0 table 43-1 counts from 1, so the generator's "5 sensor owner id" is the
 * specification's byte 6. Comments here use the specification's numbers.
 */

/** Two's complement encode in `bits` bits (gen_sdrs.py's s2). */
export function s2(v: number, bits: number): number {
  return v & ((1 << bits) - 1);
}

export interface FullSdrSpec {
  recordId?: number;
  sensorNumber: number;
  entityId: number;
  entityInstance: number;
  name: string;
  m: number;
  b: number;
  rExp: number;
  bExp: number;
  /** 0 unsigned, 1 1's complement, 2 2's complement, 3 no analog reading. */
  format: number;
  unr: number;
  ucr: number;
  unc: number;
  nominal: number;
  /** Overrides for fields gen_sdrs.py fixes. */
  sensorType?: number;
  eventReadingType?: number;
  readableMask?: number;
  units1Low?: number;
  baseUnit?: number;
  modifierUnit?: number;
  linearization?: number;
  lower?: [lnr: number, lcr: number, lnc: number];
  idTypeLength?: number;
  idBytes?: number[];
}

/** gen_sdrs.py's SENSORS table. */
export const GEN_SDRS_SENSORS: FullSdrSpec[] = [
  { sensorNumber: 0x01, entityId: 0x03, entityInstance: 1, name: 'CPU1 Temp', m: 1, b: 0, rExp: 0, bExp: 0, format: 0, unr: 0x69, ucr: 0x5f, unc: 0x55, nominal: 0x2d },
  { sensorNumber: 0x02, entityId: 0x03, entityInstance: 2, name: 'CPU2 Temp', m: 1, b: 0, rExp: 0, bExp: 0, format: 0, unr: 0x69, ucr: 0x5f, unc: 0x55, nominal: 0x2d },
  { sensorNumber: 0x03, entityId: 0x37, entityInstance: 1, name: 'Inlet Temp', m: 5, b: 0, rExp: -1, bExp: 0, format: 0, unr: 0x64, ucr: 0x5a, unc: 0x50, nominal: 0x32 },
  { sensorNumber: 0x04, entityId: 0x07, entityInstance: 1, name: 'System Temp', m: 1, b: -40, rExp: 0, bExp: 0, format: 0, unr: 0x87, ucr: 0x7d, unc: 0x73, nominal: 0x41 },
  { sensorNumber: 0x05, entityId: 0x0a, entityInstance: 1, name: 'PSU1 Temp', m: 1, b: 0, rExp: 0, bExp: 0, format: 2, unr: 0x5a, ucr: 0x50, unc: 0x46, nominal: 0x23 },
];

export function genSensor(name: string): FullSdrSpec {
  const s = GEN_SDRS_SENSORS.find((x) => x.name === name);
  if (!s) throw new Error(`no sensor ${name}`);
  return s;
}

/** A Full Sensor Record (type 0x01), header included, as gen_sdrs.py's full_sdr() lays it out. */
export function fullSdr(s: FullSdrSpec): Buffer {
  const idb = s.idBytes ?? [...Buffer.from(s.name, 'latin1').subarray(0, 16)];
  const [lnr, lcr, lnc] = s.lower ?? [0, 0, 0];
  const body = [
    0x20, // 6 sensor owner id (BMC)
    0x00, // 7 owner LUN
    s.sensorNumber, // 8 sensor number
    s.entityId, // 9 entity id
    s.entityInstance, // 10 entity instance
    0x7f, // 11 sensor initialization
    0x68, // 12 sensor capabilities
    s.sensorType ?? 0x01, // 13 sensor type: temperature
    s.eventReadingType ?? 0x01, // 14 event/reading type: threshold
    0x80, 0x0a, // 15-16 assertion event mask / lower threshold reading mask
    0x80, 0x0a, // 17-18 deassertion event mask / upper threshold reading mask
    s.readableMask ?? 0x38, 0x38, // 19 readable, 20 settable threshold mask (UNC, UCR, UNR)
    ((s.format & 3) << 6) | (s.units1Low ?? 0), // 21 sensor units 1: analog data format
    s.baseUnit ?? 0x01, // 22 base unit: degrees C
    s.modifierUnit ?? 0x00, // 23 modifier unit
    s.linearization ?? 0x00, // 24 linearization: linear
    s.m & 0xff, // 25 M LS 8 bits
    (s2(s.m, 10) >> 8) << 6, // 26 M MS 2 bits | tolerance
    s2(s.b, 10) & 0xff, // 27 B LS 8 bits
    (s2(s.b, 10) >> 8) << 6, // 28 B MS 2 bits | accuracy LS
    0x00, // 29 accuracy MS | accuracy exp | sensor direction
    (s2(s.rExp, 4) << 4) | s2(s.bExp, 4), // 30 R exp | B exp
    0x01, // 31 analog characteristic flags: nominal specified
    s.nominal, // 32 nominal reading
    0x00, 0x00, // 33-34 normal max / min
    s.format === 0 ? 0xff : 0x7f, // 35 sensor maximum
    s.format === 0 ? 0x00 : 0x80, // 36 sensor minimum
    s.unr, s.ucr, s.unc, // 37-39 upper thresholds
    lnr, lcr, lnc, // 40-42 lower thresholds
    0x02, 0x02, // 43-44 hysteresis
    0x00, 0x00, // 45-46 reserved
    0x00, // 47 OEM
    s.idTypeLength ?? (0xc0 | idb.length), // 48 ID string type/length (8-bit ASCII + Latin 1)
    ...idb, // 49- ID string
  ];
  const recordId = s.recordId ?? 0;
  const header = [recordId & 0xff, recordId >> 8, 0x51, 0x01, body.length];
  return Buffer.from([...header, ...body]);
}

export interface CompactSdrSpec {
  recordId?: number;
  sensorNumber: number;
  entityId: number;
  entityInstance: number;
  sensorType: number;
  eventReadingType: number;
  units1?: number;
  baseUnit?: number;
  modifierUnit?: number;
  name: string;
}

/** A Compact Sensor Record (type 0x02, table 43-2). */
export function compactSdr(s: CompactSdrSpec): Buffer {
  const idb = [...Buffer.from(s.name, 'latin1')];
  const body = [
    0x20, // 6 owner id
    0x00, // 7 owner LUN
    s.sensorNumber, // 8
    s.entityId, // 9
    s.entityInstance, // 10
    0x67, // 11 initialization
    0x40, // 12 capabilities
    s.sensorType, // 13
    s.eventReadingType, // 14
    0x01, 0x00, // 15-16 assertion mask
    0x01, 0x00, // 17-18 deassertion mask
    0x01, 0x00, // 19-20 discrete reading mask
    s.units1 ?? 0xc0, // 21 units 1: no analog reading
    s.baseUnit ?? 0x00, // 22
    s.modifierUnit ?? 0x00, // 23
    0x00, 0x00, // 24-25 record sharing
    0x00, 0x00, // 26-27 hysteresis
    0x00, 0x00, 0x00, // 28-30 reserved
    0x00, // 31 OEM
    0xc0 | idb.length, // 32 ID string type/length
    ...idb,
  ];
  const recordId = s.recordId ?? 0;
  return Buffer.from([recordId & 0xff, recordId >> 8, 0x51, 0x02, body.length, ...body]);
}
