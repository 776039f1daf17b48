/**
 * Reading a host's binding (I/O around the pure rules of binding.ts): the BMC's identity through
 * the power driver, the host's serials from XAPI, compared, checked against every other host of
 * every pool (one BMC may not serve two hosts), stored and audited. Also the check right before a
 * cut: the stored binding, the BMC's GUID as it answers now, and XAPI's host of that name still
 * being the machine it was bound as.
 */
import type { Hypervisor } from '../xen/index.ts';
import type { HostRepository, PoolRepository } from '../store/index.ts';
import type { Store } from '../store/index.ts';
import type { ActionSource, BmcIdentityRecord, Host, HostBinding, Pool } from '../store/index.ts';
import type { BmcHost, PowerDriver } from './power-driver.ts';
import { bindingRefusal, bmcAtOf, decideBinding, describeIdentity, sameBmcAs, xapiHostChanged } from './binding.ts';
import { errorText } from './step-machine.ts';
import type { Log } from '../util/index.ts';

export interface BindDeps {
  store: Store;
  driver: PowerDriver;
  hypervisorFor?(pool: Pool): Promise<Hypervisor>;
  now?: () => number;
  log?: Log;
}

/** The BMC is another host's already: 409 at the API. */
export class BmcTakenError extends Error {
  constructor(
    readonly hostId: string,
    readonly otherPoolId: string,
    readonly otherHostId: string,
    readonly by: string,
  ) {
    super(`the BMC given for ${hostId} is already ${otherHostId}'s (pool ${otherPoolId}): ${by}`);
  }
}

type BmcFields = BmcHost;

/** Read both sides and compare; an unreadable side makes the binding unverified, saying why. */
export async function readBinding(deps: BindDeps, host: BmcFields): Promise<HostBinding> {
  const at = new Date((deps.now ?? Date.now)()).toISOString();
  const bmcAt = bmcAtOf(host);
  let bmc: BmcIdentityRecord;
  try {
    bmc = await deps.driver.identity(host);
  } catch (e) {
    return { state: 'unverified', why: `could not read the identity of the BMC at ${bmcAt}: ${errorText(e)}`, checkedAt: at, bmcAt, bmc: { protocol: host.bmcProtocol ?? 'ipmi' }, xapi: {} };
  }
  const pool = await deps.store.getPool(host.poolId);
  let xapi: HostBinding['xapi'] = {};
  try {
    if (!pool || !deps.hypervisorFor) throw new Error('no XAPI is configured for the pool');
    const xen = (await (await deps.hypervisorFor(pool)).hosts()).find((h) => h.hostId === host.hostId);
    if (!xen) throw new Error(`XAPI knows no host named ${host.hostId}`);
    xapi = { uuid: xen.uuid || undefined, serial: xen.serial, boardSerial: xen.boardSerial };
  } catch (e) {
    return { state: 'unverified', why: `could not read ${host.hostId}'s serials from XAPI: ${errorText(e)}`, checkedAt: at, bmcAt, bmc, xapi };
  }
  // No BMC: power goes through XAPI's own record of this very host, so there is nothing to mix up.
  if (bmc.protocol === 'xapi') return { state: 'bound', why: `${host.hostId} has no BMC: power goes through XAPI's own host record (host.power_on, host.shutdown)`, checkedAt: at, bmcAt, bmc, xapi };
  return decideBinding(host.hostId, bmcAt, bmc, xapi, at);
}

/** Every host of every pool: one BMC may not serve two hosts, in one pool or across pools. */
async function allHosts(store: PoolRepository & HostRepository): Promise<Host[]> {
  const pools = await store.listPools();
  return (await Promise.all(pools.map((p) => store.listHosts(p.poolId)))).flat();
}

/** Refuse a BMC (by address, GUID or serial) that another host already has. */
export async function assertBmcFree(store: PoolRepository & HostRepository, candidate: BmcFields & { binding?: HostBinding }): Promise<void> {
  const other = sameBmcAs(candidate, await allHosts(store));
  if (other) throw new BmcTakenError(candidate.hostId, other.host.poolId, other.host.hostId, other.by);
}

export interface Who {
  actor: string;
  source: ActionSource;
  reason: string;
}

/**
 * Read the binding of a stored host again and save it (an added host, a changed BMC address, an
 * admin's rebind after a board or BMC replacement). Audited with what was found.
 */
