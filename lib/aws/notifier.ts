/**
 * Channel messages from the functions inside the VPC: notices rendered as Slack messages here and
 * handed to the slack function by async invoke (the only function with a route to Slack). Only
 * the scheduled and worker functions send notices, so only their bundles carry the rendering.
 */
import type { Notifier } from '../ops/index.ts';
import { renderNotice } from '../slack/index.ts';
import type { AwsWiring } from './wiring.ts';

export function slackFunctionNotifier(w: Pick<AwsWiring, 'config' | 'lambda'>): Notifier {
  return async (notices) => {
    if (notices.length === 0 || !w.config.slackFunctionName) return;
    await w.lambda.invoke(w.config.slackFunctionName, { notify: notices.map(renderNotice) }, { async: true });
  };
}
