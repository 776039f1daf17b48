/**
 * The BMC a `lowpower bmc` command talks to, from its flags: address, port, user, cipher suite,
 * privilege, deadlines, and the password from $IPMI_PASSWORD, a file or (warned against) the
 * command line. A secret file's content is never printed, not even in an error.
 */
import { readFileSync } from 'node:fs';
import type { BmcOptions, PrivilegeLevel } from '../ipmi/index.ts';
import { intFlag, UsageError } from './args.ts';

/** First line of a secret file, without its newline. The file's content is never printed. */
export function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read the ${what} file ${path} (${code})`);
  }
  const line = text.split(/\r?\n/)[0];
  if (!line) throw new UsageError(`the ${what} file ${path} is empty`);
  return line;
}

/** The BMC password from -E ($IPMI_PASSWORD, as ipmitool reads it, for either protocol), -f FILE or -P. */
export function redfishPassword(flags: Record<string, string | boolean>): string {
  return password(flags);
}

function password(flags: Record<string, string | boolean>): string {
  const sources = ['envPassword', 'passwordFile', 'password'].filter((k) => flags[k] !== undefined);
  if (sources.length === 0) throw new UsageError('no password: use -E (from $IPMI_PASSWORD) or -f PASSWORD_FILE');
  if (sources.length > 1) throw new UsageError('give the password one way only (-E, -f or -P)');
  if (flags.envPassword) {
    const p = process.env.IPMI_PASSWORD;
    if (!p) throw new UsageError('-E: $IPMI_PASSWORD is not set');
    return p;
  }
  if (typeof flags.passwordFile === 'string') return readSecretFile(flags.passwordFile, 'password');
  process.stderr.write('lowpower bmc: warning: -P shows the password in the process list; use -E or -f\n');
  return String(flags.password);
}

export function connection(flags: Record<string, string | boolean>): BmcOptions {
  if (typeof flags.host !== 'string') throw new UsageError('no BMC: give -H HOST');
  if (typeof flags.user !== 'string') throw new UsageError('no user: give -U USER');
  const suite = intFlag(flags.suite, '-C', 0, 17);
  if (suite !== undefined && suite !== 3 && suite !== 17) throw new UsageError('-C: lowpower speaks cipher suites 3 and 17');
  const privilege = flags.privilege === undefined ? 'administrator' : String(flags.privilege).toLowerCase();
  if (!['user', 'operator', 'administrator'].includes(privilege)) throw new UsageError('-L must be user, operator or administrator');
  return {
    host: flags.host,
    port: intFlag(flags.port, '-p', 1, 65535) ?? 623,
    username: flags.user,
    password: password(flags),
    cipherSuite: suite,
    lan15: !!flags.lan15,
    privilege: privilege as PrivilegeLevel,
    timeoutMs: intFlag(flags.timeout, '-t', 50, 600_000),
    retries: intFlag(flags.retries, '-R', 0, 10),
  };
}
