/**
 * Destructive intents: ask first (a look at the host, or the dry-run plan of a sleep, wake or rebalance, so
 * the question shows what would happen and the API's refusals come before any button), then start
 * on the confirm click, tied to the click by an idempotency key.
 */
import type * as z from 'zod/mini';
import { confirmMessage, context, ephemeral, escapeMrkdwn, planBlocks, planMessage, replaceOriginal, section, textSections, type SlackMessage } from './blocks.ts';
import { commandText, type SlackIntent, type SlackPowerAction, type SlackRebalanceMode } from './commands.ts';
import { call, fail, reasonOf, seg, type Got, type IntentContext } from './api-call.ts';
import { HostRead, PlanRead, RebalancePlanRead, StartRead, WakePlanRead } from './api-answers.ts';
import { planView } from './read-answers.ts';

const POWER_WORDS: Record<SlackPowerAction, string> = {
  on: 'Power on',
  off: 'Hard power-off (refused while VMs run on it)',
  soft: 'Soft shutdown (ACPI) of',
  cycle: 'Power-cycle',
};

export async function confirmPower(ctx: IntentContext, action: SlackPowerAction, hostId: string, intent: SlackIntent): Promise<SlackMessage> {
  const got = await call(ctx, HostRead, 'GET', `/v1/hosts/${seg(hostId)}`);
  if (!got.ok) return fail(got);
  const host = got.body.host;
  const busy = host.operation;
  const summary = `${POWER_WORDS[action]} host ${hostId} (pool ${host.pool}, now ${host.power}${host.isMaster ? ', pool master' : ''})`;
  return confirmMessage({ intent, summary, details: busy ? [context(`:hourglass: busy with operation ${escapeMrkdwn(busy)}: a new one will be refused until it ends`)] : [] });
}

export async function confirmSleep(ctx: IntentContext, poolId: string, intent: SlackIntent): Promise<SlackMessage> {
  const got = await call(ctx, PlanRead, 'POST', `/v1/pools/${seg(poolId)}/sleep`, { body: { dryRun: true, reason: reasonOf(ctx.user, ctx.text) } });
  if (!got.ok) return fail(got);
  const view = planView(got.body.plan);
  if (view.sleep.length === 0) return planMessage(poolId, view);
  return confirmMessage({ intent, summary: `Put ${view.sleep.length} host${view.sleep.length === 1 ? '' : 's'} of pool ${poolId} to sleep now (${view.migrations} migrations)`, details: planBlocks(poolId, view, 40) });
}

export async function confirmWake(ctx: IntentContext, poolId: string, intent: SlackIntent): Promise<SlackMessage> {
  const got = await call(ctx, WakePlanRead, 'POST', `/v1/pools/${seg(poolId)}/wake`, { body: { dryRun: true, reason: reasonOf(ctx.user, ctx.text) } });
  if (!got.ok) return fail(got);
  const { wake, why } = got.body.plan;
  if (wake.length === 0) return ephemeral(`Pool *${escapeMrkdwn(poolId)}*: nothing to wake${why.length ? `: ${escapeMrkdwn(why.join('; '))}` : ''}.`);
  return confirmMessage({ intent, summary: `Wake ${wake.length} host${wake.length === 1 ? '' : 's'} of pool ${poolId} now`, details: textSections(why.map((w) => `• ${escapeMrkdwn(w)}`).join('\n'), 40) });
}

const REBALANCE_WORDS: Record<SlackRebalanceMode, string> = {
  restore: 'back to their hosts before the last sleep',
  balance: 'to even out the measured CPU and memory',
};

/** A rebalance asks with its dry-run plan: which VM goes where, in which wave. */
export async function confirmRebalance(ctx: IntentContext, poolId: string, mode: SlackRebalanceMode, intent: SlackIntent): Promise<SlackMessage> {
  const got = await call(ctx, RebalancePlanRead, 'POST', `/v1/pools/${seg(poolId)}/rebalance`, { body: { dryRun: true, mode, reason: reasonOf(ctx.user, ctx.text) } });
  if (!got.ok) return fail(got);
  const { moves, stays, why } = got.body.plan;
  if (moves.length === 0) return ephemeral(`Pool *${escapeMrkdwn(poolId)}*: nothing to move (${mode})${why ? `: ${escapeMrkdwn(why)}` : ''}.`);
  const waves = new Set(moves.map((m) => m.wave)).size;
  const lines = moves.map((m) => `• ${escapeMrkdwn(m.vmId)}: ${escapeMrkdwn(m.from)} → ${escapeMrkdwn(m.to)} (wave ${m.wave})`);
  const staying = stays.length ? [context(`${stays.length} stay${stays.length === 1 ? 's' : ''} where ${stays.length === 1 ? 'it is' : 'they are'}: ${escapeMrkdwn(stays[0].why)}${stays.length > 1 ? ', …' : ''}`)] : [];
  return confirmMessage({
    intent,
    summary: `Move ${moves.length} VM${moves.length === 1 ? '' : 's'} of pool ${poolId} ${REBALANCE_WORDS[mode]} now (${waves} wave${waves === 1 ? '' : 's'})`,
    details: [...textSections(lines.join('\n'), 38), ...staying],
  });
}

/** The confirm click: start the operation, and say so in place of the question. */
export async function startConfirmed(ctx: IntentContext, intent: SlackIntent): Promise<SlackMessage> {
  const command = commandText(intent);
  const reason = reasonOf(ctx.user, ctx.text || command);
  const headers = ctx.idempotencyKey ? { 'idempotency-key': ctx.idempotencyKey } : {};
  let got: Got<z.output<typeof StartRead>>;
  if (intent.kind === 'power') got = await call(ctx, StartRead, 'POST', `/v1/hosts/${seg(intent.host)}/power`, { body: { action: intent.action, reason }, headers });
  else if (intent.kind === 'sleep' || intent.kind === 'wake') got = await call(ctx, StartRead, 'POST', `/v1/pools/${seg(intent.pool)}/${intent.kind}`, { body: { reason }, headers });
  else if (intent.kind === 'rebalance') got = await call(ctx, StartRead, 'POST', `/v1/pools/${seg(intent.pool)}/rebalance`, { body: { reason, mode: intent.mode }, headers });
  else return replaceOriginal(`\`${escapeMrkdwn(command)}\` needs no confirmation: run it again as a command.`);
  const who = `<@${ctx.user.id}>`;
  if (!got.ok) return replaceOriginal(`:warning: \`/lowpower ${escapeMrkdwn(command)}\` did not start: ${escapeMrkdwn(got.message)}`);
  const op = got.body.operation;
  if (!op) return replaceOriginal(`\`/lowpower ${escapeMrkdwn(command)}\` (asked by ${who}): nothing to do.`);
  const id = op.id;
  const text = `:white_check_mark: \`/lowpower ${escapeMrkdwn(command)}\` started by ${who}: operation \`${escapeMrkdwn(id)}\` (${escapeMrkdwn(op.state)}).`;
  return replaceOriginal(text, [section(text), context(`Follow it with \`/lowpower op ${escapeMrkdwn(id)}\``)]);
}
