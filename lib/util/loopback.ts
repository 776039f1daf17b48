/**
 * Is this host name or address this machine's loopback? `localhost`, `::1` and 127.0.0.0/8 (also
 * IPv4-mapped, `::ffff:127.x.y.z`), with or without the brackets of a URL's IPv6 host. Where a
 * secret may travel over plain http only to a loopback peer, this is the one test. No Node
 * module: the dashboard's bundle may use it too.
 */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const LOOPBACK_V4 = new RegExp(`^127\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (LOOPBACK_V4.test(h)) return true;
  const mapped = /^::ffff:(.+)$/.exec(h);
  return mapped ? LOOPBACK_V4.test(mapped[1]) : false;
}
