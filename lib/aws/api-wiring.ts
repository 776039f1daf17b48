/**
 * The API on the AWS wiring, for the http function alone: the routes, their zod schemas and the
 * BMC reads come into the bundle that routes requests, not into the scheduled and worker
 * functions' (~60 KB of code they would compile at every cold start and never run).
 */
import { POOL_ROUTES, type ApiContext } from '../api/index.ts';
import { driverBmcReads } from '../ops/index.ts';
import type { Log } from '../util/index.ts';
import { awsWiring } from './wiring.ts';

let cached: Promise<ApiContext> | undefined;

export function awsApi(log: Log = () => undefined): Promise<ApiContext> {
  cached ??= awsWiring(log).then(
    (w): ApiContext => ({ store: w.store, ops: w.ops, schedules: w.schedules, launch: w.launch, routes: POOL_ROUTES, bmc: driverBmcReads(w.ops.driver), secrets: w.secrets, log }),
    (e: unknown) => {
      cached = undefined;
      throw e;
    },
  );
  return cached;
}
