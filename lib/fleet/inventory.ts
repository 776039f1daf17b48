/**
 * The fleet inventory: a JSON array of BMCs, shared with the BMC simulator (which writes it) and
 * the fleet sweep (which reads it).
 *
 * ```json
 * [{ "name": "node-01", "host": "127.0.0.1", "port": 9623, "user": "admin", "passwordFile": "pw/node-01" }]
 * ```
 *
 * A Redfish BMC says `"protocol": "redfish"`, with `"url": "https://host:port"` (else https on
 * host and port) and optionally the certificate's `"fingerprint256"` to pin; IPMI is the default.
 * Other extra fields (the simulator's "cipherSuite", for instance) are allowed and ignored. A
 * `passwordFile` is resolved relative to the inventory's folder; the password is the first line of
 * that file. Errors name the file, the entry and the field; they never carry a password.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** One BMC as the inventory file spells it. */
export interface InventoryEntry {
  /** Unique within the inventory: how a person names the host. */
  name: string;
  host: string;
  /** UDP port, 1-65535. */
  port: number;
  user: string;
  /** Path of a file whose first line is the password; relative paths start at the inventory's folder. */
  passwordFile: string;
  /** Fields the inventory format does not define: kept by the writer, ignored by the reader. */
  [extra: string]: unknown;
}

/** One BMC ready to be asked: the entry with its password file resolved and read. */
export interface FleetHost {
  name: string;
  host: string;
  port: number;
  user: string;
  /** Absolute path of the password file. */
  passwordFile: string;
  /** How the BMC is reached (absent: ipmi). */
  protocol?: 'ipmi' | 'redfish';
  /** Redfish: the service's base URL (https://host:port, or http:// to loopback). */
  url?: string;
  /** Redfish: the certificate's SHA-256 fingerprint to pin; without it, the first one seen is trusted for the sweep. */
  fingerprint256?: string;
  /**
   * The password. `readInventory` makes it non-enumerable, so that printing or serialising a host
   * (console.log, JSON.stringify, a spread) never shows it.
   */
  readonly password: string;
}

/** The inventory cannot be used: the message names the file, the entry and the field. */
export class InventoryError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`inventory ${path}: ${detail}`);
    this.name = 'InventoryError';
  }
}

const FIELDS = ['name', 'host', 'port', 'user', 'passwordFile'] as const;

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)})`;
  if (typeof v === 'number') return `the number ${v}`;
  return `a ${typeof v} (${String(v)})`;
}

/** Where a JSON.parse error points, as line and column; the offending text itself is left out. */
function jsonErrorWhere(text: string, e: unknown): string {
  const m = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line} column ${column}`;
}

function entryLabel(index: number, raw: unknown): string {
  const name = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).name : undefined;
  return typeof name === 'string' && name !== '' ? `entry [${index}] (${JSON.stringify(name)})` : `entry [${index}]`;
}

/**
 * Check the inventory's shape: an array of entries with every field present, of the right type,
 * non-empty, a port in 1-65535 and unique names. Pure: `path` only labels the errors.
 * @throws InventoryError naming the entry index and field
 */
