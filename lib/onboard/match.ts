/**
 * Matching BMCs found on the network to the hosts XAPI knows, pure. The serial is the key: a
 * BMC's system serial (FRU product or chassis serial, a Redfish SerialNumber) must equal a host's
 * `bios_strings` system-serial-number, and nothing else counts. A wrong match here would bind a
 * host to another machine's BMC, the mistake that cuts the wrong server, so every doubt ends in
 * "not matched": placeholder serials, two BMCs with one serial, a board serial that disagrees.
 */
import { decideBinding, systemSerialOf, usableSerial } from '../ops/index.ts';
import type { BmcIdentityRecord, HostBinding } from '../store/index.ts';

export type { MatchState } from './match-state.ts';
import type { MatchState } from './match-state.ts';

/** A host as XAPI reports it. */
export interface PoolHostInfo {
  /** lowpower's id for the host: XAPI's name_label. */
  hostId: string;
  uuid: string;
  serial?: string;
  boardSerial?: string;
  isMaster: boolean;
}

/** A BMC that answered the probe, with its identity when it could be read. */
export interface FoundBmc {
  address: string;
  port: number;
  protocol: 'ipmi' | 'redfish';
  /** For Redfish: the service's base URL. */
  url?: string;
  /** For Redfish: the certificate's SHA-256 fingerprint, seen before any credential was sent (pinned when the host is added). */
  fingerprint256?: string;
  identity?: BmcIdentityRecord;
  /** Why the identity could not be read (never a secret). */
  error?: string;
}

/** A host the store has already. */
export interface StoredHost {
  hostId: string;
  bmcAddress: string;
  bmcPort: number;
  bindingState?: string;
}

export interface MatchRow {
  hostId: string | null;
  /** "address:port" of the BMC, or null for a host with none found. */
  bmc: string | null;
  protocol: 'ipmi' | 'redfish' | null;
  match: MatchState;
  /** One line: what the import writes for this row, or why it writes nothing. */
  write: string;
  /** For rows that are not written: how a person adds the host by hand once they know its BMC. */
  byHand?: string;
  /** The binding that would be stored (matched rows). */
  binding?: HostBinding;
}

const bmcAt = (b: Pick<FoundBmc, 'address' | 'port'>): string => `${b.address}:${b.port}`;
const key = (s: string): string => s.trim().toLowerCase();

/** An address and port as `--bmc` takes it (IPv6 in brackets). */
const bmcArg = (b: Pick<FoundBmc, 'address' | 'port'>): string => `${b.address.includes(':') ? `[${b.address}]` : b.address}:${b.port}`;

/**
 * The command that adds one host by hand (`lowpower host add`, over POST /v1/hosts, which reads
 * and binds the BMC itself); the password goes in a file, never on the line.
 */
export function addByHandCommand(poolId: string, hostId: string | null, bmc: Pick<FoundBmc, 'address' | 'port' | 'protocol'> | null): string {
  const target = bmc ? `--bmc ${bmcArg(bmc)} --protocol ${bmc.protocol}` : '--bmc ADDRESS[:PORT] --protocol auto';
  return `lowpower host add ${hostId ?? 'HOST'} --pool ${poolId} ${target} --bmc-user USER --bmc-password-file FILE`;
}

/**
 * The import's table: one row per host of the pool and per BMC that matched none, in a stable
 * order (hosts by id, then the leftover BMCs by address). `at` is the time the binding records.
 */
