/**
 * The Slack app manifest (slack/manifest.yml) with a deployment's URLs filled in, so that setting
 * up Slack is one paste. Pure: the template's text in, the manifest's text out; the caller reads
 * the file. The URL is checked first, because Slack would otherwise accept a manifest whose
 * endpoints can never answer (or answer over plain http).
 */
import { SLACK_COMMANDS_PATH, SLACK_INTERACTIONS_PATH } from './http.ts';

export const MANIFEST_API_URL = '__LOWPOWER_API_URL__';
export const MANIFEST_APP_NAME = '__LOWPOWER_APP_NAME__';
export const DEFAULT_APP_NAME = 'lowpower';

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The API's base URL as the manifest uses it: https, or http on loopback only (the local runner,
 * reached through a tunnel); no user, query or fragment; no trailing slash. A base path (a custom
 * domain's mapping) is kept.
 */
export function manifestBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ManifestError(`--api-url: "${raw}" is not a URL; give the deployed API's, e.g. https://abc123.execute-api.eu-central-1.amazonaws.com`);
  }
  const local = LOCAL_HOSTS.has(u.hostname.toLowerCase());
  if (u.protocol === 'http:' && !local) throw new ManifestError(`--api-url: Slack must reach ${u.host} over https (http only for 127.0.0.1 or localhost)`);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ManifestError(`--api-url: ${u.protocol} is not https`);
  if (u.username || u.password) throw new ManifestError('--api-url: no user or password in the URL');
  if (u.search || u.hash) throw new ManifestError('--api-url: give the API base only, without ? or #');
  const base = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  if (base.endsWith(SLACK_COMMANDS_PATH) || base.endsWith(SLACK_INTERACTIONS_PATH)) {
    throw new ManifestError(`--api-url: give the API base, not an endpoint (drop ${base.endsWith(SLACK_COMMANDS_PATH) ? SLACK_COMMANDS_PATH : SLACK_INTERACTIONS_PATH})`);
  }
  // new URL() percent-encodes quotes, spaces and controls; this only guards the YAML string we write into.
  if (/["\\\s]/.test(base)) throw new ManifestError('--api-url: the URL has characters a manifest cannot carry');
  return base;
}

/** Slack allows 1 to 35 characters for an app's name; these are safe inside a YAML string as they are. */
export function manifestAppName(raw: string): string {
  const name = raw.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,34}$/.test(name)) throw new ManifestError('--name: 1 to 35 letters, digits, spaces and ._()- , starting with a letter or digit');
  return name;
}

export interface ManifestUrls {
  commands: string;
  interactions: string;
}

export const manifestUrls = (base: string): ManifestUrls => ({ commands: `${base}${SLACK_COMMANDS_PATH}`, interactions: `${base}${SLACK_INTERACTIONS_PATH}` });

/** The template with its placeholders replaced; a template that lost one is refused, not half-filled. */
export function renderManifest(template: string, o: { apiUrl: string; name?: string }): string {
  const base = manifestBaseUrl(o.apiUrl);
  const name = manifestAppName(o.name ?? DEFAULT_APP_NAME);
  const urls = manifestUrls(base);
  for (const [placeholder, path] of [
    [MANIFEST_API_URL, SLACK_COMMANDS_PATH],
    [MANIFEST_API_URL, SLACK_INTERACTIONS_PATH],
  ] as const) {
    if (!template.includes(`${placeholder}${path}`)) throw new ManifestError(`the manifest template has no ${placeholder}${path}`);
  }
  if (!template.includes(MANIFEST_APP_NAME)) throw new ManifestError(`the manifest template has no ${MANIFEST_APP_NAME}`);
  const out = template.split(MANIFEST_APP_NAME).join(name).split(MANIFEST_API_URL).join(base);
  // The header tells how to render; the rendered copy says where it points instead.
  const body = out.replace(/^(#.*\n)+/, '');
  return `# lowpower Slack app manifest for ${base} (rendered by: lowpower slack manifest)\n# slash command: ${urls.commands}\n# interactivity: ${urls.interactions}\n${body}`;
}
