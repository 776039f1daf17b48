/**
 * The functions' logger and metrics (Powertools): JSON lines with the request id; fields that can
 * carry secrets are replaced before a line is written, whatever a caller passes.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

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
  error(message: string, extra?: Record<string, unknown>): void {
    base.error(message, ...(extra ? [redact(extra) as Record<string, unknown>] : []));
  },
};

const metrics = new Metrics({ namespace: 'lowpower', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'lowpower' });

/** The alarm in infra/alarms.yml watches this metric. */
export function operationsFailed(operationId: string): void {
  metrics.addMetric('OperationsFailed', MetricUnit.Count, 1);
  metrics.addMetadata('operationId', operationId);
  metrics.publishStoredMetrics();
}
