/**
 * `lowpower pool import POOL`: a pool onboarded through the API (POST /v1/pools/{id}/import): its
 * hosts from XAPI, the BMCs of a range matched by serial, shown as a table (host, BMC, protocol,
 * match, write); without --dry-run the matched hosts are added bound. Passwords come from files or
 * the environment, never from the command line.
 */
import { API_FLAGS, API_OPTIONS_USAGE, DEFAULT_API_URL, apiClient, apiTarget } from './api-client.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';
import { readSecretFile } from './bmc-connection.ts';
import { table } from './format.ts';
import type { ImportAnswer } from '../api/index.ts';

export const POOL_IMPORT_USAGE = `usage: lowpower pool import POOL --xapi URL -U USER (-f FILE | -E) --bmc-range RANGE --bmc-user USER
                            (--bmc-password-file FILE | --bmc-password-env) [--protocol ipmi|redfish|auto]
                            [--dry-run] [--force] [--no-load-poll] [--json]

  --xapi URL                 the pool master's XAPI (a new pool needs it; an existing pool's own is used)
  -U USER                    the XAPI user (default root)
  -f FILE | -E               the XAPI password: the first line of FILE, or $XAPI_PASSWORD
                             (needed for a new pool only)
  --bmc-range RANGE          where the BMCs are: a CIDR (10.20.0.0/24), FIRST-LAST (10.20.0.21-10.20.0.36),
                             addresses (10.20.0.7,bmc-7.lan:623)
                             or HOST:PORT-PORT (127.0.0.1:16230-16240); at most 1,024 addresses without --force
  --bmc-user USER            the BMCs' user
  --bmc-password-file FILE   the BMCs' password: the first line of FILE
  --bmc-password-env         ... or $IPMI_PASSWORD
  --protocol P               ipmi (presence ping), redfish (service root) or auto (both; the default)
  --dry-run                  show the table, write nothing
  --force                    probe a range of more than 1,024 addresses
  --no-load-poll             a new pool gets no load poll schedule (by default it gets \`load\`,
                             poll-load every minute, which runs the night watch)
  --json                     the API's answer as JSON
${API_OPTIONS_USAGE}

Every address gets only a presence ping (and, with redfish or auto, an unauthenticated GET of the
Redfish service root); the BMC user and password go only to addresses that answered as a BMC, over
RMCP+ or HTTPS. Only hosts whose BMC's serial matches XAPI's are added; the rest are listed with the
command that adds each by hand. Running it again adds nothing that is there already.
`;

const FLAGS: FlagSpec[] = [
  ...API_FLAGS,
  { names: ['--xapi'], value: true, key: 'xapi' },
  { names: ['-U', '--xapi-user'], value: true, key: 'xapiUser' },
  { names: ['-f', '--xapi-password-file'], value: true, key: 'xapiPasswordFile' },
  { names: ['-E'], key: 'xapiPasswordEnv' },
  { names: ['--bmc-range'], value: true, key: 'bmcRange' },
  { names: ['--bmc-user'], value: true, key: 'bmcUser' },
  { names: ['--bmc-password-file'], value: true, key: 'bmcPasswordFile' },
  { names: ['--bmc-password-env'], key: 'bmcPasswordEnv' },
  { names: ['--protocol'], value: true, key: 'protocol' },
  { names: ['--dry-run'], key: 'dryRun' },
  { names: ['--force'], key: 'force' },
  { names: ['--no-load-poll'], key: 'noLoadPoll' },
  { names: ['--json'], key: 'json' },
  { names: ['-h', '--help'], key: 'help' },
];

/** A password from a file or an environment variable; exactly one way, or none when `optional`. */
function passwordFrom(flags: Record<string, string | boolean>, fileKey: string, envKey: string, envVar: string, what: string, optional: boolean): string | undefined {
  const file = flags[fileKey];
  const env = flags[envKey];
  if (file !== undefined && env !== undefined) throw new UsageError(`give the ${what} one way only`);
  if (typeof file === 'string') return readSecretFile(file, `${what}`);
  if (env) {
    const v = process.env[envVar];
    if (!v) throw new UsageError(`$${envVar} is not set (the ${what})`);
    return v;
  }
  if (optional) return undefined;
  throw new UsageError(`no ${what}: give it in a file or the environment`);
}

