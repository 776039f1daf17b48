import { describe, expect, it } from 'vitest';
import { getChannelCipherSuites, parseCipherSuiteRecords } from '../../../lib/ipmi/commands/get-channel-cipher-suites.ts';
import { expectProtocolError } from './expect-protocol-error.ts';

/** Table 22-18: C0h, suite id, then tagged algorithms: 00b auth, 01b integrity, 10b confidentiality. */
const standard = (id: number, auth: number, integrity: number, conf: number) => [0xc0, id, 0x00 | auth, 0x40 | integrity, 0x80 | conf];

describe('Get Channel Cipher Suites (App 0x54)', () => {
  it('is App command 0x54', () => {
    expect([getChannelCipherSuites.netFn, getChannelCipherSuites.cmd]).toEqual([0x06, 0x54]);
  });
  it('lists algorithms by cipher suite for IPMI payloads on this channel', () => {
    expect(getChannelCipherSuites.encode({ index: 0 })).toEqual(Buffer.from([0x0e, 0x00, 0x80]));
    expect(getChannelCipherSuites.encode({ channel: 1, index: 2 })).toEqual(Buffer.from([0x01, 0x00, 0x82]));
    expect(getChannelCipherSuites.encode({ index: 0x41 })).toEqual(Buffer.from([0x0e, 0x00, 0x81]));
  });
  it('decodes the channel and the record data of one reply', () => {
    const r = getChannelCipherSuites.decode(Buffer.from([0x01, ...standard(3, 1, 1, 1)]));
    expect(r.channel).toBe(1);
    expect([...r.data]).toEqual(standard(3, 1, 1, 1));
  });
  it('refuses an empty reply with IpmiProtocolError', () => {
    expectProtocolError(() => getChannelCipherSuites.decode(Buffer.alloc(0)));
  });
});

describe('parseCipherSuiteRecords', () => {
  it('parses suites 3 and 17', () => {
    expect(parseCipherSuiteRecords(Buffer.from([...standard(3, 0x01, 0x01, 0x01), ...standard(17, 0x03, 0x04, 0x01)]))).toEqual([
      { id: 3, auth: [1], integrity: [1], confidentiality: [1] },
      { id: 17, auth: [3], integrity: [4], confidentiality: [1] },
    ]);
  });
  it('parses data concatenated across 16-byte replies', () => {
    const all = [...standard(0, 0, 0, 0), ...standard(1, 1, 0, 0), ...standard(2, 1, 1, 0), ...standard(3, 1, 1, 1), ...standard(17, 3, 4, 1)];
    expect(all.length).toBeGreaterThan(16);
    expect(parseCipherSuiteRecords(Buffer.from(all)).map((r) => r.id)).toEqual([0, 1, 2, 3, 17]);
  });
  it('parses an OEM record (C1h) with its IANA number', () => {
    expect(parseCipherSuiteRecords(Buffer.from([0xc1, 0x80, 0xb1, 0xa2, 0x00, 0x01, 0x41]))).toEqual([
      { id: 0x80, oemIana: 0x00a2b1, auth: [1], integrity: [1], confidentiality: [] },
    ]);
  });
  it('keeps several algorithms of one kind and a record without algorithms', () => {
    expect(parseCipherSuiteRecords(Buffer.from([0xc0, 0x05, 0x41, 0x42, 0xc0, 0x06]))).toEqual([
      { id: 5, auth: [], integrity: [1, 2], confidentiality: [] },
      { id: 6, auth: [], integrity: [], confidentiality: [] },
    ]);
  });
  it('gives no records for no data', () => {
    expect(parseCipherSuiteRecords(Buffer.alloc(0))).toEqual([]);
  });
  it('refuses data that does not start a record', () => {
    expectProtocolError(() => parseCipherSuiteRecords(Buffer.from([0x01, 0x03])), /start byte 0x1/);
  });
  it('refuses a start byte without its suite id', () => {
    expectProtocolError(() => parseCipherSuiteRecords(Buffer.from([0xc0])), /truncated/);
    expectProtocolError(() => parseCipherSuiteRecords(Buffer.from([...standard(3, 1, 1, 1), 0xc0])), /truncated/);
  });
  it('refuses an OEM record without its 3-byte IANA number', () => {
    expectProtocolError(() => parseCipherSuiteRecords(Buffer.from([0xc1, 0x80, 0xb1, 0xa2])), /OEM IANA/);
  });
});
