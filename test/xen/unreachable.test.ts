/**
 * "XAPI could not be asked" is its own error: XapiUnreachableError for a port nobody listens on, a
 * pool master that stopped, one that accepts and stays silent past the deadline, and an HTTP 5xx
 * without a JSON-RPC reply; an XAPI error answer (even inside a 5xx) stays an XapiError, and a 4xx
 * or a TLS refusal a plain transport error. No message carries the password. Loopback only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  unreachableCause,
  XapiClient,
  XapiError,
  XapiTransportError,
  XapiUnreachableError,
  XapiHypervisor,
} from '../../lib/xen/index.ts';
import { transportFailure } from '../../lib/xen/transport.ts';
import { client, gib, PASSWORD, rejection, smallPool, USER } from './support.ts';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function track(c: XapiClient): XapiClient {
  closers.push(() => c.close());
  return c;
}

function expectNoSecret(e: unknown): void {
  expect(String(e)).not.toContain(PASSWORD);
  expect(JSON.stringify(e)).not.toContain(PASSWORD);
  expect((e as Error).stack ?? '').not.toContain(PASSWORD);
}

describe('XapiUnreachableError', () => {
  it('on a port nothing listens on: refused, with the host and never the password', async () => {
    const port = await freePort();
    const c = track(new XapiClient({ url: `http://127.0.0.1:${port}`, user: USER, password: PASSWORD }));
    const e = (await rejection(c.call('host.get_all'))) as XapiUnreachableError;
    expect(e).toBeInstanceOf(XapiUnreachableError);
    expect(e).toBeInstanceOf(XapiTransportError);
    expect(e).not.toBeInstanceOf(XapiError);
    expect(e).toMatchObject({ host: `127.0.0.1:${port}`, cause: 'refused', kind: 'network', method: 'session.login_with_password' });
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toContain('ECONNREFUSED');
    expectNoSecret(e);
  });

  it('on a pool master that stopped, through the Hypervisor port, after it answered before', async () => {
    const { sim } = await smallPool([{ name: 'web', memoryBytes: gib(2), vcpus: 1, host: 'h2' }]);
    const hv = new XapiHypervisor(client(sim));
    closers.push(() => hv.close());
    expect(await hv.residentGuestVms('h2')).toEqual(['web']);
    await sim.stop();
    const e = (await rejection(hv.residentGuestVms('h2'))) as XapiUnreachableError;
    expect(e).toBeInstanceOf(XapiUnreachableError);
    expect(['refused', 'reset']).toContain(e.cause);
    expect(e.host).toBe(`127.0.0.1:${sim.port}`);
    expect(await rejection(hv.hostLive('h2'))).toBeInstanceOf(XapiUnreachableError);
    expectNoSecret(e);
  });

  it('on a server that accepts and never answers: timeout at the request deadline', async () => {
    const url = await serve(() => undefined);
    const c = track(new XapiClient({ url, user: USER, password: PASSWORD, requestTimeoutMs: 100 }));
    const e = (await rejection(c.call('host.get_all'))) as XapiUnreachableError;
    expect(e).toBeInstanceOf(XapiUnreachableError);
    expect(e).toMatchObject({ cause: 'timeout', kind: 'timeout' });
  });

  it('on HTTP 5xx without a JSON-RPC reply; a 5xx that carries an XAPI error is that error', async () => {
    const down = await serve((_req, res) => res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>'));
    const e = (await rejection(track(new XapiClient({ url: down, user: USER, password: PASSWORD })).call('host.get_all'))) as XapiUnreachableError;
    expect(e).toBeInstanceOf(XapiUnreachableError);
    expect(e).toMatchObject({ cause: 'http-5xx', status: 503, kind: 'http' });

    const answering = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number };
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: 1, message: 'INTERNAL_ERROR', data: ['db locked'] }, id }));
      });
    });
    const x = (await rejection(track(new XapiClient({ url: answering, user: USER, password: PASSWORD })).call('host.get_all'))) as XapiError;
    expect(x).toBeInstanceOf(XapiError);
    expect(x.description).toEqual(['INTERNAL_ERROR', 'db locked']);
  });

  it('not for a 4xx (something answers, at the wrong place)', async () => {
    const url = await serve((_req, res) => res.writeHead(404).end('no'));
    const e = await rejection(track(new XapiClient({ url, user: USER, password: PASSWORD })).call('host.get_all'));
    expect(e).toBeInstanceOf(XapiTransportError);
    expect(e).not.toBeInstanceOf(XapiUnreachableError);
    expect(e).toMatchObject({ kind: 'http', status: 404 });
  });

  it('classifies socket, lookup and TLS failures', () => {
    expect(unreachableCause('ECONNREFUSED')).toBe('refused');
    expect(unreachableCause('ECONNRESET')).toBe('reset');
    expect(unreachableCause('EPIPE')).toBe('reset');
    expect(unreachableCause('ETIMEDOUT')).toBe('timeout');
    expect(unreachableCause('ENOTFOUND')).toBe('dns');
    expect(unreachableCause('EAI_AGAIN')).toBe('dns');
    expect(unreachableCause('EHOSTUNREACH')).toBe('network');
    expect(unreachableCause(undefined)).toBe('network');
    expect(unreachableCause('DEPTH_ZERO_SELF_SIGNED_CERT')).toBeUndefined();
    expect(unreachableCause('ERR_TLS_CERT_ALTNAME_INVALID')).toBeUndefined();

    const endpoint = new URL('https://xcp-master.invalid:8443/jsonrpc');
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND xcp-master.invalid'), { code: 'ENOTFOUND' });
    expect(transportFailure(dns, endpoint, 'host.get_all', 1000)).toMatchObject({ name: 'XapiUnreachableError', cause: 'dns', host: 'xcp-master.invalid:8443' });
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const t = transportFailure(tls, endpoint, 'host.get_all', 1000);
    expect(t).not.toBeInstanceOf(XapiUnreachableError);
    expect(t.kind).toBe('tls');
  });

  it('has a bounded default deadline, above the 5 s xapi waits before refusing a login', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeGreaterThan(5000);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(15_000);
  });
});
