/**
 * A self-signed TLS certificate for a simulated BMC, made at start with node:crypto alone: an
 * ECDSA P-256 key pair, and an X.509 v3 certificate (RFC 5280) built here in DER and signed with
 * ECDSA-SHA256. Its subjectAltName names 127.0.0.1, ::1 and localhost, so a client that trusts
 * this one certificate can verify the simulator like any server. No openssl, no package.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  namedBits,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.ts';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

export interface SimCertificate {
  /** PEM of the certificate and of its PKCS #8 private key, as node:tls takes them. */
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, as colon-separated upper-case hex (what browsers and node show). */
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateOptions {
  /** The subject's common name. */
  commonName: string;
  /** Default: from an hour ago. */
  notBefore?: Date;
  /** Default: two years after notBefore. */
  notAfter?: Date;
}

const algorithm = (): Buffer => sequence(oid(OID.ecdsaWithSha256));

function name(commonName: string): Buffer {
  const rdn = (type: string, value: string): Buffer => set(sequence(oid(type), utf8String(value)));
  return sequence(rdn(OID.organization, 'lowpower simulator'), rdn(OID.commonName, commonName));
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));

function extensions(publicKeyBits: Buffer): Buffer {
  const altNames = sequence(
    implicitPrimitive(2, Buffer.from('localhost', 'ascii')), // dNSName
    implicitPrimitive(7, Buffer.from([127, 0, 0, 1])), // iPAddress
    implicitPrimitive(7, Buffer.from('00000000000000000000000000000001', 'hex')), // ::1
  );
  return explicit(
    3,
    sequence(
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, namedBits([0])), // digitalSignature (ECDHE-ECDSA key exchange)
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, altNames),
      extension(OID.subjectKeyIdentifier, false, octetString(createHash('sha1').update(publicKeyBits).digest())),
    ),
  );
}

/** The BIT STRING contents of a DER SubjectPublicKeyInfo (the EC point), for the key identifier. */
function publicKeyBits(spki: Buffer): Buffer {
  // SEQUENCE { SEQUENCE { algorithm }, BIT STRING } with short forms: P-256's SPKI is 91 bytes.
  const bitStringAt = 2 + 2 + spki[3];
  return spki.subarray(bitStringAt + 3);
}

/** A new key pair and a self-signed certificate for it. */
export function createSelfSignedCertificate(o: CertificateOptions): SimCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return certificateFor(privateKey, publicKey, o);
}

function certificateFor(privateKey: KeyObject, publicKey: KeyObject, o: CertificateOptions): SimCertificate {
  const notBefore = o.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 2 * 365 * 86_400_000);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and 16 bytes long (RFC 5280: at most 20)
  const issuerAndSubject = name(o.commonName);
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    algorithm(),
    issuerAndSubject,
    sequence(time(notBefore), time(notAfter)),
    issuerAndSubject,
    spki,
    extensions(publicKeyBits(spki)),
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value
  const der = sequence(tbs, algorithm(), bitString(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { certPem, keyPem, fingerprint256: fingerprintOf(der), notBefore, notAfter };
}

/** SHA-256 of DER bytes as AA:BB:... (the form X509Certificate.fingerprint256 gives). */
export function fingerprintOf(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

