/** RMCP / ASF Presence Ping: is anything answering IPMI on a port, without credentials or a session. */
import { UdpTransport, sharedTransport } from './transport/udp-transport.ts';
import { exchange } from './transport/exchange.ts';
import { decodeAsfPong, decodeRmcpHeader, encodeAsfPing, RMCP_CLASS_ASF, type AsfPong } from './codec/rmcp.ts';

/**
 * RMCP / ASF Presence Ping (DMTF ASF 2.0 section 3.2.4.3): is something answering on this port,
 * and does it say it speaks IPMI? Needs no credentials and opens no session.
 */
export async function pingBmc(o: { host: string; port?: number; timeoutMs?: number; retries?: number; transport?: UdpTransport }): Promise<AsfPong & { ms: number }> {
  const transport = o.transport ?? sharedTransport();
  transport.acquire();
  try {
    const { address, family } = await transport.resolve(o.host);
    const port = o.port ?? 623;
    const tag = Math.floor(Math.random() * 255);
    const t0 = performance.now();
    const pong = await exchange({ transport, host: o.host, address, family, port }, {
      what: 'ASF Presence Ping',
      timeoutMs: o.timeoutMs ?? 1000,
      retries: o.retries ?? 2,
      build: () => encodeAsfPing(tag),
      accept: (packet) => {
        if (decodeRmcpHeader(packet).messageClass !== RMCP_CLASS_ASF) return undefined;
        const p = decodeAsfPong(packet);
        return p.tag === tag ? p : undefined;
      },
    });
    return { ...pong, ms: performance.now() - t0 };
  } finally {
    transport.release();
  }
}
