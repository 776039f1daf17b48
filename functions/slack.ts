/**
 * Slack's slash commands and interactions (outside the VPC: it must reach response_url). Work past
 * Slack's 3 seconds is handed to this same function by async invoke as `{ slackJob }`.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { makeSlackHandler } from '../lib/aws/slack-handler.ts';
import { awsWiring } from '../lib/aws/wiring.ts';
import { logger } from '../lib/aws/logger.ts';
import { handleApiRequest } from '../lib/api/router.ts';
import { dynamoReplayGuard, responseUrlPoster, type SlackDeps } from '../lib/slack/index.ts';

let deps: Promise<SlackDeps> | undefined;

async function buildDeps(): Promise<SlackDeps> {
  const w = await awsWiring((l) => logger.info(l));
  if (!w.config.slackSecretRef) throw new Error('environment variable SLACK_SECRET_REF is not set');
  return {
    signingSecret: await w.secrets.get(w.config.slackSecretRef),
    replay: dynamoReplayGuard({ client: w.docClient, tableName: w.config.tableName }),
    roleOf: (userId) => w.config.slackRoles[userId] ?? 'viewer',
    api: (req) => handleApiRequest(w.api, { ...req, source: 'slack' }),
    postToResponseUrl: responseUrlPoster(),
    log: (l) => logger.info(l),
  };
}

export const handler = makeSlackHandler({
  deps: () => (deps ??= buildDeps().catch((e: unknown) => ((deps = undefined), Promise.reject(e)))),
  handOff: async (job, context) => {
    const w = await awsWiring();
    await w.lambda.send(new InvokeCommand({ FunctionName: context.functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ slackJob: job })) }));
  },
});
