/**
 * Slack's v0 request signature, pure: HMAC-SHA256 of `v0:<timestamp>:<raw body bytes>` with the
 * app's signing secret, compared in constant time, and only within five minutes of now (either
 * way), so a captured request cannot be replayed later. Errors name a reason, never the secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_SIGNATURE_VERSION = 'v0';
/** Slack's window: a timestamp further than this from now, in seconds, is refused. */
export const SLACK_MAX_SKEW_SECONDS = 300;

export type SlackAuthReason =
  | 'no_secret'
  | 'missing_signature'
  | 'missing_timestamp'
  | 'bad_timestamp'
  | 'stale_timestamp'
  | 'bad_signature'
  | 'signature_mismatch';

/** A request that is not provably from Slack, now. `reason` is safe to log and to return. */
export class SlackAuthError extends Error {
  override readonly name = 'SlackAuthError';
  constructor(
    readonly reason: SlackAuthReason,
    message: string,
  ) {
    super(message);
  }
}

export type SlackHeaders = Record<string, string | undefined>;

/** A header by name, whatever its case (API Gateway v1 keeps Slack's case, node:http lowers it). */
export function headerValue(headers: SlackHeaders, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want && v !== undefined) return v;
  return undefined;
}

/** The bytes Slack signed: API Gateway hands over base64 when `isBase64Encoded` is set. */
export function rawBodyBytes(rawBody: string | Uint8Array, isBase64Encoded = false): Buffer {
  if (typeof rawBody !== 'string') return Buffer.from(rawBody);
  return isBase64Encoded ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody, 'utf8');
}

function hmacHex(secret: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', secret).update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:`).update(body).digest('hex');
}

/** The `X-Slack-Signature` value (`v0=<hex>`) Slack would send for this body at this timestamp. */
export function signSlackRequest(secret: string, body: string | Uint8Array, timestamp: number | string): string {
  if (!secret) throw new SlackAuthError('no_secret', 'no signing secret configured');
  return `${SLACK_SIGNATURE_VERSION}=${hmacHex(secret, String(timestamp), rawBodyBytes(body))}`;
}

export interface VerifySlackOptions {
  signingSecret: string;
  headers: SlackHeaders;
  rawBody: string | Uint8Array;
  isBase64Encoded?: boolean;
  /** Now, epoch seconds. */
  nowSeconds: number;
  maxSkewSeconds?: number;
}

export interface VerifiedSlackRequest {
  /** The request's timestamp, epoch seconds. */
  timestamp: number;
  /** The `v0=<hex>` signature, unique per request: the replay guard remembers it. */
  signature: string;
  /** The decoded body bytes that were signed. */
  body: Buffer;
}

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

/** Checks the request came from Slack within the window; throws `SlackAuthError` otherwise. */
export function verifySlackRequest(o: VerifySlackOptions): VerifiedSlackRequest {
  if (!o.signingSecret) throw new SlackAuthError('no_secret', 'no signing secret configured');
  const signature = headerValue(o.headers, 'x-slack-signature')?.trim();
  const stamp = headerValue(o.headers, 'x-slack-request-timestamp')?.trim();
  if (!signature) throw new SlackAuthError('missing_signature', 'no X-Slack-Signature header');
  if (!stamp) throw new SlackAuthError('missing_timestamp', 'no X-Slack-Request-Timestamp header');
  if (!TIMESTAMP.test(stamp)) throw new SlackAuthError('bad_timestamp', 'X-Slack-Request-Timestamp is not a number of seconds');
  const timestamp = Number(stamp);
  const skew = o.maxSkewSeconds ?? SLACK_MAX_SKEW_SECONDS;
  if (!Number.isFinite(o.nowSeconds) || Math.abs(o.nowSeconds - timestamp) > skew) {
    throw new SlackAuthError('stale_timestamp', `request timestamp is more than ${skew} s from now`);
  }
  if (!SIGNATURE.test(signature)) throw new SlackAuthError('bad_signature', 'X-Slack-Signature is not v0=<64 hex digits>');
  const body = rawBodyBytes(o.rawBody, o.isBase64Encoded);
  const expected = Buffer.from(`${SLACK_SIGNATURE_VERSION}=${hmacHex(o.signingSecret, stamp, body)}`, 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // Both are 67 bytes by now (the format check); the length test only keeps timingSafeEqual from throwing.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SlackAuthError('signature_mismatch', 'the signature does not match the body');
  }
  return { timestamp, signature, body };
}
