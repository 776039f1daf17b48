/** How to reach one BMC: what `openBmc` takes. */
import type { UdpTransport } from './transport/udp-transport.ts';
import type { BmcQuirks } from './quirks.ts';
import type { HostQuirkMemory } from './host-quirks.ts';
import type { SdrCache } from './sdr/sdr-cache.ts';

export type PrivilegeLevel = 'user' | 'operator' | 'administrator';

export interface BmcOptions {
  host: string;
  /** UDP port; 623 by default. */
  port?: number;
  username: string;
  /** At most 20 bytes (16 with `lan15`): a longer one is refused before anything is sent. */
  password: string | Buffer;
  /** 3 or 17; by default 17 is tried first and 3 used when the BMC refuses it. 0 needs `insecure`. */
  cipherSuite?: number;
  /** IPMI v1.5 (MD5) instead of RMCP+. */
  lan15?: boolean;
  /**
   * The session privilege. When absent, Administrator, or Operator on a BMC that refuses
   * Administrator to this account (the privilege-fallback quirk); a level given here is not lowered.
   */
  privilege?: PrivilegeLevel;
  /** Deadline of one request, retransmissions included (default 2000 ms). */
  timeoutMs?: number;
  /** Retransmissions within that deadline (default 3). */
  retries?: number;
  /** Least time from the end of one command to the next to this BMC (the quirks' commandGapMs, none, by default): for a BMC that freezes under back-to-back commands. */
  minGapMs?: number;
  /** How long suite 17 may go unanswered before suite 3 is tried (default 1000 ms). */
  fallbackMs?: number;
  /** Allow cipher suite 0 and IPMI 1.5 auth type none. */
  insecure?: boolean;
  /** Allow IPMI 1.5's straight-password auth type when the BMC offers nothing better. */
  allowPlainPassword?: boolean;
  /** BMC key Kg, when one is set on the BMC. */
  kg?: Buffer;
  transport?: UdpTransport;
  /** The quirk table in force (DEFAULT_QUIRKS). */
  quirks?: BmcQuirks;
  /** What is learned per host (login fallbacks, device profile): the process-wide memory by default. */
  learned?: HostQuirkMemory;
  /** Where SDR records are kept between reads: this process's memory by default; the store's for a fleet. */
  sdrCache?: SdrCache;
}
