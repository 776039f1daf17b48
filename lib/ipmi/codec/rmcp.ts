/**
 * RMCP header (DMTF ASF 2.0, section 3.2.2) and the ASF Presence Ping / Pong used to find a BMC.
 */
import { ByteReader } from './bytes.ts';
import { IpmiProtocolError } from '../errors.ts';

export const RMCP_VERSION = 0x06;
/** Sequence number 0xFF: no RMCP ACK wanted (what every IPMI message uses). */
export const RMCP_NO_ACK = 0xff;
export const RMCP_CLASS_ASF = 0x06;
export const RMCP_CLASS_IPMI = 0x07;
const RMCP_CLASS_ACK_BIT = 0x80;

const ASF_IANA = 4542; // 0x000011BE, sent big-endian
const ASF_PING = 0x80;
const ASF_PONG = 0x40;

export function rmcpHeader(messageClass: number, sequence = RMCP_NO_ACK): Buffer {
  return Buffer.from([RMCP_VERSION, 0x00, sequence, messageClass]);
}

export interface RmcpHeader {
  sequence: number;
  messageClass: number;
  ack: boolean;
}

export function decodeRmcpHeader(packet: Uint8Array): RmcpHeader {
  if (packet.length < 4) throw new IpmiProtocolError('RMCP: packet shorter than its 4-byte header');
  if (packet[0] !== RMCP_VERSION) {
    throw new IpmiProtocolError(`RMCP: version 0x${packet[0].toString(16)} is not 0x06`);
  }
  const cls = packet[3];
  return { sequence: packet[2], messageClass: cls & 0x1f, ack: (cls & RMCP_CLASS_ACK_BIT) !== 0 };
}

export function encodeAsfPing(tag: number): Buffer {
  const iana = Buffer.alloc(4);
  iana.writeUInt32BE(ASF_IANA);
  return Buffer.concat([rmcpHeader(RMCP_CLASS_ASF), iana, Buffer.from([ASF_PING, tag & 0xff, 0x00, 0x00])]);
}

export interface AsfPong {
  tag: number;
  enterprise: number;
  oemDefined: number;
  /** Bit 7 of "supported entities": the managed system speaks IPMI. */
  ipmiSupported: boolean;
  asfVersion: number;
  supportedInteractions: number;
}

export function decodeAsfPong(packet: Uint8Array): AsfPong {
  const h = decodeRmcpHeader(packet);
  if (h.messageClass !== RMCP_CLASS_ASF) throw new IpmiProtocolError('ASF: not an ASF class message');
  const r = new ByteReader(packet.subarray(4), 'ASF pong');
  const iana = (r.u8() << 24) | (r.u8() << 16) | (r.u8() << 8) | r.u8();
  if (iana !== ASF_IANA) throw new IpmiProtocolError(`ASF: IANA ${iana} is not 4542`);
  const type = r.u8();
  if (type !== ASF_PONG) throw new IpmiProtocolError(`ASF: message type 0x${type.toString(16)} is not a pong`);
  const tag = r.u8();
  r.skip(1);
  const len = r.u8();
  if (len < 16) throw new IpmiProtocolError(`ASF pong: data length ${len} is less than 16`);
  const d = new ByteReader(r.bytes(16), 'ASF pong data');
  const enterprise = ((d.u8() << 24) | (d.u8() << 16) | (d.u8() << 8) | d.u8()) >>> 0;
  const oemDefined = ((d.u8() << 24) | (d.u8() << 16) | (d.u8() << 8) | d.u8()) >>> 0;
  const entities = d.u8();
  const supportedInteractions = d.u8();
  return {
    tag,
    enterprise,
    oemDefined,
    ipmiSupported: (entities & 0x80) !== 0,
    asfVersion: entities & 0x0f,
    supportedInteractions,
  };
}

/** A pong as a BMC sends it (the simulator's side of the same codec). */
export function encodeAsfPong(tag: number, ipmiSupported = true): Buffer {
  const iana = Buffer.alloc(4);
  iana.writeUInt32BE(ASF_IANA);
  const data = Buffer.alloc(16);
  data.writeUInt32BE(ASF_IANA, 0);
  data[8] = (ipmiSupported ? 0x80 : 0) | 0x01;
  return Buffer.concat([rmcpHeader(RMCP_CLASS_ASF), iana, Buffer.from([ASF_PONG, tag & 0xff, 0x00, 16]), data]);
}

/** Read the ASF ping tag; used by a BMC to answer. */
export function decodeAsfPing(packet: Uint8Array): { tag: number } {
  const r = new ByteReader(packet.subarray(4), 'ASF ping');
  r.skip(4);
  const type = r.u8();
  if (type !== ASF_PING) throw new IpmiProtocolError(`ASF: message type 0x${type.toString(16)} is not a ping`);
  return { tag: r.u8() };
}

