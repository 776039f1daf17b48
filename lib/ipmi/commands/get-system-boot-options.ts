/** Get System Boot Options, IPMI v2.0 section 28.13 (Chassis 0x09). */
import { defineCommand, requestLength } from './command.ts';
import { ByteReader } from '../codec/bytes.ts';
import { NetFn } from '../codec/ipmi-message.ts';

/** Boot option parameter selectors (section 28.13): the first seven. */
export const BootParam = { setInProgress: 0, servicePartitionSelector: 1, servicePartitionScan: 2, bootFlagValidBitClearing: 3, bootInfoAcknowledge: 4, bootFlags: 5, bootInitiatorInfo: 6 } as const;

/** Parameter version of the reply: 1 for the parameters of IPMI v2.0 (bits 3:0). */
export const BOOT_OPTIONS_PARAMETER_VERSION = 0x01;

export interface GetBootOptionsRequest {
  /** Parameter selector, bits 6:0. */
  parameter: number;
  setSelector?: number;
  blockSelector?: number;
}

export interface BootOptions {
  /** Parameter version, bits 3:0 (1). */
  version: number;
  /** Bits 6:0 of byte 3: the parameter the data is for. */
  parameter: number;
  /** Bit 7 of byte 3: the parameter is marked invalid / locked. */
  invalid: boolean;
  data: Buffer;
}

/** The reply: parameter version, parameter valid / selector byte, then the parameter data. */
export const getSystemBootOptions = defineCommand<GetBootOptionsRequest, BootOptions>({
  name: 'Get System Boot Options',
  netFn: NetFn.chassis,
  cmd: 0x09,
  completionCodes: { 0x80: 'parameter not supported' },
  encode: (req) => Buffer.from([req.parameter & 0x7f, req.setSelector ?? 0, req.blockSelector ?? 0]),
  decode(data) {
    const r = new ByteReader(data, 'Get System Boot Options');
    const version = r.u8() & 0x0f;
    const p = r.u8();
    return { version, parameter: p & 0x7f, invalid: (p & 0x80) !== 0, data: r.rest() };
  },
  decodeRequest(data) {
    requestLength(data, 'Get System Boot Options', 3);
    return { parameter: data[0] & 0x7f, setSelector: data[1], blockSelector: data[2] };
  },
  encodeResponse: (res) => Buffer.concat([Buffer.from([res.version & 0x0f, (res.invalid ? 0x80 : 0) | (res.parameter & 0x7f)]), res.data]),
});
