/**
 * AES-CBC-128 payload confidentiality (IPMI v2.0 section 13.29, table 13-20) against vectors
 * computed with Python's `cryptography` (test/vectors/gen_rmcpplus_vectors.py).
 */
import { describe, expect, it } from 'vitest';
import { aesDecrypt, aesEncrypt } from '../../../lib/ipmi/crypto/aes-cbc-128.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';
import { h, loadVectors } from '../../vectors/rmcpplus-vectors.ts';

const V = loadVectors(new URL('../../vectors/rmcpplus-vectors.json', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const k2 = h(V.aes.k2);
const iv = h(V.aes.iv);

describe('AES-CBC-128 padding table', () => {
  it('uses a 20-byte K2 whose first 16 bytes are the AES key', () => {
    expect(k2.length).toBe(20);
    // Only bytes 0..15 are key material: changing byte 16..19 must not change the ciphertext.
    const tail = Buffer.from(k2);
    tail[19] ^= 0xff;
    tail[16] ^= 0x01;
    const v = V.aes.vectors[3];
    expect(hex(aesEncrypt(tail, h(v.plain), iv))).toBe(v.encrypted);
    // ... while changing byte 15 does.
    const head = Buffer.from(k2);
    head[15] ^= 0x01;
    expect(hex(aesEncrypt(head, h(v.plain), iv))).not.toBe(v.encrypted);
  });

  for (const v of V.aes.vectors) {
    it(`encrypts a ${v.plainLength}-byte payload to IV || blocks with pad length ${v.padLength}`, () => {
      const out = aesEncrypt(k2, h(v.plain), iv);
      expect(hex(out)).toBe(v.encrypted);
      expect(out.length).toBe(16 + v.padded.length / 2);
      expect(out.length % 16).toBe(0);
      expect(hex(out.subarray(0, 16))).toBe(V.aes.iv);
    });

    it(`decrypts the ${v.plainLength}-byte vector and strips the confidentiality trailer`, () => {
      expect(hex(aesDecrypt(k2, h(v.encrypted)))).toBe(v.plain);
    });
  }

  it('pads so that payload + pad + pad-length byte is the smallest multiple of 16', () => {
    for (const v of V.aes.vectors) {
      expect((v.plainLength + v.padLength + 1) % 16).toBe(0);
      expect(v.padLength).toBeLessThan(16);
    }
    // the table holds the edge cases: no pad at all (15 bytes) and a full 15-byte pad (16 bytes)
    expect(V.aes.vectors.find((v) => v.plainLength === 15)!.padLength).toBe(0);
    expect(V.aes.vectors.find((v) => v.plainLength === 16)!.padLength).toBe(15);
  });
});

describe('AES-CBC-128 round trip', () => {
  it('decrypt(encrypt(x)) = x with a random IV, and each call picks a new IV', () => {
    const plain = Buffer.from('IPMI over LAN, encrypted');
    const a = aesEncrypt(k2, plain);
    const b = aesEncrypt(k2, plain);
    expect(hex(aesDecrypt(k2, a))).toBe(hex(plain));
    expect(hex(aesDecrypt(k2, b))).toBe(hex(plain));
    expect(hex(a.subarray(0, 16))).not.toBe(hex(b.subarray(0, 16)));
    expect(hex(a)).not.toBe(hex(b));
  });

  for (const c of V.rakpCases) {
    it(`${c.name}: the request packet's encrypted payload is AES-CBC-128 with K2`, () => {
      const p = c.requestPacket;
      expect(hex(aesEncrypt(h(c.k2), h(p.payload), h(p.iv)))).toBe(p.encryptedPayload);
      expect(hex(aesDecrypt(h(c.k2), h(p.encryptedPayload)))).toBe(p.payload);
    });
  }
});

describe('AES-CBC-128 malformed input', () => {
  for (const m of V.aes.malformed) {
    it(`refuses a payload whose ${m.why}`, () => {
      expect(() => aesDecrypt(k2, h(m.encrypted))).toThrow(IpmiProtocolError);
    });
  }

  it('refuses an empty payload', () => {
    expect(() => aesDecrypt(k2, new Uint8Array(0))).toThrow(IpmiProtocolError);
  });
});
