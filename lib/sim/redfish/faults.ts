/**
 * Faults on demand for a simulated Redfish BMC, switched by assigning `bmc.faults` (as with the
 * IPMI simulator's): a BMC that holds connections without answering, answers late, answers with
 * server errors, forgets its sessions, claims to be another machine, or accepts resets and does
 * nothing. Rates are probabilities from 0 to 1 drawn from a seeded generator.
 */
export interface RedfishFaults {
  /** Accept connections and requests, answer nothing (the connection is held until the client gives up). */
  silent?: boolean;
  /** Answer every request this many milliseconds late. */
  delayMs?: number;
  /** Answer this fraction of requests with a server error, doing nothing. */
  serverErrors?: number;
  /** The status of those errors: 500 (default), 502 or 503. */
  serverErrorStatus?: 500 | 502 | 503;
  /**
   * Forget every session when this is switched on, as after a BMC reboot: the tokens issued
   * before answer 401; new logins work. Switch it off and on to forget again.
   */
  forgetSessions?: boolean;
  /** Answer with another machine's identity (serials, UUID): the one simIdentityFor(`foreign-<name>`) gives. */
  foreign?: boolean;
  /** Accept ComputerSystem.Reset (204, or a task that completes) and change nothing. */
  resetIgnored?: boolean;
}

export const REDFISH_FAULT_NAMES = ['silent', 'delayMs', 'serverErrors', 'serverErrorStatus', 'forgetSessions', 'foreign', 'resetIgnored'] as const;

export function describeRedfishFaults(f: RedfishFaults): string {
  const parts = Object.entries(f)
    .filter(([, v]) => v !== undefined && v !== false && v !== 0)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`));
  return parts.length ? parts.join(', ') : 'none';
}

/** Bad fault settings are refused before any takes effect. */
export function checkRedfishFaults(f: RedfishFaults): void {
  const known = new Set<string>(REDFISH_FAULT_NAMES);
  for (const k of Object.keys(f)) if (!known.has(k)) throw new Error(`unknown Redfish fault "${k}": use ${REDFISH_FAULT_NAMES.join(', ')}`);
  if (f.delayMs !== undefined && !(Number.isFinite(f.delayMs) && f.delayMs >= 0)) throw new Error(`delayMs ${f.delayMs}: give 0 or more milliseconds`);
  if (f.serverErrors !== undefined && !(f.serverErrors >= 0 && f.serverErrors <= 1)) throw new Error(`serverErrors ${f.serverErrors}: give a rate from 0 to 1`);
  if (f.serverErrorStatus !== undefined && ![500, 502, 503].includes(f.serverErrorStatus)) throw new Error(`serverErrorStatus ${f.serverErrorStatus}: give 500, 502 or 503`);
}