/** The request body from the flags; throws UsageError naming what is missing. */
export function importBody(flags: Record<string, string | boolean>): Record<string, unknown> {
  for (const k of ['xapi', 'xapiUser', 'xapiPasswordFile', 'bmcRange', 'bmcUser', 'bmcPasswordFile', 'protocol'] as const) {
    if (flags[k] === true) throw new UsageError(`an option needs a value (${k})`);
  }
  if (typeof flags.bmcRange !== 'string') throw new UsageError('pool import: give --bmc-range (a CIDR, FIRST-LAST, addresses, or HOST:PORT-PORT)');
  if (typeof flags.bmcUser !== 'string') throw new UsageError('pool import: give --bmc-user');
  const protocol = flags.protocol ?? 'auto';
  if (protocol !== 'ipmi' && protocol !== 'redfish' && protocol !== 'auto') throw new UsageError('--protocol must be ipmi, redfish or auto');
  const bmcPassword = passwordFrom(flags, 'bmcPasswordFile', 'bmcPasswordEnv', 'IPMI_PASSWORD', 'BMC password (--bmc-password-file FILE or --bmc-password-env)', false);
  const xapiPassword = passwordFrom(flags, 'xapiPasswordFile', 'xapiPasswordEnv', 'XAPI_PASSWORD', 'XAPI password (-f FILE or -E)', true);
  const xapi = flags.xapi !== undefined || flags.xapiUser !== undefined || xapiPassword !== undefined ? { url: flags.xapi, user: flags.xapiUser, password: xapiPassword } : undefined;
  return { xapi, bmcRange: flags.bmcRange, bmcUser: flags.bmcUser, bmcPassword, protocol, dryRun: flags.dryRun === true, force: flags.force === true, ...(flags.noLoadPoll === true ? { loadPoll: false } : {}) };
}

/** The answer as a person reads it: the table, the counts, what changed, and the by-hand lines. */
export function formatImport(a: ImportAnswer): string {
  const out = [table([['host', 'BMC', 'protocol', 'match', 'write'], ...a.rows.map((r) => [r.host ?? '-', r.bmc ?? '-', r.protocol ?? '-', r.match, r.write])]).trimEnd()];
  out.push(`probed ${a.probed} address${a.probed === 1 ? '' : 'es'}, ${a.answered} answered as a BMC`);
  if (a.pool.note) out.push(a.pool.note);
  const changed = a.changes.map((c) => `  ${c.change}`);
  if (a.dryRun) out.push(changed.length ? `dry run, nothing written; without --dry-run:\n${changed.join('\n')}` : 'dry run: nothing to change');
  else out.push(changed.length ? `changed:\n${changed.join('\n')}` : 'nothing changed: everything matched is in the store already');
  const byHand = a.rows.filter((r) => r.byHand).map((r) => `  ${r.byHand}`);
  if (byHand.length) out.push(`not added; once you know a host's BMC, add it by hand:\n${[...new Set(byHand)].join('\n')}`);
  return out.join('\n');
}

export async function runPoolImportCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(POOL_IMPORT_USAGE);
      return 0;
    }
    const [pool, extra] = positional;
    if (!pool) throw new UsageError('pool import: name the pool');
    if (extra !== undefined) throw new UsageError(`pool import: unexpected argument "${extra}"`);
    const body = importBody(flags);
    const { call } = apiClient(apiTarget(flags));
    const r = (await call('POST', `/v1/pools/${encodeURIComponent(pool)}/import`, body)) as unknown as ImportAnswer;
    process.stdout.write(`${flags.json ? JSON.stringify(r, null, 2) : formatImport(r)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`lowpower pool import: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** The import command for a local runner's simulators, as one line to paste (a dry run unless told). */
export function importCommand(
  r: { url: string; poolId: string; xapi: { url: string }; fleet: { bmcs: ReadonlyArray<{ address: string; port: number }> }; passwordFiles?: { xapi: string; bmc: string } },
  o: { dryRun?: boolean } = {},
): string {
  const ports = r.fleet.bmcs.map((b) => b.port);
  const first = Math.min(...ports);
  // Ten ports beyond the first: room for a BMC started beside the simulated ones.
  const range = `${r.fleet.bmcs[0]?.address ?? '127.0.0.1'}:${first}-${Math.max(first + 10, ...ports)}`;
  const files = r.passwordFiles ?? { xapi: 'XAPI_PASSWORD_FILE', bmc: 'BMC_PASSWORD_FILE' };
  return [
    `npx lowpower pool import ${r.poolId} --xapi ${r.xapi.url} -U root -f ${files.xapi}`,
    `--bmc-range ${range} --bmc-user admin --bmc-password-file ${files.bmc}`,
    ...(r.url === DEFAULT_API_URL ? [] : [`--url ${r.url}`]),
    ...(o.dryRun === false ? [] : ['--dry-run']),
  ].join(' ');
}
