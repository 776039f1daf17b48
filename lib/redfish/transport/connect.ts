/**
 * Connections to one BMC: TCP, or TLS checked against the host's trust (pin or CA) before the
 * socket is handed to the HTTP client, so that no request byte is written to an unverified peer.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { RedfishTlsError } from '../errors.ts';
import type { ResolvedEndpoint } from './endpoint.ts';
import type { TlsTrust } from './tls-trust.ts';

/** OpenSSL verification codes: the certificate itself was refused, not the network. */
const VERIFY_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ISSUER|SIGNATURE/;

export type OnSocket = (err: Error | null, socket?: Socket) => void;

/** Open one connection (verified, for https) and pass it to `done` once usable. */
export function openConnection(ep: ResolvedEndpoint, trust: TlsTrust, timeoutMs: number, done: OnSocket): void {
  let finished = false;
  const finish = (err: Error | null, s?: Socket): void => {
    if (finished) return;
    finished = true;
    done(err, s);
  };
  if (ep.protocol === 'http') {
    const s = netConnect({ host: ep.host, port: ep.port });
    s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })));
    // Kept after the hand-over (a no-op then), so an error before the HTTP client listens is not unhandled.
    s.on('error', (e) => finish(e));
    s.once('connect', () => {
      s.setTimeout(0);
      finish(null, s);
    });
    return;
  }
  const s: TLSSocket = tlsConnect({
    host: ep.host,
    port: ep.port,
    // RFC 6066 forbids an IP address as SNI; the name check then uses the address itself.
    ...(isIP(ep.host) ? {} : { servername: ep.host }),
    rejectUnauthorized: trust.verifiesChain,
    ca: trust.ca,
    minVersion: 'TLSv1.2',
  });
  s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })));
  s.on('error', (e: Error & { code?: string }) => {
    if (trust.verifiesChain && VERIFY_CODES.test(e.code ?? '')) finish(new RedfishTlsError(ep.label, `${e.code}: ${e.message}`));
    else finish(e);
  });
  s.once('secureConnect', () => {
    s.setTimeout(0);
    try {
      trust.check(ep.label, s.getPeerCertificate().fingerprint256);
    } catch (e) {
      s.destroy();
      finish(e as Error);
      return;
    }
    finish(null, s);
  });
}

/**
 * An HTTP agent whose sockets come from `openConnection`. Node's agent takes a socket either as the
 * return value of `createConnection` or through its callback; the callback form lets the TLS check
 * finish first, so the request waits for it.
 */
export class BmcAgent extends Agent {
  constructor(
    private readonly ep: ResolvedEndpoint,
    private readonly trust: TlsTrust,
    private readonly connectTimeoutMs: number,
    keepAlive: boolean,
  ) {
    // An idle kept-alive connection is closed after 30 s: BMCs have few connection slots.
    super({ keepAlive, maxSockets: 1, maxFreeSockets: 1, timeout: 30_000 });
  }

  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    openConnection(this.ep, this.trust, this.connectTimeoutMs, (err, socket) => callback?.(err, socket as Duplex));
    // Documented agent contract: nothing returned means the socket comes through the callback.
    return undefined as unknown as Duplex;
  }
}
