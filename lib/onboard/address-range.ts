/**
 * Where to look for BMCs, pure: a BMC range as an operator types it, turned into the addresses to
 * probe. Three forms, mixed freely in a comma-separated list:
 *   10.20.0.0/24            every usable IPv4 address of the network (network and broadcast
 *                           addresses left out where the prefix has them)
 *   10.20.0.21-10.20.0.36   every IPv4 address from the first to the last, both included
 *   10.20.0.7, bmc-7.lan    single addresses or names (a port may follow: 10.20.0.7:6230)
 *   127.0.0.1:16230-16240   one host, a range of ports (how simulated BMCs on loopback are reached)
 * The result is bounded: probing a /16 by mistake sends 65,534 pings, so more than `max`
 * addresses (1,024 by default) is refused unless the caller forces it.
 */

export interface ProbeTarget {
  host: string;
  /** The port given in the range; undefined means the protocol's own (623 for IPMI, 443 for Redfish). */
  port?: number;
}

export class AddressRangeError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_MAX_TARGETS = 1024;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
// A DNS name (RFC 1123 labels) or an IPv4 address; IPv6 literals go in brackets: [fd00::7]:623.
const NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function ipv4ToInt(text: string, item: string): number {
  const m = IPV4.exec(text);
  if (!m) throw new AddressRangeError(item, `'${text}' is not an IPv4 address`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw new AddressRangeError(item, `'${text}' is not an IPv4 address (a part is over 255)`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

const intToIpv4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function port(text: string, item: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new AddressRangeError(item, `'${text}' is not a port (1-65535) in '${item}'`);
  return Number(text);
}

/** The addresses of a CIDR block, or how many there would be (when only counting). */
function cidr(item: string): { first: number; count: number } {
  const [base, bitsText] = item.split('/');
  if (!/^\d{1,2}$/.test(bitsText) || Number(bitsText) > 32) throw new AddressRangeError(item, `'/${bitsText}' is not a prefix length (0-32) in '${item}'`);
  const bits = Number(bitsText);
  const ip = ipv4ToInt(base, item);
  const size = 2 ** (32 - bits);
  const network = bits === 0 ? 0 : (ip & (~0 << (32 - bits))) >>> 0;
  if (network !== ip) throw new AddressRangeError(item, `'${item}' has host bits set: the network is ${intToIpv4(network)}/${bits}`);
  // /31 (RFC 3021) and /32 have no network or broadcast address to leave out.
  return size <= 2 ? { first: network, count: size } : { first: network + 1, count: size - 2 };
}

/** One item of the list, as a generator of targets (so a huge block is refused before it is listed). */
function parseItem(item: string): { count: number; targets: () => ProbeTarget[] } {
  if (item.includes('/')) {
    const { first, count } = cidr(item);
    return { count, targets: () => Array.from({ length: count }, (_, i) => ({ host: intToIpv4(first + i) })) };
  }
  const span = /^(\d{1,3}(?:\.\d{1,3}){3})-(\d{1,3}(?:\.\d{1,3}){3})$/.exec(item);
  if (span) {
    const first = ipv4ToInt(span[1], item);
    const last = ipv4ToInt(span[2], item);
    if (last < first) throw new AddressRangeError(item, `'${item}' runs backwards: the first address comes after the last`);
    return { count: last - first + 1, targets: () => Array.from({ length: last - first + 1 }, (_, i) => ({ host: intToIpv4(first + i) })) };
  }
  let host = item;
  let portText: string | undefined;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.+))?$/.exec(item);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (item.includes(':')) {
    if (item.indexOf(':') !== item.lastIndexOf(':')) throw new AddressRangeError(item, `'${item}': write an IPv6 address in brackets, e.g. [fd00::7]:623`);
    [host, portText] = item.split(':');
  }
  if (!bracketed) {
    if (IPV4.test(host)) ipv4ToInt(host, item);
    else if (!NAME.test(host)) throw new AddressRangeError(item, `'${host}' is neither an IPv4 address nor a host name`);
  }
  if (portText === undefined) return { count: 1, targets: () => [{ host }] };
  const ports = /^(\d+)-(\d+)$/.exec(portText);
  if (!ports) return { count: 1, targets: () => [{ host, port: port(portText as string, item) }] };
  const from = port(ports[1], item);
  const to = port(ports[2], item);
  if (to < from) throw new AddressRangeError(item, `'${portText}' runs backwards in '${item}'`);
  return { count: to - from + 1, targets: () => Array.from({ length: to - from + 1 }, (_, i) => ({ host, port: from + i })) };
}

/**
 * The targets of a range text, each once, in the order given. Throws AddressRangeError on a
 * malformed item, and when there are more than `max` targets and `force` is not set.
 */
export function parseAddressRange(text: string, o: { max?: number; force?: boolean } = {}): ProbeTarget[] {
  const items = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new AddressRangeError(text, 'the BMC range is empty: give a CIDR (10.20.0.0/24), FIRST-LAST addresses, single addresses, or HOST:PORT-PORT');
  const parsed = items.map(parseItem);
  const total = parsed.reduce((n, p) => n + p.count, 0);
  const max = o.max ?? DEFAULT_MAX_TARGETS;
  if (total > max && !o.force) {
    throw new AddressRangeError(text, `the BMC range holds ${total} addresses, over the limit of ${max}: narrow it, or pass --force to probe them all`);
  }
  const seen = new Set<string>();
  const out: ProbeTarget[] = [];
  for (const p of parsed) {
    for (const t of p.targets()) {
      const key = `${t.host.toLowerCase()}:${t.port ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}
