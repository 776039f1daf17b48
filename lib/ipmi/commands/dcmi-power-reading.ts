/** DCMI Get Power Reading, DCMI 1.5 section 6.6.1 (Group Extension 0x2C, command 0x02, group 0xDC). */
import { defineCommand, invalidRequestField, requestLength } from './command.ts';
import { ByteReader, u16le, u32le } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export const DCMI_GROUP = 0xdc;

/** Reads the group extension byte that starts every DCMI reply, and refuses another group. */
export function readDcmiGroup(r: ByteReader, command: string): void {
  const group = r.u8();
  if (group !== DCMI_GROUP) throw new IpmiProtocolError(`${command}: group extension 0x${group.toString(16)} is not 0xDC`);
}

/** Refuses a DCMI request without the 0xDC group extension byte first (0xCC). */
export function checkDcmiRequestGroup(data: Uint8Array, command: string): void {
  if (data[0] !== DCMI_GROUP) throw invalidRequestField(command, `group extension 0x${data[0].toString(16)} is not 0xDC`);
}

export interface PowerReading {
  watts: number;
  minWatts: number;
  maxWatts: number;
  averageWatts: number;
  /** Seconds since 1970 per the BMC's clock. */
  timestamp: number;
  /** Statistics reporting period in milliseconds. */
  periodMs: number;
  active: boolean;
}

export interface PowerReadingRequest {
  /** 1: system power statistics; 2: enhanced system power statistics (over a rolling period). */
  mode?: 1 | 2;
  /** Mode 2: the rolling average period (bits 7:6 unit, 5:0 duration), as Get DCMI Capabilities parameter 5 lists them. */
  rollingPeriod?: number;
}

export const dcmiGetPowerReading = defineCommand<PowerReadingRequest, PowerReading>({
  name: 'DCMI Get Power Reading',
  netFn: NetFn.groupExtension,
  cmd: 0x02,
  encode: (req) => Buffer.from([DCMI_GROUP, req.mode ?? 0x01, req.rollingPeriod ?? 0x00, 0x00]),
  decode(data) {
    const r = new ByteReader(data, 'DCMI Get Power Reading');
    readDcmiGroup(r, 'DCMI Get Power Reading');
    return {
      watts: r.u16(),
      minWatts: r.u16(),
      maxWatts: r.u16(),
      averageWatts: r.u16(),
      timestamp: r.u32(),
      periodMs: r.u32(),
      active: (r.u8() & 0x40) !== 0,
    };
  },
  decodeRequest(data) {
    requestLength(data, 'DCMI Get Power Reading', 4);
    checkDcmiRequestGroup(data, 'DCMI Get Power Reading');
    const mode = data[1];
    if (mode !== 1 && mode !== 2) throw invalidRequestField('DCMI Get Power Reading', `mode 0x${mode.toString(16)} is neither 01h nor 02h`);
    // Byte 4 is reserved.
    return { mode, rollingPeriod: data[2] };
  },
  encodeResponse: (p) =>
    Buffer.from([
      DCMI_GROUP,
      ...u16le(p.watts),
      ...u16le(p.minWatts),
      ...u16le(p.maxWatts),
      ...u16le(p.averageWatts),
      ...u32le(p.timestamp),
      ...u32le(p.periodMs),
      p.active ? 0x40 : 0x00, // power reading state: bit 6 = power measurement active
    ]),
});
