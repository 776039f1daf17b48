/**
 * Destructive intents: ask first (a look at the host, or the dry-run plan of a sleep or wake, so
 * the question shows what would happen and the API's refusals come before any button), then start
 * on the confirm click, tied to the click by an idempotency key.
 */
import { confirmMessage, context, ephemeral, escapeMrkdwn, planBlocks, planMessage, replaceOriginal, section, textSections, type SlackMessage } from './blocks.ts';
import { commandText, type SlackIntent, type SlackPowerAction } from './commands.ts';
import { arr, call, fail, reasonOf, rec, seg, str, type Got, type IntentContext } from './api-call.ts';
import { planView } from './read-answers.ts';

const POWER_WORDS: Record<SlackPowerAction, string> = {
  on: 'Power on',
  off: 'Hard power-off (refused while VMs run on it)',
  soft: 'Soft shutdown (ACPI) of',
  cycle: 'Power-cycle',
};

export async function confirmPower(ctx: IntentContext, action: SlackPowerAction, hostId: string, intent: SlackIntent): Promise<SlackMessage> {
  const got = await call(ctx, 'GET', `/v1/hosts/${seg(hostId)}`);
  if (!got.ok) return fail(got);
  const host = rec(got.body.host);
  const busy = str(host.operation);
  const summary = `${POWER_WORDS[action]} host ${hostId} (pool ${str(host.pool) ?? '?'}, now ${str(host.power) ?? 'unknown'}${host.isMaster === true ? ', pool master' : ''})`;
  return confirmMessage({ intent, summary, details: busy ? [context(`:hourglass: busy with operation ${escapeMrkdwn(busy)}: a new one will be refused until it ends`)] : [] });
}

export async function confirmSleep(ctx: IntentContext, poolId: string, intent: SlackIntent): Promise<SlackMessage> {
  const got = await call(ctx, 'POST', `/v1/pools/${seg(poolId)}/sleep`, { body: { dryRun: true, reason: reasonOf(ctx.user, ctx.text) } });
  if (!got.ok) return fail(got);
  const view = planView(rec(got.body.plan));
  if (view.sleep.length === 0) return planMessage(poolId, view);
  return confirmMessage({ intent, summary: `Put ${view.sleep.length} host${view.sleep.length === 1 ? '' : 's'} of pool ${poolId} to sleep now (${view.migrations} migrations)`, details: planBlocks(poolId, view, 40) });
}

export async function confirmWake(ctx: IntentContext, poolId: string, intent: SlackIntent): Promise<SlackMessage> {
  const got = await call(ctx, 'POST', `/v1/pools/${seg(poolId)}/wake`, { body: { dryRun: true, reason: reasonOf(ctx.user, ctx.text) } });
  if (!got.ok) return fail(got);
  const p = rec(got.body.plan);
  const wake = arr(p.wake).map(String);
  const why = arr(p.why).map(String);
  if (wake.length === 0) return ephemeral(`Pool *${escapeMrkdwn(poolId)}*: nothing to wake${why.length ? `: ${escapeMrkdwn(why.join('; '))}` : ''}.`);
  return confirmMessage({ intent, summary: `Wake ${wake.length} host${wake.length === 1 ? '' : 's'} of pool ${poolId} now`, details: textSections(why.map((w) => `• ${escapeMrkdwn(w)}`).join('\n'), 40) });
}

/** The confirm click: start the operation, and say so in place of the question. */
export async function startConfirmed(ctx: IntentContext, intent: SlackIntent): Promise<SlackMessage> {
  const command = commandText(intent);
  const reason = reasonOf(ctx.user, ctx.text || command);
  const headers = ctx.idempotencyKey ? { 'idempotency-key': ctx.idempotencyKey } : {};
  let got: Got;
  if (intent.kind === 'power') got = await call(ctx, 'POST', `/v1/hosts/${seg(intent.host)}/power`, { body: { action: intent.action, reason }, headers });
  else if (intent.kind === 'sleep' || intent.kind === 'wake') got = await call(ctx, 'POST', `/v1/pools/${seg(intent.pool)}/${intent.kind}`, { body: { reason }, headers });
  else return replaceOriginal(`\`${escapeMrkdwn(command)}\` needs no confirmation: run it again as a command.`);
  const who = `<@${ctx.user.id}>`;
  if (!got.ok) return replaceOriginal(`:warning: \`/lowpower ${escapeMrkdwn(command)}\` did not start: ${escapeMrkdwn(got.message)}`);
  const op = rec(got.body.operation);
  const id = str(op.id);
  if (!id) return replaceOriginal(`\`/lowpower ${escapeMrkdwn(command)}\` (asked by ${who}): nothing to do.`);
  const text = `:white_check_mark: \`/lowpower ${escapeMrkdwn(command)}\` started by ${who}: operation \`${escapeMrkdwn(id)}\` (${escapeMrkdwn(str(op.state) ?? 'pending')}).`;
  return replaceOriginal(text, [section(text), context(`Follow it with \`/lowpower op ${escapeMrkdwn(id)}\``)]);
}
