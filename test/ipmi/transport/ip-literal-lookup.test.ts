import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { ipLiteralLookup } from '../../../lib/ipmi/index.ts';

describe('ipLiteralLookup', () => {
  it('answers an IPv4 or IPv6 literal within the call, with its family', () => {
    const seen: Array<[string, number]> = [];
    ipLiteralLookup('127.0.0.1', 4, (err, address, family) => {
      expect(err).toBeNull();
      seen.push([address, family]);
    });
    ipLiteralLookup('::1', { family: 6 }, (err, address, family) => {
      expect(err).toBeNull();
      seen.push([address, family]);
    });
    // Both callbacks ran before this line: nothing was deferred to a later tick.
    expect(seen).toEqual([
      ['127.0.0.1', 4],
      ['::1', 6],
    ]);
  });

  it('hands a name to the system resolver (later, not within the call)', async () => {
    let called = false;
    const answer = new Promise<[NodeJS.ErrnoException | null, string, number]>((resolve) =>
      ipLiteralLookup('localhost', 4, (err, address, family) => {
        called = true;
        resolve([err, address, family]);
      }),
    );
    expect(called).toBe(false);
    const [err, address, family] = await answer;
    expect(err).toBeNull();
    expect(family).toBe(4);
    expect(address).toMatch(/^127\./);
  });

  it('a socket using it delivers a datagram sent to a literal address', async () => {
    const rx = dgram.createSocket('udp4');
    const tx = dgram.createSocket({ type: 'udp4', lookup: ipLiteralLookup });
    try {
      await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', resolve));
      const got = new Promise<string>((resolve) => rx.once('message', (m) => resolve(m.toString())));
      tx.send(Buffer.from('ping'), rx.address().port, '127.0.0.1');
      expect(await got).toBe('ping');
    } finally {
      rx.close();
      tx.close();
    }
  });
});
