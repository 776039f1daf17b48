/**
 * The target of EventBridge Scheduler: a schedule fired (read it back, apply its exceptions, start
 * its operation and hand it to the worker), or a resume of a paused operation.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { onScheduleFired, poolActionsFor, type FireResult } from '../lib/ops/scheduled.ts';
import { scheduleNameOfTimer } from '../lib/schedules/service.ts';
import { awsWiring } from '../lib/aws/wiring.ts';
import { slackFunctionNotifier } from '../lib/aws/notifier.ts';
import { libraryLog, logger, observability } from '../lib/aws/logger.ts';
import { alertNoticesAfterPoll } from '../lib/ops/notifications.ts';
import { sweep, type SweepResult } from '../lib/ops/sweeper.ts';

export type ScheduledEvent =
  | { source: 'schedule'; scheduleName: string; poolId: string; scheduledTime: string; readyAt?: string; leadMinutes?: number }
  | { source: 'resume'; operationId: string }
  | { source: 'sweep' };

export const handler = middy<ScheduledEvent, FireResult | { resumed: string } | SweepResult, Error, Context>()
  .use(observability())
  .handler(async (event) => {
  const w = await awsWiring(libraryLog);
  if (event.source === 'resume') {
    await w.launch(event.operationId);
    return { resumed: event.operationId };
  }
  if (event.source === 'sweep') {
    const swept = await sweep({ ...w.ops, launch: w.launch });
    logger.info('sweep', { relaunched: swept.relaunched.length, givenUp: swept.givenUp.length, lateAlerts: swept.lateAlerts.length, enabled: swept.enabled.length });
    return swept;
  }
  if (event.source !== 'schedule' || !event.poolId || !event.scheduleName) throw new Error('scheduled: not a schedule or resume event');
  const at = new Date(event.scheduledTime);
  // The fire's time keys its operation: without it a repeated delivery would act twice.
  if (Number.isNaN(at.getTime())) throw new Error(`scheduled: the event for ${event.poolId}/${event.scheduleName} has no valid scheduledTime; nothing done`);
  const fired = await onScheduleFired(
    { ...w.ops, secrets: w.secrets, pools: poolActionsFor(w.ops) },
    {
      poolId: event.poolId,
      scheduleName: scheduleNameOfTimer(event.poolId, event.scheduleName),
      at,
      // A one-time early start names the ready time it is for.
      ...(event.readyAt && !Number.isNaN(Date.parse(event.readyAt)) ? { readyAt: new Date(event.readyAt) } : {}),
      // A wake's recurring timer names the lead it was armed with.
      ...(typeof event.leadMinutes === 'number' && Number.isInteger(event.leadMinutes) && event.leadMinutes >= 0 ? { leadMinutes: event.leadMinutes } : {}),
    },
  );
  if (fired.ran && 'operationId' in fired && fired.operationId && fired.created) await w.launch(fired.operationId);
  if (fired.ran && 'notices' in fired && fired.notices.length) await slackFunctionNotifier(w)(fired.notices);
  if (fired.ran && 'poll' in fired) await slackFunctionNotifier(w)(await alertNoticesAfterPoll(w.store, event.poolId, fired.poll));
  logger.info('schedule fired', { pool: event.poolId, schedule: event.scheduleName, ran: fired.ran });
  return fired;
});
