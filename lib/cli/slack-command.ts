/**
 * `lowpower slack manifest --api-url URL [--name NAME]`: prints the Slack app manifest
 * (slack/manifest.yml) with the deployed API's slash-command and interactivity URLs filled in,
 * ready to paste into Slack's "Create New App -> From a manifest".
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ManifestError, renderManifest } from '../slack/index.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';

export const SLACK_USAGE = `usage: lowpower slack manifest --api-url URL [--name NAME] [--template FILE]

Prints the Slack app manifest for a lowpower deployment: the /lowpower slash command at
URL/slack/commands, the buttons at URL/slack/interactions, and the scopes lowpower needs.
  --api-url URL    the deployed HTTP API (https; the "endpoint" osls deploy prints, without a path)
  --name NAME      the app's name in Slack (default lowpower)
  --template FILE  another manifest template (default: the repository's slack/manifest.yml)
`;

const FLAGS: FlagSpec[] = [
  { names: ['--api-url'], value: true, key: 'apiUrl' },
  { names: ['--name'], value: true, key: 'name' },
  { names: ['--template'], value: true, key: 'template' },
  { names: ['-h', '--help'], key: 'help' },
];

/** slack/manifest.yml beside the sources (lib/cli/ -> ../../) or beside the CLI bundle (dist/ -> ../). */
export function manifestTemplatePath(): string {
  const candidates = [new URL('../../slack/manifest.yml', import.meta.url), new URL('../slack/manifest.yml', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the manifest template slack/manifest.yml is not where lowpower looks (${candidates.join(', ')}); give --template FILE`);
  return found;
}

export async function runSlackCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    const [verb, ...extra] = positional;
    if (flags.help || !verb) {
      process.stdout.write(SLACK_USAGE);
      return flags.help ? 0 : 1;
    }
    if (verb !== 'manifest') throw new UsageError(`slack: unknown verb "${verb}"`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (typeof flags.apiUrl !== 'string') throw new UsageError('slack manifest: give --api-url URL (the deployed API)');
    const path = typeof flags.template === 'string' ? flags.template : manifestTemplatePath();
    let template: string;
    try {
      template = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the manifest template ${path} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    process.stdout.write(renderManifest(template, { apiUrl: flags.apiUrl, name: typeof flags.name === 'string' ? flags.name : undefined }));
    return 0;
  } catch (e) {
    process.stderr.write(`lowpower slack: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof UsageError || e instanceof ManifestError ? 2 : 1;
  }
}
