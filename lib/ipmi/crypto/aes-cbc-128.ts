/**
 * AES-CBC-128 payload confidentiality (IPMI v2.0 section 13.29): a 16-byte IV, then the payload,
 * confidentiality pad bytes 1, 2, 3, ... and a pad-length byte, encrypted as whole blocks.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { IpmiProtocolError } from '../errors.ts';

const BLOCK = 16;

/**
 * IVs come from the system CSPRNG in 4 KiB draws rather than one system call per packet: the
 * same randomness, a fraction of the cost when a sweep sends tens of thousands of packets.
 */
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

export function randomIv(): Buffer {
  if (poolUsed + BLOCK > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const iv = Buffer.from(pool.subarray(poolUsed, poolUsed + BLOCK));
  pool.fill(0, poolUsed, poolUsed + BLOCK);
  poolUsed += BLOCK;
  return iv;
}

export function aesEncrypt(k2: Uint8Array, plain: Uint8Array, iv: Uint8Array = randomIv()): Buffer {
  const padLength = (BLOCK - ((plain.length + 1) % BLOCK)) % BLOCK;
  const padded = Buffer.alloc(plain.length + padLength + 1);
  padded.set(plain, 0);
  for (let i = 0; i < padLength; i++) padded[plain.length + i] = i + 1;
  padded[padded.length - 1] = padLength;
  const cipher = createCipheriv('aes-128-cbc', k2.subarray(0, BLOCK), iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([Buffer.from(iv), cipher.update(padded), cipher.final()]);
}

export function aesDecrypt(k2: Uint8Array, payload: Uint8Array): Buffer {
  if (payload.length < 2 * BLOCK || payload.length % BLOCK !== 0) {
    throw new IpmiProtocolError(`AES-CBC-128: encrypted payload of ${payload.length} bytes is not IV plus whole blocks`);
  }
  const decipher = createDecipheriv('aes-128-cbc', k2.subarray(0, BLOCK), payload.subarray(0, BLOCK));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(payload.subarray(BLOCK)), decipher.final()]);
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
