/**
 * BMC quirks as data: the ways real BMCs stray from the specification, what lowpower does about
 * each, on which BMCs it was seen, and how it is chosen. The code asks this table (`quirkOn`);
 * it never branches on a vendor. Four ways to be chosen, as pyghmi and FreeIPMI taught us:
 * - always: harmless robustness every BMC gets (a busy BMC, an odd sensor answer);
 * - declared: the BMC says so itself (per-message authentication off, a DCMI reading state);
 * - manufacturer: after login, by the IANA manufacturer ID of Get Device ID (pyghmi's OEM lookup);
 * - fallback: needed before the manufacturer is known (during the login), so tried when the login
 *   fails in the way the quirk explains, then remembered per host (host-quirks.ts).
 * Each entry names the simulator option (lib/sim/ipmi) that makes our BMC behave so; the tests
 * under test/ipmi/quirks run each one with the quirk on and, removed from the table, off.
 */
import { NOT_SUPPORTED_CODES } from './errors.ts';
import type { DeviceProfile, LearnedQuirks } from './host-quirks.ts';

export type { DeviceProfile } from './host-quirks.ts';

export type QuirkId =
  | 'sessions-exhausted'
  | 'privilege-fallback'
  | 'session-idle-reopen'
  | 'command-gap'
  | 'rakp2-long-auth-code'
  | 'padded-user-name'
  | 'no-checksum-check'
  | 'v15-per-message-auth-off'
  | 'zero-privilege-echo'
  | 'wide-device-id'
  | 'sensor-odd-code'
  | 'sensor-ff-reading'
  | 'sensor-lun'
  | 'bridged-sensors'
  | 'ignore-scanning-disabled'
  | 'discrete-reading'
  | 'sdr-end-on-error'
  | 'dcmi-reading-state'
  | 'sdr-watts-fallback';

export type QuirkSelection =
  | { by: 'always' }
  | { by: 'declared'; how: string }
  | { by: 'manufacturer'; manufacturerIds: readonly number[]; productIds?: readonly number[] }
  | { by: 'fallback'; remembered: keyof LearnedQuirks };

export interface ReplyFix {
  /** netFn (request) and command the fix applies to. */
  netFn: number;
  cmd: number;
  /** Applies when the reply data has exactly this many bytes. */
  length: number;
  fix: (data: Buffer) => Buffer;
}

export interface QuirkEntry {
  id: QuirkId;
  /** What the BMC does. */
  what: string;
  /** What lowpower does about it. */
  handling: string;
  /** Where it was seen (as the sources name the machines). */
  seenOn: string;
  /** The same workaround in other tools, when they have one. */
  elsewhere?: string;
  selection: QuirkSelection;
  /** The simulator option that makes our BMC do it (SimQuirks in lib/sim/ipmi), or the peer that shows it. */
  shownBy: string;
  /** A reply rewritten into the standard layout before the decoder sees it. */
  replyFix?: ReplyFix;
}

/** The IANA enterprise numbers the table selects by. */
export const MANUFACTURER = { hp: 11, intel: 343, dell: 674, hpe: 47196 } as const;

