/**
 * IPMI v1.5 session wrapper (IPMI v2.0 table 13-8) and the MD5 AuthCode (section 22.17.1)
 * against vectors computed with Python hashlib (test/vectors/gen_rmcpplus_vectors.py).
 */
import { describe, expect, it } from 'vitest';
import { AuthType, decodeLan15, encodeLan15, md5AuthCode, verifyLan15 } from '../../../lib/ipmi/codec/lan15.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';
import { h, loadVectors } from '../../vectors/rmcpplus-vectors.ts';

const V = loadVectors(new URL('../../vectors/rmcpplus-vectors.json', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const md5Vectors = V.lan15.filter((v) => v.authType === AuthType.md5);

describe('vector file', () => {
  it('has MD5, straight-password and no-auth packets', () => {
    expect(md5Vectors.length).toBeGreaterThanOrEqual(2);
    expect(V.lan15.some((v) => v.authType === AuthType.password)).toBe(true);
    expect(V.lan15.some((v) => v.authType === AuthType.none)).toBe(true);
  });
});

describe('md5AuthCode = MD5(password/16, session ID, message, session sequence, password/16)', () => {
  for (const v of md5Vectors) {
    it(v.name, () => {
      const code = md5AuthCode(h(v.password), v.sessionId, v.sequence, h(v.message));
      expect(code.length).toBe(16);
      expect(hex(code)).toBe(v.authCode);
    });
  }

  it('depends on every input', () => {
    const v = md5Vectors[0];
    const base = [h(v.password), v.sessionId, v.sequence, h(v.message)] as const;
    const variants = [
      md5AuthCode(Buffer.from('passwore'), base[1], base[2], base[3]),
      md5AuthCode(base[0], (base[1] ^ 1) >>> 0, base[2], base[3]),
      md5AuthCode(base[0], base[1], base[2] + 1, base[3]),
      md5AuthCode(base[0], base[1], base[2], Buffer.concat([base[3], Buffer.from([0])])),
    ];
    for (const code of variants) expect(hex(code)).not.toBe(v.authCode);
  });

  it('refuses a password longer than the 16-byte IPMI v1.5 field', () => {
    expect(() => md5AuthCode(Buffer.alloc(17, 0x61), 1, 1, h('2000e08104017a'))).toThrow(IpmiProtocolError);
  });
});

describe('encodeLan15 / decodeLan15', () => {
  for (const v of V.lan15) {
    it(`encodes "${v.name}" byte for byte`, () => {
      const out = encodeLan15({
        authType: v.authType,
        sequence: v.sequence,
        sessionId: v.sessionId,
        message: h(v.message),
        password: v.authType === AuthType.none ? undefined : h(v.password),
      });
      expect(hex(out)).toBe(v.packet);
    });

    it(`decodes "${v.name}"`, () => {
      const d = decodeLan15(h(v.packet));
      expect(d.authType).toBe(v.authType);
      expect(d.sequence).toBe(v.sequence);
      expect(d.sessionId).toBe(v.sessionId);
      expect(hex(d.message)).toBe(v.message);
      if (v.authType === AuthType.none) expect(d.authCode).toBeUndefined();
      else expect(hex(d.authCode!)).toBe(v.authCode);
    });
  }

  it('lays out the MD5 packet as RMCP header, auth type, sequence, session ID, AuthCode, length, message', () => {
    const v = md5Vectors[0];
    const p = h(v.packet);
    expect(hex(p.subarray(0, 4))).toBe(V.rmcpHeader);
    expect(p[4]).toBe(0x02);
    expect(p.readUInt32LE(5)).toBe(v.sequence);
    expect(p.readUInt32LE(9)).toBe(v.sessionId);
    expect(hex(p.subarray(13, 29))).toBe(v.authCode);
    expect(p[29]).toBe(v.message.length / 2);
    expect(hex(p.subarray(30))).toBe(v.message);
  });

  it('refuses an RMCP+ packet and a truncated packet', () => {
    const rmcpPlus = h(V.rakpCases[0].requestPacket.packet);
    expect(() => decodeLan15(rmcpPlus)).toThrow(IpmiProtocolError);
    const p = h(md5Vectors[0].packet);
    for (let n = 4; n < p.length; n++) expect(() => decodeLan15(p.subarray(0, n))).toThrow(IpmiProtocolError);
  });

  it('refuses a message longer than 255 bytes', () => {
    expect(() => encodeLan15({ authType: AuthType.none, sequence: 0, sessionId: 0, message: Buffer.alloc(256) })).toThrow(IpmiProtocolError);
  });
});

describe('verifyLan15', () => {
  for (const v of V.lan15) {
    it(`accepts "${v.name}" with the right password`, () => {
      expect(verifyLan15(decodeLan15(h(v.packet)), h(v.password))).toBe(true);
    });
  }

  for (const v of V.lan15.filter((x) => x.authType !== AuthType.none)) {
    it(`rejects "${v.name}" with a wrong password or a changed field`, () => {
      const d = decodeLan15(h(v.packet));
      expect(verifyLan15(d, Buffer.from('wrong'))).toBe(false);
      if (v.authType === AuthType.md5) {
        expect(verifyLan15({ ...d, sequence: (d.sequence ^ 1) >>> 0 }, h(v.password))).toBe(false);
        expect(verifyLan15({ ...d, sessionId: (d.sessionId ^ 0x100) >>> 0 }, h(v.password))).toBe(false);
        const msg = Buffer.from(d.message);
        msg[msg.length - 1] ^= 0x01;
        expect(verifyLan15({ ...d, message: msg }, h(v.password))).toBe(false);
      }
      const code = Buffer.from(d.authCode!);
      code[0] ^= 0x80;
      expect(verifyLan15({ ...d, authCode: code }, h(v.password))).toBe(false);
      expect(verifyLan15({ ...d, authCode: undefined }, h(v.password))).toBe(false);
    });
  }

  it('rejects a no-auth packet that carries an AuthCode', () => {
    const v = V.lan15.find((x) => x.authType === AuthType.none)!;
    expect(verifyLan15({ ...decodeLan15(h(v.packet)), authCode: Buffer.alloc(16) }, Buffer.alloc(0))).toBe(false);
  });
});
