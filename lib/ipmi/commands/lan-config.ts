/**
 * LAN configuration parameters, IPMI v2.0 sections 23.1-23.2 (Transport 0x01 set, 0x02 get)
 * and the parameters lowpower reads and writes (table 23-4).
 */
import { defineCommand, noData, requestLength } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export const LanParam = {
  setInProgress: 0,
  authTypeSupport: 1,
  authTypeEnables: 2,
  ipAddress: 3,
  ipSource: 4,
  macAddress: 5,
  subnetMask: 6,
  arpControl: 10,
  defaultGatewayIp: 12,
  defaultGatewayMac: 13,
  vlanId: 20,
  cipherSuiteCount: 22,
  cipherSuites: 23,
} as const;

const LAN_CODES = {
  0x80: 'parameter not supported',
  0x81: 'attempt to set the set in progress value when not in set complete state',
  0x82: 'attempt to write read-only parameter',
  0x83: 'attempt to read write-only parameter',
};

export interface GetLanConfigRequest {
  channel: number;
  parameter: number;
  setSelector?: number;
  blockSelector?: number;
  /** Byte 1 bit 7: get the parameter revision only (the reply then has no data). */
  revisionOnly?: boolean;
}

/** Section 23.2. The reply is the parameter revision (0x11 for IPMI v2.0) then the parameter data. */
export const getLanConfig = defineCommand<GetLanConfigRequest, { revision: number; data: Buffer }>({
  name: 'Get LAN Configuration Parameters',
  netFn: NetFn.transport,
  cmd: 0x02,
  completionCodes: LAN_CODES,
  encode: (req) => Buffer.from([(req.revisionOnly ? 0x80 : 0) | (req.channel & 0x0f), req.parameter & 0xff, req.setSelector ?? 0, req.blockSelector ?? 0]),
  decode(data) {
    const r = new ByteReader(data, 'Get LAN Configuration Parameters');
    return { revision: r.u8(), data: r.rest() };
  },
  decodeRequest(data) {
    requestLength(data, 'Get LAN Configuration Parameters', 4);
    return { channel: data[0] & 0x0f, revisionOnly: (data[0] & 0x80) !== 0, parameter: data[1], setSelector: data[2], blockSelector: data[3] };
  },
  encodeResponse: (res) => Buffer.concat([Buffer.from([res.revision & 0xff]), res.data]),
});

/** IPMI v2.0 parameter revision: 1.1 (the value ipmitool and FreeIPMI expect). */
export const LAN_PARAMETER_REVISION = 0x11;

/** Section 23.1. */
export const setLanConfig = defineCommand<{ channel: number; parameter: number; data: Uint8Array }, void>({
  name: 'Set LAN Configuration Parameters',
  netFn: NetFn.transport,
  cmd: 0x01,
  completionCodes: LAN_CODES,
  encode: (req) => Buffer.concat([Buffer.from([req.channel & 0x0f, req.parameter & 0xff]), req.data]),
  decode: () => undefined,
  decodeRequest(data) {
    // Every parameter of table 23-4 has at least one data byte.
    requestLength(data, 'Set LAN Configuration Parameters', 3, Infinity);
    return { channel: data[0] & 0x0f, parameter: data[1], data: Buffer.from(data.subarray(2)) };
  },
  encodeResponse: noData,
});

export type IpSource = 'unspecified' | 'static' | 'dhcp' | 'bios' | 'other';
const IP_SOURCES: IpSource[] = ['unspecified', 'static', 'dhcp', 'bios', 'other'];

export function decodeIpSource(b: Uint8Array): IpSource {
  if (b.length < 1) throw new IpmiProtocolError('IP address source: no data');
  return IP_SOURCES[b[0] & 0x0f] ?? 'other';
}

export function encodeIpSource(s: IpSource): Buffer {
  const i = IP_SOURCES.indexOf(s);
  if (i < 0) throw new IpmiProtocolError(`IP address source "${s}" is not one of ${IP_SOURCES.join(', ')}`);
  return Buffer.from([i]);
}

export function decodeIPv4(b: Uint8Array, what = 'IPv4 address'): string {
  if (b.length < 4) throw new IpmiProtocolError(`${what}: ${b.length} bytes, needs 4`);
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

export function encodeIPv4(text: string, what = 'IPv4 address'): Buffer {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new IpmiProtocolError(`${what} "${text}" is not a dotted IPv4 address`);
  }
  return Buffer.from(parts.map(Number));
}

export function encodeNetmask(text: string): Buffer {
  const b = encodeIPv4(text, 'netmask');
  const bits = b.readUInt32BE(0);
  // A netmask is ones then zeros: inverting and adding one gives a power of two.
  const inv = ~bits >>> 0;
  if ((inv & (inv + 1)) !== 0) throw new IpmiProtocolError(`netmask "${text}" is not a contiguous mask`);
  return b;
}

export function decodeMac(b: Uint8Array, what = 'MAC address'): string {
  if (b.length < 6) throw new IpmiProtocolError(`${what}: ${b.length} bytes, needs 6`);
  return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function encodeMac(text: string, what = 'MAC address'): Buffer {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new IpmiProtocolError(`${what} "${text}" is not six hex octets`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/** Parameter 20: VLAN ID (12 bits) with its enable bit. */
export function decodeVlan(b: Uint8Array): number | null {
  if (b.length < 2) throw new IpmiProtocolError('VLAN ID: needs 2 bytes');
  return b[1] & 0x80 ? b[0] | ((b[1] & 0x0f) << 8) : null;
}

/** The inverse of decodeVlan: null (VLAN disabled) or a 12-bit VLAN ID with the enable bit. */
export function encodeVlan(id: number | null): Buffer {
  if (id === null) return Buffer.from([0x00, 0x00]);
  if (!Number.isInteger(id) || id < 0 || id > 0xfff) throw new IpmiProtocolError(`VLAN ID ${id} is not 0-4095`);
  return Buffer.from([id & 0xff, 0x80 | (id >> 8)]);
}