export const QUIRK_TABLE: readonly QuirkEntry[] = [
  {
    id: 'sessions-exhausted',
    what: 'Open Session answers "insufficient resources for session" (IPMI 1.5: no session slot) while stale sessions hold every slot',
    handling: 'log in again after a jittered, growing pause, within the handle\'s retries',
    seenOn: 'most BMCs (4 to 16 slots; sessions left open by crashed tools time out after a minute)',
    selection: { by: 'always' },
    shownBy: 'sessionsExhaustedFor',
  },
  {
    id: 'privilege-fallback',
    what: 'refuses the Administrator privilege to an account (RAKP 2 role refused, a lower maximum in Open Session, or Set Session Privilege Level refused)',
    handling: 'when no privilege was asked for explicitly, log in again as Operator (enough for power and sensors), and remember it for the host',
    seenOn: 'accounts created as Operator on any BMC; ipmitool needs -L OPERATOR for them',
    elsewhere: 'ipmitool -L OPERATOR, FreeIPMI -l OPERATOR',
    selection: { by: 'fallback', remembered: 'privilege' },
    shownBy: 'adminPrivilegeRefused',
  },
  {
    id: 'session-idle-reopen',
    what: 'drops a session silently after some idle time (29-30 s on several BMCs; the specification says 60 s)',
    handling: 'a session idle for sessionIdleMs (25 s) is replaced before the next command, so a command sent once (power control) never goes to a dead session',
    seenOn: 'iDRAC, iLO and AMI-based BMCs with a 30 s inactivity timeout',
    elsewhere: 'ipmitool\'s keep-alive in its shell and SOL; FreeIPMI ipmiconsole keep-alive',
    selection: { by: 'always' },
    shownBy: 'idleSessionTimeoutMs',
  },
  {
    id: 'command-gap',
    what: 'stops answering for a while when commands come back to back',
    handling: 'a least gap (BmcOptions.minGapMs, or the figure commandGapMs; none by default: 5 ms doubled a 1,000-BMC sweep) between the end of one command and the next to the same BMC',
    seenOn: 'older BMCs under fleet tools; OpenStack Ironic keeps a minimum interval between commands for the same reason',
    elsewhere: 'ironic [ipmi] min_command_interval',
    selection: { by: 'always' },
    shownBy: 'freezesUnderMs',
  },
  {
    id: 'rakp2-long-auth-code',
    what: 'RAKP 2 carries a key exchange authentication code (or payload) one byte too long',
    handling: 'check the code\'s first HMAC-length bytes when it is longer than the suite\'s, and remember it for the host',
    seenOn: 'Supermicro H8QME (Peppercon firmware), Sun Fire 4100/4200/4500 ILOM',
    elsewhere: 'FreeIPMI -W supermicro20, -W sun20',
    selection: { by: 'fallback', remembered: 'rakp2LongAuthCode' },
    shownBy: 'rakp2ExtraByte',
  },
  {
    id: 'padded-user-name',
    what: 'knows the user only when RAKP 1 carries the name padded with NULs to 16 bytes (the specification forbids the padding)',
    handling: 'on "unauthorized name", log in again with the padded name, and remember it for the host',
    seenOn: 'Intel SE7520AF2 with Intel Server Management Module',
    elsewhere: 'FreeIPMI -W intel20',
    selection: { by: 'fallback', remembered: 'paddedUserName' },
    shownBy: 'paddedUserName',
  },
  {
    id: 'no-checksum-check',
    what: 'sends IPMI messages whose checksums are wrong, the packets otherwise valid',
    handling: 'accept an answer that is ours in every other way (session, sequence, command, integrity code) despite its checksum, and remember it for the host',
    seenOn: 'Supermicro X9SCM-iiF, X9DRi-F, X9DRFR',
    elsewhere: 'FreeIPMI -W nochecksumcheck',
    selection: { by: 'fallback', remembered: 'ignoreChecksums' },
    shownBy: 'badChecksums',
  },
  {
    id: 'v15-per-message-auth-off',
    what: 'IPMI 1.5 with per-message authentication disabled: after Activate Session, messages carry no AuthCode',
    handling: 'when the BMC declares it (channel authentication capabilities, and auth type none for the rest of the session in Activate Session), the session goes on unsigned as the BMC says',
    seenOn: 'BMCs configured so; FreeIPMI and ipmitool follow the declaration',
    elsewhere: 'FreeIPMI -W forcepermsg for the opposite case',
    selection: { by: 'declared', how: 'Get Channel Authentication Capabilities bit "per-message authentication disabled"' },
    shownBy: 'v15NoPerMessageAuth',
  },
  {
    id: 'zero-privilege-echo',
    what: 'echoes privilege 0 in the Open Session reply',
    handling: 'read as "as requested"',
    seenOn: 'several RMCP+ implementations',
    selection: { by: 'always' },
    shownBy: 'peer: ipmi_sim',
  },
  {
    id: 'wide-device-id',
    what: 'Get Device ID with 4-byte manufacturer and product IDs (14 bytes where the specification has 11)',
    handling: 'rewrite the reply into the standard layout',
    seenOn: 'pyghmi\'s BMC',
    selection: { by: 'always' },
    shownBy: 'peer: pyghmi',
    replyFix: { netFn: 0x06, cmd: 0x01, length: 14, fix: (d) => Buffer.concat([d.subarray(0, 6), d.subarray(6, 9), d.subarray(10, 12)]) },
  },
  {
    id: 'sensor-odd-code',
    what: 'answers Get Sensor Reading for one sensor with an unexpected completion code (0xC3, 0xCE, 0xD3, 0xFF...)',
    handling: 'that sensor is unavailable; the rest of the list is read',
    seenOn: 'many BMCs, for sensors of absent parts',
    elsewhere: 'ipmitool prints "na" for the sensor and goes on',
    selection: { by: 'always' },
    shownBy: 'sensorOddCode',
  },
  {
    id: 'sensor-ff-reading',
    what: 'reads 0xFF (all ones: what an absent device on the bus returns) from an unsigned analog sensor',
    handling: 'that sensor is unavailable rather than at the top of its scale',
    seenOn: 'fans and temperatures of absent parts on several BMCs',
    selection: { by: 'always' },
    shownBy: 'sensorFF',
  },
  {
    id: 'sensor-lun',
    what: 'keeps sensors on LUNs other than 0 of the BMC',
    handling: 'Get Sensor Reading is addressed to the record\'s owner LUN',
    seenOn: 'BMCs with more than 255 sensors; pyghmi reads with the record\'s LUN',
    selection: { by: 'always' },
    shownBy: 'sensorsOnLun1',
  },
  {
    id: 'bridged-sensors',
    what: 'lists sensors owned by another controller (the Intel ME at 0x2C on channel 6)',
    handling: 'read them through Send Message bridging to the record\'s owner and channel',
    seenOn: 'Intel server boards with Node Manager (PCH and power sensors owned by the ME)',
    elsewhere: 'FreeIPMI ipmi-sensors --bridge-sensors; ipmitool bridges by itself',
    selection: { by: 'always' },
    shownBy: 'meSensorsViaBridge',
  },
  {
    id: 'ignore-scanning-disabled',
    what: 'marks sensors "scanning disabled" although their readings are good',
    handling: 'read the value anyway, unless the BMC also says the reading is unavailable',
    seenOn: 'Dell PowerEdge 2900, 2950, R410, R610',
    elsewhere: 'FreeIPMI -W ignorescanningdisabled',
    selection: { by: 'manufacturer', manufacturerIds: [MANUFACTURER.dell] },
    shownBy: 'scanningDisabledSensors',
  },
  {
    id: 'discrete-reading',
    what: 'puts analog readings (watts, percent) in discrete sensors',
    handling: 'a discrete full record with units and an analog format gives its value besides its states',
    seenOn: 'HP ProLiant DL380 G7, ML310 G5 ("Power Supply 1 | 95 Watts, Presence detected")',
    elsewhere: 'FreeIPMI -W discretereading; ipmitool does it for HP only',
    selection: { by: 'manufacturer', manufacturerIds: [MANUFACTURER.hp, MANUFACTURER.hpe] },
    shownBy: 'discreteAnalogSensor',
  },
  {
    id: 'sdr-end-on-error',
    what: 'points the last SDR record at a record that does not exist, which answers 0xC3 (or 0xCB) instead of naming 0xFFFF as next',
    handling: 'once as many records as Get SDR Repository Info counts are read, an error reading the next one ends the walk',
    seenOn: 'an unspecified Inspur board and others',
    elsewhere: 'FreeIPMI -W assumemaxsdrrecordcount',
    selection: { by: 'always' },
    shownBy: 'lastSdrC3',
  },
  {
    id: 'dcmi-reading-state',
    what: 'answers DCMI Get Power Reading while power measurement is deactivated (reading state bit 6 clear), or with 0 W',
    handling: 'no DCMI reading then (not a real 0 W); the SDR\'s watts sensors are tried instead',
    seenOn: 'BMCs whose power meter is off or not yet sampled',
    selection: { by: 'declared', how: 'DCMI Get Power Reading, power reading state bit 6' },
    shownBy: 'dcmiReadingState',
  },
  {
    id: 'sdr-watts-fallback',
    what: 'has no DCMI but a watts sensor in its SDR ("Pwr Consumption", "System Level", "PS1 Input Power")',
    handling: 'the draw comes from that sensor: a system-level one by name first, else the sum of the power supplies\' input watts',
    seenOn: 'Dell iDRAC ("Pwr Consumption"), HP iLO ("Power Meter"), Intel boards ("PS1 Input Power")',
    selection: { by: 'always' },
    shownBy: 'noDcmiWithWattsSensor',
  },
];

