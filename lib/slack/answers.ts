/**
 * What each intent asks of the HTTP API, and the Slack message made of the answer. Every rule
 * (roles, safety, which schedules a hold covers) stays in the API: the Slack side only calls it as
 * the Slack user and renders what comes back. Never throws.
 */
import { ephemeral, errorMessage, type SlackMessage } from './blocks/kit.ts';
import { commandText, usage, type SlackIntent } from './commands.ts';
import type { IntentContext } from './api-call.ts';
import { operation, plan, sensors, status } from './read-answers.ts';
import { hold, scheduleList, skipTonight } from './schedule-answers.ts';
import { confirmPower, confirmRebalance, confirmSleep, confirmWake } from './confirm-answers.ts';
import { errorField } from '../util/index.ts';

export { actorOf, reasonOf, type IntentContext, type SlackApi, type SlackUser } from './api-call.ts';
export { STATUS_READINGS_LIMIT } from './read-answers.ts';
export { startConfirmed } from './confirm-answers.ts';

/** The answer to a slash command: read-only intents answered, destructive ones asked about. */
export async function answerCommand(ctx: IntentContext, intent: SlackIntent): Promise<SlackMessage> {
  try {
    switch (intent.kind) {
      case 'help':
        return ephemeral(usage());
      case 'status':
        return await status(ctx, intent.target);
      case 'sensors':
        return await sensors(ctx, intent.host);
      case 'plan':
        return await plan(ctx, intent.pool);
      case 'schedules':
        return await scheduleList(ctx, intent.pool);
      case 'skip-tonight':
        return await skipTonight(ctx, intent.pool);
      case 'hold':
        return await hold(ctx, intent.pool, intent.until);
      case 'operation':
        return await operation(ctx, intent.id);
      case 'power':
        return await confirmPower(ctx, intent.action, intent.host, intent);
      case 'sleep':
        return await confirmSleep(ctx, intent.pool, intent);
      case 'wake':
        return await confirmWake(ctx, intent.pool, intent);
      case 'rebalance':
        return await confirmRebalance(ctx, intent.pool, intent.mode, intent);
    }
  } catch (e) {
    ctx.log?.('slack-command-failed', { command: commandText(intent), error: errorField(e) });
    return errorMessage('Something went wrong on the lowpower side (see its log).');
  }
}

