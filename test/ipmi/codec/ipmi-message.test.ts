/**
 * The IPMI LAN message (IPMI v2.0 section 13.8, figure 13-4) and its two's complement checksums,
 * against messages built independently in Python (test/vectors/gen_rmcpplus_vectors.py).
 */
import { describe, expect, it } from 'vitest';
import {
  BMC_SLAVE_ADDRESS,
  NetFn,
  REMOTE_CONSOLE_SWID,
  checksum,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
} from '../../../lib/ipmi/codec/ipmi-message.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';
import { h, loadVectors } from '../../vectors/rmcpplus-vectors.ts';

const V = loadVectors(new URL('../../vectors/rmcpplus-vectors.json', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const REQ = V.ipmiMessages.getChassisStatusRequest;
const RSP = V.ipmiMessages.getChassisStatusResponse;
const CAPS = V.ipmiMessages.getChannelAuthCapabilitiesRequest;

describe('checksum', () => {
  it('is the two\'s complement of the byte sum', () => {
    expect(checksum(Buffer.from([0x20, 0x00]))).toBe(0xe0);
    expect(checksum(Buffer.from([0x81, 0x04, 0x01]))).toBe(0x7a);
    expect(checksum(Buffer.from([]))).toBe(0x00);
    expect(checksum(Buffer.from([0x00]))).toBe(0x00);
    expect(checksum(Buffer.from([0x01]))).toBe(0xff);
    expect(checksum(Buffer.from([0xff, 0xff]))).toBe(0x02);
  });

  it('covers only the given range', () => {
    const msg = h(REQ.bytes);
    expect(checksum(msg, 0, 2)).toBe(msg[2]);
    expect(checksum(msg, 3, msg.length - 1)).toBe(msg[msg.length - 1]);
  });

  it('makes every checksummed range of the vectors sum to zero', () => {
    for (const v of [REQ, RSP, CAPS]) {
      const b = h(v.bytes);
      expect((b[0] + b[1] + b[2]) & 0xff).toBe(0);
      expect(b.subarray(3).reduce((s, x) => (s + x) & 0xff, 0)).toBe(0);
    }
  });
});

describe('Get Chassis Status request 20 00 e0 81 04 01 7a', () => {
  it('is what the vectors hold', () => {
    expect(REQ.bytes).toBe('2000e08104017a');
  });

  it('encodes byte for byte, with and without explicit addresses', () => {
    expect(hex(encodeRequest({ netFn: NetFn.chassis, cmd: 0x01, data: new Uint8Array(), rqSeq: 1 }))).toBe(REQ.bytes);
    expect(
      hex(
        encodeRequest({
          netFn: REQ.netFn,
          cmd: REQ.cmd,
          data: h(REQ.data),
          rqSeq: REQ.rqSeq,
          rsAddr: REQ.rsAddr,
          rsLun: REQ.rsLun,
          rqAddr: REQ.rqAddr,
          rqLun: REQ.rqLun,
        }),
      ),
    ).toBe(REQ.bytes);
    expect(BMC_SLAVE_ADDRESS).toBe(0x20);
    expect(REMOTE_CONSOLE_SWID).toBe(0x81);
  });

  it('decodes to its fields', () => {
    expect(decodeRequest(h(REQ.bytes))).toEqual({
      rsAddr: 0x20,
      netFn: 0x00,
      rsLun: 0,
      rqAddr: 0x81,
      rqSeq: 1,
      rqLun: 0,
      cmd: 0x01,
      data: Buffer.alloc(0),
    });
  });

  it('is not a response', () => {
    expect(() => decodeResponse(h(REQ.bytes))).toThrow(IpmiProtocolError);
  });
});

describe('a request with data (Get Channel Authentication Capabilities)', () => {
  it('encodes and round-trips', () => {
    const out = encodeRequest({ netFn: NetFn.app, cmd: 0x38, data: h(CAPS.data), rqSeq: CAPS.rqSeq });
    expect(hex(out)).toBe(CAPS.bytes);
    const d = decodeRequest(out);
    expect(d).toMatchObject({ netFn: 0x06, cmd: 0x38, rqSeq: 0, rsAddr: 0x20, rqAddr: 0x81 });
    expect(hex(d.data)).toBe(CAPS.data);
    expect(hex(encodeRequest(d))).toBe(CAPS.bytes);
  });

  it('keeps LUNs and the 6-bit sequence number', () => {
    const out = encodeRequest({ netFn: NetFn.storage, cmd: 0x23, data: Buffer.from([1, 2]), rqSeq: 0x3f, rsLun: 2, rqLun: 1 });
    expect(out[1]).toBe((0x0a << 2) | 2);
    expect(out[4]).toBe((0x3f << 2) | 1);
    expect(decodeRequest(out)).toMatchObject({ netFn: 0x0a, cmd: 0x23, rqSeq: 0x3f, rsLun: 2, rqLun: 1 });
  });
});

describe('Get Chassis Status response', () => {
  it('encodes byte for byte as the answer to the decoded request', () => {
    const out = encodeResponse(decodeRequest(h(REQ.bytes)), RSP.completionCode!, h(RSP.data));
    expect(hex(out)).toBe(RSP.bytes);
  });

  it('decodes to its fields', () => {
    expect(decodeResponse(h(RSP.bytes))).toEqual({
      rqAddr: 0x81,
      netFn: 0x01,
      rsAddr: 0x20,
      rqSeq: 1,
      rsLun: 0,
      cmd: 0x01,
      completionCode: 0x00,
      data: h(RSP.data),
    });
  });

  it('is not a request', () => {
    expect(() => decodeRequest(h(RSP.bytes))).toThrow(IpmiProtocolError);
  });

  it('carries a non-zero completion code with no data', () => {
    const out = encodeResponse(decodeRequest(h(REQ.bytes)), 0xc1);
    expect(out.length).toBe(8);
    expect(decodeResponse(out)).toMatchObject({ completionCode: 0xc1, netFn: 0x01, cmd: 0x01, rqSeq: 1, data: Buffer.alloc(0) });
  });
});

describe('checksum errors', () => {
  for (const [name, v, decode] of [
    ['request', REQ, decodeRequest],
    ['response', RSP, decodeResponse],
    ['request with data', CAPS, decodeRequest],
  ] as const) {
    it(`any single corrupted byte of the ${name} throws IpmiProtocolError`, () => {
      const msg = h(v.bytes);
      for (let i = 0; i < msg.length; i++) {
        for (const mask of [0x01, 0x10, 0x80, 0xff]) {
          const bad = Buffer.from(msg);
          bad[i] ^= mask;
          expect(() => decode(bad), `byte ${i} ^ ${mask}`).toThrow(IpmiProtocolError);
        }
      }
    });
  }

  it('a bad header checksum and a bad data checksum are both reported', () => {
    const header = h(REQ.bytes);
    header[2] ^= 1;
    expect(() => decodeRequest(header)).toThrow(/header checksum/);
    const data = h(REQ.bytes);
    data[6] ^= 1;
    expect(() => decodeRequest(data)).toThrow(/data checksum/);
  });

  it('messages shorter than the minimum throw IpmiProtocolError', () => {
    const req = h(REQ.bytes);
    for (let n = 0; n < req.length; n++) expect(() => decodeRequest(req.subarray(0, n))).toThrow(IpmiProtocolError);
    // a response needs a completion code: 7 well-formed bytes are not enough
    const noCc = Buffer.from([0x81, 0x04, 0x7b, 0x20, 0x04, 0x01, 0xdb]);
    expect(checksum(noCc, 3, 6)).toBe(noCc[6]);
    expect(() => decodeResponse(noCc)).toThrow(IpmiProtocolError);
  });
});
