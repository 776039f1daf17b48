/**
 * RAKP key exchange maths (IPMI v2.0 sections 13.28-13.32), pure functions of the exchanged fields.
 * Used by the client and, mirrored, by our BMC simulator.
 */
import { createHmac } from 'node:crypto';
import type { CipherSuite } from './cipher-suites.ts';
import { u32le } from '../codec/bytes.ts';
import { IpmiProtocolError } from '../errors.ts';

/** Fields both ends know after RAKP message 1 and 2. */
export interface RakpExchange {
  /** SIDm: the remote console's session ID. */
  consoleSessionId: number;
  /** SIDc: the managed system's (BMC's) session ID. */
  bmcSessionId: number;
  /** Rm: the remote console's random number (16 bytes). */
  consoleRandom: Uint8Array;
  /** Rc: the managed system's random number (16 bytes). */
  bmcRandom: Uint8Array;
  /** GUIDc: the managed system's GUID (16 bytes). */
  bmcGuid: Uint8Array;
  /** ROLEm: the whole requested-privilege byte of RAKP 1, name-only lookup bit included. */
  role: number;
  username: Buffer;
}

export interface SessionKeys {
  sik: Buffer;
  /** K1: integrity key. */
  k1: Buffer;
  /** K2: confidentiality key; AES-CBC-128 uses its first 16 bytes. */
  k2: Buffer;
}

/** IPMI 2.0 passwords are up to 20 bytes; HMAC pads keys with zeros, so the raw bytes are the key. */
export function passwordKey(password: string | Buffer): Buffer {
  const key = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (key.length > 20) throw new IpmiProtocolError('password is longer than 20 bytes');
  return key;
}

function hmac(suite: CipherSuite, key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  if (!suite.hash) return Buffer.alloc(0);
  const h = createHmac(suite.hash, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

function nameFields(x: RakpExchange): Buffer {
  return Buffer.from([x.role & 0xff, x.username.length]);
}

/** RAKP 2 key exchange authentication code: HMAC_Kuid(SIDm, SIDc, Rm, Rc, GUIDc, ROLEm, ULENGTHm, UNAMEm). */
export function rakp2AuthCode(suite: CipherSuite, kuid: Uint8Array, x: RakpExchange): Buffer {
  return hmac(
    suite,
    kuid,
    Buffer.from(u32le(x.consoleSessionId)),
    Buffer.from(u32le(x.bmcSessionId)),
    x.consoleRandom,
    x.bmcRandom,
    x.bmcGuid,
    nameFields(x),
    x.username,
  );
}

/** RAKP 3 key exchange authentication code: HMAC_Kuid(Rc, SIDm, ROLEm, ULENGTHm, UNAMEm). */
export function rakp3AuthCode(suite: CipherSuite, kuid: Uint8Array, x: RakpExchange): Buffer {
  return hmac(suite, kuid, x.bmcRandom, Buffer.from(u32le(x.consoleSessionId)), nameFields(x), x.username);
}

/** Session integrity key: SIK = HMAC_Kg(Rm, Rc, ROLEm, ULENGTHm, UNAMEm); Kg is Kuid when no BMC key is set. */
export function sessionIntegrityKey(suite: CipherSuite, kg: Uint8Array, x: RakpExchange): Buffer {
  return hmac(suite, kg, x.consoleRandom, x.bmcRandom, nameFields(x), x.username);
}

/** RAKP 4 integrity check value: HMAC_SIK(Rm, SIDc, GUIDc), truncated to the suite's length. */
export function rakp4CheckValue(suite: CipherSuite, sik: Uint8Array, x: RakpExchange): Buffer {
  return hmac(suite, sik, x.consoleRandom, Buffer.from(u32le(x.bmcSessionId)), x.bmcGuid).subarray(0, suite.rakp4CodeLength);
}

/**
 * K_N = HMAC_SIK(Const N), Const N being byte N repeated 20 times (section 13.32), whatever the
 * hash: HMAC-SHA256 suites keep the 20-byte constants (as ipmitool, FreeIPMI and OpenBMC do).
 */
export function deriveKeys(suite: CipherSuite, sik: Buffer): SessionKeys {
  return {
    sik,
    k1: hmac(suite, sik, Buffer.alloc(20, 0x01)),
    k2: hmac(suite, sik, Buffer.alloc(20, 0x02)),
  };
}

/** The per-packet integrity AuthCode over the session header through Next Header, keyed with K1. */
export function integrityCode(suite: CipherSuite, k1: Uint8Array, covered: Uint8Array): Buffer {
  return hmac(suite, k1, covered).subarray(0, suite.integrityCodeLength);
}
