/**
 * The Systems collection and the one ComputerSystem a simulated BMC manages: identity from the
 * machine's (the IPMI simulator's serials and GUID for the same name), PowerState over time,
 * PowerRestorePolicy / AssetTag / Boot writable under an ETag, and ComputerSystem.Reset, with its
 * reset types listed inline or, on the OpenBMC variant, in an ActionInfo resource, answered with
 * 204 or, on the async variant, with 202 and a task monitor.
 */
import { canonicalGuid } from '../../../ipmi/index.ts';
import { SIM_MANUFACTURER, SIM_PRODUCT_NAME } from '../../ipmi/identity.ts';
import { errors } from '../errors.ts';
import { isResetType, PowerBusyError, type ResetOutcome, type ResetType } from '../power-state.ts';
import { noContent, ok, type Reply, type RedfishRequest, type Route } from '../router.ts';
import { BOOT_ENABLED, BOOT_MODES, BOOT_TARGETS, RESTORE_POLICIES, type RedfishBmcState, type SystemSettings } from '../state.ts';
import { collection, link, resource, resourcePaths, ROOT, type Json } from './odata.ts';
import { logServiceRoutes } from './logs.ts';
import { taskJson, taskPaths } from './tasks.ts';

/** Reset types the generic variant lists (ResetType@Redfish.AllowableValues). */
export const GENERIC_RESET_TYPES: readonly ResetType[] = ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'PushPowerButton', 'PowerCycle'];
/** Reset types OpenBMC's bmcweb lists in /redfish/v1/Systems/system/ResetActionInfo. */
export const OPENBMC_RESET_TYPES: readonly ResetType[] = ['On', 'ForceOff', 'ForceOn', 'ForceRestart', 'GracefulRestart', 'GracefulShutdown', 'PowerCycle', 'Nmi'];

export const resetTypesOf = (state: RedfishBmcState): readonly ResetType[] => (state.o.variant === 'openbmc' ? OPENBMC_RESET_TYPES : GENERIC_RESET_TYPES);

const WRITABLE = ['PowerRestorePolicy', 'AssetTag', 'Boot'];
const READ_ONLY = ['@odata.id', '@odata.type', 'Id', 'Name', 'PowerState', 'SerialNumber', 'UUID', 'Manufacturer', 'Model', 'PartNumber', 'SystemType', 'HostName', 'BiosVersion', 'Status', 'ProcessorSummary', 'MemorySummary', 'Links', 'Actions', 'LogServices'];

function systemJson(state: RedfishBmcState): Json {
  const p = resourcePaths(state.o.ids);
  const id = state.identity;
  const s = state.settings;
  const reset: Json = { target: `${p.system}/Actions/ComputerSystem.Reset` };
  if (state.o.variant === 'openbmc') reset['@Redfish.ActionInfo'] = `${p.system}/ResetActionInfo`;
  else reset['ResetType@Redfish.AllowableValues'] = [...resetTypesOf(state)];
  return resource('ComputerSystem', p.system, state.o.ids.system, 'System', {
    SystemType: 'Physical',
    HostName: state.name,
    Manufacturer: SIM_MANUFACTURER,
    Model: SIM_PRODUCT_NAME,
    SerialNumber: id.productSerial,
    PartNumber: 'LPSIM-1U',
    UUID: canonicalGuid(id.guid),
    AssetTag: s.assetTag,
    BiosVersion: 'LPSIM-BIOS 1.0',
    PowerState: state.power.state,
    PowerRestorePolicy: s.powerRestorePolicy,
    Status: { State: 'Enabled', Health: 'OK' },
    Boot: {
      BootSourceOverrideEnabled: s.boot.enabled,
      BootSourceOverrideTarget: s.boot.target,
      BootSourceOverrideMode: s.boot.mode,
      'BootSourceOverrideTarget@Redfish.AllowableValues': [...BOOT_TARGETS],
    },
    ProcessorSummary: { Count: 2, Model: 'lowpower simulated CPU', Status: { State: 'Enabled', Health: 'OK' } },
    MemorySummary: { TotalSystemMemoryGiB: 256, Status: { State: 'Enabled', Health: 'OK' } },
    LogServices: link(`${p.system}/LogServices`),
    Links: { Chassis: [link(p.chassis)], ManagedBy: [link(p.manager)] },
    Actions: { '#ComputerSystem.Reset': reset },
  });
}

const getSystem = (state: RedfishBmcState): Reply => ok(systemJson(state), { ETag: state.systemEtag, Allow: 'GET, PATCH' });