export async function rebindHost(deps: BindDeps, poolId: string, hostId: string, who: Who): Promise<Host> {
  const host = await deps.store.getHost(poolId, hostId);
  if (!host) throw new Error(`host ${hostId} is not in pool ${poolId}`);
  const binding = await readBinding(deps, host);
  await assertBmcFree(deps.store, { ...host, binding });
  const fresh = (await deps.store.getHost(poolId, hostId)) ?? host;
  const saved = await deps.store.updateHost(poolId, hostId, fresh.version, { binding });
  await deps.store.appendAudit({ poolId, hostId, actor: who.actor, source: who.source, reason: who.reason, action: 'bind BMC', result: binding.state === 'bound' ? 'ok' : 'refused', message: `${binding.state}: ${binding.why}` });
  deps.log?.('bmc-binding', { host: hostId, state: binding.state, why: binding.why });
  return saved;
}

/**
 * Right before a cut through the host's BMC: the stored binding must be bound (or trusted), and
 * the BMC must still answer with the GUID it was bound with. A changed GUID turns the binding into
 * a mismatch (stored, alerted). The answer is why not, or undefined.
 */
export async function bmcCutRefusal(deps: BindDeps, host: Host): Promise<string | undefined> {
  const stored = bindingRefusal(host);
  if (stored) return stored.why;
  return (await guidChangedRefusal(deps, host)) ?? (await xapiHostChangedRefusal(deps, host));
}

/**
 * XAPI's host of this name must be the machine the binding was read with: every XAPI check before
 * a cut (VMs, master, HA) asks XAPI by name, and the BMC cuts the bound machine. A renamed host
 * turns the binding into a mismatch (stored, alerted). When XAPI cannot be asked this says
 * nothing: the power guard refuses then, and only a person's force goes past it.
 */
async function xapiHostChangedRefusal(deps: BindDeps, host: Host): Promise<string | undefined> {
  const b = host.binding as HostBinding;
  if (b.bmc.protocol === 'xapi' || !deps.hypervisorFor) return undefined;
  const pool = await deps.store.getPool(host.poolId);
  if (!pool) return undefined;
  let hosts;
  try {
    hosts = await (await deps.hypervisorFor(pool)).hosts();
  } catch {
    return undefined;
  }
  const changed = xapiHostChanged(host.hostId, b.xapi, hosts);
  if (!changed) return undefined;
  const why = `${changed}; rebind ${host.hostId} once its XAPI name and its BMC are one machine again`;
  const fresh = await deps.store.getHost(host.poolId, host.hostId);
  if (fresh) {
    const binding: HostBinding = { ...b, state: 'mismatch', why: changed, checkedAt: new Date((deps.now ?? Date.now)()).toISOString() };
    await deps.store.updateHost(host.poolId, host.hostId, fresh.version, { binding }).catch(() => undefined);
  }
  await deps.store.openAlert({ poolId: host.poolId, hostId: host.hostId, kind: 'bmc-identity', message: why }).catch(() => undefined);
  deps.log?.('bmc-binding', { host: host.hostId, state: 'mismatch', why });
  return why;
}

/**
 * Before a power-on: a BMC known to be another machine's is not used (it would start the wrong
 * server, and the wake would wait for a host that never comes). An unverified binding may power
 * on: switching a machine on cuts nothing.
 */
export async function bmcOnRefusal(deps: BindDeps, host: Host): Promise<string | undefined> {
  const b = host.binding;
  if (!b) return undefined;
  if (b.state === 'mismatch') return `${b.why}; fix the BMC address, or rebind after a board or BMC replacement`;
  if (b.bmcAt !== bmcAtOf(host)) return `${host.hostId}'s BMC address changed from ${b.bmcAt} to ${bmcAtOf(host)} since it was bound (rebind it)`;
  return b.state === 'bound' ? guidChangedRefusal(deps, host) : undefined;
}

/** The BMC must still answer with the GUID it was bound with; a changed one is stored as a mismatch and alerted. */
async function guidChangedRefusal(deps: BindDeps, host: Host): Promise<string | undefined> {
  const b = host.binding as HostBinding;
  if (!b.bmc.guid) return undefined;
  let now: string | undefined;
  try {
    now = await deps.driver.guid(host);
  } catch (e) {
    return `cannot confirm the identity of ${host.hostId}'s BMC at ${b.bmcAt}: ${errorText(e)}`;
  }
  if (now === undefined || now.toLowerCase() === b.bmc.guid.toLowerCase()) return undefined;
  const why = `the BMC at ${b.bmcAt} now answers with GUID ${now}, but it was bound to ${host.hostId} with ${describeIdentity(b.bmc)}: another machine answers there`;
  const fresh = await deps.store.getHost(host.poolId, host.hostId);
  if (fresh) {
    const binding: HostBinding = { ...b, state: 'mismatch', why, checkedAt: new Date((deps.now ?? Date.now)()).toISOString() };
    await deps.store.updateHost(host.poolId, host.hostId, fresh.version, { binding }).catch(() => undefined);
  }
  await deps.store.openAlert({ poolId: host.poolId, hostId: host.hostId, kind: 'bmc-identity', message: why }).catch(() => undefined);
  return why;
}
