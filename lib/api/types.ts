/**
 * The shapes of the API's route table: a request, an answer, a route, and what routes get to work
 * with. Apart from the router so that the route files and the router do not import each other.
 */
import type { Store } from '../store/store.ts';
import type { OpsDeps } from '../ops/host-power.ts';
import type { ScheduleService } from '../schedules/service.ts';
import type { BmcReads } from '../ops/bmc-reads.ts';
import type { Secrets } from '../store/secrets.ts';
import type { Role } from './roles.ts';

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

/** One route: method, path template (`{name}` segments), the least role, and what it does. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  role: Role;
  summary: string;
  run(ctx: ApiContext, req: ApiRequest, params: Record<string, string>): Promise<ApiResponse>;
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
  log?: (line: string) => void;
  now?: () => number;
}
