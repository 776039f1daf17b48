/**
 * Where things are on this BMC, found by following its links rather than assuming paths (Dell,
 * HPE, Lenovo and OpenBMC all name them differently): the computer system (the first member of
 * /Systems, or the one asked for), its chassis (`Links.Chassis`, else the first /Chassis member), its
 * manager (`Links.ManagedBy`, else the first /Managers member), and the reset action with the reset
 * types it accepts (`ResetType@Redfish.AllowableValues`, or the parameters of its ActionInfo).
 */
import type { RedfishClient } from './client.ts';
import { memberLinks } from './collection.ts';
import { RedfishHttpError, RedfishNotSupportedError } from './errors.ts';
import { arr, at, link, links, obj, str, strings, type JsonObject } from './json.ts';

export interface ResetAction {
  /** The action's target path. */
  target: string;
  /** The reset types the BMC offers, or null when it does not say. */
  types: string[] | null;
  /** Where the types came from. */
  source: 'AllowableValues' | 'ActionInfo' | 'none';
}

export interface Topology {
  systemPath: string;
  chassisPath?: string;
  managerPath?: string;
  reset?: ResetAction;
}

export interface DiscoveryOptions {
  /** The system's Id or path, when the BMC has more than one. */
  systemId?: string;
  /** The chassis's Id or path, instead of the system's first linked chassis. */
  chassisId?: string;
}

const lastSegment = (p: string): string => p.replace(/\/+$/, '').split('/').pop() ?? p;

/** The member whose Id (last path segment) or path is `want`. */
function pick(members: string[], want: string | undefined, what: string, bmc: string): string | undefined {
  if (want === undefined) return members[0];
  const found = members.find((m) => m === want || lastSegment(m) === want);
  if (!found) throw new RedfishNotSupportedError(`${bmc}: no ${what} '${want}' (it has: ${members.map(lastSegment).join(', ') || 'none'})`);
  return found;
}

/** The reset action of a ComputerSystem, with its allowed reset types read where the BMC keeps them. */
export async function resetAction(c: RedfishClient, system: JsonObject): Promise<ResetAction | undefined> {
  const action = obj(at(system, 'Actions', '#ComputerSystem.Reset'));
  const target = str(action?.target);
  if (!action || !target) return undefined;
  const path = c.path(target);
  const allowable = action['ResetType@Redfish.AllowableValues'];
  if (Array.isArray(allowable)) return { target: path, types: strings(allowable), source: 'AllowableValues' };
  const info = str(action['@Redfish.ActionInfo']);
  if (info) {
    try {
      const ai = await c.getObject(c.path(info));
      const param = arr(ai.Parameters).find((p) => str(obj(p)?.Name) === 'ResetType');
      const values = obj(param)?.AllowableValues;
      if (Array.isArray(values)) return { target: path, types: strings(values), source: 'ActionInfo' };
    } catch (e) {
      // An ActionInfo link that leads nowhere leaves the types unknown; the reset itself may still work.
      if (!(e instanceof RedfishHttpError) || (e.status !== 404 && e.status !== 501)) throw e;
    }
  }
  return { target: path, types: null, source: 'none' };
}

export async function discover(c: RedfishClient, o: DiscoveryOptions = {}): Promise<Topology & { system: JsonObject }> {
  const root = await c.serviceRoot();
  const systems = link(root.Systems);
  if (!systems) throw new RedfishNotSupportedError(`${c.label}: the service root has no Systems collection`);
  const systemPath = pick(await memberLinks(c, c.path(systems)), o.systemId, 'system', c.label);
  if (!systemPath) throw new RedfishNotSupportedError(`${c.label}: the Systems collection is empty`);
  const system = await c.getObject(c.path(systemPath));

  const firstOf = async (collection: unknown): Promise<string[]> => {
    const p = link(collection);
    return p ? memberLinks(c, c.path(p)) : [];
  };
  let chassisPath: string | undefined;
  if (o.chassisId !== undefined) chassisPath = pick(await firstOf(root.Chassis), o.chassisId, 'chassis', c.label);
  else chassisPath = links(at(system, 'Links', 'Chassis'))[0] ?? (await firstOf(root.Chassis))[0];
  const managerPath = links(at(system, 'Links', 'ManagedBy'))[0] ?? (await firstOf(root.Managers))[0];

  return {
    systemPath: c.path(systemPath),
    chassisPath: chassisPath ? c.path(chassisPath) : undefined,
    managerPath: managerPath ? c.path(managerPath) : undefined,
    reset: await resetAction(c, system),
    system,
  };
}
