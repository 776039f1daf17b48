/**
 * `lowpower secrets put REF (--file FILE | --stdin) --stage STAGE [--region R] [--prefix P]`: puts
 * a password or key into a deployed stack's Secrets Manager, under the name the functions read
 * (`<prefix><ref>`, prefix `lowpower/<stage>/` as serverless.yml's SECRETS_PREFIX), creating the
 * secret when it does not exist. Through the same SecretsManagerSecrets the functions use, with the
 * caller's own AWS credentials. The value never comes from the command line and is never printed.
 */
import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { checkSecretRef, SecretsError, SecretsManagerSecrets } from '../store/index.ts';
import { secretsSdk } from '../store/secrets-sdk.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';

export const SECRETS_USAGE = `usage: lowpower secrets put REF (--file FILE | --stdin) --stage STAGE [--region R] [--prefix P]

Puts a secret into a deployed lowpower stack's Secrets Manager as <prefix><REF> (prefix
lowpower/STAGE/ unless --prefix), creating it when missing. The value is one line, read from
FILE or standard input (one trailing newline is dropped); it is never printed. AWS credentials
and the region come from the usual places (AWS_PROFILE, AWS_REGION, ~/.aws) unless --region.

The refs lowpower reads:
  xapi.POOL              a pool's XAPI password
  bmc.POOL.HOST          a host's BMC password
  slack-signing-secret   the Slack app's signing secret (read by the slack function only)
  slack-webhook-url      the incoming-webhook URL for alerts and the night report
`;

const FLAGS: FlagSpec[] = [
  { names: ['--file', '-f'], value: true, key: 'file' },
  { names: ['--stdin'], key: 'stdin' },
  { names: ['--stage'], value: true, key: 'stage' },
  { names: ['--region'], value: true, key: 'region' },
  { names: ['--prefix'], value: true, key: 'prefix' },
  { names: ['-h', '--help'], key: 'help' },
];

/** The refs the product itself names (lib/api, serverless.yml); anything else is likely a typo. */
const KNOWN_REFS = [/^xapi\.[^.]+$/, /^bmc\.[^.]+\..+$/, /^slack-signing-secret$/, /^slack-webhook-url$/];

/** One line: a trailing newline (as `echo` writes) is dropped; more lines are refused, not cut. */
export function secretValueOf(text: string, from: string): string {
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new UsageError(`${from} is empty`);
  if (/[\r\n]/.test(value)) throw new UsageError(`${from} has more than one line; a lowpower secret is one line`);
  return value;
}

/** Secrets Manager names: letters, digits and /_+=.@- ; the stage as osls allows it. */
function prefixOf(flags: Record<string, string | boolean>): string {
  if (typeof flags.prefix === 'string') {
    if (!/^[A-Za-z0-9/_+=.@-]{1,300}$/.test(flags.prefix)) throw new UsageError('--prefix: letters, digits and /_+=.@- only');
    return flags.prefix;
  }
  if (typeof flags.stage !== 'string') throw new UsageError('give --stage STAGE (the stage you deployed, e.g. prod), or --prefix');
  if (!/^[A-Za-z0-9-]{1,64}$/.test(flags.stage)) throw new UsageError('--stage: letters, digits and - only');
  return `lowpower/${flags.stage}/`;
}

async function readValue(flags: Record<string, string | boolean>, stdin: () => Promise<string>): Promise<string> {
  const file = typeof flags.file === 'string';
  if (file === (flags.stdin === true)) throw new UsageError('give the value one way: --file FILE or --stdin');
  if (file) {
    let text: string;
    try {
      text = readFileSync(flags.file as string, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${flags.file as string} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    return secretValueOf(text, `the file ${flags.file as string}`);
  }
  return secretValueOf(await stdin(), 'standard input');
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('type the secret, then Enter and Ctrl-D (it shows as you type: prefer --file or a pipe)\n');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface SecretsCommandDeps {
  /** The client for the region asked for (tests pass one; the default is the SDK's own). */
  client?: (region: string | undefined) => SecretsManagerClient;
  stdin?: () => Promise<string>;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export async function runSecretsCommand(argv: string[], deps: SecretsCommandDeps = {}): Promise<number> {
  const out = deps.out ?? ((l) => void process.stdout.write(l));
  const err = deps.err ?? ((l) => void process.stderr.write(l));
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    const [verb, ref, ...extra] = positional;
    if (flags.help || !verb) {
      out(SECRETS_USAGE);
      return flags.help ? 0 : 1;
    }
    if (verb !== 'put') throw new UsageError(`secrets: unknown verb "${verb}" (only put: lowpower never prints a secret)`);
    if (!ref) throw new UsageError('secrets put: name the REF (e.g. xapi.pool-1)');
    if (extra.length) throw new UsageError('secrets put: one REF; the value comes from --file or --stdin, never the command line');
    try {
      checkSecretRef(ref);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    const prefix = prefixOf(flags);
    if (flags.region === true) throw new UsageError('--region needs a value');
    const region = typeof flags.region === 'string' ? flags.region : undefined;
    const value = await readValue(flags, deps.stdin ?? readStdin);
    if (!KNOWN_REFS.some((r) => r.test(ref))) err(`lowpower secrets: note: lowpower reads xapi.POOL, bmc.POOL.HOST, slack-signing-secret and slack-webhook-url; nothing reads "${ref}" unless a record names it\n`);
    const client = (deps.client ?? ((r) => new SecretsManagerClient(r ? { region: r } : {})))(region);
    await new SecretsManagerSecrets({ sdk: secretsSdk(client), prefix, cacheMs: 0 }).put(ref, value);
    out(`stored secret ${prefix}${ref}\n`);
    return 0;
  } catch (e) {
    // SecretsError messages carry the ref and the service's error name only (never the value).
    const message = e instanceof Error ? e.message : String(e);
    err(`lowpower secrets: ${message}${e instanceof SecretsError ? ' (check the AWS credentials, the region, and that they allow secretsmanager:PutSecretValue and CreateSecret)' : ''}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
