/**
 * The functions' logger and metrics (Powertools): JSON lines with the request id; fields that can
 * carry secrets are replaced before a line is written, whatever a caller passes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import type { Log } from '../util/index.ts';

const SECRET_KEYS = /pass(word)?|secret|token|authorization|signature|api[-_]?key/i;

/** A copy of `value` with every secret-looking field replaced by "[redacted]". */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

const base = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'lowpower' });

export const logger = {
  info(message: string, extra?: Record<string, unknown>): void {
    base.info(message, ...(extra ? [redact(extra) as Record<string, unknown>] : []));
  },
  warn(message: string, extra?: Record<string, unknown>): void {
    base.warn(message, ...(extra ? [redact(extra) as Record<string, unknown>] : []));
  },
  error(message: string, extra?: Record<string, unknown>): void {
    base.error(message, ...(extra ? [redact(extra) as Record<string, unknown>] : []));
  },
};

const WARNING = /^alert$|-failed$|^api-error$|^api-answer-off-schema$|-refused$/;

/** The library's structured log into the JSON lines: the event is the message, its fields keys beside it; alerts and failures at warn. */
export const libraryLog: Log = (event, fields) => (WARNING.test(event) ? logger.warn : logger.info)(event, fields ? { ...fields } : undefined);

const metrics = new Metrics({ namespace: 'lowpower', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'lowpower' });

/** The alarm in infra/alarms.yml watches this metric (published when the invocation ends, by logMetrics). */
export function operationsFailed(operationId: string): void {
  metrics.addMetric('OperationsFailed', MetricUnit.Count, 1);
  metrics.addMetadata('operationId', operationId);
}

/**
 * What every Lambda handler carries, outermost: the Lambda context (request id, cold start,
 * function name) in every log line, and the invocation's metrics flushed once at its end (with a
 * cold-start metric). Only the Lambda entry points use it; the local runner has no Lambda context.
 */
export function observability(): Array<middy.MiddlewareObj> {
  return [injectLambdaContext(base, { resetKeys: true }), logMetrics(metrics, { captureColdStartMetric: true })];
}
