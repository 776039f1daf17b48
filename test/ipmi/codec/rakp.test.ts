/**
 * RMCP+ Open Session and RAKP messages 1-4 (IPMI v2.0 sections 13.17-13.23) against the byte
 * layouts of the specification, built independently in Python (test/vectors/gen_rmcpplus_vectors.py).
 */
import { describe, expect, it } from 'vitest';
import {
  decodeOpenSessionRequest,
  decodeOpenSessionResponse,
  decodeRakp1,
  decodeRakp2,
  decodeRakp3,
  decodeRakp4,
  encodeOpenSessionRequest,
  encodeOpenSessionResponse,
  encodeRakp1,
  encodeRakp2,
  encodeRakp3,
  encodeRakp4,
  rmcpPlusStatusName,
} from '../../../lib/ipmi/codec/rakp.ts';
import { CIPHER_SUITES } from '../../../lib/ipmi/crypto/cipher-suites.ts';
import { passwordKey, rakp2AuthCode, rakp3AuthCode, rakp4CheckValue } from '../../../lib/ipmi/crypto/rakp-keys.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';
import { h, loadVectors } from '../../vectors/rmcpplus-vectors.ts';

const V = loadVectors(new URL('../../vectors/rmcpplus-vectors.json', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function u32(v: number): string {
  return Buffer.from([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]).toString('hex');
}
function algPayload(type: number, alg: number): string {
  return Buffer.from([type, 0, 0, 8, alg, 0, 0, 0]).toString('hex');
}

for (const c of V.rakpCases) {
  const m = c.messages;
  const x = c.inputs;

  describe(`session setup messages, ${c.name}`, () => {
    it('open session request: 32 bytes, tag, privilege, 2 reserved, SIDm LE, three 8-byte algorithm payloads', () => {
      const out = encodeOpenSessionRequest({
        tag: m.tags.open,
        privilege: m.privilege,
        consoleSessionId: x.consoleSessionId,
        algorithms: m.algorithms,
      });
      expect(out.length).toBe(32);
      expect(hex(out)).toBe(m.openSessionRequest);
      // the same layout spelled out from table 13-9
      expect(hex(out)).toBe(
        Buffer.from([m.tags.open, m.privilege, 0, 0]).toString('hex') +
          u32(x.consoleSessionId) +
          algPayload(0, c.suite.auth) +
          algPayload(1, c.suite.integrity) +
          algPayload(2, c.suite.confidentiality),
      );
      expect(decodeOpenSessionRequest(h(m.openSessionRequest))).toEqual({
        tag: m.tags.open,
        privilege: m.privilege,
        consoleSessionId: x.consoleSessionId,
        algorithms: m.algorithms,
      });
    });

    it('open session response: 36 bytes, tag, status, privilege, reserved, SIDm, SIDc, algorithm payloads', () => {
      const msg = {
        tag: m.tags.open,
        status: 0,
        privilege: m.privilege,
        consoleSessionId: x.consoleSessionId,
        bmcSessionId: x.bmcSessionId,
        algorithms: m.algorithms,
      };
      const out = encodeOpenSessionResponse(msg);
      expect(out.length).toBe(36);
      expect(hex(out)).toBe(m.openSessionResponse);
      expect(hex(out.subarray(4, 12))).toBe(u32(x.consoleSessionId) + u32(x.bmcSessionId));
      expect(decodeOpenSessionResponse(h(m.openSessionResponse))).toEqual(msg);
    });

    it('RAKP 1: tag, 3 reserved, SIDc, Rm, ROLEm, 2 reserved, ULENGTHm, UNAMEm', () => {
      const msg = {
        tag: m.tags.rakp1,
        bmcSessionId: x.bmcSessionId,
        consoleRandom: h(x.consoleRandom),
        role: x.role,
        username: h(x.username),
      };
      const out = encodeRakp1(msg);
      expect(out.length).toBe(28 + x.username.length / 2);
      expect(hex(out)).toBe(m.rakp1);
      expect(hex(out)).toBe(
        Buffer.from([m.tags.rakp1, 0, 0, 0]).toString('hex') +
          u32(x.bmcSessionId) +
          x.consoleRandom +
          Buffer.from([x.role, 0, 0, x.username.length / 2]).toString('hex') +
          x.username,
      );
      expect(decodeRakp1(h(m.rakp1))).toEqual(msg);
    });

    it('RAKP 2: tag, status, 2 reserved, SIDm, Rc, GUIDc, key exchange auth code (computed by lib)', () => {
      const suite = CIPHER_SUITES[c.cipherSuite];
      const authCode = rakp2AuthCode(suite, passwordKey(h(x.password)), {
        consoleSessionId: x.consoleSessionId,
        bmcSessionId: x.bmcSessionId,
        consoleRandom: h(x.consoleRandom),
        bmcRandom: h(x.bmcRandom),
        bmcGuid: h(x.bmcGuid),
        role: x.role,
        username: h(x.username),
      });
      const msg = {
        tag: m.tags.rakp1,
        status: 0,
        consoleSessionId: x.consoleSessionId,
        bmcRandom: h(x.bmcRandom),
        bmcGuid: h(x.bmcGuid),
        authCode,
      };
      const out = encodeRakp2(msg);
      expect(out.length).toBe(40 + c.suite.rakpCodeLength);
      expect(hex(out)).toBe(m.rakp2);
      const d = decodeRakp2(h(m.rakp2));
      expect(d).toEqual({ ...msg, authCode: h(c.rakp2AuthCode) });
    });

    it('RAKP 3: tag, status, 2 reserved, SIDc, key exchange auth code (computed by lib)', () => {
      const suite = CIPHER_SUITES[c.cipherSuite];
      const authCode = rakp3AuthCode(suite, passwordKey(h(x.password)), {
        consoleSessionId: x.consoleSessionId,
        bmcSessionId: x.bmcSessionId,
        consoleRandom: h(x.consoleRandom),
        bmcRandom: h(x.bmcRandom),
        bmcGuid: h(x.bmcGuid),
        role: x.role,
        username: h(x.username),
      });
      const msg = { tag: m.tags.rakp3, status: 0, bmcSessionId: x.bmcSessionId, authCode };
      const out = encodeRakp3(msg);
      expect(out.length).toBe(8 + c.suite.rakpCodeLength);
      expect(hex(out)).toBe(m.rakp3);
      expect(decodeRakp3(h(m.rakp3))).toEqual({ ...msg, authCode: h(c.rakp3AuthCode) });
    });

    it('RAKP 4: tag, status, 2 reserved, SIDm, integrity check value (computed by lib)', () => {
      const suite = CIPHER_SUITES[c.cipherSuite];
      const integrityCheck = rakp4CheckValue(suite, h(c.sik), {
        consoleSessionId: x.consoleSessionId,
        bmcSessionId: x.bmcSessionId,
        consoleRandom: h(x.consoleRandom),
        bmcRandom: h(x.bmcRandom),
        bmcGuid: h(x.bmcGuid),
        role: x.role,
        username: h(x.username),
      });
      const msg = { tag: m.tags.rakp3, status: 0, consoleSessionId: x.consoleSessionId, integrityCheck };
      const out = encodeRakp4(msg);
      expect(out.length).toBe(8 + c.suite.rakp4CodeLength);
      expect(hex(out)).toBe(m.rakp4);
      expect(decodeRakp4(h(m.rakp4))).toEqual({ ...msg, integrityCheck: h(c.rakp4CheckValue) });
    });
  });
}

describe('session setup error answers', () => {
  const c = V.rakpCases[0];
  const sidm = c.inputs.consoleSessionId;

  it('open session response with a non-zero status stops after SIDm, and decodes', () => {
    const out = encodeOpenSessionResponse({
      tag: 7,
      status: 0x11,
      privilege: 0,
      consoleSessionId: sidm,
      bmcSessionId: c.inputs.bmcSessionId,
      algorithms: { auth: 1, integrity: 1, confidentiality: 1 },
    });
    expect(hex(out)).toBe('07110000' + u32(sidm));
    const d = decodeOpenSessionResponse(out);
    expect(d.status).toBe(0x11);
    expect(d.tag).toBe(7);
    expect(d.consoleSessionId).toBe(sidm);
    expect(rmcpPlusStatusName(d.status)).toBe('no cipher suite match with proposed security algorithms');
  });

  it('a bare tag + status error answer still decodes', () => {
    expect(decodeOpenSessionResponse(Buffer.from([0x07, 0x01, 0x00, 0x00]))).toMatchObject({ tag: 7, status: 1 });
    expect(decodeRakp2(Buffer.from([0x2b, 0x0d, 0x00, 0x00]))).toMatchObject({ tag: 0x2b, status: 0x0d });
  });

  it('RAKP 2 with status "unauthorized name" is 8 bytes and decodes', () => {
    const out = encodeRakp2({
      tag: 0x2b,
      status: 0x0d,
      consoleSessionId: sidm,
      bmcRandom: h(c.inputs.bmcRandom),
      bmcGuid: h(c.inputs.bmcGuid),
      authCode: h(c.rakp2AuthCode),
    });
    expect(hex(out)).toBe('2b0d0000' + u32(sidm));
    expect(decodeRakp2(out)).toMatchObject({ tag: 0x2b, status: 0x0d, consoleSessionId: sidm });
    expect(rmcpPlusStatusName(0x0d)).toBe('unauthorized name');
  });

  it('RAKP 4 with status "invalid integrity check value" decodes without an ICV', () => {
    const out = encodeRakp4({ tag: 0x2c, status: 0x0f, consoleSessionId: sidm, integrityCheck: Buffer.alloc(0) });
    expect(hex(out)).toBe('2c0f0000' + u32(sidm));
    expect(decodeRakp4(out)).toEqual({ tag: 0x2c, status: 0x0f, consoleSessionId: sidm, integrityCheck: Buffer.alloc(0) });
  });
});

describe('malformed session setup messages', () => {
  const c = V.rakpCases[0];

  it('truncated messages throw IpmiProtocolError, not RangeError', () => {
    const req = h(c.messages.openSessionRequest);
    for (let n = 0; n < req.length; n++) expect(() => decodeOpenSessionRequest(req.subarray(0, n))).toThrow(IpmiProtocolError);
    const rsp = h(c.messages.openSessionResponse);
    for (let n = 12; n < rsp.length; n++) expect(() => decodeOpenSessionResponse(rsp.subarray(0, n))).toThrow(IpmiProtocolError);
    const r1 = h(c.messages.rakp1);
    for (let n = 0; n < r1.length; n++) expect(() => decodeRakp1(r1.subarray(0, n))).toThrow(IpmiProtocolError);
    const r2 = h(c.messages.rakp2);
    for (let n = 9; n < 40; n++) expect(() => decodeRakp2(r2.subarray(0, n))).toThrow(IpmiProtocolError);
  });

  it('an algorithm payload in the wrong slot or with a bad length is refused', () => {
    const req = h(c.messages.openSessionRequest);
    const swapped = Buffer.from(req);
    swapped[8] = 1; // auth payload claims to be the integrity payload
    expect(() => decodeOpenSessionRequest(swapped)).toThrow(IpmiProtocolError);
    const badLen = Buffer.from(req);
    badLen[8 + 3] = 7;
    expect(() => decodeOpenSessionRequest(badLen)).toThrow(IpmiProtocolError);
  });

  it('RAKP 1 refuses a user name over 16 bytes and a random that is not 16 bytes', () => {
    const base = { tag: 1, bmcSessionId: 1, consoleRandom: h(c.inputs.consoleRandom), role: 0x14, username: Buffer.alloc(17, 0x61) };
    expect(() => encodeRakp1(base)).toThrow(IpmiProtocolError);
    expect(() => encodeRakp1({ ...base, username: Buffer.from('admin'), consoleRandom: Buffer.alloc(15) })).toThrow(IpmiProtocolError);
    const bad = Buffer.from(h(c.messages.rakp1));
    bad[27] = 17;
    expect(() => decodeRakp1(Buffer.concat([bad, Buffer.alloc(12, 0x61)]))).toThrow(IpmiProtocolError);
  });
});
