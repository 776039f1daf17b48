/**
 * Binding a BMC to its host (safety rule 2), pure: the serials the BMC reports (FRU product or
 * chassis serial, board serial; a Redfish SerialNumber) against the ones XAPI reports for the host
 * (`bios_strings` system-serial-number and baseboard-serial-number). A typed-in BMC address that
 * points at another machine is the mistake that cuts the wrong server: it shows here as a mismatch.
 * Vendors ship placeholder serials; those prove nothing, so such a BMC stays unverified until an
 * admin trusts it.
 */
import type { BmcIdentityRecord, Host, HostBinding } from '../store/index.ts';

/** Serials that boards ship with when nobody filled them in (compared without case, spaces or punctuation). */
const PLACEHOLDERS = new Set([
  'tobefilledbyoem',
  'tobefilledbyoemtobefilledbyoem',
  'defaultstring',
  'systemserialnumber',
  'chassisserialnumber',
  'baseboardserialnumber',
  'boardserialnumber',
  'serialnumber',
  'notspecified',
  'notapplicable',
  'notavailable',
  'none',
  'na',
  'null',
  'unknown',
  'empty',
  'oem',
  'invalid',
  '0123456789',
  '1234567890',
  '123456789',
  '012345678',
  'abcdefghij',
]);

/** A serial that names one machine, or undefined for an empty or placeholder one. */
export function usableSerial(s: string | undefined): string | undefined {
  const t = s?.trim();
  if (!t) return undefined;
  const squashed = t.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (squashed.length < 3 || PLACEHOLDERS.has(squashed)) return undefined;
  // 00000000, FFFFFFFF, XXXXXXXX, ........: one character repeated.
  if (/^(.)\1*$/.test(squashed)) return undefined;
  return t;
}

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The serial that names the system on the BMC side: the product serial, else the chassis serial. */
export const systemSerialOf = (bmc: BmcIdentityRecord): string | undefined => usableSerial(bmc.productSerial) ?? usableSerial(bmc.chassisSerial);