/** The quirks in force for a handle: the table, and the figures its entries use. */
export interface BmcQuirks {
  table: readonly QuirkEntry[];
  /** Completion codes that mean "this BMC does not have the feature" (DCMI, FRU, SEL...). */
  notSupportedCodes: ReadonlySet<number>;
  /** command-gap: least time from the end of one command to the next to the same BMC. */
  commandGapMs: number;
  /** session-idle-reopen: a session idle this long is replaced before the next command. */
  sessionIdleMs: number;
}

export const DEFAULT_QUIRKS: BmcQuirks = {
  table: QUIRK_TABLE,
  notSupportedCodes: NOT_SUPPORTED_CODES,
  commandGapMs: 0,
  sessionIdleMs: 25_000,
};

/**
 * Is the quirk's handling in force? An entry missing from the table is off; a manufacturer quirk
 * needs the BMC's device profile; a fallback quirk being on means it may be tried.
 */
export function quirkOn(q: BmcQuirks, id: QuirkId, device?: DeviceProfile): boolean {
  const entry = tableIndex(q.table).byId.get(id);
  if (!entry) return false;
  const s = entry.selection;
  if (s.by !== 'manufacturer') return true;
  if (!device || !s.manufacturerIds.includes(device.manufacturerId)) return false;
  return !s.productIds || s.productIds.includes(device.productId);
}

