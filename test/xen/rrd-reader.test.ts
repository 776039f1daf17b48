/**
 * The RRD reader over real sockets on 127.0.0.1: the query xapi's handler reads, every member
 * asked at its own address, and each way a member can fail to answer (refused, silent past the
 * deadline, 401, an HTTP error, something that is not an export, a certificate not trusted, no
 * address) reported as that member's named failure, never as an empty load; the session id never
 * in an error; plain http only to loopback; the fan-out bound kept.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../lib/sim/redfish/certificate.ts';
import { memberEndpoint, RrdReader, rrdQueryString, type RrdMemberResult } from '../../lib/xen/rrd-reader.ts';
import { parseRrdUpdates } from '../../lib/xen/rrd-updates.ts';
import { fixture } from './rrd-fixtures.ts';

const SESSION = 'OpaqueRef:5e55-10n-d0-n0t-l0g';
const servers: Array<http.Server | https.Server> = [];
const seen: URL[] = [];
let inFlight = 0;
let maxInFlight = 0;

async function serve(handler: http.RequestListener, server: http.Server | https.Server = http.createServer()): Promise<string> {
  server.on('request', handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push(server);
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let ok: string;
let slow: string;
let unauthorised: string;
let failing: string;
let garbage: string;
let silent: string;
let refused: string;
let secure: string;
const cert = createSelfSignedCertificate({ commonName: 'xcp-ng host' });

beforeAll(async () => {
  ok = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(url);
    if (url.searchParams.get('session_id') !== SESSION) return void res.writeHead(401).end();
    res.writeHead(200).end(url.searchParams.has('json') ? fixture('rrd-updates.json') : fixture('rrd-updates.xml'));
  });
  slow = await serve((_req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200).end(fixture('rrd-updates.json'));
    }, 60);
  });
  unauthorised = await serve((_req, res) => void res.writeHead(401, { 'www-authenticate': 'Basic realm="xapi"' }).end('<html>401</html>'));
  failing = await serve((_req, res) => void res.writeHead(500).end('<html><body><h1>HTTP 500 internal server error</h1></body></html>'));
  garbage = await serve((_req, res) => void res.writeHead(200).end('<html><body>not an export</body></html>'));
  silent = await serve(() => undefined);
  secure = await serve((_req, res) => void res.writeHead(200).end(fixture('rrd-updates.json')), https.createServer({ cert: cert.certPem, key: cert.keyPem }));
  const closed = http.createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  refused = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((done) => closed.close(() => done()));
});

afterAll(async () => {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((done) => {
          s.close(() => done());
          s.closeAllConnections();
        }),
    ),
  );
});

const options = { baseUrl: 'http://127.0.0.1:9', sessionId: SESSION, start: 1700000000, timeoutMs: 400 };

function failure(r: RrdMemberResult | undefined): { kind: string; message: string } {
  if (!r || r.ok) throw new Error(`expected a failed member, got ${JSON.stringify(r)}`);
  return { kind: r.error.kind, message: r.error.message };
}

describe('rrd reader', () => {
  it('asks /rrd_updates with the session, start, cf, host, interval and json, at the member address', async () => {
    const reader = new RrdReader();
    try {
      const [json] = await reader.read([{ hostId: 'h1', address: ok }], { ...options, interval: 60 });
      const url = seen[seen.length - 1];
      expect(url.pathname).toBe('/rrd_updates');
      expect(Object.fromEntries(url.searchParams)).toEqual({ session_id: SESSION, start: '1700000000', cf: 'AVERAGE', host: 'true', interval: '60', json: 'true' });
      expect(json.ok && json.updates).toEqual(parseRrdUpdates(fixture('rrd-updates.json')));
      const [xml] = await reader.read([{ hostId: 'h1', address: ok }], { ...options, format: 'xml', cf: 'MAX', host: false, interval: 3600 });
      expect(Object.fromEntries(seen[seen.length - 1].searchParams)).toEqual({ session_id: SESSION, start: '1700000000', cf: 'MAX', interval: '3600' });
      expect(xml.ok && xml.updates).toEqual(parseRrdUpdates(fixture('rrd-updates.xml')));
    } finally {
      reader.close();
    }
  });

  it('names each member that does not answer, and why; the ones that answer are read', async () => {
    const reader = new RrdReader();
    try {
      const results = await reader.read(
        [
          { hostId: 'good', address: ok },
          { hostId: 'off', address: refused },
          { hostId: 'hung', address: silent },
          { hostId: 'no-session', address: unauthorised },
          { hostId: 'broken', address: failing },
          { hostId: 'odd', address: garbage },
          { hostId: 'nowhere', address: '  ' },
          { hostId: 'garbled', address: 'host name with spaces' },
        ],
        options,
      );
      expect(results.map((r) => r.hostId)).toEqual(['good', 'off', 'hung', 'no-session', 'broken', 'odd', 'nowhere', 'garbled']);
      expect(results[0].ok).toBe(true);
      expect(failure(results[1]).kind).toBe('unreachable');
      expect(failure(results[1]).message).toMatch(/ECONNREFUSED/);
      expect(failure(results[2])).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/no answer within 400 ms/) });
      expect(failure(results[3]).kind).toBe('unauthorised');
      expect(failure(results[4])).toMatchObject({ kind: 'http', message: expect.stringMatching(/HTTP 500/) });
      expect(failure(results[5])).toMatchObject({ kind: 'format', message: expect.stringMatching(/root element is <html>/) });
      expect(failure(results[6]).kind).toBe('no-address');
      expect(failure(results[7]).kind).toBe('bad-address');
      for (const r of results.slice(1)) {
        const f = failure(r);
        expect(f.message).toContain(r.hostId);
        expect(f.message).not.toContain(SESSION);
        expect(f.message).not.toContain('session_id');
        expect(JSON.stringify(r)).not.toContain(SESSION);
      }
    } finally {
      reader.close();
    }
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const reader = new RrdReader();
    maxInFlight = 0;
    try {
      const results = await reader.read(
        Array.from({ length: 7 }, (_, i) => ({ hostId: `h${i}`, address: slow })),
        { ...options, concurrency: 2 },
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(maxInFlight).toBe(2);
    } finally {
      reader.close();
    }
  });

  it('sends the session over plain http only to loopback', async () => {
    const reader = new RrdReader();
    try {
      const [r] = await reader.read([{ hostId: 'remote', address: '10.20.0.7' }], options);
      expect(failure(r)).toMatchObject({ kind: 'insecure', message: expect.stringMatching(/use https/) });
      expect(failure(r).message).toContain('http://10.20.0.7:9/rrd_updates');
    } finally {
      reader.close();
    }
  });

  it('verifies the member certificate as the XAPI client does: refused when untrusted, read when its CA is given', async () => {
    const base = { ...options, baseUrl: 'https://127.0.0.1:9' };
    const strict = new RrdReader();
    const pinned = new RrdReader({ ca: cert.certPem });
    try {
      const [refusedTls] = await strict.read([{ hostId: 'tls', address: secure }], base);
      expect(failure(refusedTls).kind).toBe('tls');
      const [read] = await pinned.read([{ hostId: 'tls', address: secure }], base);
      expect(read.ok).toBe(true);
    } finally {
      strict.close();
      pinned.close();
    }
  });

  it('puts the member address in place of the host of the XAPI URL, keeping scheme and port', () => {
    expect(memberEndpoint('https://pool.example:8443/', '10.0.0.12').href).toBe('https://10.0.0.12:8443/rrd_updates');
    expect(memberEndpoint('https://root:pw@10.0.0.1', '10.0.0.12').href).toBe('https://10.0.0.12/rrd_updates');
    expect(memberEndpoint('http://127.0.0.1:4711', '127.0.0.1:4712').href).toBe('http://127.0.0.1:4712/rrd_updates');
    expect(memberEndpoint('https://10.0.0.1', 'fd00::12').href).toBe('https://[fd00::12]/rrd_updates');
    expect(memberEndpoint('http://127.0.0.1:4711', '[::1]:4713').href).toBe('http://[::1]:4713/rrd_updates');
    for (const bad of ['host name', 'a/b', 'h:port', '10.0.0.1:', '[zz]']) expect(() => memberEndpoint('https://10.0.0.1', bad), bad).toThrow();
    expect(rrdQueryString({ start: -600.7 }, 'OpaqueRef:x')).toBe('session_id=OpaqueRef%3Ax&start=-600&cf=AVERAGE&host=true&interval=60&json=true');
  });
});
