/**
 * Reading a Redfish collection: its members expanded in one GET where the service root says
 * `$expand` works, else one GET per member; pages followed through `Members@odata.nextLink`
 * (and OData's `@odata.nextLink`), each page once, members counted once. Also the reads of an
 * optional link (a resource or collection a BMC may link without serving).
 */
import type { RedfishReads } from './client.ts';
import { RedfishHttpError } from './errors.ts';
import { arr, at, isObject, link, obj, str, type JsonObject } from './json.ts';

export interface MemberOptions {
  /** Stop after this many members (default 10,000). */
  limit?: number;
  /** Stop after this many pages (default 200). */
  maxPages?: number;
  /** Expand members in the collection's GET when the service allows it (default true). */
  expand?: boolean;
}

/** The `$expand` query for subordinate resources one level down, if the service offers it. */
export function expandQuery(root: JsonObject): string | undefined {
  const eq = obj(at(root, 'ProtocolFeaturesSupported', 'ExpandQuery'));
  if (eq?.NoLinks !== true) return undefined;
  return eq.Levels === true ? '$expand=.($levels=1)' : '$expand=.';
}

const withQuery = (path: string, q: string): string => `${path}${path.includes('?') ? '&' : '?'}${q}`;

/** True when a member is more than a bare `{ "@odata.id": ... }` link. */
const expanded = (m: JsonObject): boolean => Object.keys(m).some((k) => k !== '@odata.id');

/** Read the collection's pages; the members as given (expanded or links). */
async function pages(c: RedfishReads, path: string, o: MemberOptions): Promise<JsonObject[]> {
  const limit = o.limit ?? 10_000;
  const maxPages = o.maxPages ?? 200;
  const q = o.expand !== false && c.expandAllowed ? expandQuery(await c.serviceRoot()) : undefined;
  let page: JsonObject;
  try {
    page = await c.getObject(q ? withQuery(path, q) : path);
  } catch (e) {
    // A BMC that advertises $expand but refuses it on this collection: read it plainly.
    if (!q || !(e instanceof RedfishHttpError) || ![400, 405, 500, 501].includes(e.status ?? 0)) throw e;
    page = await c.getObject(path);
  }
  const seenPages = new Set([path]);
  const seen = new Set<string>();
  const out: JsonObject[] = [];
  for (let n = 1; ; n++) {
    for (const m of arr(page.Members)) {
      if (!isObject(m)) continue;
      const id = link(m);
      if (id && seen.has(id)) continue;
      if (id) seen.add(id);
      out.push(m);
      if (out.length >= limit) return out;
    }
    const next = str(page['Members@odata.nextLink']) ?? str(page['@odata.nextLink']);
    if (!next || n >= maxPages) return out;
    const nextPath = c.path(next);
    if (seenPages.has(nextPath)) return out;
    seenPages.add(nextPath);
    page = await c.getObject(nextPath);
  }
}

/** The member resources of a collection, each read in full. */
export async function readMembers(c: RedfishReads, path: string, o: MemberOptions = {}): Promise<JsonObject[]> {
  const members = await pages(c, path, o);
  const out: JsonObject[] = [];
  for (const m of members) {
    const id = link(m);
    if (expanded(m) || !id) out.push(m);
    else out.push(await c.getObject(c.path(id)));
  }
  return out;
}

/** The member links of a collection (no member is read). */
export async function memberLinks(c: RedfishReads, path: string, o: MemberOptions = {}): Promise<string[]> {
  return (await pages(c, path, { ...o, expand: false })).flatMap((m) => link(m) ?? []);
}

/** A BMC that links what it does not serve (404, 501) is common: such a link counts as absent. */
const notServed = (e: unknown): boolean => e instanceof RedfishHttpError && (e.status === 404 || e.status === 501);

/** The resource a navigation property links, or undefined when there is no link or nothing behind it. */
export async function readLinked(c: RedfishReads, ref: unknown): Promise<JsonObject | undefined> {
  const p = link(ref);
  if (!p) return undefined;
  try {
    return await c.getObject(c.path(p));
  } catch (e) {
    if (notServed(e)) return undefined;
    throw e;
  }
}

/** The members of the collection a navigation property links; none when there is no link or nothing behind it. */
export async function readLinkedMembers(c: RedfishReads, ref: unknown, o: MemberOptions = {}): Promise<JsonObject[]> {
  const p = link(ref);
  if (!p) return [];
  try {
    return await readMembers(c, c.path(p), o);
  } catch (e) {
    if (notServed(e)) return [];
    throw e;
  }
}
