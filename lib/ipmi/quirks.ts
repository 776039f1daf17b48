/**
 * BMC quirks as data: the ways real BMCs stray from the specification, and what lowpower does
 * about each. Code asks this table; it does not branch on vendors.
 */
import { NOT_SUPPORTED_CODES } from './errors.ts';

export interface BmcQuirks {
  /**
   * Some BMCs (OpenIPMI lanserv among them) never answer Get Channel Cipher Suites before a
   * session exists. lowpower does not ask: it proposes a suite and falls back on refusal.
   */
  cipherSuitesBeforeLogin: boolean;
  /** Some BMCs echo privilege 0 in the Open Session reply; accept it as "as requested". */
  zeroPrivilegeEchoInOpenSession: boolean;
  /**
   * Reply lengths that do not follow the specification, by command, and how to read them.
   * Each fix turns the odd reply into the standard layout before the decoder sees it.
   */
  replyFixes: ReadonlyArray<ReplyFix>;
  /** Completion codes that mean "this BMC does not have the feature" (DCMI, FRU, SEL...). */
  notSupportedCodes: ReadonlySet<number>;
}

export interface ReplyFix {
  /** netFn (request) and command the fix applies to. */
  netFn: number;
  cmd: number;
  /** Applies when the reply data has exactly this many bytes. */
  length: number;
  why: string;
  fix: (data: Buffer) => Buffer;
}

/**
 * pyghmi's BMC packs Get Device ID's manufacturer and product IDs as 4 + 4 bytes (14 bytes in
 * all) where the specification has 3 + 2 (11 bytes).
 */
const pyghmiWideDeviceIds: ReplyFix = {
  netFn: 0x06,
  cmd: 0x01,
  length: 14,
  why: 'Get Device ID with 4-byte manufacturer and product IDs (pyghmi)',
  fix: (d) => Buffer.concat([d.subarray(0, 6), d.subarray(6, 9), d.subarray(10, 12)]),
};

export const DEFAULT_QUIRKS: BmcQuirks = {
  cipherSuitesBeforeLogin: false,
  zeroPrivilegeEchoInOpenSession: true,
  replyFixes: [pyghmiWideDeviceIds],
  notSupportedCodes: NOT_SUPPORTED_CODES,
};

/** Reply data as the decoders expect it, after any known fix. */
export function fixReply(q: BmcQuirks, netFn: number, cmd: number, data: Buffer): Buffer {
  const f = q.replyFixes.find((r) => r.netFn === netFn && r.cmd === cmd && r.length === data.length);
  return f ? f.fix(data) : data;
}