export function matchBmcsToHosts(poolId: string, hosts: readonly PoolHostInfo[], bmcs: readonly FoundBmc[], stored: readonly StoredHost[], at: string): MatchRow[] {
  const rows: MatchRow[] = [];
  const storedById = new Map(stored.map((h) => [h.hostId, h]));
  const bySerial = new Map<string, FoundBmc[]>();
  const leftover = new Set(bmcs);
  for (const b of bmcs) {
    const serial = b.identity && systemSerialOf(b.identity);
    if (!serial) continue;
    bySerial.set(key(serial), [...(bySerial.get(key(serial)) ?? []), b]);
  }

  for (const h of [...hosts].sort((a, b) => a.hostId.localeCompare(b.hostId))) {
    const have = storedById.get(h.hostId);
    const serial = usableSerial(h.serial);
    const candidates = serial ? (bySerial.get(key(serial)) ?? []) : [];
    for (const c of candidates) leftover.delete(c);
    const row = (match: MatchState, bmc: FoundBmc | null, write: string, extra: Partial<MatchRow> = {}): void => {
      rows.push({ hostId: h.hostId, bmc: bmc ? bmcAt(bmc) : null, protocol: bmc?.protocol ?? null, match, write, ...extra });
    };
    if (!serial) {
      row('placeholder-serial', null, `nothing: XAPI gives ${h.hostId} the serial '${h.serial ?? ''}', which names no machine`, { byHand: addByHandCommand(poolId, h.hostId, null) });
      continue;
    }
    if (candidates.length > 1) {
      // Every BMC of the serial is shown under the host, so the operator sees which ones collide.
      for (const c of candidates) row('duplicate-serial', c, `nothing: ${candidates.length} BMCs (${candidates.map(bmcAt).join(', ')}) answer with serial '${serial}'`, { byHand: addByHandCommand(poolId, h.hostId, c) });
      continue;
    }
    const bmc = candidates[0];
    if (!bmc) {
      if (have) row('already-bound', null, `nothing: in the store with BMC ${have.bmcAddress}:${have.bmcPort} (${have.bindingState ?? 'not read'}); no BMC in the range answered with serial '${serial}'`);
      else row('no-bmc', null, `nothing: no BMC in the range answered with serial '${serial}'`, { byHand: addByHandCommand(poolId, h.hostId, null) });
      continue;
    }
    if (have) {
      const same = have.bmcAddress === bmc.address && have.bmcPort === bmc.port;
      if (same) row('already-bound', bmc, `nothing: in the store with this BMC (${have.bindingState ?? 'not read'})`);
      else row('bound-elsewhere', bmc, `nothing: in the store with BMC ${have.bmcAddress}:${have.bmcPort}; change it with a rebind if this one is right`);
      continue;
    }
    const binding = decideBinding(h.hostId, bmcAt(bmc), bmc.identity as BmcIdentityRecord, { serial: h.serial, boardSerial: h.boardSerial }, at);
    if (binding.state !== 'bound') {
      // Same system serial but another board serial: the binding check would refuse it; so does the import.
      row('no-host', bmc, `nothing: ${binding.why}`, { byHand: addByHandCommand(poolId, h.hostId, bmc), binding });
      continue;
    }
    row('matched', bmc, `add ${h.hostId}${h.isMaster ? ' (pool master)' : ''} with BMC ${bmcAt(bmc)} over ${bmc.protocol}, bound`, { binding });
  }

  for (const b of [...leftover].sort((x, y) => x.address.localeCompare(y.address) || x.port - y.port)) {
    const base = { hostId: null, bmc: bmcAt(b), protocol: b.protocol, byHand: addByHandCommand(poolId, null, b) };
    if (!b.identity) rows.push({ ...base, match: 'unreadable', write: `nothing: ${b.error ?? 'its identity could not be read'}` });
    else {
      const serial = systemSerialOf(b.identity);
      if (!serial) rows.push({ ...base, match: 'placeholder-serial', write: `nothing: the BMC's serial ('${b.identity.productSerial ?? b.identity.chassisSerial ?? ''}') names no machine` });
      else if ((bySerial.get(key(serial)) ?? []).length > 1) rows.push({ ...base, match: 'duplicate-serial', write: `nothing: another BMC answers with serial '${serial}' too` });
      else rows.push({ ...base, match: 'no-host', write: `nothing: serial '${serial}' is no host of pool ${poolId}` });
    }
  }
  return rows;
}
