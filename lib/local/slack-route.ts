/**
 * The local runner's Slack endpoint: the same handler as the Lambda behind /slack/commands and
 * /slack/interactions, answering through the runner's own API. Its signing secret comes from
 * $SLACK_SIGNING_SECRET or is made at start; who may do what is in the state folder's slack-users.json.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { handleApiRequest, type ApiContext } from '../api/index.ts';
import { makeSlackHandler } from '../aws/index.ts';
import { memoryReplayGuard, responseUrlPoster, runSlackJob, SLACK_COMMANDS_PATH, SLACK_INTERACTIONS_PATH, type SlackDeps } from '../slack/index.ts';
import { localLambdaContext, type ExtraHandler } from './http-server.ts';
import { loadSlackUsers } from './slack-users.ts';
import { errorField, type Log } from '../util/index.ts';

export async function localSlackRoute(o: { ctx: ApiContext; stateDir: string; log: Log }): Promise<{ route: ExtraHandler; signingSecret: string }> {
  const { ctx, log } = o;
  const signingSecret = process.env.SLACK_SIGNING_SECRET ?? randomBytes(16).toString('hex');
  const slackUsers = await loadSlackUsers(join(o.stateDir, 'slack-users.json'));
  const slackDeps: SlackDeps = {
    signingSecret,
    replay: memoryReplayGuard(),
    roleOf: (userId) => slackUsers[userId] ?? 'viewer',
    api: (req) => handleApiRequest(ctx, { ...req, source: 'slack' }),
    postToResponseUrl: responseUrlPoster({ allowLoopback: true }),
    log,
  };
  const slack = makeSlackHandler({
    deps: async () => slackDeps,
    handOff: async (job, _context, after) => void (after ? after() : runSlackJob(slackDeps, job)).catch((e: unknown) => log('slack-job-failed', { error: errorField(e) })),
  });
  const route: ExtraHandler = async (r) => {
    if (r.method !== 'POST' || (r.path !== SLACK_COMMANDS_PATH && r.path !== SLACK_INTERACTIONS_PATH)) return undefined;
    const out = await slack({ rawPath: r.path, headers: r.headers, body: r.rawBody, isBase64Encoded: false }, localLambdaContext('slack'));
    return out ? { status: out.statusCode, headers: out.headers, body: out.body } : { status: 200, headers: {}, body: '' };
  };
  return { route, signingSecret };
}