export function describeIdentity(bmc: BmcIdentityRecord): string {
  const parts = [
    bmc.productSerial !== undefined ? `product serial '${bmc.productSerial}'` : undefined,
    bmc.chassisSerial !== undefined && bmc.chassisSerial !== bmc.productSerial ? `chassis serial '${bmc.chassisSerial}'` : undefined,
    bmc.boardSerial !== undefined ? `board serial '${bmc.boardSerial}'` : undefined,
    bmc.guid ? `GUID ${bmc.guid}` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no serial and no GUID';
}

/** Compare what the BMC says with what XAPI says: bound, mismatch or unverified, with why. */
export function decideBinding(
  hostId: string,
  bmcAt: string,
  bmc: BmcIdentityRecord,
  xapi: HostBinding['xapi'],
  at: string,
): HostBinding {
  const base = { checkedAt: at, bmcAt, bmc, xapi };
  const bmcSystem = systemSerialOf(bmc);
  const xenSystem = usableSerial(xapi.serial);
  const bmcBoard = usableSerial(bmc.boardSerial);
  const xenBoard = usableSerial(xapi.boardSerial);
  const wrong: string[] = [];
  const right: string[] = [];
  if (bmcSystem && xenSystem) (same(bmcSystem, xenSystem) ? right : wrong).push(`system serial: the BMC says '${bmcSystem}', XAPI says '${xenSystem}' for ${hostId}`);
  if (bmcBoard && xenBoard) (same(bmcBoard, xenBoard) ? right : wrong).push(`board serial: the BMC says '${bmcBoard}', XAPI says '${xenBoard}' for ${hostId}`);
  if (wrong.length) return { ...base, state: 'mismatch', why: `the BMC at ${bmcAt} belongs to another machine: ${wrong.join('; ')}` };
  if (right.length) return { ...base, state: 'bound', why: `serials match (${right.map((r) => r.split(':')[0]).join(', ')})` };
  const missing = !bmcSystem && !bmcBoard ? `the BMC gives no usable serial (${describeIdentity(bmc)})` : `XAPI gives no usable serial for ${hostId} (system '${xapi.serial ?? ''}', board '${xapi.boardSerial ?? ''}')`;
  return { ...base, state: 'unverified', why: `${missing}: nothing proves this BMC is ${hostId}'s` };
}

/** What the API shows: bound, mismatch, unverified, or trusted (unverified, but an admin said trust). */
export type BindingView = 'bound' | 'mismatch' | 'unverified' | 'trusted' | 'unbound';

export function bindingView(h: Pick<Host, 'binding' | 'identity'>): BindingView {
  if (!h.binding) return 'unbound';
  if (h.binding.state === 'unverified' && h.identity === 'trust') return 'trusted';
  return h.binding.state;
}

export const bmcAtOf = (h: Pick<Host, 'bmcAddress' | 'bmcPort'>): string => `${h.bmcAddress.trim().toLowerCase()}:${h.bmcPort}`;

/**
 * Why power may not be cut through this host's BMC, from the stored binding; undefined when it is
 * bound (or unverified and trusted). A mismatch is never forced past: the BMC is another machine's.
 */
export function bindingRefusal(h: Host): { why: string; forceable: boolean } | undefined {
  const b = h.binding;
  if (!b) return { why: `${h.hostId}'s BMC at ${bmcAtOf(h)} has not been bound to the host yet (rebind it)`, forceable: false };
  if (b.bmcAt !== bmcAtOf(h)) return { why: `${h.hostId}'s BMC address changed from ${b.bmcAt} to ${bmcAtOf(h)} since it was bound (rebind it)`, forceable: false };
  if (b.state === 'mismatch') return { why: `${b.why}; fix the BMC address, or rebind after a board or BMC replacement`, forceable: false };
  if (b.state === 'unverified' && h.identity !== 'trust') return { why: `${b.why} (an admin may set identity: trust)`, forceable: false };
  return undefined;
}

/** The keys under which one BMC is known: its address, its GUID, its usable serials. */
export function identityKeys(h: Pick<Host, 'bmcAddress' | 'bmcPort' | 'binding'>): { address: string; guid?: string; serials: string[] } {
  const b = h.binding?.bmc;
  const serials = [b ? systemSerialOf(b) : undefined, usableSerial(b?.boardSerial)].filter((s): s is string => s !== undefined).map((s) => s.toLowerCase());
  return { address: bmcAtOf(h), guid: b?.guid?.toLowerCase(), serials };
}

/** Another host that has the same BMC (address and port, GUID or serial), or undefined. */
export function sameBmcAs(candidate: Pick<Host, 'poolId' | 'hostId' | 'bmcAddress' | 'bmcPort' | 'binding'>, others: readonly Host[]): { host: Host; by: string } | undefined {
  const mine = identityKeys(candidate);
  for (const o of others) {
    if (o.poolId === candidate.poolId && o.hostId === candidate.hostId) continue;
    const theirs = identityKeys(o);
    if (theirs.address === mine.address) return { host: o, by: `the same BMC address ${mine.address}` };
    if (mine.guid && theirs.guid === mine.guid) return { host: o, by: `the same BMC GUID ${mine.guid}` };
    const serial = mine.serials.find((s) => theirs.serials.includes(s));
    if (serial) return { host: o, by: `the same serial '${serial}'` };
  }
  return undefined;
}

/** What XAPI now shows of a host, for the check that it is still the machine it was bound as. */
export interface XapiHostNow {
  hostId: string;
  uuid: string;
  serial?: string;
  boardSerial?: string;
}

/**
 * Why XAPI's host of this name is no longer the machine the binding was read with (a host renamed
 * in XAPI, another given its name): the safety checks ask XAPI by name, the BMC cuts the bound
 * machine, and the two must be one. By uuid when the binding has it, else by its usable serials;
 * undefined when they agree or there is nothing to compare.
 */
export function xapiHostChanged(hostId: string, bound: HostBinding['xapi'], now: readonly XapiHostNow[]): string | undefined {
  const named = now.find((h) => h.hostId === hostId);
  const serials = (h: { serial?: string; boardSerial?: string }) => [usableSerial(h.serial), usableSerial(h.boardSerial)];
  const was = bound.uuid ? `uuid ${bound.uuid}` : serials(bound).filter(Boolean).length ? `serials ${describeSerials(bound)}` : undefined;
  if (!was) return undefined;
  const isBound = (h: XapiHostNow): boolean => {
    if (bound.uuid) return h.uuid === bound.uuid;
    const [bs, bb] = serials(bound);
    const [ns, nb] = serials(h);
    // Every serial both sides have must agree, and at least one must be there to agree.
    const pairs = [[bs, ns], [bb, nb]].filter(([a, b]) => a && b);
    return pairs.length > 0 && pairs.every(([a, b]) => same(a as string, b as string));
  };
  if (named && isBound(named)) return undefined;
  const moved = now.find((h) => h.hostId !== hostId && isBound(h));
  const where = moved ? `; the machine it was bound as is now called ${moved.hostId}` : '';
  if (!named) return `XAPI knows no host named ${hostId} any more${where}`;
  const is = bound.uuid ? `uuid ${named.uuid}` : `serials ${describeSerials(named)}`;
  return `XAPI's host named ${hostId} is another machine (${is}) than the one it was bound as (${was})${where}: the safety checks would look at one machine and the power cut hit another`;
}

function describeSerials(h: { serial?: string; boardSerial?: string }): string {
  return [h.serial ? `system '${h.serial}'` : '', h.boardSerial ? `board '${h.boardSerial}'` : ''].filter(Boolean).join(', ') || 'none';
}
