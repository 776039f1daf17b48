/**
 * The BMC's event log in the shape the IPMI side gives the API. The log service is the SEL where
 * there is one (`Id` "SEL" or `LogEntryType` "SEL", under the system first, then the manager),
 * else the system's first log service, else the manager's. Entries are read through every page.
 */
import type { RedfishReads } from './client.ts';
import { readLinkedMembers, readMembers } from './collection.ts';
import { RedfishNotSupportedError } from './errors.ts';
import { link, str, type JsonObject } from './json.ts';

export interface SelView {
  id: number;
  /** ISO time, or null when the entry has none (or one that does not parse). */
  timestamp: string | null;
  sensor: string | null;
  event: string;
  direction: 'assertion' | 'deassertion' | null;
}

/** A numeric id from the entry's Id ("42", "Sel-42"); its position (from 1) when it has no digits. */
function entryId(e: JsonObject, index: number): number {
  const id = str(e.Id) ?? '';
  const digits = /(\d+)$/.exec(id);
  const n = digits ? Number(digits[1]) : NaN;
  return Number.isSafeInteger(n) ? n : index + 1;
}

export function decodeLogEntry(e: JsonObject, index: number): SelView {
  const created = str(e.Created);
  const t = created ? Date.parse(created) : NaN;
  const code = str(e.EntryCode);
  return {
    id: entryId(e, index),
    timestamp: Number.isNaN(t) ? null : new Date(t).toISOString(),
    // LogEntry.SensorType takes IPMI's sensor type names ("Temperature", "Fan"): lower-cased as the IPMI side writes them.
    sensor: str(e.SensorType)?.toLowerCase() ?? null,
    event: str(e.Message) ?? str(e.MessageId) ?? str(e.Name) ?? '(no message)',
    direction: code === 'Assert' ? 'assertion' : code === 'Deassert' ? 'deassertion' : null,
  };
}

const isSel = (s: JsonObject): boolean => str(s.Id)?.toUpperCase() === 'SEL' || str(s.LogEntryType) === 'SEL';

/** The log service to read, from the system's and the manager's LogServices. */
export async function chooseLogService(c: RedfishReads, systemPath: string, managerPath: string | undefined): Promise<JsonObject | undefined> {
  const servicesOf = async (path: string | undefined): Promise<JsonObject[]> => {
    if (!path) return [];
    return readLinkedMembers(c, (await c.getObject(path)).LogServices);
  };
  const system = await servicesOf(systemPath);
  const systemSel = system.find(isSel);
  if (systemSel) return systemSel;
  const manager = await servicesOf(managerPath);
  return manager.find(isSel) ?? system[0] ?? manager[0];
}

export interface EventLog {
  /** The log service read. */
  service: string;
  entries: SelView[];
}

export async function readEventLog(c: RedfishReads, systemPath: string, managerPath: string | undefined, o: { limit?: number } = {}): Promise<EventLog> {
  const service = await chooseLogService(c, systemPath, managerPath);
  if (!service) throw new RedfishNotSupportedError(`${c.label}: the BMC has no log service under its system or manager`);
  const entriesPath = link(service.Entries);
  const name = str(service['@odata.id']) ?? str(service.Id) ?? 'log service';
  if (!entriesPath) return { service: name, entries: [] };
  const members = await readMembers(c, c.path(entriesPath), { limit: o.limit });
  return { service: name, entries: members.map(decodeLogEntry) };
}
