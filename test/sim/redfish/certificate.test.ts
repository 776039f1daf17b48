/**
 * The simulator's own TLS certificate: DER built by hand, read back by node's X509Certificate, its
 * signature valid under its own key, the names a loopback client checks, and the fingerprint the
 * BMC reports equal to the one of the certificate it serves.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { createSelfSignedCertificate, fingerprintOf, type RedfishBmc } from '../../../lib/sim/redfish/index.ts';
import { explicit, namedBits, oid, smallInteger, time, tlv, unsignedInteger } from '../../../lib/sim/redfish/der.ts';
import { startBmc } from './support.ts';

describe('DER encoder', () => {
  it('encodes lengths, integers and object identifiers as X.690 says', () => {
    expect(tlv(0x04, Buffer.alloc(3)).subarray(0, 2)).toEqual(Buffer.from([0x04, 0x03]));
    expect(tlv(0x04, Buffer.alloc(200)).subarray(0, 3)).toEqual(Buffer.from([0x04, 0x81, 200]));
    expect(tlv(0x04, Buffer.alloc(300)).subarray(0, 4)).toEqual(Buffer.from([0x04, 0x82, 0x01, 0x2c]));
    expect(smallInteger(2)).toEqual(Buffer.from([0x02, 0x01, 0x02]));
    expect(smallInteger(128)).toEqual(Buffer.from([0x02, 0x02, 0x00, 0x80]));
    expect(unsignedInteger(Buffer.from([0x00, 0x00, 0x7f]))).toEqual(Buffer.from([0x02, 0x01, 0x7f]));
    // ecdsa-with-SHA256 and subjectAltName, as every certificate carries them
    expect(oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    expect(oid('2.5.29.17').toString('hex')).toBe('0603551d11');
    expect(explicit(0, smallInteger(2)).toString('hex')).toBe('a003020102');
    // KeyUsage digitalSignature only: one bit, seven unused
    expect(namedBits([0]).toString('hex')).toBe('03020780');
    expect(namedBits([0, 5]).toString('hex')).toBe('03020284');
  });

  it('writes UTCTime before 2050 and GeneralizedTime from then on', () => {
    expect(time(new Date(Date.UTC(2025, 0, 2, 3, 4, 5))).toString('latin1').slice(2)).toBe('250102030405Z');
    expect(time(new Date(Date.UTC(2025, 0, 2)))[0]).toBe(0x17);
    const late = time(new Date(Date.UTC(2051, 5, 1)));
    expect(late[0]).toBe(0x18);
    expect(late.toString('latin1').slice(2)).toBe('20510601000000Z');
  });

  it('refuses what it cannot encode', () => {
    expect(() => oid('1')).toThrow(/bad OID/);
    expect(() => smallInteger(-1)).toThrow(/not a small/);
  });
});

describe('self-signed certificate', () => {
  const notBefore = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));
  const cert = createSelfSignedCertificate({ commonName: 'host-007 (test)', notBefore });
  const x = new X509Certificate(cert.certPem);

  it('parses with X509Certificate: names, validity, subjectAltName, extensions', () => {
    expect(x.subject).toContain('CN=host-007 (test)');
    expect(x.issuer).toBe(x.subject);
    expect(new Date(x.validFrom).getTime()).toBe(notBefore.getTime());
    expect(new Date(x.validTo).getTime() - notBefore.getTime()).toBe(2 * 365 * 86_400_000);
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('10.0.0.1')).toBeUndefined();
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('is signed by its own key, and its fingerprint is the SHA-256 of its DER', () => {
    expect(x.verify(x.publicKey)).toBe(true);
    const other = new X509Certificate(createSelfSignedCertificate({ commonName: 'other' }).certPem);
    expect(x.verify(other.publicKey)).toBe(false);
    expect(cert.fingerprint256).toBe(x.fingerprint256);
    expect(fingerprintOf(x.raw)).toBe(x.fingerprint256);
    expect(x.serialNumber).toMatch(/^[0-9A-F]{32}$/);
  });

  it('a new certificate has a new key and serial', () => {
    const again = new X509Certificate(createSelfSignedCertificate({ commonName: 'host-007 (test)', notBefore }).certPem);
    expect(again.serialNumber).not.toBe(x.serialNumber);
    expect(again.fingerprint256).not.toBe(x.fingerprint256);
  });
});

describe('the BMC serves it', () => {
  let bmc: RedfishBmc;
  afterAll(async () => {
    await bmc?.stop();
  });

  it('a client trusting only this certificate verifies the server, and sees the reported fingerprint', async () => {
    bmc = await startBmc();
    expect(bmc.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const peer = await new Promise<X509Certificate>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: bmc.port, ca: bmc.certificate?.certPem }, () => {
        const c = s.getPeerX509Certificate();
        s.end();
        if (!s.authorized || !c) reject(new Error(`not authorized: ${s.authorizationError}`));
        else resolve(c);
      });
      s.on('error', reject);
    });
    expect(peer.fingerprint256).toBe(bmc.fingerprint256);
    // Another certificate as the only trusted one: the handshake must fail.
    const refused = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: bmc.port, ca: createSelfSignedCertificate({ commonName: 'x' }).certPem }, () => resolve('connected'));
      s.on('error', (e) => resolve(e.message));
    });
    expect(refused).toMatch(/self[- ]signed|unable to verify|certificate/i);
  });
});
