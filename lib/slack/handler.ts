/**
 * The Slack endpoints without a transport: the Lambda handler and the local server both hand a
 * request here and send back what comes out. Order is the point: the signature first, the replay
 * guard second, only then is the body read. Slack wants an answer within 3 s, so work that runs
 * longer is answered "working on it" and delivered later through `response_url` (`after` for a
 * process that lives on after its answer; `job` for a Lambda that must hand the rest to itself).
 */
import { createHash } from 'node:crypto';
import type { ApiRequest, ApiResponse } from '../api/index.ts';
import { isRole, type Role } from '../api/index.ts';
import { rec, str } from './api-call.ts';
import { answerCommand, startConfirmed, type IntentContext, type SlackUser } from './answers.ts';
import { ephemeral, replaceOriginal, type SlackMessage } from './blocks/kit.ts';
import { CANCEL_ACTION, CONFIRM_ACTION } from './blocks/views.ts';
import { commandText, intentFromValue, needsConfirm, parseCommand } from './commands.ts';
import type { ReplayGuard } from './replay.ts';
import { SlackAuthError, verifySlackRequest } from './signature.ts';
import { errorField, type Log } from '../util/index.ts';

export interface SlackDeps {
  signingSecret: string;
  replay: ReplayGuard;
  /** The lowpower role of a Slack user id; unknown users should get 'viewer'. */
  roleOf(userId: string): Role;
  /** The HTTP API: `(req) => handleApiRequest(ctx, req)`. */
  api(req: ApiRequest): Promise<ApiResponse>;
  postToResponseUrl(url: string, message: object): Promise<void>;
  /** Epoch milliseconds (Date.now when absent). */
  now?(): number;
  log?: Log;
  /** Answer Slack within this many ms and deliver the rest later (default 2,500). */
  answerWithinMs?: number;
}

export interface SlackHttpRequest {
  headers: Record<string, string | undefined>;
  /** The body exactly as received (base64 when `isBase64Encoded`). */
  rawBody: string;
  isBase64Encoded?: boolean;
}

/** Work left after the answer, as JSON a Lambda can pass to an async invoke of itself. */
export type SlackJob =
  /** Answer this command through response_url. */
  | { kind: 'command'; responseUrl: string; text: string; user: SlackUser }
  /** Start this confirmed command (idempotent by key) and report through response_url. */
  | { kind: 'confirm'; responseUrl: string; text: string; user: SlackUser; idempotencyKey: string }
  /** Post this message to response_url. */
  | { kind: 'post'; responseUrl: string; message: SlackMessage };

export interface SlackHttpResponse {
  status: number;
  /** JSON for Slack: a message, `{}`, or `{ error }`. */
  body: object;
  /** Run after the answer went out (posts to response_url); never rejects. */
  after?: () => Promise<void>;
  /** The same work as `after`, JSON-safe, for `runSlackJob` elsewhere. Use one or the other. */
  job?: SlackJob;
}

export const DEFAULT_ANSWER_WITHIN_MS = 2500;

const nowOf = (deps: SlackDeps): number => deps.now?.() ?? Date.now();

function roleFor(deps: SlackDeps, userId: string): Role {
  try {
    const r = deps.roleOf(userId);
    return isRole(r) ? r : 'viewer';
  } catch {
    return 'viewer';
  }
}

