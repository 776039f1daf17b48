/**
 * Slack's slash commands and interactions. This function sits outside the VPC (it must reach
 * Slack's response_url), so every API call it makes is a synchronous invoke of the http function,
 * as an API Gateway event carrying the Slack user's role in its claims. Work past Slack's 3 seconds
 * is handed to this same function by async invoke as `{ slackJob }`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeSlackHandler } from '../lib/aws/slack-handler.ts';
import { lambdaInvoker } from '../lib/aws/lambda-invoke.ts';
import { httpEvent } from '../lib/aws/http-handler.ts';
import { libraryLog, logger, observability } from '../lib/aws/logger.ts';
import { SecretsManagerSecrets } from '../lib/store/secrets-manager.ts';
// Loaded with the function, not on first use: its first call always reads the signing secret.
import { secretsSdk } from '../lib/store/secrets-sdk.ts';
import type { ApiRequest, ApiResponse } from '../lib/api/router.ts';
import { configFromEnv, type AwsConfig } from '../lib/aws/config.ts';
import { dynamoReplayGuard, responseUrlPoster, webhookChannel, type SlackChannel, type SlackDeps } from '../lib/slack/index.ts';

let deps: Promise<SlackDeps> | undefined;
const lambda = lambdaInvoker();

// Read once per container: the configuration (named errors for what is missing) and the secrets.
let config: AwsConfig | undefined;
let secrets: SecretsManagerSecrets | undefined;
const configured = (): { config: AwsConfig; secrets: SecretsManagerSecrets } => {
  config ??= configFromEnv();
  secrets ??= new SecretsManagerSecrets({ sdk: secretsSdk(), prefix: config.secretsPrefix });
  return { config, secrets };
};

function need<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`environment variable ${name} is not set`);
  return value;
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
  const out = await lambda.invoke(need(configured().config.httpFunctionName, 'HTTP_FUNCTION_NAME'), event);
  if (out.functionError) throw new Error(`the http function failed (${out.functionError})`);
  const result = JSON.parse(Buffer.from(out.payload).toString('utf8')) as { statusCode?: number; body?: string };
  return { status: result.statusCode ?? 500, body: JSON.parse(result.body ?? '{}') as unknown };
}

async function buildDeps(): Promise<SlackDeps> {
  const { config, secrets } = configured();
  return {
    signingSecret: await secrets.get(need(config.slackSecretRef, 'SLACK_SECRET_REF')),
    replay: dynamoReplayGuard({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: config.tableName }),
    roleOf: (userId) => config.slackRoles[userId] ?? 'viewer',
    api: viaHttpFunction,
    postToResponseUrl: responseUrlPoster(),
    log: libraryLog,
  };
}

let channel: Promise<SlackChannel | undefined> | undefined;

export const handler = makeSlackHandler({
  channel: () =>
    (channel ??= (async () => {
      const { config, secrets } = configured();
      return config.slackWebhookRef ? webhookChannel(await secrets.get(config.slackWebhookRef)) : undefined;
    })().catch((e: unknown) => ((channel = undefined), Promise.reject(e)))),
  deps: () => (deps ??= buildDeps().catch((e: unknown) => ((deps = undefined), Promise.reject(e)))),
  handOff: async (job, context) => {
    await lambda.invoke(context.functionName, { slackJob: job }, { async: true });
  },
}).use(observability());
