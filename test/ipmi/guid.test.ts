/**
 * One canonical text for a System GUID whatever byte order a BMC sends it in (IPMI's all
 * least-significant-byte-first, SMBIOS's mixed order, RFC 4122's network order), and a match that
 * accepts any of them but nothing else.
 */
import { describe, expect, it } from 'vitest';
import { canonicalGuid, canonicalGuidOrder, guidDecodings, guidMatches, guidNetworkBytes, guidText, guidWireBytes, isRfc4122Uuid, normalizeGuidText, type GuidByteOrder } from '../../lib/ipmi/guid.ts';
import { expectProtocolError } from './commands/expect-protocol-error.ts';

// A version 4, variant 10xx UUID written as RFC 4122 text.
const TEXT = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const NETWORK = Buffer.from(TEXT.replace(/-/g, ''), 'hex');
// The same identity as each kind of BMC puts it on the wire, written out by hand.
const WIRE: Record<GuidByteOrder, Buffer> = {
  ipmi: Buffer.from('01332ce805030c9ad341894fe004253f', 'hex'),
  smbios: Buffer.from('e004253f894fd3419a0c0305e82c3301', 'hex'),
  rfc4122: Buffer.from('3f2504e04f8941d39a0c0305e82c3301', 'hex'),
};

describe('GUID byte orders', () => {
  it('reads each hand-written wire form back to the network order', () => {
    for (const order of ['ipmi', 'smbios', 'rfc4122'] as const) {
      expect(guidNetworkBytes(WIRE[order], order).toString('hex'), order).toBe(NETWORK.toString('hex'));
      expect(guidWireBytes(NETWORK, order).toString('hex'), order).toBe(WIRE[order].toString('hex'));
      expect(guidText(WIRE[order], order)).toBe(TEXT);
    }
  });

  it('checks the RFC 4122 variant and version', () => {
    expect(isRfc4122Uuid(NETWORK)).toBe(true);
    const badVariant = Buffer.from(NETWORK);
    badVariant[8] = 0x1a; // variant 0xxx (NCS)
    expect(isRfc4122Uuid(badVariant)).toBe(false);
    const v0 = Buffer.from(NETWORK);
    v0[6] = 0x01;
    expect(isRfc4122Uuid(v0)).toBe(false);
    const v6 = Buffer.from(NETWORK);
    v6[6] = 0x61;
    expect(isRfc4122Uuid(v6)).toBe(false);
  });

  it('refuses anything but 16 bytes', () => {
    expectProtocolError(() => canonicalGuid(Buffer.alloc(15)), /16 bytes, not 15/);
  });
});

describe('canonicalGuid', () => {
  it('gives the same text for the same identity sent in each of the three orders', () => {
    for (const order of ['ipmi', 'smbios', 'rfc4122'] as const) {
      expect(canonicalGuid(WIRE[order]), order).toBe(TEXT);
      expect(canonicalGuidOrder(WIRE[order]), order).toBe(order);
    }
  });

  it('prefers the IPMI reading when more than one reading is a valid UUID', () => {
    // Valid read in IPMI order and as-is: network bytes whose reverse is also a v4 / 10xx UUID.
    const n = Buffer.from('00000000000041008000000000000000', 'hex');
    n[7] = 0x80; // reversed: byte 8 (0x80) variant 10
    n[9] = 0x40; // reversed: byte 6 (0x40) version 4
    const wire = Buffer.from(n).reverse();
    const d = guidDecodings(wire);
    expect(d.filter((x) => x.valid).map((x) => x.order)).toEqual(expect.arrayContaining(['ipmi', 'rfc4122']));
    expect(canonicalGuid(wire)).toBe(guidText(wire, 'ipmi'));
  });

  it('falls back to the IPMI reading when no reading is a valid UUID', () => {
    const wire = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(guidDecodings(wire).some((x) => x.valid)).toBe(false);
    expect(canonicalGuid(wire)).toBe('ffeeddcc-bbaa-9988-7766-554433221100');
  });

  it('is lowercase 8-4-4-4-12', () => {
    expect(canonicalGuid(WIRE.ipmi)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('guidMatches', () => {
  it('matches the stored canonical GUID in any byte order', () => {
    for (const order of ['ipmi', 'smbios', 'rfc4122'] as const) expect(guidMatches(TEXT, WIRE[order]), order).toBe(true);
  });

  it('matches a Redfish UUID string without regard to case or dashes', () => {
    expect(guidMatches(TEXT, TEXT.toUpperCase())).toBe(true);
    expect(guidMatches(TEXT.toUpperCase(), TEXT)).toBe(true);
    expect(guidMatches(TEXT, `{${TEXT}}`)).toBe(true);
    expect(guidMatches(TEXT, TEXT.replace(/-/g, ''))).toBe(true);
  });

  it('does not match a different GUID, in any order or as text', () => {
    const other = Buffer.from(WIRE.ipmi);
    other[0] ^= 0x01; // one bit of the node
    for (const order of ['ipmi', 'smbios', 'rfc4122'] as const) expect(guidMatches(TEXT, guidWireBytes(guidNetworkBytes(other, 'ipmi'), order)), order).toBe(false);
    expect(guidMatches(TEXT, '3f2504e0-4f89-41d3-9a0c-0305e82c3300')).toBe(false);
  });

  it('matches nothing for a stored value that is no GUID, or bytes of the wrong length', () => {
    expect(guidMatches('', WIRE.ipmi)).toBe(false);
    expect(guidMatches('not-a-guid', 'not-a-guid')).toBe(false);
    expect(guidMatches(TEXT, WIRE.ipmi.subarray(0, 15))).toBe(false);
    expect(normalizeGuidText(`urn:uuid:${TEXT.toUpperCase()}`)).toBe(TEXT);
  });
});
