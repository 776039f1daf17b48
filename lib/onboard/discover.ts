/**
 * Finding the BMCs of a range and reading who they are. Every target first gets only what carries
 * no credential: the ASF presence ping (IPMI) and an unauthenticated GET of the Redfish service
 * root (with `redfish` or `auto`). Only a target that answered as a BMC is then asked for its
 * identity with the given user and password, over RMCP+ (the IPMI driver never falls back to
 * v1.5) or over HTTPS pinned to the certificate the probe saw. Bounded: at most `concurrency`
 * targets at a time, each probe with its own deadline.
 */
import type { ProbeTarget } from './address-range.ts';
import type { FoundBmc } from './match.ts';
import { probeCertificate, probeIpmi, probeRedfish, type RedfishRoot } from './probe.ts';
import { mapBounded } from '../util/index.ts';
import type { Secrets } from '../store/index.ts';
import type { BmcHost, PowerDriver } from '../ops/index.ts';

export type ImportProtocol = 'ipmi' | 'redfish' | 'auto';

/** The credential-free probes (a port so tests can count what each one sends). */
export interface BmcProbes {
  ipmi(host: string, port: number, timeoutMs: number): Promise<boolean>;
  redfish(host: string, port: number, timeoutMs: number): Promise<RedfishRoot | undefined>;
  certificate(host: string, port: number, timeoutMs: number): Promise<string>;
}

/** The probes over the network: one ping and one retransmission; a GET; a TLS handshake. */
export const networkProbes: BmcProbes = {
  ipmi: (host, port, timeoutMs) => probeIpmi(host, { port, timeoutMs, retries: 1 }),
  redfish: (host, port, timeoutMs) => probeRedfish(host, { port, scheme: 'https', timeoutMs }),
  certificate: (host, port, timeoutMs) => probeCertificate(host, port, { timeoutMs }),
};

// A /24 with `auto` costs about two probe deadlines per silent address: 254 / 64 rounds of 2 s stay well inside an API request.
export const DEFAULT_CONCURRENCY = 64;
export const DEFAULT_PROBE_TIMEOUT_MS = 1000;

/** The one name under which the drivers find the BMC password, in a Secrets of the import's own (memory only). */
const BMC_SECRET_REF = 'import.bmc-password';

export interface DiscoverOptions {
  targets: readonly ProbeTarget[];
  protocol: ImportProtocol;
  bmcUser: string;
  bmcPassword: string;
  /** Power drivers over the Secrets given (the import's in-memory one): identity reads only. */
  driversFor(secrets: Secrets): PowerDriver;
  probes?: BmcProbes;
  concurrency?: number;
  probeTimeoutMs?: number;
  /** Texts that must never leave in an error message (the passwords). */
  redact?: readonly string[];
}

export interface Discovery {
  /** Every target that answered as a BMC, with its identity or why it could not be read. */
  found: FoundBmc[];
  probed: number;
}

/** Replace every occurrence of a secret in a text. */
export function redacted(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

/** A Secrets that holds one password in memory and refuses to store anything. */
function heldPassword(password: string): Secrets {
  return {
    get: async (ref) => {
      if (ref !== BMC_SECRET_REF) throw new Error(`secret ${ref} not found`);
      return password;
    },
    put: async () => {
      throw new Error('the import reads BMC identities only: it stores no secret here');
    },
  };
}

/** Ask one target, credential-free: what answered there, or undefined when nothing did. */
async function probeTarget(t: ProbeTarget, protocol: ImportProtocol, probes: BmcProbes, timeoutMs: number): Promise<FoundBmc | undefined> {
  const order: Array<'redfish' | 'ipmi'> = protocol === 'auto' ? ['redfish', 'ipmi'] : [protocol];
  for (const p of order) {
    if (p === 'redfish') {
      const port = t.port ?? 443;
      const root = await probes.redfish(t.host, port, timeoutMs);
      if (!root) continue;
      try {
        return { address: t.host, port, protocol: 'redfish', url: root.url, fingerprint256: await probes.certificate(t.host, port, timeoutMs) };
      } catch (e) {
        return { address: t.host, port, protocol: 'redfish', url: root.url, error: `no certificate to pin: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    const port = t.port ?? 623;
    if (await probes.ipmi(t.host, port, timeoutMs)) return { address: t.host, port, protocol: 'ipmi' };
  }
  return undefined;
}

/** What a driver needs to read one found BMC's identity (no host of the store yet). */
const bmcHostOf = (b: FoundBmc, i: number, user: string): BmcHost => ({
  poolId: 'import',
  hostId: `found-${i}`,
  bmcAddress: b.address,
  bmcPort: b.port,
  bmcUser: user,
  secretRef: BMC_SECRET_REF,
  cipherSuite: 17,
  bmcProtocol: b.protocol,
  ...(b.protocol === 'redfish' ? { bmcScheme: 'https' as const, tlsPin: { fingerprint256: b.fingerprint256 } } : {}),
});

/** Probe every target, then read the identity of those that answered, `concurrency` targets at a time. */
export async function discoverBmcs(o: DiscoverOptions): Promise<Discovery> {
  const probes = o.probes ?? networkProbes;
  const timeoutMs = o.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const hide = [o.bmcPassword, ...(o.redact ?? [])];
  const driver = o.driversFor(heldPassword(o.bmcPassword));
  try {
    const results = await mapBounded(o.targets, o.concurrency ?? DEFAULT_CONCURRENCY, async (t, i) => {
      const found = await probeTarget(t, o.protocol, probes, timeoutMs).catch(() => undefined);
      // Credentials go only to what answered as a BMC, and never to a Redfish BMC without a pin.
      if (!found || found.error) return found;
      try {
        return { ...found, identity: await driver.identity(bmcHostOf(found, i, o.bmcUser)) };
      } catch (e) {
        return { ...found, error: redacted(e instanceof Error ? e.message : String(e), hide) };
      }
    });
    return { found: results.filter((r): r is FoundBmc => r !== undefined), probed: o.targets.length };
  } finally {
    await driver.close().catch(() => undefined);
  }
}
