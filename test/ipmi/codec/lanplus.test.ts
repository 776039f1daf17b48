/**
 * RMCP+ session wrapper (IPMI v2.0 table 13-8, sections 13.28-13.29) against whole packets built
 * independently in Python (test/vectors/gen_rmcpplus_vectors.py): AES-CBC-128 encrypted and
 * HMAC-SHA1-96 / HMAC-SHA256-128 authenticated Get Chassis Status request and response.
 */
import { describe, expect, it } from 'vitest';
import { decodeLanPlus, encodeLanPlus, peekLanPlus, PayloadType, type SessionCrypto } from '../../../lib/ipmi/codec/lanplus.ts';
import { decodeRmcpHeader } from '../../../lib/ipmi/codec/rmcp.ts';
import { decodeRequest, decodeResponse } from '../../../lib/ipmi/codec/ipmi-message.ts';
import { CIPHER_SUITES } from '../../../lib/ipmi/crypto/cipher-suites.ts';
import { deriveKeys, passwordKey, sessionIntegrityKey } from '../../../lib/ipmi/crypto/rakp-keys.ts';
import { IpmiProtocolError } from '../../../lib/ipmi/errors.ts';
import { h, loadVectors, type LanPlusPacketVector, type RakpCase } from '../../vectors/rmcpplus-vectors.ts';

