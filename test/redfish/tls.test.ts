/**
 * TLS to a BMC, against an HTTPS service of ours on loopback with certificates made here by
 * openssl: trust on first use pins the certificate and reports its SHA-256 fingerprint (checked
 * against openssl's own), the same certificate passes, a changed one is refused with both
 * fingerprints before any request is written, and a CA bundle verifies a CA-signed certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { normalizeFingerprint, openRedfish, RedfishCertificateChangedError, RedfishTlsError, type RedfishBmcOptions } from '../../lib/redfish/index.ts';
import { RedfishTestServer, TEST_PASSWORD } from './redfish-test-server.ts';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasOpenssl) console.log('test/redfish/tls.test.ts skipped: openssl is not installed');

interface Pair {
  key: string;
  cert: string;
  /** openssl's SHA-256 fingerprint of the certificate. */
  fingerprint: string;
}

let dir: string;
let selfA: Pair;
let selfB: Pair;
let caPem: string;
let leaf: Pair;

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function pair(name: string): Pair {
  const key = readFileSync(join(dir, `${name}.key`), 'utf8');
  const cert = readFileSync(join(dir, `${name}.pem`), 'utf8');
  return { key, cert, fingerprint: openssl(['x509', '-in', `${name}.pem`, '-noout', '-fingerprint', '-sha256']).trim() };
}

function selfSigned(name: string, cn: string): Pair {
  openssl(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1']);
  return pair(name);
}

beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'lowpower-redfish-tls-'));
  selfA = selfSigned('a', 'bmc-a');
  selfB = selfSigned('b', 'bmc-a-renewed');
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=lowpower test CA']);
  openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext']);
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  leaf = pair('leaf');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const servers: RedfishTestServer[] = [];
const handles: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function serve(p: Pair): Promise<RedfishTestServer> {
  const s = await RedfishTestServer.start({ https: { key: p.key, cert: p.cert } });
  servers.push(s);
  return s;
}

function client(s: RedfishTestServer, tls: RedfishBmcOptions['tls']) {
  const b = openRedfish({ host: '127.0.0.1', port: s.port, username: 'admin', password: TEST_PASSWORD, tls, timeoutMs: 3000 });
  handles.push(b);
  return b;
}

describe.skipIf(!hasOpenssl)('TLS: trust on first use', () => {
  it('pins the first certificate and reports the SHA-256 fingerprint openssl computes for it', async () => {
    const s = await serve(selfA);
    const seen: string[] = [];
    const b = client(s, { onFirstUse: (f) => seen.push(f) });
    expect((await b.powerState()).power).toBe('on');
    expect(seen).toEqual([normalizeFingerprint(selfA.fingerprint)]);
    expect(b.certificateFingerprint).toBe(normalizeFingerprint(selfA.fingerprint));
    await b.identity();
    expect(seen.length).toBe(1);
  });

  it('the same certificate passes when its stored fingerprint is given', async () => {
    const s = await serve(selfA);
    const b = client(s, { fingerprint: selfA.fingerprint, onFirstUse: () => expect.fail('already pinned') });
    expect((await b.identity()).serialNumber).toBe('TS-SERIAL-0042');
  });

  it('a changed certificate is refused with both fingerprints, and nothing (no password) is sent', async () => {
    const s = await serve(selfB);
    const b = client(s, { fingerprint: selfA.fingerprint });
    const e = await b.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishCertificateChangedError);
    expect(e).toMatchObject({ expected: normalizeFingerprint(selfA.fingerprint), presented: normalizeFingerprint(selfB.fingerprint) });
    expect((e as Error).message).toContain(normalizeFingerprint(selfA.fingerprint));
    expect((e as Error).message).toContain(normalizeFingerprint(selfB.fingerprint));
    expect((e as Error).message).toMatch(/Nothing was sent/);
    expect(s.requests).toEqual([]);
  });

  it('a certificate renewed under a running client is refused on the next connection, until the new one is accepted', async () => {
    const s = await serve(selfA);
    const b = client(s, {});
    await b.powerState();
    s.useCertificate(selfB.key, selfB.cert);
    const before = s.requests.length;
    await expect(b.powerState()).rejects.toBeInstanceOf(RedfishCertificateChangedError);
    expect(s.requests.length).toBe(before);
    // An admin accepts the new fingerprint: the host's next handle passes it.
    const accepted = client(s, { fingerprint: selfB.fingerprint });
    expect((await accepted.powerState()).power).toBe('on');
  });
});

describe.skipIf(!hasOpenssl)('TLS: a CA bundle', () => {
  it('verifies a CA-signed certificate (chain and address)', async () => {
    const s = await serve(leaf);
    const b = client(s, { ca: caPem });
    expect((await b.powerState()).power).toBe('on');
    expect(b.certificateFingerprint).toBe(normalizeFingerprint(leaf.fingerprint));
  });

  it('refuses a certificate the CA did not sign, before any request', async () => {
    const s = await serve(selfA);
    const b = client(s, { ca: caPem });
    const e = await b.powerState().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedfishTlsError);
    expect((e as Error).message).toMatch(/TLS verification failed: .*SELF_SIGNED.*Nothing was sent/);
    expect(s.requests).toEqual([]);
  });
});

describe('verification against a CA with no CA bundle', () => {
  it('is refused before any connection, never taken as trust on first use', async () => {
    // A host marked to verify against a CA, in a deployment given no bundle (the key set, its value absent).
    const bmc = () => openRedfish({ host: '127.0.0.1', port: 9, username: 'admin', password: TEST_PASSWORD, tls: { ca: undefined } });
    expect(bmc).toThrow(/verification against a CA was asked for, but no CA bundle was given/);
    expect(() => openRedfish({ host: '127.0.0.1', port: 9, username: 'admin', password: TEST_PASSWORD, tls: { ca: [] } })).toThrow(/no CA bundle/);
  });
});
