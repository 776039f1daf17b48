/**
 * One UDP socket shared by every BMC a process talks to. Packets are routed to listeners by the
 * sender's address and port; each session then checks that a packet is really its own.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ipLiteralLookup } from './ip-literal-lookup.ts';

export type DatagramListener = (packet: Buffer) => void;

export class UdpTransport {
  private socket4?: dgram.Socket;
  private socket6?: dgram.Socket;
  private readonly listeners = new Map<string, Set<DatagramListener>>();
  private users = 0;

  private static key(address: string, port: number): string {
    return `${address}|${port}`;
  }

  private socketFor(family: 4 | 6): dgram.Socket {
    const existing = family === 4 ? this.socket4 : this.socket6;
    if (existing) return existing;
    // Every send names an IP address (resolve() runs once per BMC): answered at once, not a tick later.
    const s = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6', lookup: ipLiteralLookup });
    s.on('message', (msg, rinfo) => {
      const set = this.listeners.get(UdpTransport.key(rinfo.address, rinfo.port));
      if (!set) return;
      // One listener (one exchange in flight per BMC) is the usual case: no copy of the set for it.
      if (set.size === 1) {
        for (const l of set) l(msg);
        return;
      }
      for (const l of [...set]) l(msg);
    });
    // Errors on an unconnected UDP socket (ICMP unreachable and the like) are not fatal: the
    // request that caused them times out with a clear message instead.
    s.on('error', () => undefined);
    s.unref();
    if (family === 4) this.socket4 = s;
    else this.socket6 = s;
    return s;
  }

  /** Resolve a host name once; BMCs are addressed by IP on the wire. */
  async resolve(host: string): Promise<{ address: string; family: 4 | 6 }> {
    const v = isIP(host);
    if (v === 4 || v === 6) return { address: host, family: v };
    const r = await lookup(host);
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  }

  subscribe(address: string, port: number, listener: DatagramListener): () => void {
    const k = UdpTransport.key(address, port);
    let set = this.listeners.get(k);
    if (!set) this.listeners.set(k, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(k);
    };
  }

  /**
   * Send and forget: no completion callback, which costs the socket a request object and a
   * callback per packet (about half a send's CPU time). A send error is the socket's 'error'
   * event, ignored: the exchange that sent it times out with a clear message instead.
   */
  post(address: string, family: 4 | 6, port: number, packet: Uint8Array): void {
    this.socketFor(family).send(packet, port, address);
  }

  /** Send, resolved once the socket has handed the packet over (for a packet sent last, before a close). */
  send(address: string, family: 4 | 6, port: number, packet: Uint8Array): Promise<void> {
    const s = this.socketFor(family);
    return new Promise((resolve) => {
      // A send error surfaces as a timeout of the exchange; the callback never rejects.
      s.send(packet, port, address, () => resolve());
    });
  }

  acquire(): void {
    this.users++;
  }

  /** Close the sockets when the last user releases them. */
  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) this.shutdown();
  }

  private shutdown(): void {
    for (const s of [this.socket4, this.socket6]) {
      try {
        s?.close();
      } catch {
        // already closed
      }
    }
    this.socket4 = this.socket6 = undefined;
  }
}

let shared: UdpTransport | undefined;

/** The process-wide transport used when a caller does not bring its own. */
export function sharedTransport(): UdpTransport {
  if (!shared) shared = new UdpTransport();
  return shared;
}
