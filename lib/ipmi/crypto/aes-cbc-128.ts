/**
 * AES-CBC-128 payload confidentiality (IPMI v2.0 section 13.29): a 16-byte IV, then the payload,
 * confidentiality pad bytes 1, 2, 3, ... and a pad-length byte, encrypted as whole blocks.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { IpmiProtocolError } from '../errors.ts';
import { randomPooled } from './random-pool.ts';

const BLOCK = 16;

/** A fresh random IV (from the pooled CSPRNG: one system call per 256 IVs). */
export function randomIv(): Buffer {
  return randomPooled(BLOCK);
}

/**
 * AES-128 block ciphers (ECB, no padding) kept per session key: CBC is chained here over one
 * cipher made per session rather than one cipher object made per packet, which cost more than
 * the encryption itself. Keyed by the key buffer; they go when the session's keys go.
 */
const blockCiphers = new WeakMap<Uint8Array, { enc: Cipher; dec: Decipher }>();

function blockCipher(k2: Uint8Array): { enc: Cipher; dec: Decipher } {
  let c = blockCiphers.get(k2);
  if (!c) {
    const key = k2.subarray(0, BLOCK);
    const enc = createCipheriv('aes-128-ecb', key, null);
    const dec = createDecipheriv('aes-128-ecb', key, null);
    enc.setAutoPadding(false);
    dec.setAutoPadding(false);
    c = { enc, dec };
    blockCiphers.set(k2, c);
  }
  return c;
}

export function aesEncrypt(k2: Uint8Array, plain: Uint8Array, iv: Uint8Array = randomIv()): Buffer {
  if (iv.length !== BLOCK) throw new IpmiProtocolError(`AES-CBC-128: IV of ${iv.length} bytes`);
  const padLength = (BLOCK - ((plain.length + 1) % BLOCK)) % BLOCK;
  const size = plain.length + padLength + 1;
  // IV, then the padded payload, encrypted in place block by block: C_i = E(P_i xor C_i-1), C_0 = IV.
  const out = Buffer.alloc(BLOCK + size);
  out.set(iv, 0);
  out.set(plain, BLOCK);
  for (let i = 0; i < padLength; i++) out[BLOCK + plain.length + i] = i + 1;
  out[out.length - 1] = padLength;
  const { enc } = blockCipher(k2);
  for (let off = BLOCK; off < out.length; off += BLOCK) {
    for (let i = 0; i < BLOCK; i++) out[off + i] ^= out[off - BLOCK + i];
    enc.update(out.subarray(off, off + BLOCK)).copy(out, off);
  }
  return out;
}

export function aesDecrypt(k2: Uint8Array, payload: Uint8Array): Buffer {
  if (payload.length < 2 * BLOCK || payload.length % BLOCK !== 0) {
    throw new IpmiProtocolError(`AES-CBC-128: encrypted payload of ${payload.length} bytes is not IV plus whole blocks`);
  }
  // P_i = D(C_i) xor C_i-1: every block deciphered in one call, then chained.
  const padded = blockCipher(k2).dec.update(payload.subarray(BLOCK));
  if (padded.length !== payload.length - BLOCK) throw new IpmiProtocolError('AES-CBC-128: the block cipher held bytes back');
  for (let i = 0; i < padded.length; i++) padded[i] ^= payload[i];
  const padLength = padded[padded.length - 1];
  if (padLength >= BLOCK || padLength + 1 > padded.length) {
    throw new IpmiProtocolError(`AES-CBC-128: pad length ${padLength} is invalid`);
  }
  const end = padded.length - 1 - padLength;
  for (let i = 0; i < padLength; i++) {
    if (padded[end + i] !== i + 1) throw new IpmiProtocolError('AES-CBC-128: confidentiality pad is malformed');
  }
  return padded.subarray(0, end);
}
