/**
 * A UDP proxy on loopback that can lose, in either direction, the packets a test tells it to:
 * the lossy network between lowpower and a real BMC peer.
 */
import dgram from 'node:dgram';

export type Direction = 'request' | 'reply';
/** Decides per packet: true drops it. `index` counts packets in that direction from 0. */
export type DropRule = (direction: Direction, index: number, packet: Buffer) => boolean;

export interface UdpProxy {
  port: number;
  /** Packets seen per direction. */
  counts: Record<Direction, number>;
  dropped: Record<Direction, number>;
  setRule(rule: DropRule): void;
  /** Every request packet that went through, in order. */
  requests: Buffer[];
  /** Send request `index` to the BMC again, byte for byte, from the same client port. */
  replay(index: number): void;
  close(): Promise<void>;
}

export async function startUdpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<UdpProxy> {
  const front = dgram.createSocket('udp4');
  const backs = new Map<string, dgram.Socket>();
  let rule: DropRule = () => false;
  const requests: Buffer[] = [];
  let lastBack: dgram.Socket | undefined;
  const counts = { request: 0, reply: 0 };
  const dropped = { request: 0, reply: 0 };
  const pass = (d: Direction, packet: Buffer): boolean => {
    const i = counts[d]++;
    if (rule(d, i, packet)) {
      dropped[d]++;
      return false;
    }
    return true;
  };
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let back = backs.get(key);
    if (!back) {
      back = dgram.createSocket('udp4');
      back.on('message', (reply) => {
        if (pass('reply', reply)) front.send(reply, from.port, from.address);
      });
      back.bind(0, '127.0.0.1');
      backs.set(key, back);
    }
    lastBack = back;
    if (pass('request', msg)) {
      requests.push(Buffer.from(msg));
      back.send(msg, targetPort, targetHost);
    }
  });
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', () => r()));
  return {
    port: front.address().port,
    counts,
    dropped,
    setRule(r) {
      rule = r;
    },
    requests,
    replay(index) {
      lastBack?.send(requests[index], targetPort, targetHost);
    },
    async close() {
      for (const b of backs.values()) b.close();
      await new Promise<void>((r) => front.close(() => r()));
    },
  };
}
