/**
 * Known-answer tests for the RAKP key exchange maths (IPMI v2.0 sections 13.28-13.32) against
 * vectors computed independently in Python (test/vectors/gen_rmcpplus_vectors.py).
 */
import { describe, expect, it } from 'vitest';
import {
  deriveKeys,
  integrityCode,
  passwordKey,
  rakp2AuthCode,
  rakp3AuthCode,
  rakp4CheckValue,
  sessionIntegrityKey,
  type RakpExchange,
} from '../../../lib/ipmi/crypto/rakp-keys.ts';
import {
  AuthAlgorithm,
  CIPHER_SUITES,
  ConfidentialityAlgorithm,
  IntegrityAlgorithm,
  cipherSuiteByAlgorithms,
  cipherSuiteById,
} from '../../../lib/ipmi/crypto/cipher-suites.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';
import { h, loadVectors, type RakpCase } from '../../vectors/rmcpplus-vectors.ts';

const V = loadVectors(new URL('../../vectors/rmcpplus-vectors.json', import.meta.url));

function exchange(c: RakpCase): RakpExchange {
  return {
    consoleSessionId: c.inputs.consoleSessionId,
    bmcSessionId: c.inputs.bmcSessionId,
    consoleRandom: h(c.inputs.consoleRandom),
    bmcRandom: h(c.inputs.bmcRandom),
    bmcGuid: h(c.inputs.bmcGuid),
    role: c.inputs.role,
    username: h(c.inputs.username),
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('vector file', () => {
  it('covers cipher suites 3 and 17, with and without a user name', () => {
    expect(V.rakpCases.map((c) => c.cipherSuite).sort()).toEqual([17, 17, 3, 3]);
    expect(V.rakpCases.some((c) => c.inputs.username === '')).toBe(true);
    expect(V.rakpCases.some((c) => c.inputs.role === 0x14 && Buffer.from(c.inputs.username, 'hex').toString() === 'admin')).toBe(true);
  });
});

describe('cipher suites (IPMI v2.0 table 22-20)', () => {
  for (const id of [3, 17]) {
    const spec = V.rakpCases.find((c) => c.cipherSuite === id)!.suite;
    it(`suite ${id} has the algorithms and code lengths of the specification`, () => {
      const s = CIPHER_SUITES[id];
      expect(s).toBeDefined();
      expect({
        id: s.id,
        hash: s.hash,
        auth: s.auth,
        integrity: s.integrity,
        confidentiality: s.confidentiality,
        rakpCodeLength: s.rakpCodeLength,
        rakp4CodeLength: s.rakp4CodeLength,
        integrityCodeLength: s.integrityCodeLength,
      }).toEqual(spec);
      expect(s.insecure).toBe(false);
      expect(cipherSuiteById(id)).toBe(s);
      expect(cipherSuiteByAlgorithms(spec.auth, spec.integrity, spec.confidentiality)).toBe(s);
    });
  }

  it('uses the algorithm numbers of tables 13-17, 13-18 and 13-19', () => {
    expect(AuthAlgorithm).toMatchObject({ none: 0, hmacSha1: 1, hmacMd5: 2, hmacSha256: 3 });
    expect(IntegrityAlgorithm).toMatchObject({ none: 0, hmacSha1_96: 1, hmacMd5_128: 2, md5_128: 3, hmacSha256_128: 4 });
    expect(ConfidentialityAlgorithm).toMatchObject({ none: 0, aesCbc128: 1 });
  });
});

describe('passwordKey (Kuid)', () => {
  it('is the raw password bytes, up to 20 bytes', () => {
    expect(hex(passwordKey('password'))).toBe(hex(Buffer.from('password')));
    const twenty = V.rakpCases.find((c) => h(c.inputs.password).length === 20)!;
    expect(hex(passwordKey(h(twenty.inputs.password)))).toBe(twenty.kuid);
    expect(hex(passwordKey(Buffer.from(twenty.inputs.password, 'hex').toString('latin1')))).toBe(twenty.kuid);
  });

  it('refuses a password longer than 20 bytes', () => {
    expect(() => passwordKey('x'.repeat(21))).toThrow(IpmiProtocolError);
    expect(() => passwordKey(Buffer.alloc(21, 0x41))).toThrow(IpmiProtocolError);
  });
});

for (const c of V.rakpCases) {
  const suite = CIPHER_SUITES[c.cipherSuite];
  const x = exchange(c);
  const kuid = passwordKey(h(c.inputs.password));

  describe(`RAKP maths, ${c.name}`, () => {
    it('RAKP 2 key exchange authentication code = HMAC_Kuid(SIDm, SIDc, Rm, Rc, GUIDc, ROLEm, ULENGTHm, UNAMEm)', () => {
      const code = rakp2AuthCode(suite, kuid, x);
      expect(code.length).toBe(c.suite.rakpCodeLength);
      expect(hex(code)).toBe(c.rakp2AuthCode);
    });

    it('RAKP 2 code covers the whole ROLEm byte, name-only lookup bit included', () => {
      const flipped = rakp2AuthCode(suite, kuid, { ...x, role: x.role ^ 0x10 });
      expect(hex(flipped)).toBe(c.rakp2AuthCodeRoleBit4Flipped);
      expect(hex(flipped)).not.toBe(c.rakp2AuthCode);
    });

    it('RAKP 3 key exchange authentication code = HMAC_Kuid(Rc, SIDm, ROLEm, ULENGTHm, UNAMEm)', () => {
      const code = rakp3AuthCode(suite, kuid, x);
      expect(code.length).toBe(c.suite.rakpCodeLength);
      expect(hex(code)).toBe(c.rakp3AuthCode);
    });

    it('SIK = HMAC_Kg(Rm, Rc, ROLEm, ULENGTHm, UNAMEm), Kg = Kuid without a BMC key', () => {
      expect(hex(sessionIntegrityKey(suite, kuid, x))).toBe(c.sik);
    });

    it('SIK is keyed with Kg when the BMC has one', () => {
      const sik = sessionIntegrityKey(suite, h(c.inputs.kg), x);
      expect(hex(sik)).toBe(c.sikWithKg);
      expect(hex(sik)).not.toBe(c.sik);
    });

    it('RAKP 4 integrity check value = HMAC_SIK(Rm, SIDc, GUIDc), truncated', () => {
      const icv = rakp4CheckValue(suite, h(c.sik), x);
      expect(icv.length).toBe(c.suite.rakp4CodeLength);
      expect(hex(icv)).toBe(c.rakp4CheckValue);
    });

    it('K1 = HMAC_SIK(Const1) and K2 = HMAC_SIK(Const2) (section 13.32, 20-byte constants)', () => {
      const keys = deriveKeys(suite, h(c.sik));
      expect(hex(keys.sik)).toBe(c.sik);
      expect(hex(keys.k1)).toBe(c.k1);
      expect(hex(keys.k2)).toBe(c.k2);
    });

    it('integrity AuthCode = HMAC_K1(AuthType .. Next Header), truncated', () => {
      for (const p of [c.requestPacket, c.responsePacket]) {
        const code = integrityCode(suite, h(c.k1), h(p.covered));
        expect(code.length).toBe(c.suite.integrityCodeLength);
        expect(hex(code)).toBe(p.authCode);
      }
    });

    it('a wrong password gives other RAKP codes', () => {
      const wrong = passwordKey('passwore');
      expect(hex(rakp2AuthCode(suite, wrong, x))).not.toBe(c.rakp2AuthCode);
      expect(hex(rakp3AuthCode(suite, wrong, x))).not.toBe(c.rakp3AuthCode);
    });
  });
}
