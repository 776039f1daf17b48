/**
 * The simulated pool's object database with XAPI's event model: every row remembers the generation
 * that created it and the one that last modified it; deletions are kept for a while. event.from
 * returns, for the classes asked, one event per object changed after the token's generation
 * (add, mod or del, the snapshot read now, as xapi does) and a new token. Tokens look like xapi's:
 * "%020d,%020d" (database generation, message generation).
 */
import type {
  EventFromResult,
  HostMetricsRecord,
  HostRecord,
  NetworkRecord,
  PbdRecord,
  PciRecord,
  PoolRecord,
  Ref,
  SrRecord,
  TaskRecord,
  VbdRecord,
  VdiRecord,
  VgpuRecord,
  VifRecord,
  VmMetricsRecord,
  VmRecord,
  XapiEvent,
  XapiValue,
} from '../../xen/index.ts';
import { xapiDateTime } from '../../xen/index.ts';
import { XapiError } from '../../xen/index.ts';

export interface RecordsOf {
  pool: PoolRecord;
  host: HostRecord;
  host_metrics: HostMetricsRecord;
  VM: VmRecord;
  VM_metrics: VmMetricsRecord;
  VBD: VbdRecord;
  VDI: VdiRecord;
  SR: SrRecord;
  PBD: PbdRecord;
  network: NetworkRecord;
  VIF: VifRecord;
  PCI: PciRecord;
  VGPU: VgpuRecord;
  task: TaskRecord;
}
export type ClassName = keyof RecordsOf;
export const CLASSES: ClassName[] = ['pool', 'host', 'host_metrics', 'VM', 'VM_metrics', 'VBD', 'VDI', 'SR', 'PBD', 'network', 'VIF', 'PCI', 'VGPU', 'task'];

interface RowMeta {
  cls: ClassName;
  created: number;
  modified: number;
}
interface Deletion {
  cls: ClassName;
  ref: Ref;
  gen: number;
}

const MAX_DELETIONS = 10_000;

/** Untyped view of a record, for the generic field getters. */
export type WireRecord = { [field: string]: XapiValue };
export const wire = <T extends object>(rec: T): WireRecord => rec as unknown as WireRecord;

