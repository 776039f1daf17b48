/**
 * One handle per BMC for the life of the process, so every caller shares its session, its queue
 * and its pinned certificate. A handle is replaced (and the old one closed once its calls under way
 * have ended) when what it was opened with changes: the password, the CA bundle, the options, or a
 * pin other than the one it holds.
 */
import { createHash } from 'node:crypto';
import { RedfishBmc, type RedfishBmcOptions } from './bmc.ts';
import { resolveEndpoint } from './transport/endpoint.ts';
import { normalizeFingerprint } from './transport/tls-trust.ts';

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

export class RedfishHosts {
  private readonly open = new Map<string, { bmc: RedfishBmc; signature: string }>();

  constructor(private readonly defaults: Partial<RedfishBmcOptions> = {}) {}

  get size(): number {
    return this.open.size;
  }

  /** The handle for this BMC and user, opened on first use. */
  get(options: RedfishBmcOptions): RedfishBmc {
    const o: RedfishBmcOptions = { ...this.defaults, ...options };
    const ep = resolveEndpoint(o);
    const key = `${ep.protocol}://${ep.label}/${o.username}`;
    const { password, tls, ...rest } = o;
    // The password and the CA enter the signature only as a digest; functions (onFirstUse) not at all.
    const signature = digest(JSON.stringify({ ...rest, password: digest(password), ca: tls?.ca === undefined ? null : digest(String(tls.ca)) }));
    const have = this.open.get(key);
    const wantPin = tls?.fingerprint === undefined ? undefined : normalizeFingerprint(tls.fingerprint);
    const pinHeld = have?.bmc.client.pinnedFingerprint;
    if (have && have.signature === signature && (wantPin === undefined || pinHeld === wantPin)) return have.bmc;
    // The old handle closes (its session deleted) once the calls under way on it have ended.
    if (have) void have.bmc.retire().catch(() => undefined);
    const bmc = new RedfishBmc(o);
    this.open.set(key, { bmc, signature });
    return bmc;
  }

  /** Close every handle (their sessions are deleted). */
  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((h) => h.bmc.close().catch(() => undefined)));
  }
}
