/**
 * DCMI Get DCMI Capabilities Info, DCMI 1.5 section 6.1.1 (Group Extension 0x2C, command 0x01,
 * group 0xDC). The reply names the DCMI version the BMC conforms to, the parameter revision, then
 * the data of the parameter asked for; the functions below code each parameter's data.
 */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader, u16le } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';
import { checkDcmiRequestGroup, DCMI_GROUP, readDcmiGroup } from './dcmi-power-reading.ts';

/** Parameter selectors. */
export const DcmiCapabilityParameter = {
  supportedCapabilities: 1,
  mandatoryAttributes: 2,
  optionalAttributes: 3,
  manageabilityAccess: 4,
  enhancedPowerStatistics: 5,
} as const;

/** What a DCMI 1.5 BMC reports: conformance 1.5, parameter revision 02h. */
export const DCMI_CONFORMANCE = { major: 0x01, minor: 0x05, parameterRevision: 0x02 } as const;

export interface DcmiCapabilityInfo {
  /** DCMI specification conformance: 1.0, 1.1 or 1.5 (major 01h, minor 00h / 01h / 05h). */
  major: number;
  minor: number;
  /** 01h for DCMI 1.0 / 1.1 parameters, 02h for DCMI 1.5. */
  parameterRevision: number;
  /** The parameter data; decode it with the function for the parameter asked for. */
  data: Buffer;
}

export const dcmiGetCapabilities = defineCommand<{ parameter: number }, DcmiCapabilityInfo>({
  name: 'DCMI Get DCMI Capabilities Info',
  netFn: NetFn.groupExtension,
  cmd: 0x01,
  encode: (req) => Buffer.from([DCMI_GROUP, req.parameter & 0xff]),
  decode(data) {
    const r = new ByteReader(data, 'DCMI Get DCMI Capabilities Info');
    readDcmiGroup(r, 'DCMI Get DCMI Capabilities Info');
    return { major: r.u8(), minor: r.u8(), parameterRevision: r.u8(), data: r.rest() };
  },
  decodeRequest(data) {
    requestLength(data, 'DCMI Get DCMI Capabilities Info', 2);
    checkDcmiRequestGroup(data, 'DCMI Get DCMI Capabilities Info');
    return { parameter: data[1] };
  },
  encodeResponse: (res) => Buffer.concat([Buffer.from([DCMI_GROUP, res.major & 0xff, res.minor & 0xff, res.parameterRevision & 0xff]), res.data]),
});

const bit = (b: number, n: number): boolean => (b & (1 << n)) !== 0;
const bits = (...flags: boolean[]): number => flags.reduce((acc, f, n) => acc | (f ? 1 << n : 0), 0);

// ---------------------------------------------------------------------------------------------
// Parameter 1: supported DCMI capabilities (3 bytes)

export interface DcmiSupportedCapabilities {
  /**
   * Byte 1, DCMI 1.0 / 1.1 "mandatory platform capabilities" (bit 0 identification, 1 SEL logging,
   * 2 chassis power, 3 temperature monitor). Reserved (0) from parameter revision 02h: DCMI 1.5
   * makes them all mandatory.
   */
  identification: boolean;
  selLogging: boolean;
  chassisPower: boolean;
  temperatureMonitor: boolean;
  /** Byte 2 bit 0: power management / platform power limit (the optional platform capability). */
  powerManagement: boolean;
  /** Byte 3, manageability access capabilities: bit 0 in-band system interface (KCS) channel. */
  inBandSystemInterface: boolean;
  /** Byte 3 bit 1: out-of-band serial TMODE. */
  serialTmode: boolean;
  /** Byte 3 bit 2: out-of-band secondary LAN channel. */
  secondaryLan: boolean;
  /** Byte 3 bits 3-5 (DCMI 1.0 / 1.1; reserved from revision 02h): primary LAN channel, SOL, VLAN. */
  primaryLan: boolean;
  sol: boolean;
  vlan: boolean;
}

