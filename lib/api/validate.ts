/**
 * The one place requests meet the route schemas: params, query and body are parsed once, before
 * `run`, and the first bad field becomes a 400 `{ error: { code, message, field } }`. With
 * response checking on, every answer is held against the schema its route documents for it.
 */
import type * as z from 'zod/mini';
import { ApiError } from './errors.ts';
import { ErrorAnswer } from './schemas/common.ts';
import { FIELD_MARK } from './schemas/phrase.ts';
import type { ApiRequest, ApiResponse, Route, RouteInput, Schema } from './types.ts';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const article = (what: string): string => (/^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`);

/** What a field did wrong, for the zod issues no schema gave its own message (prefixed with the field later). */
function genericPhrase(iss: RawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      if (iss.expected === 'boolean') return 'must be true or false';
      if (iss.expected === 'int') return 'must be a whole number';
      return `must be ${article(iss.expected)}`;
    case 'invalid_value':
      return `must be ${iss.values.length === 1 ? JSON.stringify(iss.values[0]) : `one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`}`;
    case 'too_small':
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? 'must not be empty' : `must be at least ${iss.minimum} characters`;
      if (iss.origin === 'array') return `must have at least ${iss.minimum} item${Number(iss.minimum) === 1 ? '' : 's'}`;
      return iss.inclusive ? `must be at least ${iss.minimum}` : `must be more than ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'string') return `must be at most ${iss.maximum} characters`;
      if (iss.origin === 'array') return `must have at most ${iss.maximum} items`;
      return iss.inclusive ? `must be at most ${iss.maximum}` : `must be less than ${iss.maximum}`;
    case 'invalid_format':
      return `is not a valid ${iss.format}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
      return 'is none of the accepted forms';
    default:
      return 'is not valid';
  }
}

const errorMap = (iss: RawIssue): string => FIELD_MARK + genericPhrase(iss);

/** The dotted path of an issue's field (an unknown key names itself: `policy.sleepEverything`). */
function fieldOf(issue: Issue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length) path.push(issue.keys[0]);
  return path.join('.');
}

/** The 400 for the first issue: the route's code for the field (reasons keep their own two codes). */
function badRequest(route: Route, issue: Issue): ApiError {
  const field = fieldOf(issue);
  const top = field.split('.')[0];
  const message = issue.message.startsWith(FIELD_MARK) ? `${field || 'the request'} ${issue.message.slice(FIELD_MARK.length)}` : issue.message;
  let code = route.invalid?.fields?.[top] ?? route.invalid?.code ?? 'invalid_request';
  if (top === 'reason' && !route.invalid?.fields?.reason) code = issue.code === 'too_big' ? 'reason_too_long' : 'reason_required';
  return new ApiError(400, code, message, { field });
}

function parsePart(route: Route, schema: Schema | undefined, value: unknown): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value, { error: errorMap });
  if (!r.success) throw badRequest(route, r.error.issues[0]);
  return r.data;
}

/** Params, query and body through the route's schemas; a body that is there must be a JSON object. */
export function parseInput(route: Route, req: ApiRequest, params: Record<string, string>): RouteInput<unknown, unknown, unknown> {
  let body = req.body;
  if (route.body) {
    if (body === undefined) body = {};
    else if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'bad_json', 'the body must be a JSON object');
  }
  return { params: parsePart(route, route.params, params), query: parsePart(route, route.query, req.query), body: parsePart(route, route.body, body) };
}

/** Standard error statuses every documented route may answer (the role check, lookups, bad input). */
export const COMMON_ERRORS: Readonly<Record<number, string>> = { 400: 'a bad request: the field is named', 401: 'no or an unknown API key', 403: 'the role is too low', 404: 'no such pool, host, operation or schedule' };

/** Why an answer is off its route's documentation, or undefined when it matches. */
export function answerMismatch(route: Route, res: ApiResponse): string | undefined {
  if (!route.responses) return undefined;
  if (res.status >= 400) {
    if (!(res.status in COMMON_ERRORS) && !(res.status in (route.errors ?? {}))) return `status ${res.status} is not documented`;
    const r = ErrorAnswer.safeParse(res.body);
    return r.success ? undefined : `error body: ${describeIssue(r.error.issues[0])}`;
  }
  const schema = route.responses[res.status];
  if (!schema) return `status ${res.status} is not documented`;
  const r = schema.safeParse(res.body);
  return r.success ? undefined : describeIssue(r.error.issues[0]);
}

function describeIssue(issue: Issue): string {
  return `${fieldOf(issue) || '(body)'}: ${issue.code}${issue.code === 'invalid_type' ? ` (expected ${issue.expected})` : ''}`;
}
