/**
 * `lowpower doctor`: a deployment checked through its API, one line per check with what to do when
 * it fails. The API answers (GET /v1/me) and with which role; then the service's own checks
 * (GET /v1/doctor: the BMCs and pool masters sit in private subnets, so the service checks them
 * and this only reports); then the Slack endpoint, which must refuse an unsigned request.
 * Exit 0 when nothing failed (warnings allowed), 1 otherwise.
 */
import { API_FLAGS, API_OPTIONS_USAGE, ApiCallError, apiClient, apiTarget, isLoopbackHost, type ApiTarget } from './api-client.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';
import type { DoctorAnswer } from '../api/index.ts';

export const DOCTOR_USAGE = `usage: lowpower doctor [--pool POOL] [--url URL] [--token-file FILE] [--json]

Checks a deployment through its API: the API answers, your role, each pool's XAPI, every BMC
(answers, bound to its host), every schedule's timer, and that the Slack endpoint refuses an
unsigned request. One line per check: ✓ ok, ! needs a look, ✗ failed (with what to do).
Exit 0 when nothing failed.

options:
${API_OPTIONS_USAGE}
  --pool POOL        the service's checks for this pool only
  --json             the checks as JSON
`;

const FLAGS: FlagSpec[] = [...API_FLAGS, { names: ['--pool'], value: true, key: 'pool' }, { names: ['--json'], key: 'json' }, { names: ['-h', '--help'], key: 'help' }];

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the report (the service's checks carry more fields: kind, pool, host, schedule, ms). */
export interface CheckLine {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  [more: string]: unknown;
}

const SYMBOL: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗' };

export function formatCheck(c: CheckLine): string {
  return `${SYMBOL[c.status]} ${c.name}: ${c.detail}${c.fix && c.status !== 'ok' ? ` → ${c.fix}` : ''}`;
}

const ROLE_MEANS: Record<string, string> = {
  viewer: 'reads only (power, sleep, wake and schedules need operator)',
  operator: 'reads and acts: power, sleep, wake, schedules (inventory needs admin)',
  admin: 'everything, inventory and credentials included',
};

/** How long the CLI waits for one answer (the service bounds its checks to about 20 s). */
const ANSWER_MS = 45_000;

type Fetch = typeof fetch;
const timedFetch =
  (f: Fetch): Fetch =>
  (input, init) =>
    f(input, { ...init, signal: AbortSignal.timeout(ANSWER_MS) });

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The API answers, and with which role: two lines, or one failure. */
async function checkApi(call: ReturnType<typeof apiClient>['call'], target: ApiTarget): Promise<CheckLine[]> {
  const local = isLoopbackHost(new URL(target.base).hostname);
  try {
    const me = (await call('GET', '/v1/me')) as { actor?: string; role?: string };
    const role = String(me.role);
    return [
      { name: 'API', status: 'ok', detail: `${target.base} answers (you are ${String(me.actor)})` },
      { name: 'role', status: 'ok', detail: `${role}: ${ROLE_MEANS[role] ?? 'a role this CLI does not know'}` },
    ];
  } catch (e) {
    if (e instanceof ApiCallError && e.status === 401) {
      const fix = target.token ? 'get a fresh token (README, "A token for the CLI") and give it with --token-file' : 'give a token: --token-file FILE or $LOWPOWER_TOKEN';
      return [{ name: 'API', status: 'fail', detail: e.message, fix }];
    }
    if (e instanceof ApiCallError) return [{ name: 'API', status: 'fail', detail: e.message, fix: 'check --url: the stack output HttpApiUrl, or the local runner' }];
    const fix = local ? 'start the local runner (npm start), or give --url' : 'check --url (the stack output HttpApiUrl) and that this machine reaches it';
    return [{ name: 'API', status: 'fail', detail: messageOf(e), fix }];
  }
}

/** The service's own checks (GET /v1/doctor), as it reports them. */
async function serviceChecks(call: ReturnType<typeof apiClient>['call'], pool: string | undefined): Promise<CheckLine[]> {
  try {
    const answer = (await call('GET', `/v1/doctor${pool ? `?pool=${encodeURIComponent(pool)}` : ''}`)) as unknown as DoctorAnswer;
    return answer.checks;
  } catch (e) {
    if (e instanceof ApiCallError && e.code === 'not_found') return [{ name: 'service checks', status: 'fail', detail: 'this API has no /v1/doctor', fix: 'deploy this version of lowpower' }];
    if (e instanceof ApiCallError && e.code === 'unknown_pool') return [{ name: 'service checks', status: 'fail', detail: e.message, fix: 'name a pool the API has (lowpower pool show POOL), or leave --pool out' }];
    return [{ name: 'service checks', status: 'fail', detail: messageOf(e), fix: "see the API's log" }];
  }
}

/** An unsigned slash command must be refused (401) before anything reads it. The token is not sent: the Slack endpoint takes none. */
export async function checkSlackSignature(base: string, f: Fetch = fetch): Promise<CheckLine> {
  const url = `${base}/slack/commands`;
  const name = 'Slack signature check';
  let res: Response;
  try {
    res = await timedFetch(f)(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'command=%2Flowpower&text=help' });
  } catch (e) {
    return { name, status: 'fail', detail: `cannot reach ${url} (${messageOf(e)})`, fix: 'check --url and your network' };
  }
  const body = (await res.json().catch(() => ({}))) as { error?: unknown };
  if (res.status === 401) return { name, status: 'ok', detail: `${url} refuses an unsigned request (401)` };
  if (res.ok) return { name, status: 'fail', detail: `${url} accepted an unsigned request (${res.status}): the signature check is off`, fix: "serve /slack/commands with lowpower's own Slack handler, which checks every request's signature first" };
  if (res.status === 500 && body.error === 'not_configured') return { name, status: 'fail', detail: `${url} has no signing secret`, fix: "put the Slack app's signing secret: lowpower secrets put slack-signing-secret --stage STAGE --file FILE" };
  if (res.status === 404) return { name, status: 'warn', detail: `no Slack endpoint at ${url}`, fix: 'deploy the slack function with the stack, or leave it if you do not use Slack' };
  return { name, status: 'fail', detail: `${url} answered ${res.status} to an unsigned request`, fix: "see the slack function's log" };
}

