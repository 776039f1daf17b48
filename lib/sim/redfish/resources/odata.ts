/**
 * The OData side of the simulated service: the schema version of every resource type it serves
 * (one table, so the payloads' @odata.type and the $metadata document agree), collection and link
 * shapes, the $metadata CSDL document and the OData service document.
 */

export const ROOT = '/redfish/v1';
export const REDFISH_VERSION = '1.17.0';

/** @odata.type of each resource type served, without the leading '#'. */
export const TYPES = {
  ServiceRoot: 'ServiceRoot.v1_11_0.ServiceRoot',
  ComputerSystemCollection: 'ComputerSystemCollection.ComputerSystemCollection',
  ComputerSystem: 'ComputerSystem.v1_20_0.ComputerSystem',
  ActionInfo: 'ActionInfo.v1_3_0.ActionInfo',
  ChassisCollection: 'ChassisCollection.ChassisCollection',
  Chassis: 'Chassis.v1_21_0.Chassis',
  Thermal: 'Thermal.v1_7_1.Thermal',
  Power: 'Power.v1_7_1.Power',
  ThermalSubsystem: 'ThermalSubsystem.v1_2_0.ThermalSubsystem',
  ThermalMetrics: 'ThermalMetrics.v1_2_0.ThermalMetrics',
  FanCollection: 'FanCollection.FanCollection',
  Fan: 'Fan.v1_4_0.Fan',
  PowerSubsystem: 'PowerSubsystem.v1_1_0.PowerSubsystem',
  PowerSupplyCollection: 'PowerSupplyCollection.PowerSupplyCollection',
  PowerSupply: 'PowerSupply.v1_5_0.PowerSupply',
  EnvironmentMetrics: 'EnvironmentMetrics.v1_3_0.EnvironmentMetrics',
  SensorCollection: 'SensorCollection.SensorCollection',
  Sensor: 'Sensor.v1_7_0.Sensor',
  ManagerCollection: 'ManagerCollection.ManagerCollection',
  Manager: 'Manager.v1_17_0.Manager',
  LogServiceCollection: 'LogServiceCollection.LogServiceCollection',
  LogService: 'LogService.v1_3_0.LogService',
  LogEntryCollection: 'LogEntryCollection.LogEntryCollection',
  LogEntry: 'LogEntry.v1_13_0.LogEntry',
  SessionService: 'SessionService.v1_1_8.SessionService',
  SessionCollection: 'SessionCollection.SessionCollection',
  Session: 'Session.v1_5_0.Session',
  AccountService: 'AccountService.v1_12_0.AccountService',
  ManagerAccountCollection: 'ManagerAccountCollection.ManagerAccountCollection',
  ManagerAccount: 'ManagerAccount.v1_10_0.ManagerAccount',
  TaskService: 'TaskService.v1_2_0.TaskService',
  TaskCollection: 'TaskCollection.TaskCollection',
  Task: 'Task.v1_7_0.Task',
} as const;

export type ResourceType = keyof typeof TYPES;

export type Json = Record<string, unknown>;

export const link = (path: string): { '@odata.id': string } => ({ '@odata.id': path });

/** The common head of a resource: its id, type, Id and Name. */
export function resource(type: ResourceType, path: string, id: string, name: string, rest: Json = {}): Json {
  return { '@odata.id': path, '@odata.type': `#${TYPES[type]}`, Id: id, Name: name, ...rest };
}

export function collection(type: ResourceType, path: string, name: string, members: string[]): Json {
  return { '@odata.id': path, '@odata.type': `#${TYPES[type]}`, Name: name, Members: members.map(link), 'Members@odata.count': members.length };
}

/** Redfish DateTime: ISO 8601 to the second with an explicit offset. */
export const dateTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;

/** The $metadata document: a reference to each DMTF schema used, and the service container. */
export function metadataXml(): string {
  const refs = new Map<string, Set<string>>();
  for (const t of Object.values(TYPES)) {
    const parts = t.split('.');
    const ns = parts[0];
    const set = refs.get(ns) ?? new Set<string>();
    set.add(ns);
    if (parts.length === 3) set.add(`${ns}.${parts[1]}`);
    refs.set(ns, set);
  }
  const root = TYPES.ServiceRoot.split('.').slice(0, 2).join('.');
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">'];
  for (const [ns, includes] of [...refs].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  <edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/${ns}_v1.xml">`);
    for (const inc of includes) lines.push(`    <edmx:Include Namespace="${inc}"/>`);
    lines.push('  </edmx:Reference>');
  }
  lines.push(
    '  <edmx:DataServices>',
    '    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Service">',
    `      <EntityContainer Name="Service" Extends="${root}.ServiceContainer"/>`,
    '    </Schema>',
    '  </edmx:DataServices>',
    '</edmx:Edmx>',
    '',
  );
  return lines.join('\n');
}

/** The OData service document (/redfish/v1/odata): the service root's top-level resources. */
export function serviceDocument(): Json {
  const top = ['Systems', 'Chassis', 'Managers', 'SessionService', 'AccountService', 'TaskService'];
  return {
    '@odata.context': `${ROOT}/$metadata`,
    value: [{ name: 'Service', kind: 'Singleton', url: `${ROOT}/` }, ...top.map((name) => ({ name, kind: 'Singleton', url: `${ROOT}/${name}` })), { name: 'Sessions', kind: 'Singleton', url: `${ROOT}/SessionService/Sessions` }],
  };
}

/** Where one BMC's system, chassis and manager live. */
export interface ResourcePaths {
  system: string;
  chassis: string;
  manager: string;
}

export function resourcePaths(ids: { system: string; chassis: string; manager: string }): ResourcePaths {
  return { system: `${ROOT}/Systems/${ids.system}`, chassis: `${ROOT}/Chassis/${ids.chassis}`, manager: `${ROOT}/Managers/${ids.manager}` };
}