/** Signature, then replay; the verified body bytes, or the refusal to send. */
async function authenticate(deps: SlackDeps, req: SlackHttpRequest, nowMs: number): Promise<{ body: Buffer } | { refused: SlackHttpResponse }> {
  const nowSeconds = Math.floor(nowMs / 1000);
  let signature: string;
  let body: Buffer;
  try {
    ({ signature, body } = verifySlackRequest({ signingSecret: deps.signingSecret, headers: req.headers, rawBody: req.rawBody, isBase64Encoded: req.isBase64Encoded, nowSeconds }));
  } catch (e) {
    if (!(e instanceof SlackAuthError)) throw e;
    deps.log?.('slack-refused', { reason: e.reason });
    if (e.reason === 'no_secret') return { refused: { status: 500, body: { error: 'not_configured' } } };
    return { refused: { status: 401, body: { error: 'unauthorized', reason: e.reason } } };
  }
  try {
    if (!(await deps.replay.firstTime(signature, nowSeconds))) {
      deps.log?.('slack-refused', { reason: 'replayed' });
      return { refused: { status: 401, body: { error: 'unauthorized', reason: 'replayed' } } };
    }
  } catch (e) {
    // Fail closed: without the guard a replay cannot be told apart.
    deps.log?.('slack-replay-guard-failed', { error: errorField(e) });
    return { refused: { status: 503, body: { error: 'unavailable' } } };
  }
  return { body };
}

async function within<T>(work: Promise<T>, ms: number): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Posts to response_url; a failure is logged (without the URL, which is a credential), never thrown. */
async function deliver(deps: SlackDeps, url: string, message: SlackMessage | Promise<SlackMessage>): Promise<void> {
  try {
    await deps.postToResponseUrl(url, await message);
  } catch (e) {
    deps.log?.('slack-response-url-failed', { error: errorField(e) });
  }
}

const clean = (s: string): string => s.replace(/[^\p{L}\p{N}._@+-]/gu, '').slice(0, 80);

function userOf(id: string | undefined, name: string | undefined): SlackUser {
  const uid = clean(id ?? '') || 'unknown';
  return { id: uid, name: clean(name ?? '') || uid };
}

function contextFor(deps: SlackDeps, user: SlackUser, text: string, nowMs: number, idempotencyKey?: string): IntentContext {
  return { api: (r) => deps.api(r), user, role: roleFor(deps, user.id), text, nowMs, idempotencyKey, log: deps.log ? (l) => deps.log?.(l) : undefined };
}

/** A slash command (`application/x-www-form-urlencoded`: text, user_id, user_name, response_url, ...). */
export async function handleSlackCommand(deps: SlackDeps, req: SlackHttpRequest, now: number = nowOf(deps)): Promise<SlackHttpResponse> {
  const auth = await authenticate(deps, req, now);
  if ('refused' in auth) return auth.refused;
  const form = new URLSearchParams(auth.body.toString('utf8'));
  if (form.get('ssl_check') === '1') return { status: 200, body: {} };
  const text = (form.get('text') ?? '').slice(0, 1000);
  const user = userOf(form.get('user_id') ?? undefined, form.get('user_name') ?? undefined);
  const responseUrl = form.get('response_url') ?? undefined;
  const parsed = parseCommand(text);
  deps.log?.('slack-command', { user: user.name, userId: user.id, command: parsed.ok ? commandText(parsed.intent) : undefined, understood: parsed.ok });
  if (!parsed.ok) return { status: 200, body: ephemeral(parsed.message) };

  const work = answerCommand(contextFor(deps, user, text, now), parsed.intent);
  const first = await within(work, deps.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS);
  if (first.done) return { status: 200, body: first.value };
  if (!responseUrl) {
    deps.log?.('slack-answer-undelivered', { why: 'slow answer and no response_url to deliver it on' });
    return { status: 200, body: ephemeral(':hourglass: This takes longer than Slack waits, and there is no response_url to answer on. Try again in a minute.') };
  }
  return {
    status: 200,
    body: ephemeral(`:hourglass: Working on \`${commandText(parsed.intent)}\`… the answer follows here.`),
    after: () => deliver(deps, responseUrl, work),
    job: { kind: 'command', responseUrl, text, user },
  };
}

// ---- interactions ----

interface ClickedAction {
  actionId: string;
  value?: string;
  actionTs?: string;
}

interface BlockActions {
  user: SlackUser;
  responseUrl?: string;
  action?: ClickedAction;
  /** Where the button sat: the same button clicked twice is the same request. */
  place: string;
}


