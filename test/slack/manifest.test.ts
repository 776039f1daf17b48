/**
 * The Slack app manifest (slack/manifest.yml) rendered for a deployment: valid YAML in Slack's
 * manifest shape (limits from Slack's published manifest schema, v1), the slash command and the
 * interactivity URL on the paths serverless.yml routes to the slack function, and only the scopes
 * lowpower uses. Bad URLs and names are clear errors.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, manifestBaseUrl, renderManifest, SLACK_COMMANDS_PATH, SLACK_INTERACTIONS_PATH, USAGE_LINES } from '../../lib/slack/index.ts';
import { REPO } from '../deploy/package.ts';

// js-yaml comes with osls; the product never parses YAML, so it is used here only.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

const TEMPLATE = readFileSync(join(REPO, 'slack/manifest.yml'), 'utf8');
const API = 'https://abc123.execute-api.eu-central-1.amazonaws.com';

interface Manifest {
  _metadata: { major_version: number };
  display_information: { name: string; description: string; background_color: string };
  features: {
    bot_user: { display_name: string; always_online: boolean };
    slash_commands: Array<{ command: string; url: string; description: string; usage_hint: string; should_escape: boolean }>;
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string }; incoming_webhooks: { incoming_webhooks_enabled: boolean }; socket_mode_enabled: boolean };
}

const load = (text: string): Manifest => yaml.load(text) as Manifest;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('slack/manifest.yml rendered', () => {
  const m = load(renderManifest(TEMPLATE, { apiUrl: `${API}/` }));

  it('is YAML in the manifest shape, with the deployed URLs and no placeholder left', () => {
    const text = renderManifest(TEMPLATE, { apiUrl: API });
    expect(text).not.toMatch(/__LOWPOWER_/);
    expect(Object.keys(m).sort()).toEqual(['_metadata', 'display_information', 'features', 'oauth_config', 'settings']);
    expect(m._metadata.major_version).toBe(1);
    expect(m.features.slash_commands).toHaveLength(1);
    const [cmd] = m.features.slash_commands;
    expect(cmd.command).toBe('/lowpower');
    expect(cmd.url).toBe(`${API}/slack/commands`);
    expect(cmd.should_escape).toBe(false);
    expect(m.settings.interactivity).toEqual({ is_enabled: true, request_url: `${API}/slack/interactions` });
    expect(m.settings.socket_mode_enabled).toBe(false);
    expect(m.display_information.name).toBe('lowpower');
    expect(m.features.bot_user.display_name).toBe('lowpower');
  });

  it('keeps within the limits of Slack\'s manifest schema', () => {
    const [cmd] = m.features.slash_commands;
    expect(m.display_information.name.length).toBeLessThanOrEqual(35);
    expect(m.display_information.description.length).toBeLessThanOrEqual(140);
    expect(m.display_information.background_color).toMatch(/^#[0-9a-fA-F]{6}$/);
    expect(cmd.command).toMatch(/^\/.{1,31}$/);
    expect(cmd.description.length).toBeLessThanOrEqual(2000);
    expect(cmd.usage_hint.length).toBeLessThanOrEqual(1000);
    for (const u of [cmd.url, m.settings.interactivity.request_url]) expect(u).toMatch(/^https:\/\//);
  });

  it('the usage hint names every verb the command parser documents', () => {
    const verbs = USAGE_LINES.map((l) => /`\/lowpower ([a-z-]+)/.exec(l)?.[1]).filter((v): v is string => !!v);
    expect(verbs.length).toBeGreaterThan(5);
    for (const v of verbs) expect(m.features.slash_commands[0].usage_hint).toContain(v);
  });

  it('the two URLs are the paths serverless.yml routes to the slack function', () => {
    const sls = readFileSync(join(REPO, 'serverless.yml'), 'utf8');
    const slackFn = sls.slice(sls.indexOf('\n  slack:\n'), sls.indexOf('\n  scheduled:\n'));
    for (const p of [SLACK_COMMANDS_PATH, SLACK_INTERACTIONS_PATH]) expect(slackFn).toContain(`path: ${p}`);
    expect(new URL(m.features.slash_commands[0].url).pathname).toBe(SLACK_COMMANDS_PATH);
    expect(new URL(m.settings.interactivity.request_url).pathname).toBe(SLACK_INTERACTIONS_PATH);
  });

  it('asks only for the scopes lowpower uses: the slash command and the incoming webhook, no user scopes', () => {
    expect(m.oauth_config.scopes.bot.sort()).toEqual(['commands', 'incoming-webhook']);
    expect(m.oauth_config.scopes.user).toBeUndefined();
    expect(m.settings.incoming_webhooks.incoming_webhooks_enabled).toBe(true);
    // Why no chat:write or read scope: lowpower calls no Slack Web API method (slack.com/api/...);
    // it answers on response_url and posts to the webhook. A Web API call would need its scope here.
    const webApi = sources(join(REPO, 'lib')).filter((f) => /slack\.com\/api|chat\.postMessage|xoxb-/.test(readFileSync(f, 'utf8')));
    expect(webApi).toEqual([]);
  });

  it('keeps a base path and takes a name', () => {
    const b = load(renderManifest(TEMPLATE, { apiUrl: 'https://ops.example.com/lowpower/', name: 'lowpower (prod)' }));
    expect(b.features.slash_commands[0].url).toBe('https://ops.example.com/lowpower/slack/commands');
    expect(b.settings.interactivity.request_url).toBe('https://ops.example.com/lowpower/slack/interactions');
    expect(b.display_information.name).toBe('lowpower (prod)');
    expect(b.features.bot_user.display_name).toBe('lowpower (prod)');
  });
});

describe('bad input is a clear error', () => {
  it('http only on loopback (the local runner); https elsewhere', () => {
    expect(manifestBaseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(manifestBaseUrl('http://localhost:8080/')).toBe('http://localhost:8080');
    expect(() => manifestBaseUrl('http://abc123.execute-api.eu-central-1.amazonaws.com')).toThrow(/over https/);
  });

  it.each([
    ['not a url', /is not a URL/],
    ['ftp://files.example.com', /is not https/],
    ['https://me:pw@api.example.com', /no user or password/],
    ['https://api.example.com/?stage=prod', /without \? or #/],
    [`${API}/slack/commands`, /not an endpoint \(drop \/slack\/commands\)/],
    [`${API}/slack/interactions/`, /drop \/slack\/interactions/],
  ])('%s', (url, why) => {
    const e = (() => {
      try {
        renderManifest(TEMPLATE, { apiUrl: url });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as Error).message).toMatch(why);
  });

  it('a name Slack would refuse, or one that would break the YAML', () => {
    for (const name of ['', 'x'.repeat(36), 'a"b', 'line\nbreak', 'a: b']) expect(() => renderManifest(TEMPLATE, { apiUrl: API, name })).toThrow(ManifestError);
  });

  it('a template that lost a placeholder is refused rather than half-filled', () => {
    expect(() => renderManifest(TEMPLATE.replace('__LOWPOWER_API_URL__/slack/interactions', 'https://x.example/i'), { apiUrl: API })).toThrow(/no __LOWPOWER_API_URL__\/slack\/interactions/);
  });
});