const V = loadVectors(new URL('../../vectors/rmcpplus-vectors.json', import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');


/** The session keys exactly as the vectors give them (independent of deriveKeys). */
function vectorCrypto(c: RakpCase): SessionCrypto {
  return { suite: CIPHER_SUITES[c.cipherSuite], k1: h(c.k1), k2: h(c.k2) };
}

function packets(c: RakpCase): [string, LanPlusPacketVector][] {
  return [
    ['request (console -> BMC)', c.requestPacket],
    ['response (BMC -> console)', c.responsePacket],
  ];
}

/** decodeLanPlus must refuse with the typed protocol error, never a RangeError or a wrong payload. */
function expectRefused(packet: Uint8Array, crypto: SessionCrypto | undefined): void {
  let thrown: unknown;
  try {
    decodeLanPlus(packet, crypto);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `decodeLanPlus accepted ${hex(packet)}`).toBeInstanceOf(IpmiProtocolError);
}

for (const c of V.rakpCases) {
  const crypto = vectorCrypto(c);
  const codeLen = c.suite.integrityCodeLength;

  describe(`RMCP+ packets, ${c.name}`, () => {
    for (const [label, p] of packets(c)) {
      describe(label, () => {
        const packet = h(p.packet);

        it('decodes the Python-made packet to the expected payload', () => {
          const d = decodeLanPlus(packet, crypto);
          expect(d).toEqual({
            payloadType: PayloadType.ipmi,
            encrypted: true,
            authenticated: true,
            sessionId: p.sessionId,
            sequence: p.sequence,
            payload: h(p.payload),
          });
        });

        it('encodes byte for byte the same packet when given the same IV', () => {
          const out = encodeLanPlus(
            { payloadType: PayloadType.ipmi, sessionId: p.sessionId, sequence: p.sequence, payload: h(p.payload), iv: h(p.iv) },
            crypto,
          );
          expect(hex(out)).toBe(p.packet);
        });

        it('round-trips encode -> decode with a fresh random IV, laid out as table 13-8 says', () => {
          const out = encodeLanPlus(
            { payloadType: PayloadType.ipmi, sessionId: p.sessionId, sequence: p.sequence, payload: h(p.payload) },
            crypto,
          );
          expect(hex(out)).not.toBe(p.packet); // a new IV
          // RMCP header, AuthType 06h, payload type C0h (encrypted + authenticated, IPMI)
          expect(hex(out.subarray(0, 6))).toBe('0600ff0706c0');
          expect(out.readUInt32LE(6)).toBe(p.sessionId);
          expect(out.readUInt32LE(10)).toBe(p.sequence);
          const len = out.readUInt16LE(14);
          expect(len).toBe(p.encryptedPayload.length / 2);
          const trailer = out.subarray(16 + len);
          const pad = trailer[trailer.length - codeLen - 2];
          expect(pad).toBe(p.integrityPadLength);
          expect(hex(trailer.subarray(0, pad))).toBe('ff'.repeat(pad));
          expect(trailer[trailer.length - codeLen - 1]).toBe(0x07);
          expect(trailer.length).toBe(pad + 2 + codeLen);
          expect((out.length - 4 - codeLen) % 4).toBe(0);
          const d = decodeLanPlus(out, crypto);
          expect(hex(d.payload)).toBe(p.payload);
          expect(d.sessionId).toBe(p.sessionId);
          expect(d.sequence).toBe(p.sequence);
        });

        it('carries a valid IPMI message', () => {
          const payload = decodeLanPlus(packet, crypto).payload;
          if (label.startsWith('request')) expect(decodeRequest(payload)).toMatchObject({ netFn: 0, cmd: 1, rqSeq: 1 });
          else expect(decodeResponse(payload)).toMatchObject({ netFn: 1, cmd: 1, rqSeq: 1, completionCode: 0 });
        });

        it('peekLanPlus reads the session ID and payload type without keys', () => {
          expect(peekLanPlus(packet)).toEqual({ payloadType: PayloadType.ipmi, sessionId: p.sessionId });
        });

        it('has an RMCP header of version 06h, no ACK, class IPMI', () => {
          expect(decodeRmcpHeader(packet)).toEqual({ sequence: 0xff, messageClass: 0x07, ack: false });
          const badVersion = Buffer.from(packet);
          badVersion[0] = 0x07;
          expect(() => decodeRmcpHeader(badVersion)).toThrow(IpmiProtocolError);
        });

        it('refuses the packet after any single-bit flip or byte inversion in the session wrapper', () => {
          // Bytes 0..3 are the RMCP header: outside the AuthCode by definition (section 13.28.4)
          // and checked by decodeRmcpHeader, not decodeLanPlus.
          let tried = 0;
          for (let i = 4; i < packet.length; i++) {
            for (const mask of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff]) {
              const bad = Buffer.from(packet);
              bad[i] ^= mask;
              expectRefused(bad, crypto);
              tried++;
            }
          }
          expect(tried).toBe((packet.length - 4) * 9);
        });

        it('refuses a truncated or extended packet', () => {
          for (let n = 4; n < packet.length; n++) expectRefused(packet.subarray(0, n), crypto);
          expectRefused(Buffer.concat([packet, Buffer.from([0x00])]), crypto);
          expectRefused(Buffer.concat([packet, Buffer.alloc(4, 0xff)]), crypto);
        });

        it('refuses an authenticated packet when no integrity keys are known', () => {
          expectRefused(packet, undefined);
          expectRefused(packet, { suite: CIPHER_SUITES[0], k1: Buffer.alloc(0), k2: Buffer.alloc(0) });
        });

        it('refuses the packet under a wrong K1', () => {
          const k1 = Buffer.from(crypto.k1);
          k1[k1.length - 1] ^= 0x01;
          expectRefused(packet, { ...crypto, k1 });
          expectRefused(packet, { ...crypto, k1: crypto.k2 });
          expectRefused(packet, { ...crypto, k1: Buffer.alloc(crypto.k1.length) });
        });

        it('does not yield the payload under a wrong K2', () => {
          const k2 = Buffer.from(crypto.k2);
          k2[0] ^= 0x80;
          let payload: Buffer | undefined;
          try {
            payload = decodeLanPlus(packet, { ...crypto, k2 }).payload;
          } catch (e) {
            expect(e).toBeInstanceOf(IpmiProtocolError);
          }
          if (payload) expect(hex(payload)).not.toBe(p.payload);
        });

        it('refuses the same payload sent unauthenticated inside the session', () => {
          // Strip the integrity trailer and clear the authenticated bit: a downgrade attempt.
          const stripped = Buffer.from(packet.subarray(0, 16 + p.encryptedPayload.length / 2));
          stripped[5] &= ~0x40;
          expectRefused(stripped, crypto);
        });
      });
    }

    it('the other suite\'s keys do not open these packets', () => {
      const other = V.rakpCases.find((o) => o.cipherSuite !== c.cipherSuite && o.inputs.password === c.inputs.password)!;
      expectRefused(h(c.requestPacket.packet), vectorCrypto(other));
      expectRefused(h(c.requestPacket.packet), { ...vectorCrypto(other), suite: crypto.suite });
    });

    it('a session keyed from the password alone (SIK -> K1, K2 via deriveKeys) opens the packets', () => {
      const suite = CIPHER_SUITES[c.cipherSuite];
      const sik = sessionIntegrityKey(suite, passwordKey(h(c.inputs.password)), {
        consoleSessionId: c.inputs.consoleSessionId,
        bmcSessionId: c.inputs.bmcSessionId,
        consoleRandom: h(c.inputs.consoleRandom),
        bmcRandom: h(c.inputs.bmcRandom),
        bmcGuid: h(c.inputs.bmcGuid),
        role: c.inputs.role,
        username: h(c.inputs.username),
      });
      const keys = deriveKeys(suite, sik);
      const session: SessionCrypto = { suite, k1: keys.k1, k2: keys.k2 };
      expect(hex(decodeLanPlus(h(c.responsePacket.packet), session).payload)).toBe(c.responsePacket.payload);
    });
  });
}

describe('RMCP+ outside a session', () => {
  it('encodes and decodes a clear payload with session ID 0 and no trailer', () => {
    const req = h(V.rakpCases[0].messages.openSessionRequest);
    const out = encodeLanPlus({ payloadType: PayloadType.openSessionRequest, sessionId: 0, sequence: 0, payload: req });
    expect(hex(out)).toBe(`0600ff070610${'00'.repeat(8)}${req.length.toString(16).padStart(2, '0')}00${hex(req)}`);
    expect(decodeLanPlus(out)).toEqual({
      payloadType: PayloadType.openSessionRequest,
      encrypted: false,
      authenticated: false,
      sessionId: 0,
      sequence: 0,
      payload: req,
    });
    // still accepted while keys exist (the session setup answers carry session ID 0)
    expect(hex(decodeLanPlus(out, vectorCrypto(V.rakpCases[0])).payload)).toBe(hex(req));
  });
});
