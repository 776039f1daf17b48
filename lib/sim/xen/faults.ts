/**
 * The faults a test or the local runner's fault matrix can switch on in the simulated pool, by name,
 * pool-wide or for one host, each counting how often it acted ("hits"), so a run can tell a fault
 * that bit from one that never had the chance:
 * - xapi-down: the JSON-RPC endpoint drops every connection at once (clients see a reset or a
 *   refusal, never a hang) while the pool goes on living (hosts follow their power links);
 * - migration-fail: VM.pool_migrate from or to the host fails with VM_MIGRATE_FAILED after a short
 *   time, the VM staying where it was;
 * - never-live: the host's OS starts but host_metrics.live stays false;
 * - vm-start-during-drain: shortly after host.disable, a halted guest (or a new one) starts on that
 *   host, as a start scheduled before the disable would land.
 * The registry is pure state; the server and the pool model ask it.
 */

export const XAPI_FAULTS = ['xapi-down', 'migration-fail', 'never-live', 'vm-start-during-drain'] as const;
export type XapiFaultName = (typeof XAPI_FAULTS)[number];

export interface XapiFaultEntry {
  name: XapiFaultName;
  /** The host it applies to; undefined = every host (xapi-down is always pool-wide). */
  host?: string;
  /** How many times it acted since it was switched on. */
  hits: number;
}

/** The control a test or the local runner holds. */
export interface XapiFaults {
  /**
   * Switch a fault on (pool-wide, or for `hostName`) or off. Off without a host clears every entry
   * of that name; off with a host clears that host's entry only. Throws on an unknown fault or
   * host name, and for xapi-down with a host (the endpoint is the master's, not a host's).
   */
  set(name: XapiFaultName, on: boolean, hostName?: string): void;
  /** The faults on now, with their hits, sorted by name then host. */
  list(): XapiFaultEntry[];
  /** Every fault off. */
  clear(): void;
}

export function isXapiFaultName(name: string): name is XapiFaultName {
  return (XAPI_FAULTS as readonly string[]).includes(name);
}

export class XapiFaultSet implements XapiFaults {
  private readonly entries = new Map<string, XapiFaultEntry>();
  private readonly listeners = new Set<(name: XapiFaultName, on: boolean) => void>();

  constructor(private readonly hostNames: ReadonlySet<string>) {}

  set(name: XapiFaultName, on: boolean, hostName?: string): void {
    if (!isXapiFaultName(name)) throw new Error(`unknown XAPI fault ${JSON.stringify(name)}; known: ${XAPI_FAULTS.join(', ')}`);
    if (hostName !== undefined && !this.hostNames.has(hostName)) throw new Error(`fault ${name}: no host named ${JSON.stringify(hostName)} in the pool`);
    if (name === 'xapi-down' && hostName !== undefined) throw new Error('fault xapi-down is the pool master\'s endpoint: give no host');
    const key = keyOf(name, hostName);
    if (on) {
      if (!this.entries.has(key)) this.entries.set(key, hostName === undefined ? { name, hits: 0 } : { name, host: hostName, hits: 0 });
    } else if (hostName !== undefined) {
      this.entries.delete(key);
    } else {
      for (const [k, e] of this.entries) if (e.name === name) this.entries.delete(k);
    }
    for (const l of this.listeners) l(name, on);
  }

  list(): XapiFaultEntry[] {
    return [...this.entries.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => a.name.localeCompare(b.name) || (a.host ?? '').localeCompare(b.host ?? ''));
  }

  clear(): void {
    const names = new Set([...this.entries.values()].map((e) => e.name));
    this.entries.clear();
    for (const name of names) for (const l of this.listeners) l(name, false);
  }

  /** The entry that applies to `hostName`: its own, else the pool-wide one; undefined when off. */
  active(name: XapiFaultName, hostName?: string): XapiFaultEntry | undefined {
    return (hostName !== undefined ? this.entries.get(keyOf(name, hostName)) : undefined) ?? this.entries.get(keyOf(name, undefined));
  }

  /** Count one act of a fault. */
  hit(entry: XapiFaultEntry): void {
    entry.hits++;
  }

  /** Called after every change (the server closes its connections when xapi-down goes on). */
  onChange(listener: (name: XapiFaultName, on: boolean) => void): void {
    this.listeners.add(listener);
  }
}

function keyOf(name: XapiFaultName, host: string | undefined): string {
  return `${name}\0${host ?? ''}`;
}