function readBlockActions(payloadText: string | null): BlockActions | undefined {
  if (!payloadText) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(payloadText);
  } catch {
    return undefined;
  }
  const p = rec(raw);
  if (p.type !== 'block_actions') return undefined;
  const u = rec(p.user);
  const container = rec(p.container);
  const actions = Array.isArray(p.actions) ? p.actions.map(rec) : [];
  const a = actions.find((x) => x.action_id === CONFIRM_ACTION || x.action_id === CANCEL_ACTION);
  return {
    user: userOf(str(u.id), str(u.username) ?? str(u.name)),
    responseUrl: str(p.response_url),
    action: a ? { actionId: String(a.action_id), value: str(a.value), actionTs: str(a.action_ts) } : undefined,
    place: [str(rec(p.team).id), str(container.channel_id) ?? str(rec(p.channel).id), str(container.message_ts) ?? str(a?.action_ts)].join('|'),
  };
}

/** Ties the start to the question it answers: a second click on the same button finds the same operation. */
export function idempotencyKeyOf(place: string, value: string): string {
  return `slack-${createHash('sha256').update(`${place}|${value}`).digest('hex').slice(0, 48)}`;
}

/** A button click (`payload=<json>`): confirm starts the operation, cancel clears the question. */
export async function handleSlackInteraction(deps: SlackDeps, req: SlackHttpRequest, now: number = nowOf(deps)): Promise<SlackHttpResponse> {
  const auth = await authenticate(deps, req, now);
  if ('refused' in auth) return auth.refused;
  const form = new URLSearchParams(auth.body.toString('utf8'));
  const click = readBlockActions(form.get('payload'));
  // Slack wants an empty 200 for clicks; the message changes through response_url.
  const ack = { status: 200, body: {} };
  if (!click?.action || !click.responseUrl) {
    deps.log?.('slack-interaction-ignored', { why: 'not a lowpower button' });
    return ack;
  }
  const { user, responseUrl, action } = click;
  const post = (message: SlackMessage): SlackHttpResponse => ({ ...ack, after: () => deliver(deps, responseUrl, message), job: { kind: 'post', responseUrl, message } });

  if (action.actionId === CANCEL_ACTION) {
    deps.log?.('slack-cancelled', { user: user.name, userId: user.id });
    return post(replaceOriginal(`Cancelled by <@${user.id}>: nothing was started.`));
  }
  const intent = intentFromValue(action.value);
  if (!intent || !needsConfirm(intent)) {
    deps.log?.('slack-confirm-refused', { user: user.name, userId: user.id, why: 'a button value lowpower did not make' });
    return post(replaceOriginal(':warning: That button is not one lowpower made; nothing was started.'));
  }
  const text = commandText(intent);
  const idempotencyKey = idempotencyKeyOf(click.place, action.value ?? '');
  deps.log?.('slack-confirmed', { user: user.name, userId: user.id, command: text });
  const work = startConfirmed(contextFor(deps, user, text, now, idempotencyKey), intent);
  const first = await within(work, deps.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS);
  if (first.done) return post(first.value);
  return { ...ack, after: () => deliver(deps, responseUrl, work), job: { kind: 'confirm', responseUrl, text, user, idempotencyKey } };
}

/**
 * Finishes a job handed over by `handleSlackCommand` / `handleSlackInteraction` (in a Lambda:
 * the async invoke it made of itself). The job comes from our own code, not from Slack: run it
 * only from a trusted invoke. The role is looked up again.
 */
export async function runSlackJob(deps: SlackDeps, job: SlackJob, now: number = nowOf(deps)): Promise<void> {
  if (job.kind === 'post') return deliver(deps, job.responseUrl, job.message);
  const parsed = parseCommand(job.text);
  if (!parsed.ok) return deliver(deps, job.responseUrl, ephemeral(parsed.message));
  if (job.kind === 'command') return deliver(deps, job.responseUrl, answerCommand(contextFor(deps, job.user, job.text, now), parsed.intent));
  if (!parsed.needsConfirm) return;
  return deliver(deps, job.responseUrl, startConfirmed(contextFor(deps, job.user, job.text, now, job.idempotencyKey), parsed.intent));
}
