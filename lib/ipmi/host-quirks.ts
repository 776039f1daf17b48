/**
 * What lowpower has learned about each BMC, by "host:port", in this process: the login fallbacks
 * that worked (they are needed before the BMC's manufacturer is known, so they cannot come from
 * the quirk table's manufacturer entries) and the BMC's device profile. A later handle on the same
 * BMC starts with them. The map is small and plain so a driver can persist it (`entries` /
 * `load`) and a fresh Lambda start where the last one ended.
 */

/** What a BMC said about itself in Get Device ID, as far as quirks care. */
export interface DeviceProfile {
  manufacturerId: number;
  productId: number;
}

export interface LearnedQuirks {
  /** privilege-fallback: the privilege this BMC granted when none was asked for explicitly (3: Operator). */
  privilege?: number;
  /** padded-user-name: RAKP 1 carries the user name padded to 16 bytes. */
  paddedUserName?: boolean;
  /** rakp2-long-auth-code: RAKP 2's code is longer than the suite's; its first bytes are checked. */
  rakp2LongAuthCode?: boolean;
  /** no-checksum-check: this BMC's IPMI message checksums are wrong. */
  ignoreChecksums?: boolean;
  /** Get Device ID's manufacturer and product, for the quirks chosen by manufacturer. */
  device?: DeviceProfile;
}

export class HostQuirkMemory {
  private readonly byHost = new Map<string, LearnedQuirks>();

  /** What is known of this BMC (an empty object when nothing is). */
  get(key: string): Readonly<LearnedQuirks> {
    return this.byHost.get(key) ?? {};
  }

  /** Remember more about this BMC. */
  learn(key: string, patch: LearnedQuirks): void {
    this.byHost.set(key, { ...this.byHost.get(key), ...patch });
  }

  /** Forget one BMC (its address now answers as another machine), or all. */
  forget(key?: string): void {
    if (key === undefined) this.byHost.clear();
    else this.byHost.delete(key);
  }

  /** Everything learned, for a driver to persist. */
  entries(): Array<[string, LearnedQuirks]> {
    return [...this.byHost].map(([k, v]) => [k, { ...v }]);
  }

  /** Start from what a driver persisted. */
  load(entries: Iterable<readonly [string, LearnedQuirks]>): void {
    for (const [k, v] of entries) this.learn(k, v);
  }
}

/** The process-wide memory every handle uses unless given its own. */
export const learnedQuirks = new HostQuirkMemory();
