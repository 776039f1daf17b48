#!/usr/bin/env node
// Signs a Slack slash command (or a button click) the way Slack does (v0, HMAC-SHA256) and prints
// the curl command that posts it, or posts it itself with --send. For trying the Slack endpoint
// locally without Slack. No dependencies.
//
//   node scripts/slack-sign.mjs --url http://127.0.0.1:8080/slack/commands \
//     --secret "$SLACK_SIGNING_SECRET" --text "status pool-1" [--user U123] [--user-name alice] \
//     [--response-url http://127.0.0.1:9000/hook] [--payload '<block_actions json>'] \
//     [--timestamp SECONDS] [--send]
//
// --secret defaults to $SLACK_SIGNING_SECRET (better: it keeps the secret out of `ps`).
// --payload posts `payload=<json>` (an interaction) instead of a command.
import { createHmac } from 'node:crypto';

const USAGE = 'usage: node scripts/slack-sign.mjs --url URL [--secret S] (--text "status pool-1" | --payload JSON) [--user U123] [--user-name NAME] [--response-url URL] [--timestamp SECONDS] [--send]';

function parseArgs(argv) {
  const flags = new Set(['send', 'help']);
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (flags.has(name)) {
      out[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function sign(secret, timestamp, body) {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const secret = args.secret ?? process.env.SLACK_SIGNING_SECRET;
  if (!args.url || !secret || (args.text === undefined && args.payload === undefined)) {
    console.error(`${!secret ? 'no secret: give --secret or set SLACK_SIGNING_SECRET\n' : ''}${USAGE}`);
    return 2;
  }
  const user = args.user ?? 'U0LOCAL';
  const userName = args['user-name'] ?? 'local';
  const form = new URLSearchParams();
  if (args.payload !== undefined) {
    form.set('payload', args.payload);
  } else {
    form.set('token', 'unused');
    form.set('team_id', 'T0LOCAL');
    form.set('team_domain', 'local');
    form.set('channel_id', 'C0LOCAL');
    form.set('channel_name', 'local');
    form.set('user_id', user);
    form.set('user_name', userName);
    form.set('command', '/lowpower');
    form.set('text', args.text);
    if (args['response-url']) form.set('response_url', args['response-url']);
    form.set('trigger_id', `${Date.now()}.local`);
  }
  const body = form.toString();
  const timestamp = args.timestamp ?? String(Math.floor(Date.now() / 1000));
  if (!/^\d+$/.test(timestamp)) {
    console.error('--timestamp must be epoch seconds');
    return 2;
  }
  const signature = sign(secret, timestamp, body);
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Slack-Request-Timestamp': timestamp,
    'X-Slack-Signature': signature,
  };
  if (!args.send) {
    const h = Object.entries(headers).map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`).join(' ');
    console.log(`curl -sS -X POST ${shellQuote(args.url)} ${h} --data-raw ${shellQuote(body)}`);
    return 0;
  }
  const res = await fetch(args.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  console.log(`HTTP ${res.status}`);
  console.log(text);
  return res.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
