/**
 * `lowpower host add HOST`: one host added through the API (POST /v1/hosts), which reads its BMC
 * and binds it to the XAPI host before storing it: the by-hand line `pool import` prints for a host
 * it could not match. The BMC password comes from a file or the environment, never the command line.
 */
import { API_FLAGS, API_OPTIONS_USAGE, apiClient, apiTarget } from './api-client.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { readSecretFile } from './bmc-connection.ts';

export const HOST_USAGE = `usage: lowpower host add HOST --pool POOL --bmc ADDRESS[:PORT] [--protocol ipmi|redfish|auto]
                         --bmc-user USER (--bmc-password-file FILE | --bmc-password-env) [-C 3|17] [--json]

  HOST                       the host's XAPI name (name_label)
  --bmc ADDRESS[:PORT]       its BMC (IPv6 in brackets: [fd00::7]:623); the port defaults to the protocol's
  --protocol P               ipmi (default), redfish, or auto (Redfish service root, then IPMI presence ping)
  --bmc-password-file FILE   the BMC password: the first line of FILE (--bmc-password-env: $IPMI_PASSWORD)
  -C 3|17                    IPMI cipher suite (default 17)
${API_OPTIONS_USAGE}

The BMC's identity is read and compared with XAPI's serials; the host is stored with the binding
(bound, mismatch or unverified, with why). A BMC that is another host's is refused.
`;

const FLAGS: FlagSpec[] = [
  ...API_FLAGS,
  { names: ['--pool'], value: true, key: 'pool' },
  { names: ['--bmc'], value: true, key: 'bmc' },
  { names: ['--protocol'], value: true, key: 'protocol' },
  { names: ['--bmc-user'], value: true, key: 'bmcUser' },
  { names: ['--bmc-password-file'], value: true, key: 'bmcPasswordFile' },
  { names: ['--bmc-password-env'], key: 'bmcPasswordEnv' },
  { names: ['-C'], value: true, key: 'suite' },
  { names: ['--json'], key: 'json' },
  { names: ['-h', '--help'], key: 'help' },
];

/** `10.0.0.7`, `10.0.0.7:623`, `bmc-7.lan:623`, `[fd00::7]:623`: the address and the port if given. */
export function parseBmc(text: string): { address: string; port?: number } {
  const m = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]\s]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--bmc: "${text}" is not ADDRESS[:PORT] (IPv6 in brackets)`);
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--bmc: ${port} is not a port (1-65535)`);
  return { address: m[1], port };
}

export async function runHostCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    const [verb, host, extra] = positional;
    if (flags.help || !verb) {
      process.stdout.write(HOST_USAGE);
      return flags.help ? 0 : 1;
    }
    if (verb !== 'add') throw new UsageError(`host: unknown verb "${verb}"`);
    if (!host) throw new UsageError('host add: name the host');
    if (extra !== undefined) throw new UsageError(`host add: unexpected argument "${extra}"`);
    if (typeof flags.bmc !== 'string') throw new UsageError('host add: give --bmc ADDRESS[:PORT]');
    if (typeof flags.bmcUser !== 'string') throw new UsageError('host add: give --bmc-user');
    const protocol = flags.protocol ?? 'ipmi';
    if (protocol !== 'ipmi' && protocol !== 'redfish' && protocol !== 'auto') throw new UsageError('--protocol must be ipmi, redfish or auto');
    if (flags.bmcPasswordFile !== undefined && flags.bmcPasswordEnv !== undefined) throw new UsageError('give the BMC password one way only');
    let bmcPassword: string;
    if (typeof flags.bmcPasswordFile === 'string') bmcPassword = readSecretFile(flags.bmcPasswordFile, 'BMC password');
    else if (flags.bmcPasswordEnv) {
      if (!process.env.IPMI_PASSWORD) throw new UsageError('--bmc-password-env: $IPMI_PASSWORD is not set');
      bmcPassword = process.env.IPMI_PASSWORD;
    } else throw new UsageError('no BMC password: give --bmc-password-file FILE or --bmc-password-env');
    const suite = intFlag(flags.suite, '-C', 3, 17);
    if (suite !== undefined && suite !== 3 && suite !== 17) throw new UsageError('-C must be 3 or 17');
    const { address, port } = parseBmc(flags.bmc);
    const body = { id: host, pool: typeof flags.pool === 'string' ? flags.pool : undefined, bmcAddress: address, bmcPort: port, protocol, bmcUser: flags.bmcUser, bmcPassword, cipherSuite: suite };
    const { call } = apiClient(apiTarget(flags));
    const r = (await call('POST', '/v1/hosts', body)) as { host: { id: string; pool: string; bmc: string; protocol: string; binding: { state: string; why: string } } };
    const h = r.host;
    process.stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : `added ${h.id} to pool ${h.pool}: BMC ${h.bmc} over ${h.protocol}, ${h.binding.state} (${h.binding.why})\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`lowpower host: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
