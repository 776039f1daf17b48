/** Small pieces every route uses: roles, pools and hosts by id, the public views of hosts; a raw body for routes without a schema. */
import type { Host, Pool } from '../store/index.ts';
import type { Secrets } from '../store/index.ts';
import { ApiError } from './errors.ts';
import { SecretNotFoundError, StoreValidationError } from '../store/index.ts';
import type { ApiContext, ApiRequest } from './types.ts';
import { ROLES, type Role } from './roles.ts';
import { bindingView } from '../ops/index.ts';

export function requireRole(req: ApiRequest, role: Role): void {
  if (ROLES.indexOf(req.role) < ROLES.indexOf(role)) throw new ApiError(403, 'forbidden', `${req.method} ${req.path} needs the ${role} role; you have ${req.role}`);
}

/** A route without a body schema (the local runner's simulator controls) reads its body as an object with this. */
export function objectBody(req: ApiRequest): Record<string, unknown> {
  if (req.body === undefined) return {};
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw new ApiError(400, 'bad_json', 'the body must be a JSON object');
  return req.body as Record<string, unknown>;
}

/** The pool a request names, or the only pool there is. */
export async function poolOf(ctx: ApiContext, named: string | undefined): Promise<Pool> {
  if (named) {
    const pool = await ctx.store.getPool(named);
    if (!pool) throw new ApiError(404, 'unknown_pool', `no pool ${named}`);
    return pool;
  }
  const pools = await ctx.store.listPools();
  if (pools.length === 1) return pools[0];
  throw new ApiError(400, 'pool_required', pools.length === 0 ? 'there are no pools yet' : `name the pool (?pool=...): one of ${pools.map((p) => p.poolId).join(', ')}`);
}

export async function findHost(ctx: ApiContext, hostId: string, pool?: string): Promise<Host> {
  const pools = pool ? [pool] : (await ctx.store.listPools()).map((p) => p.poolId);
  // One read per pool, at once; an id the store refuses is simply not there, other failures are not a 404.
  const found = await Promise.all(
    pools.map((p) =>
      ctx.store.getHost(p, hostId).catch((e: unknown) => {
        if (e instanceof StoreValidationError) return undefined;
        throw e;
      }),
    ),
  );
  const host = found.find((h) => h !== undefined);
  if (host) return host;
  throw new ApiError(404, 'unknown_host', `no host ${hostId}${pool ? ` in pool ${pool}` : ''}`);
}

export function publicHost(h: Host, now = Date.now()) {
  // The secret reference stays inside; a lock shows as the operation holding it.
  return {
    id: h.hostId,
    pool: h.poolId,
    bmc: `${h.bmcAddress}:${h.bmcPort}`,
    protocol: h.bmcProtocol ?? ('ipmi' as const),
    tls: h.bmcProtocol === 'redfish' ? { fingerprint256: h.tlsPin?.fingerprint256 ?? null, pinnedAt: h.tlsPin?.pinnedAt ?? null, ca: h.tlsPin?.ca === true } : null,
    power: h.power,
    powerObservedAt: h.powerObservedAt ?? null,
    powerSource: h.powerSource ?? null,
    xenState: h.xenState ?? null,
    isMaster: h.isMaster === true,
    operation: h.lockOperationId && (h.lockExpiresAt ?? 0) > now ? h.lockOperationId : null,
    binding: publicBinding(h),
    awaitingEnable: h.awaitingEnable ?? null,
  };
}

/** The binding as the API shows it: state (bound, mismatch, unverified, trusted, unbound), why, what each side said. */
export function publicBinding(h: Host) {
  const b = h.binding;
  return {
    state: bindingView(h),
    why: b?.why ?? 'the BMC has not been read yet',
    checkedAt: b?.checkedAt ?? null,
    identity: h.identity ?? 'verify',
    bmc: b ? { at: b.bmcAt, protocol: b.bmc.protocol, guid: b.bmc.guid ?? null, productSerial: b.bmc.productSerial ?? null, chassisSerial: b.bmc.chassisSerial ?? null, boardSerial: b.bmc.boardSerial ?? null } : null,
    xapi: b ? { serial: b.xapi.serial ?? null, boardSerial: b.xapi.boardSerial ?? null } : null,
    restorePolicy: h.restorePolicy ?? null,
  };
}

export function secretsOf(ctx: ApiContext): Secrets {
  if (!ctx.secrets) throw new ApiError(501, 'no_secrets', 'this deployment cannot store BMC credentials');
  return ctx.secrets;
}

/**
 * Put a new secret, then make the write that goes with it; when that write fails (it lost a
 * version race, the table is away), the secret is put back as it was, so a refused request changes
 * nothing. Put back only while it still holds this request's value: a request that won the race
 * and put its own keeps it (a window of one read remains). A secret that cannot be read first is
 * not replaced at all; one there was none of before stays (the port has no delete): it is unused.
 */
export async function withNewSecret<T>(secrets: Secrets, ref: string, value: string, write: () => Promise<T>): Promise<T> {
  const previous = await secrets.get(ref).catch((e: unknown) => {
    if (e instanceof SecretNotFoundError) return undefined;
    throw e;
  });
  await secrets.put(ref, value);
  try {
    return await write();
  } catch (e) {
    if (previous !== undefined && previous !== value && (await secrets.get(ref).catch(() => undefined)) === value) await secrets.put(ref, previous).catch(() => undefined);
    throw e;
  }
}
