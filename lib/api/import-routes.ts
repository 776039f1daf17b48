/**
 * POST /v1/pools/{id}/import (admin): the pool's hosts from XAPI, the BMCs of a range found and
 * matched by serial, and (without dryRun) the matched hosts added bound. The passwords go to the
 * Secrets port and nowhere else: not into the answer, the log or the table. The import itself
 * (onboarding, BMC discovery, the power drivers) is in import-run.ts, loaded when the route runs:
 * the http function's first chunk does not carry the BMC clients for a request that rarely comes.
 */
import { ApiError } from './errors.ts';
import { ID_PATTERN, ID_RULE, IdParams } from './schemas/common.ts';
import * as s from './schemas/import.ts';
import { defineRoute, type Route } from './types.ts';

export const IMPORT_ROUTES: Route[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/pools/{id}/import',
    role: 'admin',
    summary:
      "import a pool: its hosts from XAPI, the BMCs of a range found (a credential-free presence ping or Redfish service root first; credentials only to what answered, over RMCP+ or HTTPS) and matched to the hosts by serial; without dryRun the matched hosts are added bound (the pool too when it is new, with its load poll schedule unless loadPoll is false). Running it again adds nothing that is there",
    params: IdParams,
    body: s.ImportBody,
    responses: { 200: s.ImportAnswer },
    errors: { 501: 'this deployment has no XAPI access or cannot store credentials', 502: "the pool's XAPI did not answer or refused the login, or a new pool's load poll could not be scheduled (the pool was not added)" },
    invalid: { code: 'invalid_import' },
    async run(ctx, req, { params, body }) {
      if (!ID_PATTERN.test(params.id)) throw new ApiError(400, 'invalid_import', `the pool id must be ${ID_RULE}`, { field: 'id' });
      const { runImport } = await import('./import-run.ts');
      return { status: 200, body: await runImport(ctx, req, params.id, body) };
    },
  }),
];
