/**
 * Which TLS certificate a BMC may present. BMCs ship self-signed certificates, so the default is
 * trust on first use: the first certificate seen is pinned by its SHA-256 fingerprint (reported to
 * the caller, who stores it with the host and passes it next time) and any other is refused until
 * an admin accepts it. With a CA bundle the chain and the name are verified instead, and the
 * certificate may be renewed freely. Either way the check happens before a byte of the request
 * (and so of a credential) is written.
 */
import { RedfishCertificateChangedError, RedfishError, RedfishTlsError } from '../errors.ts';

export interface TlsOptions {
  /** The pinned SHA-256 fingerprint ("AB:CD:..." or plain hex); none = pin the first one seen. */
  fingerprint?: string;
  /** A PEM bundle of trusted CAs: verify the chain and the name instead of pinning. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Told the fingerprint once, when a certificate is pinned on first use. */
  onFirstUse?: (fingerprint: string) => void;
}

/** "AB:CD:..." (upper-case hex pairs), as `openssl x509 -fingerprint -sha256` prints it. */
export function normalizeFingerprint(text: string): string {
  const hex = text.trim().replace(/^sha-?256(\s*fingerprint)?[:=\s]*/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new RedfishError(`'${text}' is not a SHA-256 fingerprint (64 hex digits)`);
  return hex.match(/../g)!.join(':');
}

export class TlsTrust {
  private pinned?: string;
  private lastSeen?: string;

  constructor(
    private readonly o: TlsOptions = {},
    bmc = 'TLS',
  ) {
    // Asked to verify against a CA but given none: refused, never trust on first use in its place.
    if ('ca' in o && (o.ca === undefined || o.ca.length === 0)) throw new RedfishTlsError(bmc, 'verification against a CA was asked for, but no CA bundle was given');
    if (o.fingerprint !== undefined) this.pinned = normalizeFingerprint(o.fingerprint);
  }

  get verifiesChain(): boolean {
    return this.o.ca !== undefined;
  }

  get ca(): TlsOptions['ca'] {
    return this.o.ca;
  }

  /** The pinned fingerprint (given, or taken on first use); undefined before first use and with a CA. */
  get pinnedFingerprint(): string | undefined {
    return this.pinned;
  }

  /** The fingerprint of the certificate the BMC presented last (in either mode). */
  get fingerprint(): string | undefined {
    return this.lastSeen ?? this.pinned;
  }

  /** Accept or refuse a presented certificate (its fingerprint as Node gives it). */
  check(bmc: string, presentedRaw: string): void {
    const presented = normalizeFingerprint(presentedRaw);
    this.lastSeen = presented;
    if (this.verifiesChain && this.pinned === undefined) return;
    if (this.pinned === undefined) {
      this.pinned = presented;
      this.o.onFirstUse?.(presented);
      return;
    }
    if (presented !== this.pinned) throw new RedfishCertificateChangedError(bmc, this.pinned, presented);
  }
}
