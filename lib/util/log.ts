/**
 * How library code logs: an event name and its fields as data (ids, states, counts, reasons),
 * never a sentence assembled from them. Where the lines go is the caller's choice: Powertools'
 * JSON logger in Lambda (the fields become keys beside the request id), a terminal line in the
 * local runner and the CLI (`lineLog`). Secrets are never a field: callers pass ids, not records.
 */

export type LogValue = string | number | boolean | null | undefined | readonly string[];
export type LogFields = Readonly<Record<string, LogValue>>;
export type Log = (event: string, fields?: LogFields) => void;

const BARE = /^[^\s"=]+$/;

function valueText(v: Exclude<LogValue, undefined>): string {
  const text = Array.isArray(v) ? v.join(',') : String(v);
  return BARE.test(text) ? text : JSON.stringify(text);
}

/** The terminal form, logfmt-like: `event key=value key="value with spaces"`; undefined fields left out. */
export function logLine(event: string, fields?: LogFields): string {
  if (!fields) return event;
  const parts = [event];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${valueText(v)}`);
  return parts.join(' ');
}

/** A Log that writes each event as one line to a text sink (stdout, a test's array). */
export function lineLog(sink: (line: string) => void): Log {
  return (event, fields) => sink(logLine(event, fields));
}

/** The message of anything thrown, for an `error` field. */
export function errorField(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
