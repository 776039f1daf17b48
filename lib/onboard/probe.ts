/**
 * Is there a BMC at this address, and what does it speak? Two probes that carry no credentials:
 * an RMCP/ASF presence ping on UDP (IPMI over LAN answers it before any session), and an
 * unauthenticated GET of the Redfish service root over HTTPS (DSP0266 serves /redfish/v1/ without
 * authentication). Nothing else is sent to an address that has not answered as a BMC.
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { isIP } from 'node:net';
import { pingBmc } from '../ipmi/index.ts';
import { isLoopback } from '../util/index.ts';

export interface RedfishRoot {
  url: string;
  redfishVersion: string;
  /** The service's UUID, when it gives one. */
  uuid?: string;
  vendor?: string;
}

/** GET /redfish/v1/ without credentials; the root when it is a Redfish service, else undefined. */
export function probeRedfish(host: string, o: { port?: number; scheme?: 'https' | 'http'; timeoutMs?: number } = {}): Promise<RedfishRoot | undefined> {
  const scheme = o.scheme ?? 'https';
  // Plain HTTP only to loopback peers: nothing about a real BMC is asked in clear.
  if (scheme === 'http' && !isLoopback(host)) return Promise.resolve(undefined);
  const port = o.port ?? (scheme === 'https' ? 443 : 80);
  const hostText = host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}://${hostText}:${port}`;
  return new Promise((resolve) => {
    const req = (scheme === 'https' ? httpsRequest : httpRequest)(
      {
        host,
        port,
        path: '/redfish/v1/',
        method: 'GET',
        headers: { accept: 'application/json', 'odata-version': '4.0' },
        timeout: o.timeoutMs ?? 2000,
        // Only the service root is read, with nothing secret in the request: the certificate is
        // pinned later, when the host is added with credentials.
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 256 * 1024) req.destroy();
          else chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(undefined);
          try {
            const root = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
            if (typeof root.RedfishVersion !== 'string') return resolve(undefined);
            resolve({ url, redfishVersion: root.RedfishVersion, uuid: typeof root.UUID === 'string' ? root.UUID : undefined, vendor: typeof root.Vendor === 'string' ? root.Vendor : undefined });
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** The ASF presence ping; true when an RMCP peer that supports IPMI answered. */
export async function probeIpmi(host: string, o: { port?: number; timeoutMs?: number; retries?: number } = {}): Promise<boolean> {
  try {
    const pong = await pingBmc({ host, port: o.port ?? 623, timeoutMs: o.timeoutMs ?? 1000, retries: o.retries ?? 2 });
    return pong.ipmiSupported;
  } catch {
    return false;
  }
}

export type ProbeResult = { protocol: 'redfish'; root: RedfishRoot; port: number; scheme: 'https' | 'http' } | { protocol: 'ipmi'; port: number } | { protocol: 'none'; tried: string[] };

/**
 * `auto`: Redfish first (the service root answers), else IPMI (the presence ping answers), as
 * current BMCs ship with IPMI over LAN off and Redfish on.
 */
export async function probeProtocol(host: string, o: { redfishPort?: number; redfishScheme?: 'https' | 'http'; ipmiPort?: number; timeoutMs?: number } = {}): Promise<ProbeResult> {
  const redfishPort = o.redfishPort ?? 443;
  const scheme = o.redfishScheme ?? 'https';
  const root = await probeRedfish(host, { port: redfishPort, scheme, timeoutMs: o.timeoutMs });
  if (root) return { protocol: 'redfish', root, port: redfishPort, scheme };
  const ipmiPort = o.ipmiPort ?? 623;
  if (await probeIpmi(host, { port: ipmiPort, timeoutMs: o.timeoutMs })) return { protocol: 'ipmi', port: ipmiPort };
  return { protocol: 'none', tried: [`Redfish service root at ${scheme}://${host}:${redfishPort}`, `ASF presence ping to UDP ${host}:${ipmiPort}`] };
}

/**
 * The SHA-256 fingerprint of the certificate a TLS server presents (a handshake, nothing sent
 * after it), as "AB:CD:...": what trust on first use pins before credentials go to the BMC.
 */
export function probeCertificate(host: string, port: number, o: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, timeout: o.timeoutMs ?? 3000 }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      if (!cert || !cert.fingerprint256) reject(new Error(`${host}:${port} presented no certificate`));
      else resolve(cert.fingerprint256.toUpperCase());
    });
    socket.on('timeout', () => socket.destroy(new Error(`${host}:${port}: no TLS handshake within ${o.timeoutMs ?? 3000} ms`)));
    socket.on('error', (e) => reject(new Error(`${host}:${port}: ${e.message}`)));
  });
}
