/**
 * The IPMI LAN message inside a session wrapper (IPMI v2.0 section 13.8, figure 13-4):
 * rsAddr, netFn/rsLUN, checksum, rqAddr, rqSeq/rqLUN, cmd, data, checksum.
 * Both directions, so the simulator uses the same code.
 */
import { IpmiChecksumError, IpmiProtocolError } from '../errors.ts';

export const BMC_SLAVE_ADDRESS = 0x20;
/** Remote console software ID 0x40, as a 7-bit address in bits 7:1 with bit 0 = 1 (software ID). */
export const REMOTE_CONSOLE_SWID = 0x81;

export const NetFn = {
  chassis: 0x00,
  sensorEvent: 0x04,
  app: 0x06,
  storage: 0x0a,
  transport: 0x0c,
  groupExtension: 0x2c,
} as const;

/** Two's complement checksum: the bytes plus the checksum sum to zero modulo 256. */
export function checksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + bytes[i]) & 0xff;
  return (0x100 - sum) & 0xff;
}

export interface IpmiRequest {
  netFn: number;
  cmd: number;
  data: Uint8Array;
  /** 6-bit request sequence number, echoed in the response. */
  rqSeq: number;
  rsAddr?: number;
  rsLun?: number;
  rqAddr?: number;
  rqLun?: number;
}

export interface IpmiResponse {
  netFn: number;
  cmd: number;
  rqSeq: number;
  completionCode: number;
  data: Buffer;
  rqAddr: number;
  rsAddr: number;
  /** The responder's LUN (bits 1:0 of the rqSeq byte). */
  rsLun: number;
}

export function encodeRequest(req: IpmiRequest): Buffer {
  const rsAddr = req.rsAddr ?? BMC_SLAVE_ADDRESS;
  const rqAddr = req.rqAddr ?? REMOTE_CONSOLE_SWID;
  const out = Buffer.alloc(7 + req.data.length);
  out[0] = rsAddr;
  out[1] = ((req.netFn & 0x3f) << 2) | ((req.rsLun ?? 0) & 3);
  out[2] = checksum(out, 0, 2);
  out[3] = rqAddr;
  out[4] = ((req.rqSeq & 0x3f) << 2) | ((req.rqLun ?? 0) & 3);
  out[5] = req.cmd & 0xff;
  out.set(req.data, 6);
  out[out.length - 1] = checksum(out, 3, out.length - 1);
  return out;
}

function verifyChecksums(msg: Uint8Array, what: string, check = true): void {
  if (msg.length < 7) throw new IpmiProtocolError(`${what}: ${msg.length} bytes is shorter than an IPMI message`);
  if (!check) return;
  if (checksum(msg, 0, 2) !== msg[2]) throw new IpmiChecksumError(`${what}: header checksum mismatch`);
  if (checksum(msg, 3, msg.length - 1) !== msg[msg.length - 1]) {
    throw new IpmiChecksumError(`${what}: data checksum mismatch`);
  }
}

export interface DecodeResponseOptions {
  /** False reads a response whose checksums do not add up (the no-checksum-check quirk). Default true. */
  checksums?: boolean;
}

export function decodeResponse(msg: Uint8Array, o: DecodeResponseOptions = {}): IpmiResponse {
  verifyChecksums(msg, 'IPMI response', o.checksums ?? true);
  if (msg.length < 8) throw new IpmiProtocolError('IPMI response: no completion code');
  const netFn = msg[1] >> 2;
  if ((netFn & 1) === 0) throw new IpmiProtocolError(`IPMI response: netFn 0x${netFn.toString(16)} is a request netFn`);
  return {
    rqAddr: msg[0],
    netFn,
    rsAddr: msg[3],
    rqSeq: msg[4] >> 2,
    rsLun: msg[4] & 3,
    cmd: msg[5],
    completionCode: msg[6],
    data: Buffer.from(msg.subarray(7, msg.length - 1)),
  };
}

/** The BMC side: parse a request. */
export function decodeRequest(msg: Uint8Array): IpmiRequest {
  verifyChecksums(msg, 'IPMI request');
  const netFn = msg[1] >> 2;
  if ((netFn & 1) !== 0) throw new IpmiProtocolError(`IPMI request: netFn 0x${netFn.toString(16)} is a response netFn`);
  return {
    rsAddr: msg[0],
    netFn,
    rsLun: msg[1] & 3,
    rqAddr: msg[3],
    rqSeq: msg[4] >> 2,
    rqLun: msg[4] & 3,
    cmd: msg[5],
    data: Buffer.from(msg.subarray(6, msg.length - 1)),
  };
}

/** The BMC side: a response to a decoded request. */
export function encodeResponse(req: IpmiRequest, completionCode: number, data: Uint8Array = new Uint8Array()): Buffer {
  const out = Buffer.alloc(8 + data.length);
  out[0] = req.rqAddr ?? REMOTE_CONSOLE_SWID;
  out[1] = (((req.netFn | 1) & 0x3f) << 2) | ((req.rqLun ?? 0) & 3);
  out[2] = checksum(out, 0, 2);
  out[3] = req.rsAddr ?? BMC_SLAVE_ADDRESS;
  out[4] = ((req.rqSeq & 0x3f) << 2) | ((req.rsLun ?? 0) & 3);
  out[5] = req.cmd;
  out[6] = completionCode;
  out.set(data, 7);
  out[out.length - 1] = checksum(out, 3, out.length - 1);
  return out;
}