export function validateInventory(data: unknown, path: string): InventoryEntry[] {
  if (!Array.isArray(data)) throw new InventoryError(path, `expected a JSON array of BMC entries, found ${kind(data)}`);
  if (data.length === 0) throw new InventoryError(path, 'lists no BMCs (the array is empty)');
  const seen = new Map<string, number>();
  return data.map((raw: unknown, index) => {
    const where = entryLabel(index, raw);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InventoryError(path, `${where}: expected an object, found ${kind(raw)}`);
    const entry = raw as Record<string, unknown>;
    for (const field of FIELDS) {
      const v = entry[field];
      if (v === undefined) throw new InventoryError(path, `${where}: "${field}" is missing`);
      if (field === 'port') {
        if (typeof v !== 'number') throw new InventoryError(path, `${where}: "port" must be a number, found ${kind(v)}`);
        if (!Number.isInteger(v) || v < 1 || v > 65535) throw new InventoryError(path, `${where}: "port" must be a whole number from 1 to 65535, found ${v}`);
      } else {
        if (typeof v !== 'string') throw new InventoryError(path, `${where}: "${field}" must be a string, found ${kind(v)}`);
        if (v.trim() === '') throw new InventoryError(path, `${where}: "${field}" is empty`);
      }
    }
    if (entry.protocol !== undefined && entry.protocol !== 'ipmi' && entry.protocol !== 'redfish') throw new InventoryError(path, `${where}: "protocol" must be "ipmi" or "redfish", found ${kind(entry.protocol)}`);
    if (entry.url !== undefined && (typeof entry.url !== 'string' || !/^https?:\/\/[^/\s]+\/?$/.test(entry.url))) throw new InventoryError(path, `${where}: "url" must be the BMC's base URL (https://host:port), found ${kind(entry.url)}`);
    if (entry.fingerprint256 !== undefined && (typeof entry.fingerprint256 !== 'string' || !/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/.test(entry.fingerprint256))) throw new InventoryError(path, `${where}: "fingerprint256" must be a SHA-256 fingerprint, found ${kind(entry.fingerprint256)}`);
    const name = entry.name as string;
    const first = seen.get(name);
    if (first !== undefined) throw new InventoryError(path, `${where}: name ${JSON.stringify(name)} is already used by entry [${first}]`);
    seen.set(name, index);
    return entry as InventoryEntry;
  });
}

/** The first line of a password file, named in errors by path only (its content is never shown). */
function readPassword(path: string, inventory: string, where: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InventoryError(inventory, `${where}: cannot read passwordFile ${path} (${code})`);
  }
  const line = text.split(/\r?\n/)[0];
  if (!line) throw new InventoryError(inventory, `${where}: passwordFile ${path} is empty`);
  return line;
}

/**
 * Read and strictly validate an inventory file, and read each BMC's password.
 * @param path the inventory JSON file
 * @returns one `FleetHost` per entry, in file order, with absolute password file paths
 * @throws InventoryError for an unreadable file, bad JSON, a missing or mistyped field, a port out
 *   of range, a duplicate name, or an unreadable or empty password file
 */
export function readInventory(path: string): FleetHost[] {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InventoryError(file, `cannot read the file (${code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InventoryError(file, `not valid JSON${jsonErrorWhere(text, e)}`);
  }
  const folder = dirname(file);
  return validateInventory(data, file).map((entry, index) => {
    const passwordFile = resolve(folder, entry.passwordFile);
    const password = readPassword(passwordFile, file, entryLabel(index, entry));
    const redfish = entry.protocol === 'redfish' ? { url: typeof entry.url === 'string' ? entry.url : undefined, fingerprint256: typeof entry.fingerprint256 === 'string' ? entry.fingerprint256 : undefined } : {};
    const host: Omit<FleetHost, 'password'> = { name: entry.name, host: entry.host, port: entry.port, user: entry.user, passwordFile, protocol: entry.protocol === 'redfish' ? 'redfish' : 'ipmi', ...redfish };
    Object.defineProperty(host, 'password', { value: password, enumerable: false });
    return host as FleetHost;
  });
}

/**
 * Write an inventory file as pretty JSON (two-space indent, trailing newline), atomically: readers
 * see the old file or the new one, never half of it. Entries are validated as `readInventory`
 * does (password files are not read); a `password` field is never written. Hosts returned by
 * `readInventory` may be written back as they are.
 * @throws InventoryError when an entry is invalid (nothing is written then)
 */
export function writeInventory(path: string, entries: ReadonlyArray<InventoryEntry | FleetHost>): void {
  const file = resolve(path);
  const clean = entries.map((e) => {
    const copy: Record<string, unknown> = { ...e };
    delete copy.password;
    return copy;
  });
  validateInventory(clean, file);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(clean, null, 2) + '\n');
  renameSync(tmp, file);
}
