/** Get Channel Cipher Suites, IPMI v2.0 section 22.15 (App 0x54). */
import { defineCommand } from './command.ts';
import { IpmiProtocolError } from '../errors.ts';
import { NetFn } from '../codec/ipmi-message.ts';

export interface CipherSuiteRecord {
  id: number;
  oemIana?: number;
  auth: number[];
  integrity: number[];
  confidentiality: number[];
}

export const getChannelCipherSuites = defineCommand<{ channel?: number; index: number }, { channel: number; data: Buffer }>({
  name: 'Get Channel Cipher Suites',
  netFn: NetFn.app,
  cmd: 0x54,
  // payload type 0 (IPMI); bit 7 of the index byte: list algorithms by cipher suite.
  encode: (req) => Buffer.from([(req.channel ?? 0x0e) & 0x0f, 0x00, 0x80 | (req.index & 0x3f)]),
  decode(data) {
    if (data.length < 1) throw new IpmiProtocolError('Get Channel Cipher Suites: no channel byte');
    return { channel: data[0] & 0x0f, data: data.subarray(1) };
  },
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
