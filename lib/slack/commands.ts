/**
 * The `/lowpower` slash command's text as an intent, pure. Anything it cannot read becomes a
 * friendly usage answer, never an exception. Intents that switch power or move VMs (on, off, soft,
 * cycle, sleep, wake, rebalance) need a confirmation click; reading, skipping tonight and holding awake do not (they
 * only keep hosts on). An intent round-trips through a button's `value` as small JSON.
 */
import { parseTimeOfDay } from './local-time.ts';

export const POWER_ACTIONS = ['on', 'off', 'soft', 'cycle'] as const;
export type SlackPowerAction = (typeof POWER_ACTIONS)[number];
/** How a rebalance spreads the VMs: back where they ran before the last sleep, or evening out the measured load. */
export const REBALANCE_MODES = ['restore', 'balance'] as const;
export type SlackRebalanceMode = (typeof REBALANCE_MODES)[number];

export type SlackIntent =
  | { kind: 'help' }
  | { kind: 'status'; target?: string }
  | { kind: 'sensors'; host: string }
  | { kind: 'power'; action: SlackPowerAction; host: string }
  | { kind: 'sleep'; pool: string }
  | { kind: 'wake'; pool: string }
  | { kind: 'rebalance'; pool: string; mode: SlackRebalanceMode }
  | { kind: 'plan'; pool: string }
  | { kind: 'schedules'; pool?: string }
  | { kind: 'skip-tonight'; pool: string }
  /** `until` is HH:MM on the pool's wall clock. */
  | { kind: 'hold'; pool: string; until: string }
  | { kind: 'operation'; id: string };

export type ParsedCommand = { ok: true; intent: SlackIntent; needsConfirm: boolean } | { ok: false; message: string };

export const USAGE_LINES: readonly string[] = [
  '`/lowpower status [POOL|HOST]` hosts with power and temperature',
  '`/lowpower sensors HOST` the latest sensor readings',
  '`/lowpower plan POOL` who would sleep tonight, and why the others stay on',
  '`/lowpower sleep POOL` / `wake POOL` run the night or morning now (asks first)',
  '`/lowpower rebalance POOL [restore|balance]` spread the VMs now: back to their hosts before the last sleep (restore, the default) or evening out the measured load (asks first)',
  '`/lowpower on|off|soft|cycle HOST` switch one host (asks first)',
  '`/lowpower schedule list [POOL]` the schedules and their next runs',
  '`/lowpower skip-tonight POOL` skip the next run of the pool\'s sleep schedules',
  '`/lowpower hold POOL until HH:MM` keep the pool awake until then (pool time)',
  '`/lowpower op ID` an operation and its result',
];

export function usage(): string {
  return ['*lowpower* commands:', ...USAGE_LINES.map((l) => `• ${l}`)].join('\n');
}

