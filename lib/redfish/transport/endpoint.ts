/**
 * Where a BMC's Redfish service is, and the one rule about plain HTTP: it is allowed only to a
 * loopback address (tests, DMTF's mockup), because a BMC password must never cross a network in clear.
 */
import { isIP } from 'node:net';
import { RedfishError, RedfishProtocolError } from '../errors.ts';
import { isLoopback } from '../../util/index.ts';

export interface RedfishEndpoint {
  /** The BMC's address (IP or name). */
  host: string;
  /** TCP port; 443 for https, 80 for http by default. */
  port?: number;
  /** https by default; http only to a loopback address. */
  protocol?: 'https' | 'http';
}

export interface ResolvedEndpoint {
  host: string;
  port: number;
  protocol: 'https' | 'http';
  /** "host:port", for messages. */
  label: string;
}


export function resolveEndpoint(e: RedfishEndpoint): ResolvedEndpoint {
  const protocol = e.protocol ?? 'https';
  const host = e.host.trim().replace(/^\[|\]$/g, '');
  if (!host) throw new RedfishError('a Redfish endpoint needs a host');
  if (protocol !== 'https' && protocol !== 'http') throw new RedfishError(`protocol '${String(protocol)}' is not https or http`);
  if (protocol === 'http' && !isLoopback(host)) {
    throw new RedfishError(`${host}: plain http is allowed only to a loopback address; a BMC is reached over https`);
  }
  const port = e.port ?? (protocol === 'https' ? 443 : 80);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedfishError(`${host}: port ${port} is not a TCP port`);
  return { host, port, protocol, label: `${isIP(host) === 6 ? `[${host}]` : host}:${port}` };
}

/**
 * The path of a link the BMC gave (an `@odata.id`, a `Location` header). An absolute URL counts by
 * its path only: BMCs write their own idea of their name into such URLs (iLO its host name, a BMC
 * behind NAT its inner address), and the client only ever connects to the endpoint it was given.
 */
export function pathOf(ref: string, ep: ResolvedEndpoint): string {
  if (ref.startsWith('/')) return ref;
  let u: URL;
  try {
    u = new URL(ref);
  } catch {
    throw new RedfishProtocolError(`${ep.label}: link '${ref}' is neither a path nor a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new RedfishProtocolError(`${ep.label}: link '${ref}' is not an http(s) URL`);
  return `${u.pathname}${u.search}`;
}
