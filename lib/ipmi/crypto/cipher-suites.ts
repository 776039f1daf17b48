/**
 * RMCP+ cipher suites (IPMI v2.0 table 22-20) and the algorithms behind them (tables 13-17..13-19).
 * Only the suites lowpower speaks are listed; suite 0 (no auth, no integrity) exists only behind
 * an explicit insecure option.
 */

export const AuthAlgorithm = { none: 0x00, hmacSha1: 0x01, hmacMd5: 0x02, hmacSha256: 0x03 } as const;
export const IntegrityAlgorithm = { none: 0x00, hmacSha1_96: 0x01, hmacMd5_128: 0x02, md5_128: 0x03, hmacSha256_128: 0x04 } as const;
export const ConfidentialityAlgorithm = { none: 0x00, aesCbc128: 0x01, xrc4_128: 0x02, xrc4_40: 0x03 } as const;

export interface CipherSuite {
  id: number;
  auth: number;
  integrity: number;
  confidentiality: number;
  /** Node hash used for RAKP HMACs and key derivation; null for RAKP-none. */
  hash: 'sha1' | 'sha256' | null;
  /** Length of the RAKP 2/3 key exchange authentication codes. */
  rakpCodeLength: number;
  /** Length of the RAKP 4 integrity check value. */
  rakp4CodeLength: number;
  /** Length of the per-packet integrity AuthCode. */
  integrityCodeLength: number;
  insecure: boolean;
}

export const CIPHER_SUITES: Readonly<Record<number, CipherSuite>> = {
  0: {
    id: 0,
    auth: AuthAlgorithm.none,
    integrity: IntegrityAlgorithm.none,
    confidentiality: ConfidentialityAlgorithm.none,
    hash: null,
    rakpCodeLength: 0,
    rakp4CodeLength: 0,
    integrityCodeLength: 0,
    insecure: true,
  },
  3: {
    id: 3,
    auth: AuthAlgorithm.hmacSha1,
    integrity: IntegrityAlgorithm.hmacSha1_96,
    confidentiality: ConfidentialityAlgorithm.aesCbc128,
    hash: 'sha1',
    rakpCodeLength: 20,
    rakp4CodeLength: 12,
    integrityCodeLength: 12,
    insecure: false,
  },
  17: {
    id: 17,
    auth: AuthAlgorithm.hmacSha256,
    integrity: IntegrityAlgorithm.hmacSha256_128,
    confidentiality: ConfidentialityAlgorithm.aesCbc128,
    hash: 'sha256',
    rakpCodeLength: 32,
    rakp4CodeLength: 16,
    integrityCodeLength: 16,
    insecure: false,
  },
};

export function cipherSuiteById(id: number): CipherSuite | undefined {
  return CIPHER_SUITES[id];
}

/** The suite whose three algorithms are these, if lowpower speaks it. */
export function cipherSuiteByAlgorithms(auth: number, integrity: number, confidentiality: number): CipherSuite | undefined {
  return Object.values(CIPHER_SUITES).find(
    (s) => s.auth === auth && s.integrity === integrity && s.confidentiality === confidentiality,
  );
}
