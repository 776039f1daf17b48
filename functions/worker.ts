/**
 * Runs (or resumes) one operation: `{ operationId }` from an async invoke or a resume schedule. It
 * stops before a step when less than a minute of its time is left and books its own resume.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { runOperation } from '../lib/ops/dispatch.ts';
import { afterOperation, type Notifier } from '../lib/ops/notifications.ts';
import { awsWiring } from '../lib/aws/wiring.ts';
import { slackFunctionNotifier } from '../lib/aws/notifier.ts';
import { libraryLog, logger, observability, operationsFailed } from '../lib/aws/logger.ts';

export interface WorkerEvent {
  operationId: string;
}

export const handler = middy<WorkerEvent, { state: string }, Error, Context>()
  .use(observability())
  .handler(async (event, context) => {
  if (typeof event?.operationId !== 'string' || !event.operationId) throw new Error('worker: the event has no operationId');
  const w = await awsWiring(libraryLog);
  const deadlineAt = Date.now() + context.getRemainingTimeInMillis() - 60_000;
  const state = await runOperation({ ...w.ops, workerId: context.awsRequestId }, event.operationId, { deadlineAt });
  if (state === 'resume') await w.resumeAt(event.operationId, new Date(Date.now() + 30_000));
  if (state === 'failed') operationsFailed(event.operationId);
  if (state !== 'resume') {
    const notifier: Notifier = (m) => slackFunctionNotifier(w)(m).catch((e: unknown) => logger.error('notify failed', { error: String(e) }));
    await afterOperation({ store: w.store, schedules: w.schedules, notifier, launch: w.launch }, event.operationId);
  }
  logger.info('operation', { operationId: event.operationId, state });
  return { state };
});
