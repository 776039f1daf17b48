/**
 * The Slack endpoints as one Lambda handler (API Gateway HTTP API, no authorizer: Slack signs each
 * request). No body parser runs in front: the signature covers the raw body. Work that cannot
 * finish within Slack's 3 seconds is handed off (on Lambda, an async invoke of this same function
 * with `{ slackJob }`; locally, a background promise) and reported through response_url.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  apiGatewayResultOf,
  handleSlackCommand,
  handleSlackInteraction,
  runSlackJob,
  slackRequestFromApiGateway,
  SLACK_INTERACTIONS_PATH,
  notify,
  type SlackChannel,
  type SlackDeps,
  type SlackJob,
  type SlackMessage,
} from '../slack/index.ts';

export interface SlackLambdaEvent {
  rawPath?: string;
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  /** Set on the hand-off invocation. */
  slackJob?: SlackJob;
  /** Set by the worker and the scheduled function (no route to Slack from the VPC): post these to the channel. */
  notify?: SlackMessage[];
}

export interface SlackHandlerWiring {
  deps(): Promise<SlackDeps>;
  /**
   * Run the job after the answer has gone out. In one process the work already under way is
   * `after` (the job would run the command a second time); a Lambda cannot keep working after it
   * answers, so it hands the job to a new invocation.
   */
  handOff(job: SlackJob, context: Context, after?: () => Promise<void>): Promise<void>;
  /** The alerts channel (an incoming webhook), if one is configured. */
  channel?(): Promise<SlackChannel | undefined>;
}

export function makeSlackHandler(w: SlackHandlerWiring) {
  return middy<SlackLambdaEvent, { statusCode: number; headers: Record<string, string>; body: string } | undefined, Error, Context>().handler(async (event, context) => {
    if (event.notify) {
      const channel = await w.channel?.();
      for (const m of event.notify) if (channel) await notify(channel, m);
      return undefined;
    }
    const deps = await w.deps();
    if (event.slackJob) {
      await runSlackJob(deps, event.slackJob);
      return undefined;
    }
    const req = slackRequestFromApiGateway(event);
    const out = event.rawPath === SLACK_INTERACTIONS_PATH ? await handleSlackInteraction(deps, req) : await handleSlackCommand(deps, req);
    if (out.job) await w.handOff(out.job, context, out.after);
    return apiGatewayResultOf(out);
  });
}
