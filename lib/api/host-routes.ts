/**
 * /v1/hosts: the inventory (add, show, change, rebind, remove), stored readings, live sensors and
 * event log from the BMC, and power for one host (202 with the operation; 409 busy or refused).
 */
import { randomUUID } from 'node:crypto';
import { requestHostPower } from '../ops/index.ts';
import { assertBmcFree, readBinding, rebindHost } from '../ops/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import type { HostPatch } from '../store/index.ts';
import { addXapiHost, bmcProbes, bmcReach, refuseBmcFieldsWithoutBmc, repinOnMove } from './host-bmc.ts';
import { bindDeps } from './bind-deps.ts';
import { ApiError } from './errors.ts';
import { findHost, poolOf, publicBinding, publicHost, secretsOf, withNewSecret } from './helpers.ts';
import { IdParams, PoolQuery } from './schemas/common.ts';
import * as s from './schemas/hosts.ts';
import { defineRoute, type ApiContext, type Route } from './types.ts';

const now = (ctx: { now?: () => number }): number => (ctx.now ?? Date.now)();

const IDEMPOTENCY = 'the Idempotency-Key was already used for another request';
const NO_SECRETS = 'this deployment cannot store BMC credentials';
export const HOST_ROUTES: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/hosts',
    role: 'viewer',
    summary: 'every host (of one pool with ?pool=)',
    query: PoolQuery,
    responses: { 200: s.HostsAnswer },
    async run(ctx, _req, { query }) {
      const pools = query.pool ? [(await poolOf(ctx, query.pool)).poolId] : (await ctx.store.listPools()).map((p) => p.poolId);
      const hosts = (await Promise.all(pools.map((p) => ctx.store.listHosts(p)))).flat();
      return { status: 200, body: { hosts: hosts.map((h) => publicHost(h, now(ctx))) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/hosts',
    role: 'admin',
    summary: "add a host; its BMC password goes to the secret store; its BMC is read and bound to the host (409 when the BMC is another host's)",
    query: PoolQuery,
    body: s.HostCreateBody,
    responses: { 201: s.HostAnswer },
    errors: { 409: "the host exists, or its BMC is another host's (same address, GUID or serial)", 501: NO_SECRETS, 502: 'no BMC answered (auto), or the Redfish BMC gave no TLS handshake' },
    invalid: { code: 'invalid_host' },
    async run(ctx, req, { query, body }) {
      // A BMC's fields are required unless the host has none (protocol xapi): checked before anything is read.
      const need = (field: 'bmcAddress' | 'bmcUser' | 'bmcPassword', why = 'is required'): string => {
        const v = body[field];
        if (body.protocol !== 'xapi' && (v === undefined || v === '')) throw new ApiError(400, 'invalid_host', `${field} ${why}`, { field });
        return v ?? '';
      };
      const bmcAddress = need('bmcAddress');
      const bmcUser = need('bmcUser');
      const bmcPassword = need('bmcPassword', 'is required (it goes to the secret store, never the table)');
      const pool = await poolOf(ctx, body.pool ?? query.pool);
      const hostId = body.id;
      if (await ctx.store.getHost(pool.poolId, hostId)) throw new ApiError(409, 'exists', `host ${hostId} exists in pool ${pool.poolId}`);
      if (body.protocol === 'xapi') return addXapiHost(ctx, req, pool, body);
      const secretRef = `bmc.${pool.poolId}.${hostId}`;
      const reach = await bmcReach({ ...body, bmcAddress });
      const candidate = { poolId: pool.poolId, hostId, bmcAddress, bmcUser, secretRef, cipherSuite: body.cipherSuite ?? 17, redfishNoEtag: body.redfishNoEtag, ...reach };
      // One BMC serves one host: the same address refused before a packet is sent, the same
      // identity (GUID, serial) under another address once the BMC has answered.
      await assertBmcFree(ctx.store, candidate);
      const { created, binding } = await withNewSecret(secretsOf(ctx), secretRef, bmcPassword, async () => {
        const binding = await readBinding(bindDeps(ctx), candidate);
        await assertBmcFree(ctx.store, { ...candidate, binding });
        return { binding, created: await ctx.store.createHost({ ...candidate, power: 'unknown', neverSleep: body.neverSleep, sleepState: 'awake', binding }) };
      });
      const over = `${reach.bmcProtocol}${reach.bmcProtocolFound ? ' (found by auto)' : ''}${reach.tlsPin?.fingerprint256 ? `, certificate pinned ${reach.tlsPin.fingerprint256}` : ''}`;
      await ctx.store.appendAudit({ poolId: pool.poolId, hostId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'add host', result: 'ok', message: `BMC over ${over}; ${binding.state}: ${binding.why}` });
      return { status: 201, body: { host: publicHost(created, now(ctx)) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/hosts/{id}',
    role: 'viewer',
    summary: "a host: power, sleep state, XAPI's enabled and live, the BMC binding, and the last hour's readings (latest first)",
    params: IdParams,
    query: PoolQuery,
    responses: { 200: s.HostDetailAnswer },
    async run(ctx, _req, { params, query }) {
      const host = await findHost(ctx, params.id, query.pool);
      const readings = await ctx.store.listReadings(host.hostId, { since: new Date(now(ctx) - 3600_000).toISOString() });
      // XAPI's own view (enabled, live) when the pool can be asked; null when it cannot.
      let xapi: { enabled: boolean; live: boolean } | null = null;
      const hypervisorFor = (ctx.ops as Partial<PoolOpsDeps>).hypervisorFor;
      const pool = await ctx.store.getPool(host.poolId);
      if (hypervisorFor && pool) {
        const xen = await hypervisorFor(pool).then((hv) => hv.hosts()).catch(() => undefined);
        const mine = xen?.find((h) => h.hostId === host.hostId);
        if (mine) xapi = { enabled: mine.enabled, live: mine.live };
      }
      return { status: 200, body: { host: { ...publicHost(host, now(ctx)), enabled: xapi?.enabled ?? null, live: xapi?.live ?? null }, readings: readings.slice(-10).reverse() } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/hosts/{id}',
    role: 'admin',
    summary: "change a host's BMC address, port, user, password, cipher suite, never-sleep flag or identity trust (a changed BMC address is bound again)",
    params: IdParams,
    query: PoolQuery,
    body: s.HostPatchBody,
    responses: { 200: s.HostAnswer },
    errors: { 409: "the new BMC is another host's, or the host changed meanwhile", 501: NO_SECRETS, 502: 'a Redfish BMC at its new address gave no TLS handshake' },
    invalid: { code: 'invalid_host' },
    async run(ctx, req, { params, query, body }) {
      const host = await findHost(ctx, params.id, query.pool);
      const { identity, bmcPassword } = body;
      refuseBmcFieldsWithoutBmc(host, body);
      const patch: HostPatch = {};
      for (const k of ['bmcAddress', 'bmcPort', 'bmcUser', 'cipherSuite', 'neverSleep', 'redfishNoEtag'] as const) if (body[k] !== undefined) Object.assign(patch, { [k]: body[k] });
      const reason = body.reason?.trim();
      if (identity !== undefined) {
        // Trusting a BMC that gives no usable serial is an admin's decision, with a reason, audited.
        if (!reason) throw new ApiError(400, 'reason_required', 'give a reason: who asked, and why', { field: 'reason' });
        patch.identity = identity;
      }
      const moved = (['bmcAddress', 'bmcPort', 'bmcUser', 'cipherSuite'] as const).some((k) => k in patch && patch[k] !== host[k]);
      if (moved) await assertBmcFree(ctx.store, { ...host, ...patch, binding: undefined });
      if (repinOnMove(host, patch)) {
        const address = patch.bmcAddress ?? host.bmcAddress;
        const port = patch.bmcPort ?? host.bmcPort;
        const fingerprint256 = await (await bmcProbes()).probeCertificate(address, port).catch((e: unknown) => {
          throw new ApiError(502, 'bmc_unreachable', `${address}:${port}: no TLS answer (${e instanceof Error ? e.message : String(e)})`);
        });
        patch.tlsPin = { fingerprint256, pinnedAt: new Date(now(ctx)).toISOString() };
      }
      const write = async () => (Object.keys(patch).length ? ctx.store.updateHost(host.poolId, host.hostId, host.version, patch) : host);
      let saved = bmcPassword ? await withNewSecret(secretsOf(ctx), host.secretRef, bmcPassword, write) : await write();
      const who = { actor: req.actor, source: req.source ?? ('api' as const), reason: reason || 'inventory' };
      // A changed BMC address (or user) is another BMC until it is read again.
      if (moved) saved = await rebindHost(bindDeps(ctx), host.poolId, host.hostId, who);
      await ctx.store.appendAudit({ poolId: host.poolId, hostId: host.hostId, actor: req.actor, source: req.source ?? 'api', reason: who.reason, action: identity === 'trust' ? 'trust BMC identity' : 'change host', result: 'ok', message: [...Object.keys(patch), ...(bmcPassword ? ['bmcPassword'] : [])].join(', ') });
      return { status: 200, body: { host: publicHost(saved, now(ctx)) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/hosts/{id}/rebind',
    role: 'admin',
    summary: "read the BMC's identity again and bind it to the host (a replaced board or BMC); a reason is required",
    params: IdParams,
    query: PoolQuery,
    body: s.RebindBody,
    responses: { 200: s.RebindAnswer },
    errors: { 409: "the BMC is another host's (same address, GUID or serial)" },
    async run(ctx, req, { params, query, body }) {
      const host = await findHost(ctx, params.id, query.pool);
      const saved = await rebindHost(bindDeps(ctx), host.poolId, host.hostId, { actor: req.actor, source: req.source ?? 'api', reason: body.reason });
      await ctx.store.closeAlert(host.poolId, 'bmc-identity', host.hostId).catch(() => false);
      return { status: 200, body: { host: publicHost(saved, now(ctx)), binding: publicBinding(saved) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/hosts/{id}/accept-certificate',
    role: 'admin',
    summary: "pin the certificate a Redfish BMC presents now, in place of the one pinned before (a renewed certificate or a replaced BMC); the BMC is bound again; a reason is required",
    params: IdParams,
    query: PoolQuery,
    body: s.AcceptCertificateBody,
    responses: { 200: s.AcceptCertificateAnswer },
    errors: { 409: 'not a Redfish host over HTTPS, or the BMC presents another certificate than the fingerprint given', 502: 'the BMC did not answer' },
    async run(ctx, req, { params, query, body }) {
      const host = await findHost(ctx, params.id, query.pool);
      if (host.bmcProtocol !== 'redfish' || host.bmcScheme === 'http') throw new ApiError(409, 'not_tls', `${host.hostId}'s BMC is not reached over Redfish HTTPS: there is no certificate to accept`);
      const presented = await (await bmcProbes()).probeCertificate(host.bmcAddress, host.bmcPort).catch((e: unknown) => {
        throw new ApiError(502, 'bmc_unreachable', `${host.hostId}'s BMC: ${e instanceof Error ? e.message : String(e)}`);
      });
      const given = body.fingerprint256?.replace(/:/g, '').toUpperCase();
      if (given !== undefined && given !== presented.replace(/:/g, '')) {
        throw new ApiError(409, 'certificate_mismatch', `${host.hostId}'s BMC presents ${presented}, not the ${body.fingerprint256} you checked: nothing was changed`);
      }
      const previous = host.tlsPin?.fingerprint256 ?? null;
      await ctx.store.updateHost(host.poolId, host.hostId, host.version, { tlsPin: { fingerprint256: presented, pinnedAt: new Date(now(ctx)).toISOString() } });
      const who = { actor: req.actor, source: req.source ?? ('api' as const), reason: body.reason };
      await ctx.store.appendAudit({ poolId: host.poolId, hostId: host.hostId, ...who, action: 'accept BMC certificate', result: 'ok', message: `${previous ?? 'none'} -> ${presented}` });
      // The new certificate may belong to another machine: read its identity again before anything is cut through it.
      const saved = await rebindHost(bindDeps(ctx), host.poolId, host.hostId, who);
      return { status: 200, body: { host: publicHost(saved, now(ctx)), previous, accepted: presented } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/hosts/{id}',
    role: 'admin',
    summary: 'remove a host from the inventory (refused while an operation holds it)',
    params: IdParams,
    query: PoolQuery,
    responses: { 200: s.DeletedAnswer },
    errors: { 409: 'an operation holds the host (busy), or it changed meanwhile' },
    async run(ctx, req, { params, query }) {
      const host = await findHost(ctx, params.id, query.pool);
      if (host.lockOperationId && (host.lockExpiresAt ?? 0) > now(ctx)) throw new ApiError(409, 'busy', `host ${host.hostId} is busy with operation ${host.lockOperationId}`, { operation: host.lockOperationId });
      await ctx.store.deleteHost(host.poolId, host.hostId, host.version);
      await ctx.store.appendAudit({ poolId: host.poolId, hostId: host.hostId, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'remove host', result: 'ok' });
      return { status: 200, body: { deleted: host.hostId } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/hosts/{id}/readings',
    role: 'viewer',
    summary: 'stored readings in a time range (?since, ?until, ?limit)',
    params: IdParams,
    query: s.ReadingsQuery,
    responses: { 200: s.ReadingsAnswer },
    invalid: { fields: { since: 'invalid_time', until: 'invalid_time' } },
    async run(ctx, _req, { params, query }) {
      const host = await findHost(ctx, params.id, query.pool);
      const since = query.since ?? new Date(now(ctx) - 86_400_000).toISOString();
      return { status: 200, body: { host: host.hostId, readings: await ctx.store.listReadings(host.hostId, { since, until: query.until, limit: query.limit }) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/hosts/{id}/sensors',
    role: 'viewer',
    summary: 'live sensor readings with their thresholds, from the BMC',
    params: IdParams,
    query: PoolQuery,
    responses: { 200: s.SensorsAnswer },
    errors: { 501: 'this deployment cannot read BMCs from the API', 502: 'the BMC did not answer' },
    async run(ctx, _req, { params, query }) {
      const { host, bmc } = await bmcOf(ctx, params.id, query.pool);
      return { status: 200, body: { host: host.hostId, sensors: await fromBmc(host.hostId, () => bmc.sensors(host)) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/hosts/{id}/sel',
    role: 'viewer',
    summary: "the BMC's event log, live",
    params: IdParams,
    query: PoolQuery,
    responses: { 200: s.SelAnswer },
    errors: { 501: 'this deployment cannot read BMCs from the API', 502: 'the BMC did not answer' },
    async run(ctx, _req, { params, query }) {
      const { host, bmc } = await bmcOf(ctx, params.id, query.pool);
      return { status: 200, body: { host: host.hostId, entries: await fromBmc(host.hostId, () => bmc.sel(host)) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/hosts/{id}/power',
    role: 'operator',
    summary: 'power on, off, soft off or cycle one host (202 with the operation; 409 busy or refused)',
    params: IdParams,
    query: PoolQuery,
    body: s.PowerBody,
    responses: { 202: s.PowerAnswer },
    errors: { 409: 'busy with another operation, or refused by the power-cut guard', 422: IDEMPOTENCY },
    invalid: { fields: { action: 'bad_action', force: 'bad_force' } },
    async run(ctx, req, { params, query, body }) {
      const host = await findHost(ctx, params.id, query.pool);
      const { operationId, created } = await requestHostPower(ctx.ops, {
        poolId: host.poolId,
        hostIds: [host.hostId],
        action: body.action,
        escalate: body.escalate === true,
        softTimeoutMs: body.softTimeoutSeconds !== undefined ? body.softTimeoutSeconds * 1000 : undefined,
        force: body.force === true,
        reason: body.reason,
        actor: req.actor,
        source: req.source ?? 'api',
        idempotencyKey: req.headers['idempotency-key'] ?? randomUUID(),
      });
      if (created) await ctx.launch(operationId);
      const op = await ctx.store.getOperation(operationId);
      return { status: 202, body: { operation: { id: operationId, state: op?.state ?? 'pending' } } };
    },
  }),
];

async function bmcOf(ctx: ApiContext, hostId: string, pool: string | undefined) {
  const host = await findHost(ctx, hostId, pool);
  if (!ctx.bmc) throw new ApiError(501, 'no_bmc_access', 'this deployment cannot read BMCs from the API');
  return { host, bmc: ctx.bmc };
}

async function fromBmc<T>(hostId: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw new ApiError(502, 'bmc_unreachable', `${hostId}'s BMC: ${e instanceof Error ? e.message : String(e)}`);
  }
}
