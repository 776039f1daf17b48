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
  type SlackDeps,
  type SlackJob,
} from '../slack/index.ts';

export interface SlackLambdaEvent {
  rawPath?: string;
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  /** Set on the hand-off invocation. */
  slackJob?: SlackJob;
}

export interface SlackHandlerWiring {
  deps(): Promise<SlackDeps>;
  /** Run the job after the answer has gone out. */
  handOff(job: SlackJob, context: Context): Promise<void>;
}

export function makeSlackHandler(w: SlackHandlerWiring) {
  return middy<SlackLambdaEvent, { statusCode: number; headers: Record<string, string>; body: string } | undefined, Error, Context>().handler(async (event, context) => {
    const deps = await w.deps();
    if (event.slackJob) {
      await runSlackJob(deps, event.slackJob);
      return undefined;
    }
    const req = slackRequestFromApiGateway(event);
    const out = event.rawPath === SLACK_INTERACTIONS_PATH ? await handleSlackInteraction(deps, req) : await handleSlackCommand(deps, req);
    if (out.job) await w.handOff(out.job, context);
    return apiGatewayResultOf(out);
  });
}