export async function runDoctorCommand(argv: string[], o: { fetch?: Fetch; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  let lines: CheckLine[];
  let json = false;
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(DOCTOR_USAGE);
      return 0;
    }
    if (positional.length) throw new UsageError(`doctor takes no arguments (got "${positional[0]}"); --pool POOL names a pool`);
    if (flags.pool === true) throw new UsageError('--pool needs a value');
    json = flags.json === true;
    const target = apiTarget(flags, o.env);
    const f = o.fetch ?? fetch;
    const { call } = apiClient(target, { fetch: timedFetch(f) });
    const api = await checkApi(call, target);
    const up = api.every((l) => l.status === 'ok');
    const service = up ? await serviceChecks(call, typeof flags.pool === 'string' ? flags.pool : undefined) : [{ name: 'service checks', status: 'warn' as const, detail: 'not run: the API did not answer', fix: 'fix the API line first' }];
    lines = [...api, ...service, await checkSlackSignature(target.base, f)];
  } catch (e) {
    process.stderr.write(`lowpower doctor: ${messageOf(e)}\n`);
    return 1;
  }
  const count = (s: CheckStatus): number => lines.filter((l) => l.status === s).length;
  const summary = { ok: count('ok'), warn: count('warn'), fail: count('fail') };
  if (json) process.stdout.write(`${JSON.stringify({ ok: summary.fail === 0, summary, checks: lines }, null, 2)}\n`);
  else process.stdout.write(`${lines.map(formatCheck).join('\n')}\n${summary.ok} ok, ${summary.warn} to look at, ${summary.fail} failed\n`);
  return summary.fail === 0 ? 0 : 1;
}
