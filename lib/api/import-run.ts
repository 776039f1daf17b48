/**
 * The pool import behind POST /v1/pools/{id}/import (import-routes.ts), loaded when that route runs:
 * onboarding, BMC discovery and the power drivers stay out of the http function's first chunk.
 */
import type * as z from 'zod/mini';
import { importPool, ImportError, summaryLine, type ImportResult } from '../onboard/index.ts';
import { hostDrivers } from '../drivers/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { XapiHypervisor } from '../xen/index.ts';
import { ApiError } from './errors.ts';
import { secretsOf } from './helpers.ts';
import { addLoadPoll } from './pool-lifecycle.ts';
import type * as s from './schemas/import.ts';
import type { ApiContext, ApiRequest } from './types.ts';

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

/** Run the import for pool `poolId` with the validated body; an ImportError becomes its API error. */
export async function runImport(ctx: ApiContext, req: ApiRequest, poolId: string, body: z.output<typeof s.ImportBody>): Promise<s.ImportAnswer> {
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
      { poolId, xapi: body.xapi, bmcRange: body.bmcRange, bmcUser: body.bmcUser, bmcPassword: body.bmcPassword, protocol: body.protocol, dryRun: body.dryRun, force: body.force, loadPoll: body.loadPoll, actor: req.actor, source: req.source ?? 'api' },
    );
    return answer(r);
  } catch (e) {
    if (e instanceof ImportError) throw new ApiError(STATUS[e.code], e.code, e.message, e.code === 'invalid_range' ? { field: 'bmcRange' } : {});
    throw e;
  }
}
