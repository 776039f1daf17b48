import { describe, expect, it } from 'vitest';
import { SlackAuthError, signSlackRequest, verifySlackRequest, type SlackAuthReason } from '../../lib/slack/index.ts';
import { NOW_S, SECRET, signed } from './support.ts';

const BODY = 'token=x&team_id=T1&user_id=U1&user_name=alice&command=%2Flowpower&text=status+pool-1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1';

function refusal(f: () => unknown): SlackAuthError {
  try {
    f();
  } catch (e) {
    if (e instanceof SlackAuthError) return e;
    throw e;
  }
  throw new Error('expected a SlackAuthError');
}

function verify(req: { headers: Record<string, string | undefined>; rawBody: string; isBase64Encoded?: boolean }, nowSeconds = NOW_S, secret = SECRET) {
  return verifySlackRequest({ signingSecret: secret, headers: req.headers, rawBody: req.rawBody, isBase64Encoded: req.isBase64Encoded, nowSeconds });
}

describe('Slack v0 signature', () => {
  it("matches the example in Slack's documentation", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    expect(signSlackRequest(secret, body, 1531420618)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    const ok = verifySlackRequest({
      signingSecret: secret,
      headers: { 'X-Slack-Request-Timestamp': '1531420618', 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' },
      rawBody: body,
      nowSeconds: 1531420618 + 10,
    });
    expect(ok.timestamp).toBe(1531420618);
  });

  it('accepts a valid request and hands back the signed bytes', () => {
    const v = verify(signed(BODY));
    expect(v.body.toString('utf8')).toBe(BODY);
    expect(v.timestamp).toBe(NOW_S);
    expect(v.signature).toMatch(/^v0=[0-9a-f]{64}$/);
  });

  it('reads the headers whatever their case', () => {
    const r = signed(BODY);
    const upper = { 'X-Slack-Signature': r.headers['x-slack-signature'], 'X-SLACK-REQUEST-TIMESTAMP': r.headers['x-slack-request-timestamp'] };
    expect(verify({ headers: upper, rawBody: BODY }).timestamp).toBe(NOW_S);
  });

  it('refuses the wrong secret', () => {
    expect(refusal(() => verify(signed(BODY, { secret: 'another-secret' }))).reason).toBe('signature_mismatch');
  });

  it('refuses a tampered body (one byte changed)', () => {
    const r = signed(BODY);
    expect(refusal(() => verify({ ...r, rawBody: BODY.replace('pool-1', 'pool-2') })).reason).toBe('signature_mismatch');
    expect(refusal(() => verify({ ...r, rawBody: `${BODY}&x=1` })).reason).toBe('signature_mismatch');
  });

  it('refuses a timestamp moved after signing', () => {
    const r = signed(BODY);
    expect(refusal(() => verify({ ...r, headers: { ...r.headers, 'x-slack-request-timestamp': String(NOW_S - 1) } })).reason).toBe('signature_mismatch');
  });

  it('takes 300 s either way, refuses 301 s stale or 301 s in the future', () => {
    expect(verify(signed(BODY, { timestamp: NOW_S - 300 })).timestamp).toBe(NOW_S - 300);
    expect(verify(signed(BODY, { timestamp: NOW_S + 300 })).timestamp).toBe(NOW_S + 300);
    expect(refusal(() => verify(signed(BODY, { timestamp: NOW_S - 301 }))).reason).toBe('stale_timestamp');
    expect(refusal(() => verify(signed(BODY, { timestamp: NOW_S + 301 }))).reason).toBe('stale_timestamp');
  });

  it('refuses missing headers', () => {
    const r = signed(BODY);
    expect(refusal(() => verify({ ...r, headers: { 'x-slack-request-timestamp': r.headers['x-slack-request-timestamp'] } })).reason).toBe('missing_signature');
    expect(refusal(() => verify({ ...r, headers: { 'x-slack-signature': r.headers['x-slack-signature'] } })).reason).toBe('missing_timestamp');
    expect(refusal(() => verify({ ...r, headers: {} })).reason).toBe('missing_signature');
    expect(refusal(() => verify({ ...r, headers: { 'x-slack-signature': '', 'x-slack-request-timestamp': String(NOW_S) } })).reason).toBe('missing_signature');
  });

  it.each(['abc', '1e9', '-5', '12.5', ' ', '0x10', '1736942400000000'])('refuses the non-numeric timestamp %j', (ts) => {
    const r = signed(BODY);
    const reason = refusal(() => verify({ ...r, headers: { ...r.headers, 'x-slack-request-timestamp': ts } })).reason;
    expect(['bad_timestamp', 'missing_timestamp']).toContain(reason);
  });

  it.each(['v1=' + 'a'.repeat(64), 'v0=' + 'A'.repeat(64), 'v0=' + 'a'.repeat(63), 'v0=zz', 'a'.repeat(67)])('refuses the malformed signature %j', (sig) => {
    const r = signed(BODY);
    expect(refusal(() => verify({ ...r, headers: { ...r.headers, 'x-slack-signature': sig } })).reason).toBe('bad_signature');
  });

  it('verifies a base64 body over the decoded bytes (API Gateway isBase64Encoded)', () => {
    const body = `${BODY}&text=caf%C3%A9+%E2%9C%93`;
    const r = signed(body, { base64: true });
    expect(r.rawBody).not.toBe(body);
    expect(verify(r).body.toString('utf8')).toBe(body);
    // The same base64 text taken as the body itself is not what was signed.
    expect(refusal(() => verify({ ...r, isBase64Encoded: false })).reason).toBe('signature_mismatch');
    // Raw bytes that are not UTF-8 survive too.
    const bytes = Buffer.from([0x74, 0x3d, 0xff, 0xfe, 0x00, 0x41]);
    const ts = String(NOW_S);
    const sig = signSlackRequest(SECRET, bytes, ts);
    expect(verify({ headers: { 'x-slack-signature': sig, 'x-slack-request-timestamp': ts }, rawBody: bytes.toString('base64'), isBase64Encoded: true }).body.equals(bytes)).toBe(true);
  });

  it('refuses to work without a secret, and never puts the secret in an error', () => {
    expect(refusal(() => verify(signed(BODY), NOW_S, '')).reason).toBe('no_secret');
    const cases: Array<() => unknown> = [
      () => verify(signed(BODY, { secret: 'x' })),
      () => verify(signed(BODY, { timestamp: NOW_S - 999 })),
      () => verify({ headers: {}, rawBody: BODY }),
      () => verify({ ...signed(BODY), rawBody: 'tampered' }),
    ];
    const reasons = new Set<SlackAuthReason>();
    for (const c of cases) {
      const e = refusal(c);
      reasons.add(e.reason);
      expect(`${e.message} ${e.stack ?? ''} ${JSON.stringify(e)}`).not.toContain(SECRET);
    }
    expect(reasons.size).toBe(3);
  });
});
