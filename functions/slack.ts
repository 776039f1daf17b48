/**
 * Slack's slash commands and interactions. This function sits outside the VPC (it must reach
 * Slack's response_url), so every API call it makes is a synchronous invoke of the http function,
 * as an API Gateway event carrying the Slack user's role in its claims. Work past Slack's 3 seconds
 * is handed to this same function by async invoke as `{ slackJob }`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { makeSlackHandler } from '../lib/aws/slack-handler.ts';
import { httpEvent } from '../lib/aws/http-handler.ts';
import { logger } from '../lib/aws/logger.ts';
import { SecretsManagerSecrets } from '../lib/store/secrets-manager.ts';
import type { ApiRequest, ApiResponse } from '../lib/api/router.ts';
import { dynamoReplayGuard, responseUrlPoster, webhookChannel, type SlackChannel, type SlackDeps } from '../lib/slack/index.ts';

let deps: Promise<SlackDeps> | undefined;
const lambda = new LambdaClient({});

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

/** The API, through the http function: same router, same roles, inside the VPC. */
async function viaHttpFunction(req: ApiRequest): Promise<ApiResponse> {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) if (v !== undefined) query[k] = v;
  const event = httpEvent({
    method: req.method,
    path: req.path,
    query,
    headers: { 'content-type': 'application/json', ...req.headers },
    body: req.body === undefined ? '' : JSON.stringify(req.body),
    claims: { sub: req.actor, 'lowpower:role': req.role, 'lowpower:source': 'slack' },
  });
  const out = await lambda.send(new InvokeCommand({ FunctionName: need('HTTP_FUNCTION_NAME'), Payload: Buffer.from(JSON.stringify(event)) }));
  if (out.FunctionError) throw new Error(`the http function failed (${out.FunctionError})`);
  const result = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8')) as { statusCode?: number; body?: string };
  return { status: result.statusCode ?? 500, body: JSON.parse(result.body ?? '{}') as unknown };
}

async function buildDeps(): Promise<SlackDeps> {
  const secrets = new SecretsManagerSecrets({ client: new SecretsManagerClient({}), prefix: process.env.SECRETS_PREFIX ?? 'lowpower/' });
  const roles = JSON.parse(process.env.SLACK_ROLES || '{}') as Record<string, SlackDeps extends { roleOf(u: string): infer R } ? R : never>;
  return {
    signingSecret: await secrets.get(need('SLACK_SECRET_REF')),
    replay: dynamoReplayGuard({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: need('TABLE_NAME') }),
    roleOf: (userId) => roles[userId] ?? 'viewer',
    api: viaHttpFunction,
    postToResponseUrl: responseUrlPoster(),
    log: (l) => logger.info(l),
  };
}

let channel: Promise<SlackChannel | undefined> | undefined;

export const handler = makeSlackHandler({
  channel: () =>
    (channel ??= (async () => {
      const ref = process.env.SLACK_WEBHOOK_REF;
      if (!ref) return undefined;
      const secrets = new SecretsManagerSecrets({ client: new SecretsManagerClient({}), prefix: process.env.SECRETS_PREFIX ?? 'lowpower/' });
      return webhookChannel(await secrets.get(ref));
    })().catch((e: unknown) => ((channel = undefined), Promise.reject(e)))),
  deps: () => (deps ??= buildDeps().catch((e: unknown) => ((deps = undefined), Promise.reject(e)))),
  handOff: async (job, context) => {
    await lambda.send(new InvokeCommand({ FunctionName: context.functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ slackJob: job })) }));
  },
});
