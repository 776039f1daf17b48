/**
 * A pool onboarded in one call: its hosts from XAPI (name, UUID, bios_strings serials, master),
 * the BMCs of a range found and read (discover.ts), matched by serial (match.ts), and, unless it
 * is a dry run, the matched hosts written bound: the pool (created when missing, its XAPI password
 * to the Secrets port, its load poll schedule unless the request opts out), each host with its BMC
 * (protocol, port, pinned certificate), one BMC secret per host, audited with reason `import`.
 * Nothing else is written: every other row is listed with the command that adds it by hand.
 * Running it again adds nothing that is there already.
 */
import { parseAddressRange, AddressRangeError, DEFAULT_MAX_TARGETS } from './address-range.ts';
import { discoverBmcs, redacted, type BmcProbes, type ImportProtocol } from './discover.ts';
import { matchBmcsToHosts, type MatchRow, type MatchState, type PoolHostInfo } from './match.ts';
import { bindingView, bmcAtOf, sameBmcAs } from '../ops/index.ts';
import type { PowerDriver } from '../ops/index.ts';
import type { Hypervisor } from '../xen/index.ts';
import type { Store } from '../store/index.ts';
import type { Secrets } from '../store/index.ts';
import { AlreadyExistsError } from '../store/index.ts';
import type { ActionSource, Host, Pool } from '../store/index.ts';
import type { Log } from '../util/index.ts';

export const MATCH_STATES: readonly MatchState[] = ['matched', 'placeholder-serial', 'no-bmc', 'no-host', 'duplicate-serial', 'already-bound', 'bound-elsewhere', 'unreadable'];

export interface ImportRequest {
  poolId: string;
  /** The pool's XAPI: needed (with its password) when the pool is new; an existing pool's own is used. */
  xapi?: { url?: string; user?: string; password?: string };
  bmcRange: string;
  bmcUser: string;
  bmcPassword: string;
  /** Default auto: the Redfish service root first, then the IPMI presence ping. */
  protocol?: ImportProtocol;
  dryRun?: boolean;
  /** Probe more than the address limit (1,024). */
  force?: boolean;
  /** false: a new pool gets no load poll schedule (default: it does, where the deps can make one). */
  loadPoll?: boolean;
  actor: string;
  source: ActionSource;
}

export interface ImportDeps {
  store: Store;
  secrets: Secrets;
  /** Power drivers over a Secrets of the import's own (identity reads). */
  driversFor(secrets: Secrets): PowerDriver;
  /** An existing pool's XAPI (the deployment's connection cache). */
  hypervisorFor?(pool: Pool): Promise<Hypervisor>;
  /** A new pool's XAPI, from the URL and credentials of the request (closed after the import). */
  connectXapi(o: { url: string; user: string; password: string }): Hypervisor;
  /**
   * The new pool's load poll schedule, made right after the pool; it removes the pool again when
   * it fails (and throws), so nothing else is written. Returns the line that says what it made.
   */
  addLoadPoll?(pool: Pool): Promise<string>;
  probes?: BmcProbes;
  concurrency?: number;
  probeTimeoutMs?: number;
  /** The address limit without `force` (default 1,024). */
  maxTargets?: number;
  now?: () => number;
  log?: Log;
}

export type ImportErrorCode = 'invalid_range' | 'xapi_required' | 'xapi_failed' | 'no_hypervisor';

/** A request the import cannot carry out: nothing was sent to a BMC and nothing was written. */
export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ImportChange {
  what: 'pool' | 'host' | 'schedule';
  id: string;
  /** What was written (or, in a dry run, would be). */
  change: string;
}

export interface ImportResult {
  poolId: string;
  dryRun: boolean;
  /** The pool: whether it was in the store before this run, the XAPI used, and any note about the request's XAPI. */
  pool: { existed: boolean; xapiUrl: string; note?: string };
  /** How many addresses were probed, and how many answered as a BMC. */
  probed: number;
  answered: number;
  rows: MatchRow[];
  counts: Record<MatchState, number>;
  /** What this run wrote (a dry run: what it would write); empty when everything was there already. */
  changes: ImportChange[];
}

const hostRef = (poolId: string, hostId: string): string => `bmc.${poolId}.${hostId}`;

/** The pool's XAPI: the stored pool's, or the request's for a new one (with whether to close it after). */
async function poolXapi(deps: ImportDeps, req: ImportRequest, pool: Pool | undefined): Promise<{ hv: Hypervisor; own: boolean; url: string; user: string }> {
  if (pool) {
    if (!deps.hypervisorFor) throw new ImportError('no_hypervisor', 'this deployment has no XAPI access configured');
    return { hv: await deps.hypervisorFor(pool), own: false, url: pool.xapiUrl, user: pool.xapiUser ?? 'root' };
  }
  const { url, password } = req.xapi ?? {};
  if (!url || !password) throw new ImportError('xapi_required', `pool ${req.poolId} is new: give its XAPI URL, user and password`);
  const user = req.xapi?.user || 'root';
  return { hv: deps.connectXapi({ url, user, password }), own: true, url, user };
}

