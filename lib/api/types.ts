/**
 * The shapes of the API's route table: a request, an answer, a route with the schemas of its
 * params, query, body and answers, and what routes get to work with. Apart from the router so
 * that the route files and the router do not import each other.
 */
import type * as z from 'zod/mini';
import type { Store } from '../store/index.ts';
import type { OpsDeps } from '../ops/index.ts';
import type { ScheduleService } from '../schedules/index.ts';
import type { BmcReads } from '../ops/index.ts';
import type { Secrets } from '../store/index.ts';
import type { Role } from './roles.ts';
import type { Log } from '../util/index.ts';

export interface ApiRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  /** The parsed JSON body (undefined when there was none). */
  body: unknown;
  actor: string;
  role: Role;
  /** Where the request came from, for the audit (default api; the Slack handler says slack). */
  source?: 'api' | 'slack' | 'cli';
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export type Schema = z.ZodMiniType;

/** What `run` gets: the path parameters, query and body, each parsed by the route's schema when it has one. */
export interface RouteInput<P = Record<string, string>, Q = ApiRequest['query'], B = unknown> {
  params: P;
  query: Q;
  body: B;
}

/** A route's answers on success: status -> schema of the body (its description says what the answer means). */
export type Answers = Readonly<Record<number, Schema>>;

/** One answer `run` may give: a documented status with a body of its schema. */
export type Reply<R extends Answers> = { [S in keyof R & number]: { status: S; body: z.input<R[S]> } }[keyof R & number];

/** The error code of a 400 for a bad field, by the field's first path segment (`policy` for `policy.minHostsOn`). */
export interface InvalidCodes {
  /** For fields not named below (default invalid_request). */
  code?: string;
  fields?: Record<string, string>;
}

interface RouteHead {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  role: Role;
  summary: string;
  /** Error statuses beyond 400, 401, 403 and 404, each with what it means here. */
  errors?: Readonly<Record<number, string>>;
  invalid?: InvalidCodes;
}

/** One route: method, path template (`{name}` segments), the least role, its schemas, and what it does. */
export interface Route extends RouteHead {
  params?: Schema;
  query?: Schema;
  body?: Schema;
  /** Absent only on routes outside the documented API (the local runner's simulator controls). */
  responses?: Answers;
  run(ctx: ApiContext, req: ApiRequest, input: RouteInput<unknown, unknown, unknown>): Promise<ApiResponse>;
}

type Parsed<S, Otherwise> = S extends Schema ? z.output<S> : Otherwise;

/** A route as declared: `run` gets typed, validated input and may answer only what `responses` documents. */
export interface RouteSpec<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined, R extends Answers> extends RouteHead {
  params?: P;
  query?: Q;
  body?: B;
  responses: R;
  run(ctx: ApiContext, req: ApiRequest, input: RouteInput<Parsed<P, Record<string, string>>, Parsed<Q, ApiRequest['query']>, Parsed<B, unknown>>): Promise<Reply<NoInfer<R>>>;
}

/** Declare a route: the schemas type its `run`; the table holds it as a plain Route. */
export function defineRoute<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined, R extends Answers = Answers>(spec: RouteSpec<P, Q, B, R>): Route {
  return spec;
}

export interface ApiContext {
  store: Store;
  ops: OpsDeps;
  schedules: ScheduleService;
  /** Run an operation that was just created (in process locally; a worker invoke in AWS). */
  launch(operationId: string): Promise<void>;
  /** Routes beyond the core ones (pools: plan, sleep, wake, energy). */
  routes?: Route[];
  /** Live BMC reads (sensors, event log); absent where the API cannot reach BMCs. */
  bmc?: BmcReads;
  /** Where BMC passwords go when hosts are added or changed. */
  secrets?: Secrets;
  /**
   * Check every answer against its route's documented schema and turn a mismatch into a loud 500
   * (tests switch it on; so does LOWPOWER_CHECK_RESPONSES=1 for contexts a test does not build).
   */
  checkResponses?: boolean;
  log?: Log;
  now?: () => number;
}
