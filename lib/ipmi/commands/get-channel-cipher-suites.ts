/** Get Channel Cipher Suites, IPMI v2.0 section 22.15 (App 0x54). */
import { defineCommand, requestLength } from './command.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface CipherSuiteRecord {
  id: number;
  oemIana?: number;
  auth: number[];
  integrity: number[];
  confidentiality: number[];
}

export interface CipherSuitesRequest {
  /** 0x0E: the channel this request arrives on. */
  channel?: number;
  /** List index (bits 5:0): which 16-byte block of the record data. */
  index: number;
  /** Payload type the suites are asked for (0: IPMI). */
  payloadType?: number;
  /** Bit 7 of the index byte: 1 lists algorithms by cipher suite (records), 0 lists supported algorithms. */
  byCipherSuite?: boolean;
}

/** Reply data after the channel byte: up to 16 bytes of the record data of table 22-18. */
export const getChannelCipherSuites = defineCommand<CipherSuitesRequest, { channel: number; data: Buffer }>({
  name: 'Get Channel Cipher Suites',
  netFn: NetFn.app,
  cmd: 0x54,
  // payload type 0 (IPMI); bit 7 of the index byte: list algorithms by cipher suite.
  encode: (req) =>
    Buffer.from([(req.channel ?? 0x0e) & 0x0f, (req.payloadType ?? 0x00) & 0x3f, ((req.byCipherSuite ?? true) ? 0x80 : 0) | (req.index & 0x3f)]),
  decode(data) {
    if (data.length < 1) throw new IpmiProtocolError('Get Channel Cipher Suites: no channel byte');
    return { channel: data[0] & 0x0f, data: data.subarray(1) };
  },
  decodeRequest(data) {
    requestLength(data, 'Get Channel Cipher Suites', 3);
    return { channel: data[0] & 0x0f, payloadType: data[1] & 0x3f, byCipherSuite: (data[2] & 0x80) !== 0, index: data[2] & 0x3f };
  },
  encodeResponse: (res) => Buffer.concat([Buffer.from([res.channel & 0x0f]), res.data]),
});

/** Parse the concatenated record data (up to 16 bytes per reply, read until a short reply). */
export function parseCipherSuiteRecords(all: Uint8Array): CipherSuiteRecord[] {
  const out: CipherSuiteRecord[] = [];
  let i = 0;
  while (i < all.length) {
    const start = all[i];
    if (start !== 0xc0 && start !== 0xc1) throw new IpmiProtocolError(`cipher suite record: start byte 0x${start.toString(16)}`);
    if (i + 1 >= all.length) throw new IpmiProtocolError('cipher suite record: truncated');
    const rec: CipherSuiteRecord = { id: all[i + 1], auth: [], integrity: [], confidentiality: [] };
    i += 2;
    if (start === 0xc1) {
      if (i + 3 > all.length) throw new IpmiProtocolError('cipher suite record: truncated OEM IANA');
      rec.oemIana = all[i] | (all[i + 1] << 8) | (all[i + 2] << 16);
      i += 3;
    }
    while (i < all.length && all[i] !== 0xc0 && all[i] !== 0xc1) {
      const tagged = all[i++];
      const kind = tagged >> 6;
      const alg = tagged & 0x3f;
      if (kind === 0) rec.auth.push(alg);
      else if (kind === 1) rec.integrity.push(alg);
      else if (kind === 2) rec.confidentiality.push(alg);
    }
    out.push(rec);
  }
  return out;
}

/**
 * The BMC side of parseCipherSuiteRecords: the record data of table 22-18 (start of record 0xC0,
 * or 0xC1 with the OEM IANA; then algorithm numbers tagged 00b authentication, 01b integrity,
 * 10b confidentiality in bits 7:6). A BMC hands it out 16 bytes per Get Channel Cipher Suites reply.
 */
export function encodeCipherSuiteRecords(records: readonly CipherSuiteRecord[]): Buffer {
  const out: number[] = [];
  for (const r of records) {
    if (r.oemIana === undefined) out.push(0xc0, r.id & 0xff);
    else out.push(0xc1, r.id & 0xff, r.oemIana & 0xff, (r.oemIana >> 8) & 0xff, (r.oemIana >> 16) & 0xff);
    for (const a of r.auth) out.push(0x00 | (a & 0x3f));
    for (const a of r.integrity) out.push(0x40 | (a & 0x3f));
    for (const a of r.confidentiality) out.push(0x80 | (a & 0x3f));
  }
  return Buffer.from(out);
}