/** XAPI's hosts as the matcher takes them, and the pool's name. */
async function readPool(hv: Hypervisor, url: string, hide: readonly string[]): Promise<{ hosts: PoolHostInfo[]; name: string }> {
  try {
    const [hosts, info] = await Promise.all([hv.hosts(), hv.pool()]);
    return { hosts: hosts.map((h) => ({ hostId: h.hostId, uuid: h.uuid, serial: h.serial, boardSerial: h.boardSerial, isMaster: h.isMaster })), name: info.name };
  } catch (e) {
    throw new ImportError('xapi_failed', `the pool's XAPI at ${url} did not give its hosts: ${redacted(e instanceof Error ? e.message : String(e), hide)}`);
  }
}

/** Every host of every pool: a BMC another host has already is not proposed again. */
async function allHosts(store: Store): Promise<Host[]> {
  return (await Promise.all((await store.listPools()).map((p) => store.listHosts(p.poolId)))).flat();
}

/** A matched row whose BMC (address, GUID or serial) another host has already: that host is named instead. */
function takenElsewhere(poolId: string, rows: MatchRow[], others: readonly Host[]): MatchRow[] {
  return rows.map((r) => {
    if (r.match !== 'matched' || !r.binding || !r.hostId || !r.bmc) return r;
    const at = r.bmc.lastIndexOf(':');
    const other = sameBmcAs({ poolId, hostId: r.hostId, bmcAddress: r.bmc.slice(0, at), bmcPort: Number(r.bmc.slice(at + 1)), binding: r.binding }, others);
    if (!other) return r;
    const { binding: _unused, ...rest } = r;
    return { ...rest, match: 'bound-elsewhere', write: `nothing: this BMC is ${other.host.hostId}'s (pool ${other.host.poolId}): ${other.by}` };
  });
}

function countRows(rows: readonly MatchRow[]): Record<MatchState, number> {
  const counts = Object.fromEntries(MATCH_STATES.map((s) => [s, 0])) as Record<MatchState, number>;
  for (const r of rows) counts[r.match]++;
  return counts;
}

/** Probe, read, match and (unless a dry run) write. Throws ImportError before anything is sent when the request cannot be carried out. */
export async function importPool(deps: ImportDeps, req: ImportRequest): Promise<ImportResult> {
  const dryRun = req.dryRun === true;
  const hide = [req.bmcPassword, req.xapi?.password ?? ''];
  let targets;
  try {
    targets = parseAddressRange(req.bmcRange, { max: deps.maxTargets ?? DEFAULT_MAX_TARGETS, force: req.force });
  } catch (e) {
    if (e instanceof AddressRangeError) throw new ImportError('invalid_range', e.message);
    throw e;
  }
  const existing = await deps.store.getPool(req.poolId);
  const xapi = await poolXapi(deps, req, existing);
  try {
    const { hosts, name } = await readPool(xapi.hv, xapi.url, hide);
    const protocol = req.protocol ?? 'auto';
    const t0 = Date.now();
    const { found, probed } = await discoverBmcs({ targets, protocol, bmcUser: req.bmcUser, bmcPassword: req.bmcPassword, driversFor: deps.driversFor, probes: deps.probes, concurrency: deps.concurrency, probeTimeoutMs: deps.probeTimeoutMs, redact: hide });
    deps.log?.('import-probed', { pool: req.poolId, probed, ms: Date.now() - t0, bmcs: found.length, xapiHosts: hosts.length });
    const at = new Date((deps.now ?? Date.now)()).toISOString();
    const stored = existing ? await deps.store.listHosts(req.poolId) : [];
    const mine = stored.map((h) => ({ hostId: h.hostId, bmcAddress: h.bmcAddress, bmcPort: h.bmcPort, bindingState: bindingView(h) }));
    const others = (await allHosts(deps.store)).filter((h) => !(h.poolId === req.poolId && stored.some((s) => s.hostId === h.hostId)));
    let rows = takenElsewhere(req.poolId, matchBmcsToHosts(req.poolId, hosts, found, mine, at), others);

    const note = existing && req.xapi?.url && req.xapi.url.replace(/\/$/, '') !== existing.xapiUrl.replace(/\/$/, '') ? `pool ${req.poolId} exists: its stored XAPI ${existing.xapiUrl} was used, not ${req.xapi.url}` : undefined;
    const wantsLoadPoll = !existing && req.loadPoll !== false && deps.addLoadPoll !== undefined;
    let loadPoll = wantsLoadPoll ? 'add the load poll: schedule load (poll-load, rate(1 minute) UTC)' : undefined;
    if (!dryRun) {
      const who = { actor: req.actor, source: req.source, reason: 'import' };
      if (!existing) {
        const secretRef = `xapi.${req.poolId}`;
        await deps.secrets.put(secretRef, req.xapi?.password as string);
        const pool = await deps.store.createPool({ poolId: req.poolId, name: name || req.poolId, xapiUrl: xapi.url, xapiUser: xapi.user, secretRef, policy: {} });
        if (wantsLoadPoll) loadPoll = `added the load poll: ${await deps.addLoadPoll?.(pool)}`;
        await deps.store.appendAudit({ poolId: req.poolId, ...who, action: 'add pool', result: 'ok', message: `XAPI ${xapi.url}, user ${xapi.user}; ${loadPoll ?? 'no load poll'}` });
      }
      rows = await writeMatched(deps, req, rows, found, hosts, who);
      await deps.store.appendAudit({ poolId: req.poolId, ...who, action: 'import pool', result: 'ok', message: `${req.bmcRange} (${protocol}): ${summaryLine(countRows(rows))}` });
    }
    const counts = countRows(rows);
    // A dry run's matched rows are what it would add; a real run's, what it added.
    const changes: ImportChange[] = [
      ...(existing ? [] : [{ what: 'pool' as const, id: req.poolId, change: `${dryRun ? 'add' : 'added'} pool ${req.poolId} (XAPI ${xapi.url}, user ${xapi.user})` }]),
      ...(loadPoll ? [{ what: 'schedule' as const, id: 'load', change: loadPoll }] : []),
      ...rows.filter((r) => r.hostId && (dryRun ? r.match === 'matched' : /^added /.test(r.write))).map((r) => ({ what: 'host' as const, id: r.hostId as string, change: r.write })),
    ];
    deps.log?.('import', { pool: req.poolId, dryRun, ...counts, changes: changes.length });
    return { poolId: req.poolId, dryRun, pool: { existed: existing !== undefined, xapiUrl: xapi.url, note }, probed, answered: found.length, rows, counts, changes };
  } finally {
    if (xapi.own) await xapi.hv.close().catch(() => undefined);
  }
}

