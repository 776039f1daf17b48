/**
 * POST /v1/pools/{id}/import (admin): the pool's hosts from XAPI, the BMCs of a range found and
 * matched by serial, and (without dryRun) the matched hosts added bound. The passwords go to the
 * Secrets port and nowhere else: not into the answer, the log or the table.
 */
import { importPool, ImportError, summaryLine, type ImportResult } from '../onboard/index.ts';
import { hostDrivers } from '../ops/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { XapiHypervisor } from '../xen/index.ts';
import { ApiError } from './errors.ts';
import { secretsOf } from './helpers.ts';
import { addLoadPoll } from './pool-lifecycle.ts';
import { ID_PATTERN, IdParams } from './schemas/common.ts';
import * as s from './schemas/import.ts';
import { defineRoute, type Route } from './types.ts';

const STATUS = { invalid_range: 400, xapi_required: 400, no_hypervisor: 501, xapi_failed: 502 } as const;

/** The answer's shape: the table's rows without the binding records (they are the host's, once added). */
function answer(r: ImportResult): s.ImportAnswer {
  return {
    pool: { id: r.poolId, existed: r.pool.existed, xapiUrl: r.pool.xapiUrl, note: r.pool.note ?? null },
    dryRun: r.dryRun,
    probed: r.probed,
    answered: r.answered,
    rows: r.rows.map((x) => ({ host: x.hostId, bmc: x.bmc, protocol: x.protocol, match: x.match, write: x.write, byHand: x.byHand ?? null })),
    counts: r.counts,
    changes: r.changes,
    summary: `${summaryLine(r.counts)}; ${r.changes.length ? `${r.dryRun ? 'would change' : 'changed'}: ${r.changes.map((c) => `${c.what} ${c.id}`).join(', ')}` : 'nothing to change'}`,
  };
}

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
      if (!ID_PATTERN.test(params.id)) throw new ApiError(400, 'invalid_import', 'the pool id must be letters, digits and ._:@+=- (up to 100)', { field: 'id' });
      const store = ctx.store;
      try {
        const r = await importPool(
          {
            store,
            secrets: secretsOf(ctx),
            driversFor: (secrets) => hostDrivers(store, secrets, { timeoutMs: 2000, retries: 2 }),
            hypervisorFor: (ctx.ops as Partial<PoolOpsDeps>).hypervisorFor,
            connectXapi: (o) => XapiHypervisor.connect({ ...o, originator: 'lowpower-import' }),
            addLoadPoll: (pool) => addLoadPoll(ctx, pool),
            now: ctx.now,
            log: ctx.log,
          },
          { poolId: params.id, xapi: body.xapi, bmcRange: body.bmcRange, bmcUser: body.bmcUser, bmcPassword: body.bmcPassword, protocol: body.protocol, dryRun: body.dryRun, force: body.force, loadPoll: body.loadPoll, actor: req.actor, source: req.source ?? 'api' },
        );
        return { status: 200, body: answer(r) };
      } catch (e) {
        if (e instanceof ImportError) throw new ApiError(STATUS[e.code], e.code, e.message, e.code === 'invalid_range' ? { field: 'bmcRange' } : {});
        throw e;
      }
    },
  }),
];