export function decodeDcmiSupportedCapabilities(data: Uint8Array): DcmiSupportedCapabilities {
  const r = new ByteReader(data, 'DCMI supported capabilities');
  const platform = r.u8();
  const optional = r.u8();
  const access = r.u8();
  return {
    identification: bit(platform, 0),
    selLogging: bit(platform, 1),
    chassisPower: bit(platform, 2),
    temperatureMonitor: bit(platform, 3),
    powerManagement: bit(optional, 0),
    inBandSystemInterface: bit(access, 0),
    serialTmode: bit(access, 1),
    secondaryLan: bit(access, 2),
    primaryLan: bit(access, 3),
    sol: bit(access, 4),
    vlan: bit(access, 5),
  };
}

export function encodeDcmiSupportedCapabilities(c: DcmiSupportedCapabilities): Buffer {
  return Buffer.from([
    bits(c.identification, c.selLogging, c.chassisPower, c.temperatureMonitor),
    bits(c.powerManagement),
    bits(c.inBandSystemInterface, c.serialTmode, c.secondaryLan, c.primaryLan, c.sol, c.vlan),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Parameter 2: mandatory platform attributes (4 bytes; 5 from revision 02h)

export interface DcmiMandatoryAttributes {
  /** Bytes 1-2 bits 11:0: SEL entries the BMC can hold. */
  selEntries: number;
  /** Bit 12: record-level SEL flush upon rollover. */
  recordLevelFlush: boolean;
  /** Bit 13: entire SEL flush upon rollover. */
  entireFlush: boolean;
  /** Bit 15: SEL automatic rollover enabled. */
  selAutoRollover: boolean;
  /** Byte 3, identification attributes (DCMI 1.0 / 1.1; reserved from revision 02h): GUID, DHCP host name, asset tag. */
  guid: boolean;
  dhcpHostName: boolean;
  assetTag: boolean;
  /** Byte 4, temperature monitoring (DCMI 1.0 / 1.1; reserved from revision 02h): inlet, processor, baseboard. */
  inletTemperature: boolean;
  processorTemperature: boolean;
  baseboardTemperature: boolean;
  /** Byte 5 (revision 02h): temperature sampling frequency in seconds. */
  temperatureSamplingSeconds?: number;
}

export function decodeDcmiMandatoryAttributes(data: Uint8Array): DcmiMandatoryAttributes {
  const r = new ByteReader(data, 'DCMI mandatory platform attributes');
  const sel = r.u16();
  const id = r.u8();
  const temp = r.u8();
  const out: DcmiMandatoryAttributes = {
    selEntries: sel & 0x0fff,
    recordLevelFlush: bit(sel, 12),
    entireFlush: bit(sel, 13),
    selAutoRollover: bit(sel, 15),
    guid: bit(id, 0),
    dhcpHostName: bit(id, 1),
    assetTag: bit(id, 2),
    inletTemperature: bit(temp, 0),
    processorTemperature: bit(temp, 1),
    baseboardTemperature: bit(temp, 2),
  };
  if (r.remaining > 0) out.temperatureSamplingSeconds = r.u8();
  return out;
}

export function encodeDcmiMandatoryAttributes(a: DcmiMandatoryAttributes): Buffer {
  const sel = (a.selEntries & 0x0fff) | (a.recordLevelFlush ? 0x1000 : 0) | (a.entireFlush ? 0x2000 : 0) | (a.selAutoRollover ? 0x8000 : 0);
  const bytes = [...u16le(sel), bits(a.guid, a.dhcpHostName, a.assetTag), bits(a.inletTemperature, a.processorTemperature, a.baseboardTemperature)];
  if (a.temperatureSamplingSeconds !== undefined) bytes.push(a.temperatureSamplingSeconds & 0xff);
  return Buffer.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// Parameter 3: optional platform attributes (2 bytes)

export interface DcmiOptionalAttributes {
  /**
   * Byte 1: the power management device's slave address, 7 bits in bits 7:1 (bit 0 reserved, read
   * as 0). Kept as the byte: 0x20 names the BMC in 8-bit form (some tools print 0x40 as "20h (BMC)").
   */
  powerManagementAddress: number;
  /** Byte 2 bits 7:4: the channel of the power management controller (0: the BMC's primary channel). */
  powerManagementChannel: number;
  /** Byte 2 bits 3:0: the power management device's revision. */
  deviceRevision: number;
}

export function decodeDcmiOptionalAttributes(data: Uint8Array): DcmiOptionalAttributes {
  const r = new ByteReader(data, 'DCMI optional platform attributes');
  const address = r.u8();
  const b = r.u8();
  return { powerManagementAddress: address & 0xfe, powerManagementChannel: b >> 4, deviceRevision: b & 0x0f };
}

export function encodeDcmiOptionalAttributes(a: DcmiOptionalAttributes): Buffer {
  return Buffer.from([a.powerManagementAddress & 0xfe, ((a.powerManagementChannel & 0x0f) << 4) | (a.deviceRevision & 0x0f)]);
}

// ---------------------------------------------------------------------------------------------
// Parameter 4: manageability access attributes (3 bytes)

export interface DcmiManageabilityAccess {
  /** Channel numbers; null where the byte is 0xFF (not supported). */
  primaryLanChannel: number | null;
  secondaryLanChannel: number | null;
  serialTmodeChannel: number | null;
}

export function decodeDcmiManageabilityAccess(data: Uint8Array): DcmiManageabilityAccess {
  const r = new ByteReader(data, 'DCMI manageability access attributes');
  const channel = (b: number) => (b === 0xff ? null : b);
  return { primaryLanChannel: channel(r.u8()), secondaryLanChannel: channel(r.u8()), serialTmodeChannel: channel(r.u8()) };
}

export function encodeDcmiManageabilityAccess(a: DcmiManageabilityAccess): Buffer {
  const byte = (c: number | null, what: string) => {
    if (c === null) return 0xff;
    if (!Number.isInteger(c) || c < 0 || c > 0xfe) throw new IpmiProtocolError(`DCMI manageability access: ${what} channel ${c} is not 0-254`);
    return c;
  };
  return Buffer.from([byte(a.primaryLanChannel, 'primary LAN'), byte(a.secondaryLanChannel, 'secondary LAN'), byte(a.serialTmodeChannel, 'serial TMODE')]);
}

// ---------------------------------------------------------------------------------------------
// Parameter 5: enhanced system power statistics attributes (1 + N bytes)

export type DcmiPeriodUnit = 'seconds' | 'minutes' | 'hours' | 'days';
const UNITS: readonly DcmiPeriodUnit[] = ['seconds', 'minutes', 'hours', 'days'];

/** A rolling average time period: duration in bits 5:0, unit in bits 7:6 (as Get Power Reading mode 2 takes it). */
export interface DcmiTimePeriod {
  duration: number;
  unit: DcmiPeriodUnit;
}

export function decodeDcmiTimePeriod(b: number): DcmiTimePeriod {
  return { duration: b & 0x3f, unit: UNITS[(b >> 6) & 3] };
}

export function encodeDcmiTimePeriod(p: DcmiTimePeriod): number {
  const unit = UNITS.indexOf(p.unit);
  if (unit < 0) throw new IpmiProtocolError(`DCMI time period unit "${p.unit}" is unknown`);
  if (!Number.isInteger(p.duration) || p.duration < 0 || p.duration > 0x3f) throw new IpmiProtocolError(`DCMI time period duration ${p.duration} is not 0-63`);
  return (unit << 6) | p.duration;
}

export interface DcmiEnhancedPowerStatistics {
  /** The rolling average periods the BMC supports for Get Power Reading mode 2. */
  rollingAveragePeriods: DcmiTimePeriod[];
}

export function decodeDcmiEnhancedPowerStatistics(data: Uint8Array): DcmiEnhancedPowerStatistics {
  const r = new ByteReader(data, 'DCMI enhanced system power statistics attributes');
  const n = r.u8();
  return { rollingAveragePeriods: Array.from(r.bytes(n), decodeDcmiTimePeriod) };
}

export function encodeDcmiEnhancedPowerStatistics(s: DcmiEnhancedPowerStatistics): Buffer {
  if (s.rollingAveragePeriods.length > 0xff) throw new IpmiProtocolError(`DCMI enhanced power statistics: ${s.rollingAveragePeriods.length} periods do not fit a count byte`);
  return Buffer.from([s.rollingAveragePeriods.length, ...s.rollingAveragePeriods.map(encodeDcmiTimePeriod)]);
}