/** "6 matched, 1 no-host": the states that occur, in the order of MATCH_STATES. */
export function summaryLine(counts: Record<MatchState, number>): string {
  const parts = MATCH_STATES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'no hosts and no BMCs';
}

/** Write each matched row's host (one secret each), audited; a host that appeared meanwhile is left as it is. */
async function writeMatched(
  deps: ImportDeps,
  req: ImportRequest,
  rows: MatchRow[],
  found: ReadonlyArray<{ address: string; port: number; fingerprint256?: string }>,
  hosts: readonly PoolHostInfo[],
  who: { actor: string; source: ActionSource; reason: string },
): Promise<MatchRow[]> {
  const out: MatchRow[] = [];
  for (const r of rows) {
    if (r.match !== 'matched' || !r.hostId || !r.bmc || !r.binding || !r.protocol) {
      out.push(r);
      continue;
    }
    const bmc = found.find((b) => `${b.address}:${b.port}` === r.bmc);
    const at = (r.bmc as string).lastIndexOf(':');
    const address = r.bmc.slice(0, at);
    const port = Number(r.bmc.slice(at + 1));
    const secretRef = hostRef(req.poolId, r.hostId);
    const pinnedAt = new Date((deps.now ?? Date.now)()).toISOString();
    const reach = r.protocol === 'redfish' ? { bmcScheme: 'https' as const, tlsPin: { fingerprint256: bmc?.fingerprint256, pinnedAt } } : {};
    try {
      await deps.secrets.put(secretRef, req.bmcPassword);
      await deps.store.createHost({
        poolId: req.poolId,
        hostId: r.hostId,
        bmcAddress: address,
        bmcPort: port,
        bmcUser: req.bmcUser,
        secretRef,
        cipherSuite: 17,
        bmcProtocol: r.protocol,
        ...((req.protocol ?? 'auto') === 'auto' ? { bmcProtocolFound: { by: 'auto' as const, at: pinnedAt } } : {}),
        ...reach,
        power: 'unknown',
        isMaster: hosts.find((h) => h.hostId === r.hostId)?.isMaster === true,
        sleepState: 'awake',
        binding: r.binding,
      });
    } catch (e) {
      if (e instanceof AlreadyExistsError) out.push({ ...r, match: 'already-bound', write: `nothing: ${r.hostId} was added meanwhile` });
      else out.push({ ...r, write: `not added: ${redacted(e instanceof Error ? e.message : String(e), [req.bmcPassword])}` });
      continue;
    }
    const over = `${r.protocol}${r.protocol === 'redfish' && bmc?.fingerprint256 ? `, certificate pinned ${bmc.fingerprint256}` : ''}`;
    await deps.store.appendAudit({ poolId: req.poolId, hostId: r.hostId, ...who, action: 'add host', result: 'ok', message: `BMC ${bmcAtOf({ bmcAddress: address, bmcPort: port })} over ${over}; ${r.binding.state}: ${r.binding.why}` });
    out.push({ ...r, write: r.write.replace(/^add /, 'added ') });
  }
  return out;
}