/** Ids as the store accepts them: nothing that could turn into another path. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,199}$/;

const DESTRUCTIVE: ReadonlySet<SlackIntent['kind']> = new Set(['power', 'sleep', 'wake', 'rebalance']);

export function needsConfirm(intent: SlackIntent): boolean {
  return DESTRUCTIVE.has(intent.kind);
}

function ok(intent: SlackIntent): ParsedCommand {
  return { ok: true, intent, needsConfirm: needsConfirm(intent) };
}

function fail(problem: string, line?: string): ParsedCommand {
  return { ok: false, message: line ? `${problem}\nUsage: ${line}` : `${problem}\n\n${usage()}` };
}

const lineFor = (word: string): string | undefined => USAGE_LINES.find((l) => l.includes(`/lowpower ${word}`) || l.includes(`\`${word} `));

/** Quote user text back safely: short, no backticks, no mentions. */
function quoted(text: string): string {
  const t = text.replace(/[`<>&*_~]/g, '').slice(0, 60);
  return `\`${t}${text.length > 60 ? '…' : ''}\``;
}

function oneId(args: string[], verb: string, what: string, build: (id: string) => SlackIntent, line = lineFor(verb)): ParsedCommand {
  if (args.length !== 1) return fail(`\`${verb}\` takes one ${what} name.`, line);
  if (!ID.test(args[0])) return fail(`${quoted(args[0])} is not a ${what} name.`, line);
  return ok(build(args[0]));
}

/** Reads the text after `/lowpower`. */
export function parseCommand(text: string): ParsedCommand {
  // Slack may send a host name that looks like a domain as a link (`<http://h1.example.com|h1.example.com>`):
  // keep the label. Any whitespace separates words.
  const unlinked = String(text ?? '')
    .replace(/<[^<>|]*\|([^<>]*)>/g, '$1')
    .replace(/<(?:https?:\/\/)?([^<>]*)>/g, '$1');
  const words = unlinked.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return ok({ kind: 'help' });
  const verb = words[0].toLowerCase();
  let args = words.slice(1);
  switch (verb) {
    case 'help':
    case '?':
      return ok({ kind: 'help' });
    case 'status':
      if (args.length > 1) return fail('`status` takes at most one pool or host name.', lineFor('status'));
      if (args.length === 1 && !ID.test(args[0])) return fail(`${quoted(args[0])} is not a pool or host name.`, lineFor('status'));
      return ok(args.length ? { kind: 'status', target: args[0] } : { kind: 'status' });
    case 'sensors':
      return oneId(args, 'sensors', 'host', (host) => ({ kind: 'sensors', host }));
    case 'power': {
      const action = args[0]?.toLowerCase();
      if (!POWER_ACTIONS.includes(action as SlackPowerAction)) return fail('`power` wants on, off, soft or cycle, then a host.', lineFor('on|off'));
      return oneId(args.slice(1), `power ${action}`, 'host', (host) => ({ kind: 'power', action: action as SlackPowerAction, host }), lineFor('on|off'));
    }
    case 'on':
    case 'off':
    case 'soft':
    case 'cycle':
      return oneId(args, verb, 'host', (host) => ({ kind: 'power', action: verb, host }), lineFor('on|off'));
    case 'sleep':
    case 'wake':
    case 'plan':
      return oneId(args, verb, 'pool', (pool) => ({ kind: verb, pool }));
    case 'rebalance': {
      const line = lineFor('rebalance');
      const [pool, word, ...rest] = args;
      if (!pool || rest.length > 0) return fail('`rebalance` wants a pool, then restore or balance.', line);
      if (!ID.test(pool)) return fail(`${quoted(pool)} is not a pool name.`, line);
      const mode = (word ?? 'restore').toLowerCase();
      if (!REBALANCE_MODES.includes(mode as SlackRebalanceMode)) return fail(`${quoted(word ?? '')} is not restore or balance.`, line);
      return ok({ kind: 'rebalance', pool, mode: mode as SlackRebalanceMode });
    }
    case 'schedule':
    case 'schedules':
      if (verb === 'schedule') {
        if (args[0]?.toLowerCase() !== 'list') return fail('`schedule` knows `list` for now.', lineFor('schedule'));
        args = args.slice(1);
      }
      if (args.length > 1) return fail('`schedule list` takes at most one pool name.', lineFor('schedule'));
      if (args.length === 1 && !ID.test(args[0])) return fail(`${quoted(args[0])} is not a pool name.`, lineFor('schedule'));
      return ok(args.length ? { kind: 'schedules', pool: args[0] } : { kind: 'schedules' });
    case 'skip':
    case 'skip-tonight':
      if (verb === 'skip' && args[0]?.toLowerCase() === 'tonight') args = args.slice(1);
      return oneId(args, 'skip-tonight', 'pool', (pool) => ({ kind: 'skip-tonight', pool }));
    case 'hold': {
      const [pool, ...rest] = args;
      const time = rest[0]?.toLowerCase() === 'until' ? rest.slice(1) : rest;
      if (!pool || time.length !== 1) return fail('`hold` wants a pool and a time.', lineFor('hold'));
      if (!ID.test(pool)) return fail(`${quoted(pool)} is not a pool name.`, lineFor('hold'));
      const at = parseTimeOfDay(time[0]);
      if (!at) return fail(`${quoted(time[0])} is not a time HH:MM (24 h).`, lineFor('hold'));
      return ok({ kind: 'hold', pool, until: `${String(at.hour).padStart(2, '0')}:${String(at.minute).padStart(2, '0')}` });
    }
    case 'op':
    case 'operation':
      return oneId(args, verb, 'operation', (id) => ({ kind: 'operation', id }), lineFor('op'));
    default:
      return fail(`I do not know ${quoted(words[0])}.`);
  }
}

/** The command that states an intent, canonically (for reasons and confirmations). */
export function commandText(intent: SlackIntent): string {
  switch (intent.kind) {
    case 'help':
      return 'help';
    case 'status':
      return intent.target ? `status ${intent.target}` : 'status';
    case 'sensors':
      return `sensors ${intent.host}`;
    case 'power':
      return `${intent.action} ${intent.host}`;
    case 'sleep':
    case 'wake':
    case 'plan':
      return `${intent.kind} ${intent.pool}`;
    case 'rebalance':
      return `rebalance ${intent.pool} ${intent.mode}`;
    case 'schedules':
      return intent.pool ? `schedule list ${intent.pool}` : 'schedule list';
    case 'skip-tonight':
      return `skip-tonight ${intent.pool}`;
    case 'hold':
      return `hold ${intent.pool} until ${intent.until}`;
    case 'operation':
      return `op ${intent.id}`;
  }
}

/** A button `value`: the intent as small JSON (Slack allows 2,000 characters). */
export function intentToValue(intent: SlackIntent): string {
  return JSON.stringify({ v: 1, c: commandText(intent) });
}

/**
 * The intent a button carried, re-read through the parser so a forged value cannot produce
 * anything the command line could not; undefined when it is not ours.
 */
export function intentFromValue(value: unknown): SlackIntent | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, c } = parsed as { v?: unknown; c?: unknown };
  if (v !== 1 || typeof c !== 'string') return undefined;
  const r = parseCommand(c);
  return r.ok ? r.intent : undefined;
}
