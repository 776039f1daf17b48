/**
 * `lowpower slack manifest` as a user runs it: the real command (bin/lowpower.mjs) finds the
 * repository's template and prints a manifest that parses as YAML with the given URL; a bad URL is
 * one line on stderr, exit 2, nothing on stdout.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runSlackCommand } from '../../lib/cli/slack-command.ts';
import { REPO } from '../deploy/package.ts';
import { capture } from './capture.ts';

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
type Loaded = { features: { slash_commands: Array<{ url: string }> }; settings: { interactivity: { request_url: string } }; display_information: { name: string } };

describe('lowpower slack manifest', () => {
  it('prints the manifest for the API URL (the real command, from the repository)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, 'bin/lowpower.mjs'), 'slack', 'manifest', '--api-url', 'https://q1w2e3.execute-api.us-east-1.amazonaws.com', '--name', 'lowpower prod'], { cwd: tmpdir() });
    const m = yaml.load(stdout) as Loaded;
    expect(m.features.slash_commands[0].url).toBe('https://q1w2e3.execute-api.us-east-1.amazonaws.com/slack/commands');
    expect(m.settings.interactivity.request_url).toBe('https://q1w2e3.execute-api.us-east-1.amazonaws.com/slack/interactions');
    expect(m.display_information.name).toBe('lowpower prod');
  }, 60_000);

  it('a bad URL: exit 2, the reason on stderr, nothing on stdout', async () => {
    const r = await capture(() => runSlackCommand(['manifest', '--api-url', 'http://abc.execute-api.eu-central-1.amazonaws.com']));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('Slack must reach abc.execute-api.eu-central-1.amazonaws.com over https');
  });

  it('no --api-url, an unknown verb: usage errors', async () => {
    expect((await capture(() => runSlackCommand(['manifest']))).err).toContain('give --api-url URL');
    expect((await capture(() => runSlackCommand(['install', '--api-url', 'https://x.example']))).err).toContain('unknown verb "install"');
  });

  it('--template renders another file; a missing one is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lowpower-manifest-'));
    const t = join(dir, 'm.yml');
    writeFileSync(t, 'display_information:\n  name: "__LOWPOWER_APP_NAME__"\nu: "__LOWPOWER_API_URL__/slack/commands"\ni: "__LOWPOWER_API_URL__/slack/interactions"\n');
    const ok = await capture(() => runSlackCommand(['manifest', '--api-url', 'https://x.example', '--template', t]));
    expect(ok.code).toBe(0);
    expect(yaml.load(ok.out)).toEqual({ display_information: { name: 'lowpower' }, u: 'https://x.example/slack/commands', i: 'https://x.example/slack/interactions' });
    const missing = await capture(() => runSlackCommand(['manifest', '--api-url', 'https://x.example', '--template', join(dir, 'nope.yml')]));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read the manifest template');
  });
});
