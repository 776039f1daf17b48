// lib/slack: the /lowpower slash command and its confirmation buttons over the HTTP API (signature and replay checked first, answers within 3 s, the rest through response_url), and channel alerts and night reports through an incoming webhook.
export {
  verifySlackRequest,
  signSlackRequest,
  headerValue,
  rawBodyBytes,
  SlackAuthError,
  SLACK_MAX_SKEW_SECONDS,
  SLACK_SIGNATURE_VERSION,
  type SlackAuthReason,
  type SlackHeaders,
  type VerifySlackOptions,
  type VerifiedSlackRequest,
} from './signature.ts';
export { dynamoReplayGuard, memoryReplayGuard, replayItemKey, REPLAY_REMEMBER_SECONDS, type ReplayGuard, type MemoryReplayGuard, type DynamoReplayGuardOptions } from './replay.ts';
export {
  parseCommand,
  needsConfirm,
  commandText,
  intentToValue,
  intentFromValue,
  usage,
  USAGE_LINES,
  POWER_ACTIONS,
  REBALANCE_MODES,
  type SlackIntent,
  type SlackPowerAction,
  type SlackRebalanceMode,
  type ParsedCommand,
} from './commands.ts';
export { nextLocalTime, parseTimeOfDay, describeLocal, checkTimeZone, type LocalTimeOfDay } from './local-time.ts';
export {
  ephemeral,
  replaceOriginal,
  errorMessage,
  textSections,
  fitMessage,
  section,
  context,
  header,
  escapeMrkdwn,
  truncate,
  SLACK_LIMITS,
  type SlackMessage,
  type SlackBlock,
  type ButtonElement,
  type ConfirmDialog,
  type TextObject,
  type PlainText,
  type Mrkdwn,
} from './blocks/kit.ts';
export { tableBlocks, resultBlocks, statusBlocks, type Column, type HostResultRow, type HostStatusRow } from './blocks/tables.ts';
export { confirmMessage, resultMessage, statusMessage, planMessage, planBlocks, CONFIRM_ACTION, CANCEL_ACTION, type PlanView, type ConfirmOptions } from './blocks/views.ts';
export { answerCommand, startConfirmed, actorOf, reasonOf, STATUS_READINGS_LIMIT, type IntentContext, type SlackApi, type SlackUser } from './answers.ts';
export {
  handleSlackCommand,
  handleSlackInteraction,
  runSlackJob,
  idempotencyKeyOf,
  DEFAULT_ANSWER_WITHIN_MS,
  type SlackDeps,
  type SlackHttpRequest,
  type SlackHttpResponse,
  type SlackJob,
} from './handler.ts';
export { postSlackJson, responseUrlPoster, checkSlackUrl, SlackPostError, type SlackPostOptions } from './response-url.ts';
export {
  webhookChannel,
  notify,
  failedOperationMessage,
  wakeLateMessage,
  renderNotice,
  driftMessage,
  thermalMessage,
  nightReportMessage,
  nightReportOf,
  PLANNED_NOTE,
  ALERT_NOTE,
  type SlackChannel,
  type FailedOperationAlert,
  type WakeLateAlert,
  type DriftAlert,
  type ThermalAlert,
  type NightReport,
} from './notify.ts';
export {
  slackNodeHandler,
  slackRequestFromApiGateway,
  apiGatewayResultOf,
  SLACK_COMMANDS_PATH,
  SLACK_INTERACTIONS_PATH,
  SLACK_MAX_BODY,
  type SlackNodeOptions,
  type ApiGatewaySlackEvent,
} from './http.ts';
export { renderManifest, manifestBaseUrl, manifestAppName, manifestUrls, ManifestError, MANIFEST_API_URL, MANIFEST_APP_NAME, DEFAULT_APP_NAME, type ManifestUrls } from './manifest.ts';
