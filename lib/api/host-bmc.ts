/**
 * How a new host's BMC is reached, for POST /v1/hosts: the protocol asked for or found by `auto`,
 * the port, the certificate pinned before a credential goes out; and a host with no usable BMC
 * (protocol xapi), reached through its pool's XAPI alone.
 */
import type { BmcProtocol, Host, HostInput, Pool } from '../store/index.ts';
import type { PoolOpsDeps } from '../ops/index.ts';
import { readBinding } from '../ops/index.ts';
import { isLoopback } from '../util/index.ts';
import { ApiError } from './errors.ts';
import { publicHost } from './helpers.ts';
import type { ApiContext, ApiRequest } from './types.ts';
import { bindDeps } from './bind-deps.ts';

const now = (ctx: { now?: () => number }): number => (ctx.now ?? Date.now)();

/**
 * The BMC probes (protocol discovery, the certificate a BMC presents), imported on first use: they
 * bring the IPMI and Redfish clients, which a Lambda compiles only for a request that needs them.
 */
export const bmcProbes = () => import('../onboard/index.ts');

export type Reach = Pick<HostInput, 'bmcPort' | 'bmcProtocol' | 'bmcProtocolFound' | 'bmcScheme' | 'tlsPin'> & { bmcProtocol: BmcProtocol };

/**
 * How a new host's BMC is reached: the protocol asked for, or the one `auto` finds (the Redfish
 * service root first, then the IPMI presence ping: nothing with credentials), its port, and for
 * Redfish the certificate pinned now, before a credential goes to the BMC (trust on first use).
 */
export async function bmcReach(body: { protocol?: 'ipmi' | 'redfish' | 'auto' | 'xapi'; bmcAddress: string; bmcPort?: number; bmcScheme?: 'https' | 'http' }): Promise<Reach> {
  const scheme = body.bmcScheme ?? 'https';
  if (scheme === 'http' && !isLoopback(body.bmcAddress)) throw new ApiError(400, 'invalid_host', 'bmcScheme http is allowed only to a loopback address: a BMC password never crosses a network in clear', { field: 'bmcScheme' });
  let protocol: BmcProtocol = body.protocol === 'redfish' ? 'redfish' : 'ipmi';
  let found: Reach['bmcProtocolFound'];
  if (body.protocol === 'auto') {
    const r = await (await bmcProbes()).probeProtocol(body.bmcAddress, { redfishPort: body.bmcPort, redfishScheme: scheme, ipmiPort: body.bmcPort });
    if (r.protocol === 'none') throw new ApiError(502, 'no_bmc', `no BMC answered at ${body.bmcAddress}: tried the ${r.tried.join(' and the ')}`);
    protocol = r.protocol;
    found = { by: 'auto', at: new Date().toISOString() };
  }
  if (protocol === 'ipmi') return { bmcProtocol: 'ipmi', bmcPort: body.bmcPort ?? 623, bmcProtocolFound: found };
  const port = body.bmcPort ?? (scheme === 'https' ? 443 : 80);
  if (scheme === 'http') return { bmcProtocol: 'redfish', bmcPort: port, bmcScheme: 'http', bmcProtocolFound: found };
  const fingerprint256 = await (await bmcProbes()).probeCertificate(body.bmcAddress, port).catch((e: unknown) => {
    throw new ApiError(502, 'bmc_unreachable', `${body.bmcAddress}:${port}: no TLS answer (${e instanceof Error ? e.message : String(e)})`);
  });
  return { bmcProtocol: 'redfish', bmcPort: port, bmcScheme: 'https', bmcProtocolFound: found, tlsPin: { fingerprint256, pinnedAt: new Date().toISOString() } };
}


/**
 * A host without a usable BMC: nothing to reach but the pool's XAPI, which must know the host.
 * Its "BMC" fields name the host's management address and the pool's own XAPI credentials, so
 * the one-BMC-per-host rule and the records keep their shape; no password is taken.
 */
export async function addXapiHost(ctx: ApiContext, req: ApiRequest, pool: Pool, body: { id: string; neverSleep?: boolean }): Promise<{ status: 201; body: { host: ReturnType<typeof publicHost> } }> {
  const hypervisorFor = (ctx.ops as Partial<PoolOpsDeps>).hypervisorFor;
  if (!hypervisorFor) throw new ApiError(501, 'no_xapi', 'this deployment cannot reach XAPI');
  const hv = await hypervisorFor(pool);
  const xen = await hv.hostIdentity(body.id).catch((e: unknown) => {
    throw new ApiError(409, 'unknown_to_xapi', `XAPI of pool ${pool.poolId} has no host named ${body.id}: ${e instanceof Error ? e.message : String(e)}`);
  });
  const mode = await hv.hostPowerOnMode(body.id).catch(() => '');
  const candidate = { poolId: pool.poolId, hostId: body.id, bmcAddress: xen.address || body.id, bmcPort: 443, bmcUser: pool.xapiUser ?? 'root', secretRef: pool.secretRef, cipherSuite: 17, bmcProtocol: 'xapi' as const };
  const binding = await readBinding(bindDeps(ctx), candidate);
  const created = await ctx.store.createHost({ ...candidate, power: 'unknown', neverSleep: body.neverSleep, sleepState: 'awake', binding });
  const warning = mode ? `power on through XAPI's ${mode} mode` : "XAPI's power_on_mode is empty for this host: it cannot be woken until a mode (wake-on-lan, DRAC, iLO) is set in the pool";
  await ctx.store.appendAudit({ poolId: pool.poolId, hostId: body.id, actor: req.actor, source: req.source ?? 'api', reason: 'inventory', action: 'add host', result: 'ok', message: `no BMC: ${warning}` });
  return { status: 201, body: { host: publicHost(created, now(ctx)) } };
}

/** The BMC fields a host change may carry. */
const BMC_FIELDS = ['bmcAddress', 'bmcPort', 'bmcUser', 'bmcPassword', 'cipherSuite', 'redfishNoEtag'] as const;

/**
 * A host reached through XAPI only has no BMC fields to change: its "BMC" is the pool's XAPI, and
 * its secret is the pool's XAPI password (changed on the pool). 400 naming the first one given.
 */
export function refuseBmcFieldsWithoutBmc(host: Pick<Host, 'hostId' | 'poolId' | 'bmcProtocol'>, body: Partial<Record<(typeof BMC_FIELDS)[number], unknown>>): void {
  if (host.bmcProtocol !== 'xapi') return;
  const field = BMC_FIELDS.find((k) => body[k] !== undefined);
  if (field) throw new ApiError(400, 'no_bmc', `${host.hostId} has no BMC (it is reached through XAPI only): ${field} cannot be set; the XAPI password is the pool's (PATCH /v1/pools/${host.poolId})`, { field });
}

/**
 * A Redfish BMC over HTTPS (pinned, not verified against a CA) given a new address or port: it is
 * another server, whose certificate is pinned afresh. Address and port compare apart (joined, as
 * text, 10.0.0.1 port 1623 and 10.0.0.11 port 623 read the same).
 */
export function repinOnMove(host: Pick<Host, 'bmcProtocol' | 'bmcScheme' | 'tlsPin' | 'bmcAddress' | 'bmcPort'>, patch: { bmcAddress?: string; bmcPort?: number }): boolean {
  if (host.bmcProtocol !== 'redfish' || host.bmcScheme === 'http' || host.tlsPin?.ca === true) return false;
  return (patch.bmcAddress ?? host.bmcAddress) !== host.bmcAddress || (patch.bmcPort ?? host.bmcPort) !== host.bmcPort;
}
