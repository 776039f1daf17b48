/**
 * One text form for a BMC's System GUID, whatever byte order the BMC sends it in. IPMI v2.0
 * (section 22.14 and appendix A) sends the whole 16-byte GUID least-significant byte first; many
 * BMCs send the SMBIOS order instead (only time_low, time_mid and time_hi_and_version little-endian)
 * and some the RFC 4122 network order. Binding a BMC to its host compares GUIDs, so the comparison
 * must try every order, and the stored form must be one agreed choice. Pure: no I/O.
 */
import { IpmiProtocolError } from './errors.ts';

export type GuidByteOrder = 'ipmi' | 'smbios' | 'rfc4122';

/** The orders in the order of preference: the specification's first. */
export const GUID_BYTE_ORDERS: readonly GuidByteOrder[] = ['ipmi', 'smbios', 'rfc4122'];

function need16(bytes: Uint8Array): void {
  if (bytes.length !== 16) throw new IpmiProtocolError(`a GUID is 16 bytes, not ${bytes.length}`);
}

/** The 16 bytes in RFC 4122 (network) order, read as if sent in `order`. */
export function guidNetworkBytes(bytes: Uint8Array, order: GuidByteOrder): Buffer {
  need16(bytes);
  const b = Buffer.from(bytes);
  switch (order) {
    case 'rfc4122':
      return b;
    case 'ipmi':
      return Buffer.from(b).reverse();
    case 'smbios': {
      const out = Buffer.from(b);
      out.writeUInt32BE(b.readUInt32LE(0), 0);
      out.writeUInt16BE(b.readUInt16LE(4), 4);
      out.writeUInt16BE(b.readUInt16LE(6), 6);
      return out;
    }
  }
}

/** The inverse of guidNetworkBytes: what a BMC using `order` sends for a GUID in network order. */
export function guidWireBytes(network: Uint8Array, order: GuidByteOrder): Buffer {
  need16(network);
  // Every one of the three orders is its own inverse.
  return guidNetworkBytes(network, order);
}

/** Lowercase 8-4-4-4-12 text of 16 bytes in network order. */
function text(network: Buffer): string {
  const h = network.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The text form of the bytes read in one order. */
export function guidText(bytes: Uint8Array, order: GuidByteOrder): string {
  return text(guidNetworkBytes(bytes, order));
}

/** An RFC 4122 UUID: variant 10xx and version 1 to 5 (as a text form or as network-order bytes). */
export function isRfc4122Uuid(network: Uint8Array): boolean {
  const version = network[6] >> 4;
  return (network[8] & 0xc0) === 0x80 && version >= 1 && version <= 5;
}

/** Every decoding of the bytes, in the order of preference (duplicates kept: a symmetric GUID reads alike). */
export function guidDecodings(bytes: Uint8Array): Array<{ order: GuidByteOrder; guid: string; valid: boolean }> {
  return GUID_BYTE_ORDERS.map((order) => {
    const n = guidNetworkBytes(bytes, order);
    return { order, guid: text(n), valid: isRfc4122Uuid(n) };
  });
}

/**
 * The canonical text of a GUID as a BMC sent it: the first of the IPMI, SMBIOS and RFC 4122
 * readings that is a valid RFC 4122 UUID; when none is, the IPMI reading.
 */
export function canonicalGuid(bytes: Uint8Array): string {
  const all = guidDecodings(bytes);
  return (all.find((d) => d.valid) ?? all[0]).guid;
}

/** Which order canonicalGuid chose (for reports: "this BMC sends SMBIOS order"). */
export function canonicalGuidOrder(bytes: Uint8Array): GuidByteOrder {
  const all = guidDecodings(bytes);
  return (all.find((d) => d.valid) ?? all[0]).order;
}

/**
 * A GUID text in canonical spelling: lowercase 8-4-4-4-12, from any of "{...}", "urn:uuid:...",
 * upper case or 32 hex digits without dashes. Undefined when it is not a GUID.
 */
export function normalizeGuidText(s: string): string | undefined {
  const hex = s
    .trim()
    .toLowerCase()
    .replace(/^urn:uuid:/, '')
    .replace(/^\{(.*)\}$/, '$1');
  if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/.test(hex)) return undefined;
  return text(Buffer.from(hex.replace(/-/g, ''), 'hex'));
}

/**
 * True when `stored` (a canonical GUID, as kept for a host) names the GUID given: 16 bytes as a
 * BMC sent them (any of the three byte orders matches), or a text form such as a Redfish UUID
 * (compared without regard to case). A stored value that is not a GUID matches nothing.
 */
export function guidMatches(stored: string, given: Uint8Array | string): boolean {
  const want = normalizeGuidText(stored);
  if (!want) return false;
  if (typeof given === 'string') return normalizeGuidText(given) === want;
  if (given.length !== 16) return false;
  return guidDecodings(given).some((d) => d.guid === want);
}
