/** DCMI Get Power Reading, DCMI 1.5 section 6.6.1 (Group Extension 0x2C, command 0x02, group 0xDC). */
import { defineCommand } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export const DCMI_GROUP = 0xdc;

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

export const dcmiGetPowerReading = defineCommand<{ mode?: 1 | 2; rollingPeriod?: number }, PowerReading>({
  name: 'DCMI Get Power Reading',
  netFn: NetFn.groupExtension,
  cmd: 0x02,
  encode: (req) => Buffer.from([DCMI_GROUP, req.mode ?? 0x01, req.rollingPeriod ?? 0x00, 0x00]),
  decode(data) {
    const r = new ByteReader(data, 'DCMI Get Power Reading');
    const group = r.u8();
    if (group !== DCMI_GROUP) throw new IpmiProtocolError(`DCMI Get Power Reading: group extension 0x${group.toString(16)} is not 0xDC`);
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
});
