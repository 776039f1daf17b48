/**
 * LogServices/SEL under a manager and under the system (the same event log, as BMCs show their SEL
 * in both places): the service, its entries (EntryType SEL, with sensor type and Assert or
 * Deassert) and ClearLog. The sensors are read first, so threshold crossings are in the log
 * even when nobody asked for a temperature since.
 */
import type { LogEntry } from '../event-log.ts';
import { LOG_CAPACITY } from '../event-log.ts';
import { errors } from '../errors.ts';
import { noContent, ok, type Reply, type RedfishRequest, type Route } from '../router.ts';
import type { RedfishBmcState } from '../state.ts';
import { collection, dateTime, link, resource, type Json } from './odata.ts';

function entryJson(base: string, e: LogEntry): Json {
  return resource('LogEntry', `${base}/Entries/${e.id}`, String(e.id), `Log Entry ${e.id}`, {
    EntryType: 'SEL',
    Created: dateTime(e.created),
    Message: e.message,
    Severity: e.severity,
    SensorType: e.sensorType,
    ...(e.sensorNumber !== undefined ? { SensorNumber: e.sensorNumber } : {}),
    EntryCode: e.entryCode,
  });
}

export function logServiceRoutes(owner: string): Route[] {
  const services = `${owner}/LogServices`;
  const sel = `${services}/SEL`;
  const entries = (state: RedfishBmcState): Reply => {
    state.readSensors();
    const list = state.log.entries().map((e) => entryJson(sel, e));
    return ok({ ...collection('LogEntryCollection', `${sel}/Entries`, 'System Event Log Entries', []), Members: list, 'Members@odata.count': list.length });
  };
  const entry = (state: RedfishBmcState, req: RedfishRequest): Reply => {
    state.readSensors();
    const e = /^\d+$/.test(req.params.entry) ? state.log.get(Number(req.params.entry)) : undefined;
    if (!e) throw errors.notFound(req.path);
    return ok(entryJson(sel, e));
  };
  return [
    { path: services, handlers: { GET: () => ok(collection('LogServiceCollection', services, 'Log Service Collection', [sel])) } },
    {
      path: sel,
      handlers: {
        GET: (state) =>
          ok(
            resource('LogService', sel, 'SEL', 'System Event Log', {
              LogEntryType: 'SEL',
              OverWritePolicy: 'NeverOverWrites',
              MaxNumberOfRecords: LOG_CAPACITY,
              ServiceEnabled: true,
              DateTime: dateTime(state.o.clock.now()),
              Entries: link(`${sel}/Entries`),
              Actions: { '#LogService.ClearLog': { target: `${sel}/Actions/LogService.ClearLog` } },
              Status: { State: 'Enabled', Health: 'OK' },
            }),
          ),
      },
    },
    { path: `${sel}/Entries`, handlers: { GET: entries } },
    { path: `${sel}/Entries/:entry`, handlers: { GET: entry } },
    {
      path: `${sel}/Actions/LogService.ClearLog`,
      handlers: {
        POST: (state) => {
          state.log.clear();
          return noContent();
        },
      },
    },
  ];
}
