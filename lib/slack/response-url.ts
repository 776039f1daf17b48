/**
 * Posting JSON to Slack: a command's or a click's `response_url`, and incoming webhooks. Only
 * Slack's own hosts are allowed (loopback too when asked: the local runner and tests), so a
 * forged URL cannot turn lowpower into a proxy. The URL is a credential: it is never logged.
 */

export interface SlackPostOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** Also allow http(s) to 127.0.0.1, ::1 and localhost. */
  allowLoopback?: boolean;
}

const SLACK_HOSTS = ['slack.com', 'slack-gov.com'];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export class SlackPostError extends Error {
  override readonly name = 'SlackPostError';
}

/** The URL if lowpower may post to it; throws `SlackPostError` (without the URL) otherwise. */
export function checkSlackUrl(url: string, allowLoopback = false): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SlackPostError('not a URL');
  }
  if (allowLoopback && LOOPBACK.has(u.hostname) && (u.protocol === 'http:' || u.protocol === 'https:')) return u;
  if (u.protocol === 'https:' && SLACK_HOSTS.some((h) => u.hostname === h || u.hostname.endsWith(`.${h}`))) return u;
  throw new SlackPostError(`refusing to post to ${u.protocol}//${u.hostname}: not a Slack URL`);
}

/** POSTs `message` as JSON; throws `SlackPostError` on a refusal, a timeout or a non-2xx answer. */
export async function postSlackJson(url: string, message: object, o: SlackPostOptions = {}): Promise<void> {
  const u = checkSlackUrl(url, o.allowLoopback);
  let res: Response;
  try {
    res = await fetch(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
    });
  } catch (e) {
    throw new SlackPostError(`post to ${u.hostname} failed: ${e instanceof Error ? e.name : 'error'}`);
  }
  // Slack answers "ok", or e.g. 404 expired_url / used_url: a short text worth keeping.
  const answer = (await res.text().catch(() => '')).slice(0, 100);
  if (!res.ok) throw new SlackPostError(`${u.hostname} answered ${res.status}${answer ? ` ${answer}` : ''}`);
}

/** The `postToResponseUrl` dependency of the Slack handler. */
export function responseUrlPoster(o: SlackPostOptions = {}): (url: string, message: object) => Promise<void> {
  return (url, message) => postSlackJson(url, message, o);
}
