/**
 * The address lookup for UDP sockets that are only ever given IP addresses. A socket that is not
 * connected looks up the address of every datagram it sends; node's default lookup answers an IP
 * literal on the next tick, so each send waits a turn of the event loop and pays for the deferral.
 * This one answers an IP literal at once (the send goes out within the call) and hands anything
 * else to the system resolver as before. A socket using it binds within `bind()` too: its
 * 'listening' and 'error' listeners must be attached before (a bind error with no 'error' listener
 * is thrown by `bind()`), as both users here do.
 */
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

/** For `dgram.createSocket({ type, lookup: ipLiteralLookup })` (dgram passes the family as a number). */
export function ipLiteralLookup(
  hostname: string,
  options: LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, typeof options === 'number' ? { family: options } : { ...options, all: false }, callback);
}