function oneOf<T extends string>(list: readonly T[], value: unknown, property: string): T {
  if (typeof value !== 'string' || !(list as readonly string[]).includes(value)) throw errors.propertyValueNotInList(String(JSON.stringify(value)), property);
  return value as T;
}

/** The settings a PATCH body asks for, every property checked before any is applied. */
function patchedSettings(current: SystemSettings, body: unknown): SystemSettings {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.malformedJson();
  const next: SystemSettings = { ...current, boot: { ...current.boot } };
  for (const [key, value] of Object.entries(body)) {
    if (!WRITABLE.includes(key)) throw READ_ONLY.includes(key) ? errors.propertyNotWritable(key) : errors.propertyUnknown(key);
    if (key === 'PowerRestorePolicy') next.powerRestorePolicy = oneOf(RESTORE_POLICIES, value, key);
    else if (key === 'AssetTag') {
      if (typeof value !== 'string' || value.length > 64) throw errors.propertyValueNotInList(String(JSON.stringify(value)), key);
      next.assetTag = value;
    } else {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw errors.propertyValueNotInList(String(JSON.stringify(value)), key);
      for (const [bk, bv] of Object.entries(value)) {
        if (bk === 'BootSourceOverrideTarget') next.boot.target = oneOf(BOOT_TARGETS, bv, `Boot/${bk}`);
        else if (bk === 'BootSourceOverrideEnabled') next.boot.enabled = oneOf(BOOT_ENABLED, bv, `Boot/${bk}`);
        else if (bk === 'BootSourceOverrideMode') next.boot.mode = oneOf(BOOT_MODES, bv, `Boot/${bk}`);
        else throw errors.propertyUnknown(`Boot/${bk}`);
      }
    }
  }
  return next;
}

function patchSystem(state: RedfishBmcState, req: RedfishRequest): Reply {
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined) {
    const given = ifMatch.split(',').map((t) => t.trim());
    if (!given.includes('*') && !given.includes(state.systemEtag)) throw errors.preconditionFailed();
  }
  state.settings = patchedSettings(state.settings, req.body);
  return getSystem(state);
}

function resetSystem(state: RedfishBmcState, req: RedfishRequest): Reply {
  const action = 'ComputerSystem.Reset';
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.actionParameterMissing(action, 'ResetType');
  const type = (body as Record<string, unknown>).ResetType;
  if (type === undefined) throw errors.actionParameterMissing(action, 'ResetType');
  if (!isResetType(type) || !resetTypesOf(state).includes(type)) throw errors.actionParameterValueNotInList(String(type), 'ResetType', action);
  let outcome: ResetOutcome;
  if (state.faults.resetIgnored) {
    outcome = { settlesAt: state.o.clock.now(), effect: 'none' };
  } else {
    try {
      outcome = state.power.reset(type);
    } catch (e) {
      if (e instanceof PowerBusyError) throw errors.resourceInUse(e.message);
      throw e;
    }
    if (outcome.effect === 'nmi') state.log.add({ message: 'NMI: a diagnostic interrupt was sent to the system', severity: 'Warning', sensorType: 'Critical Interrupt', entryCode: 'Assert' });
  }
  if (!state.o.asyncReset) return noContent();
  const task = state.tasks.create(type, req.path, outcome);
  // No Retry-After: sushy 4.3.3 sleeps on its raw text and redfishtool 1.1.5 fails on a date; both wait 1 s without it.
  return { status: 202, body: taskJson(state, task), headers: { Location: taskPaths(task.id).monitor } };
}

function resetActionInfo(state: RedfishBmcState): Reply {
  const p = resourcePaths(state.o.ids);
  return ok(
    resource('ActionInfo', `${p.system}/ResetActionInfo`, 'ResetActionInfo', 'Reset Action Info', {
      Parameters: [{ Name: 'ResetType', Required: true, DataType: 'String', AllowableValues: [...resetTypesOf(state)] }],
    }),
  );
}

export function systemRoutes(state: RedfishBmcState): Route[] {
  const p = resourcePaths(state.o.ids);
  return [
    { path: `${ROOT}/Systems`, handlers: { GET: () => ok(collection('ComputerSystemCollection', `${ROOT}/Systems`, 'Computer System Collection', [p.system])) } },
    { path: p.system, handlers: { GET: getSystem, PATCH: patchSystem } },
    { path: `${p.system}/Actions/ComputerSystem.Reset`, handlers: { POST: resetSystem } },
    { path: `${p.system}/ResetActionInfo`, handlers: { GET: resetActionInfo } },
    ...logServiceRoutes(p.system),
  ];
}