export class XapiDb {
  private readonly tables = new Map<ClassName, Map<Ref, object>>(CLASSES.map((c) => [c, new Map()]));
  private readonly meta = new Map<Ref, RowMeta>();
  private deletions: Deletion[] = [];
  private forgottenUpTo = 0;
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly now: () => number) {}

  insert<C extends ClassName>(cls: C, ref: Ref, rec: RecordsOf[C]): Ref {
    this.table(cls).set(ref, rec);
    const gen = this.bump();
    this.meta.set(ref, { cls, created: gen, modified: gen });
    this.notify();
    return ref;
  }

  get<C extends ClassName>(cls: C, ref: Ref): RecordsOf[C] | undefined {
    return this.table(cls).get(ref) as RecordsOf[C] | undefined;
  }

  /** The record, or HANDLE_INVALID(class, ref) as xapi answers a stale or foreign ref. */
  require<C extends ClassName>(cls: C, ref: unknown): RecordsOf[C] {
    const rec = typeof ref === 'string' ? this.get(cls, ref) : undefined;
    if (!rec) throw new XapiError('HANDLE_INVALID', [cls, String(ref)]);
    return rec;
  }

  /** Change fields of a record and publish a mod event. */
  update<C extends ClassName>(cls: C, ref: Ref, patch: Partial<RecordsOf[C]>): void {
    const rec = this.require(cls, ref);
    Object.assign(rec, patch);
    this.touch(ref);
  }

  /** Publish a mod event for a record changed in place. */
  touch(ref: Ref): void {
    const m = this.meta.get(ref);
    if (!m) return;
    m.modified = this.bump();
    this.notify();
  }

  remove(cls: ClassName, ref: Ref): void {
    if (!this.table(cls).delete(ref)) return;
    this.meta.delete(ref);
    this.deletions.push({ cls, ref, gen: this.bump() });
    if (this.deletions.length > MAX_DELETIONS) {
      const dropped = this.deletions.splice(0, this.deletions.length - MAX_DELETIONS);
      this.forgottenUpTo = dropped[dropped.length - 1].gen;
    }
    this.notify();
  }

  all<C extends ClassName>(cls: C): Array<[Ref, RecordsOf[C]]> {
    return [...this.table(cls)] as Array<[Ref, RecordsOf[C]]>;
  }

  classOf(ref: Ref): ClassName | undefined {
    return this.meta.get(ref)?.cls;
  }

  count(cls: ClassName): number {
    return this.table(cls).size;
  }

  /** The token that names the current state (event.from with it returns only later changes). */
  token(gen = this.generation): string {
    return `${String(gen).padStart(20, '0')},${'0'.padStart(20, '0')}`;
  }

  /** event.inject: touch a row and return a token just before that change. */
  inject(cls: ClassName, ref: Ref): string {
    if (this.meta.get(ref)?.cls !== cls) throw new XapiError('HANDLE_INVALID', [cls, ref]);
    const before = this.generation;
    this.touch(ref);
    return this.token(before);
  }

  /**
   * Events after `token` for the subscriptions ("vm", "host/OpaqueRef:…", "*"), or null when
   * there are none yet. "" means from the beginning (every live object as an add).
   */
  eventsSince(token: string, subscriptions: string[]): EventFromResult | null {
    const since = parseToken(token);
    if (since < this.forgottenUpTo) throw new XapiError('EVENTS_LOST', []);
    const subs = subscriptions.map(parseSubscription);
    const wants = (cls: ClassName, ref: Ref): boolean => subs.some((s) => s.all || (s.cls === cls.toLowerCase() && (s.ref === undefined || s.ref === ref)));
    const events: XapiEvent[] = [];
    const timestamp = xapiDateTime(this.now());
    for (const [ref, m] of this.meta) {
      if (m.modified <= since || !wants(m.cls, ref)) continue;
      const snapshot = structuredClone(wire(this.table(m.cls).get(ref) as object));
      events.push({ id: m.modified, timestamp, class: m.cls.toLowerCase(), operation: m.created > since ? 'add' : 'mod', ref, snapshot });
    }
    for (const d of this.deletions) {
      if (d.gen <= since || !wants(d.cls, d.ref)) continue;
      events.push({ id: d.gen, timestamp, class: d.cls.toLowerCase(), operation: 'del', ref: d.ref });
    }
    if (!events.length) return null;
    events.sort((a, b) => a.id - b.id);
    return { events, valid_ref_counts: this.refCounts(), token: this.token() };
  }

  refCounts(): Record<string, number> {
    return Object.fromEntries(CLASSES.map((c) => [c.toLowerCase(), this.table(c).size]));
  }

  emptyResult(): EventFromResult {
    return { events: [], valid_ref_counts: this.refCounts(), token: this.token() };
  }

  /** Resolve on the next change, or after `ms`. The returned cancel stops waiting. */
  waitForChange(ms: number): { done: Promise<void>; cancel: () => void } {
    let cancel = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.listeners.add(finish);
      cancel = finish;
    });
    return { done, cancel };
  }

  /** Wake every waiter (a session ended, the server stops). */
  wakeAll(): void {
    this.notify();
  }

  private bump(): number {
    return ++this.generation;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private table(cls: ClassName): Map<Ref, object> {
    const t = this.tables.get(cls);
    if (!t) throw new XapiError('MESSAGE_METHOD_UNKNOWN', [String(cls)]);
    return t;
  }
}

function parseToken(token: string): number {
  if (token === '') return 0;
  const m = /^(\d+)(?:,(\d+))?$/.exec(token);
  if (!m) throw new XapiError('EVENT_FROM_TOKEN_PARSE_FAILURE', [token]);
  return Number(m[1]);
}

function parseSubscription(s: string): { all: boolean; cls?: string; ref?: string } {
  if (s === '*') return { all: true };
  const slash = s.indexOf('/');
  if (slash < 0) return { all: false, cls: s.toLowerCase() };
  return { all: false, cls: s.slice(0, slash).toLowerCase(), ref: s.slice(slash + 1) };
}
