/**
 * The Lambda functions' configuration, from their environment. A missing variable is named in the
 * error at the first invocation, never guessed.
 */
import { isRole, type Role } from '../api/index.ts';

export interface AwsConfig {
  tableName: string;
  /** Prefix of every secret in Secrets Manager, e.g. `lowpower/prod/`. */
  secretsPrefix: string;
  scheduleGroup: string;
  /** What EventBridge Scheduler invokes (the scheduled function), and the role it assumes. */
  scheduledFunctionArn: string;
  schedulerRoleArn: string;
  /** The worker, invoked asynchronously to run an operation. */
  workerFunctionName: string;
  /** The Slack signing secret's name under the prefix (slack function only). */
  slackSecretRef?: string;
  /** Slack user id to role, JSON; unknown users are viewers. */
  slackRoles: Record<string, Role>;
  /** Secret ref of a Slack incoming-webhook URL for alerts and night reports (optional). */
  slackWebhookRef?: string;
  /** The Slack function, which posts channel messages for the functions inside the VPC (optional). */
  slackFunctionName?: string;
  /** The http function, through which the Slack function reaches the API (slack function only). */
  httpFunctionName?: string;
}

function need(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  let slackRoles: Record<string, Role> = {};
  if (env.SLACK_ROLES) {
    try {
      slackRoles = JSON.parse(env.SLACK_ROLES) as Record<string, Role>;
    } catch {
      throw new Error('environment variable SLACK_ROLES is not JSON ({"U123": "operator"})');
    }
    for (const [user, role] of Object.entries(slackRoles)) if (!isRole(role)) throw new Error(`environment variable SLACK_ROLES: ${user} has no valid role (viewer, operator or admin)`);
  }
  return {
    tableName: need(env, 'TABLE_NAME'),
    secretsPrefix: env.SECRETS_PREFIX ?? 'lowpower/',
    scheduleGroup: need(env, 'SCHEDULE_GROUP'),
    scheduledFunctionArn: need(env, 'SCHEDULED_FUNCTION_ARN'),
    schedulerRoleArn: need(env, 'SCHEDULER_ROLE_ARN'),
    workerFunctionName: need(env, 'WORKER_FUNCTION_NAME'),
    slackSecretRef: env.SLACK_SECRET_REF,
    slackRoles,
    slackWebhookRef: env.SLACK_WEBHOOK_REF,
    slackFunctionName: env.SLACK_FUNCTION_NAME,
    httpFunctionName: env.HTTP_FUNCTION_NAME,
  };
}