/** The quirks with some handling taken out: how the tests show what breaks without it. */
export function withoutQuirks(q: BmcQuirks, ...ids: QuirkId[]): BmcQuirks {
  return { ...q, table: q.table.filter((e) => !ids.includes(e.id)) };
}

/** Reply data as the decoders expect it, after any known fix. */
export function fixReply(q: BmcQuirks, netFn: number, cmd: number, data: Buffer): Buffer {
  for (const f of tableIndex(q.table).fixes) {
    if (f.netFn === netFn && f.cmd === cmd && f.length === data.length) return f.fix(data);
  }
  return data;
}

/** A table's entries by id and its reply fixes, once per table: asked several times per packet. */
const indexes = new WeakMap<readonly QuirkEntry[], { byId: Map<QuirkId, QuirkEntry>; fixes: ReplyFix[] }>();

function tableIndex(table: readonly QuirkEntry[]): { byId: Map<QuirkId, QuirkEntry>; fixes: ReplyFix[] } {
  let i = indexes.get(table);
  if (!i) {
    const byId = new Map<QuirkId, QuirkEntry>();
    // The first entry of an id wins, as Array.find found it.
    for (const e of table) if (!byId.has(e.id)) byId.set(e.id, e);
    i = { byId, fixes: table.flatMap((e) => (e.replyFix ? [e.replyFix] : [])) };
    indexes.set(table, i);
  }
  return i;
}

