/**
 * The XAPI methods the simulator answers: the generic ones every class has (get_all,
 * get_all_records, get_record, get_by_uuid, get_by_name_label, get_<field>, add_to_/remove_from_
 * other_config, add_tags/remove_tags, set_name_label) and the ones lowpower and xen-api use. Arguments are
 * positional after the session ref, as on the wire; counts are checked
 * (MESSAGE_PARAMETER_COUNT_MISMATCH, counting the session as xapi does).
 */
import { XapiError } from '../../xen/index.ts';
import { NULL_REF, type Ref, type XapiValue } from '../../xen/index.ts';
import { CLASSES, wire, type ClassName, type XapiDb } from './database.ts';
import { describe, type PoolModel } from './pool-model.ts';

export interface CallContext {
  readonly model: PoolModel;
  readonly db: XapiDb;
  readonly session: Ref;
  /** The task of an Async.* call. */
  readonly task?: Ref;
  /** False once the session is logged out or dropped, or the server stops. */
  sessionValid(): boolean;
}

type Handler = (c: CallContext, args: unknown[]) => XapiValue | Promise<XapiValue>;

export interface MethodSpec {
  handler: Handler;
  /** Parameter count after the session: [min, max]. */
  arity: [number, number];
  /** Has an Async.* form. */
  async?: boolean;
}

const str = (args: unknown[], i: number, name: string): string => {
  const v = args[i];
  if (typeof v !== 'string') throw new XapiError('FIELD_TYPE_ERROR', [name]);
  return v;
};

const map = (args: unknown[], i: number, name: string): Record<string, string> => {
  const v = args[i];
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new XapiError('FIELD_TYPE_ERROR', [name]);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
};

const bool = (args: unknown[], i: number, name: string, dflt: boolean): boolean => {
  const v = args[i];
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new XapiError('FIELD_TYPE_ERROR', [name]);
};

/** The methods with behaviour; everything else is generic or unknown. */
export const METHODS: Record<string, MethodSpec> = {
  'session.get_this_host': { arity: [1, 1], handler: (c) => c.model.masterRef },

  'pool.get_master': { arity: [1, 1], handler: (c, a) => c.db.require('pool', a[0]).master },

  'host.compute_free_memory': { arity: [1, 1], handler: (c, a) => c.model.computeFreeMemory(str(a, 0, 'host')) },
  'host.disable': {
    arity: [1, 2],
    async: true,
    handler: (c, a) => {
      c.model.disableHost(str(a, 0, 'host'), bool(a, 1, 'auto_enable', true));
      return '';
    },
  },
  'host.enable': { arity: [1, 1], async: true, handler: (c, a) => (c.model.enableHost(str(a, 0, 'host')), '') },
  'host.shutdown': { arity: [1, 1], async: true, handler: (c, a) => (c.model.shutdownHost(str(a, 0, 'host')), '') },
  'host.power_on': { arity: [1, 1], async: true, handler: (c, a) => (c.model.powerOnHost(str(a, 0, 'host')), '') },
  /** host.set_power_on_mode(self, power_on_mode, power_on_config): "" disables power-on through the pool. */
  'host.set_power_on_mode': {
    arity: [3, 3],
    handler: (c, a) => {
      const host = str(a, 0, 'self');
      c.model.hostRuntime(host);
      const raw = a[2] !== null && typeof a[2] === 'object' && !Array.isArray(a[2]) ? (a[2] as Record<string, XapiValue>) : {};
      const config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      c.model.db.update('host', host, { power_on_mode: str(a, 1, 'power_on_mode'), power_on_config: config });
      return '';
    },
  },
  'host.assert_can_evacuate': {
    arity: [1, 1],
    async: true,
    handler: (c, a) => {
      const errors = [...c.model.evacuationPlan(str(a, 0, 'host')).values()].flatMap((p) => ('error' in p ? [p.error.join(',')] : []));
      if (errors.length) throw new XapiError('CANNOT_EVACUATE_HOST', [errors.join('|')]);
      return '';
    },
  },
  'host.get_vms_which_prevent_evacuation': {
    arity: [1, 1],
    async: true,
    handler: (c, a) => Object.fromEntries([...c.model.evacuationPlan(str(a, 0, 'self'))].flatMap(([vm, p]) => ('error' in p ? [[vm, p.error]] : []))),
  },
  'host.evacuate': { arity: [1, 3], async: true, handler: async (c, a) => (await c.model.evacuate(str(a, 0, 'host')), '') },
  'host.migrate_receive': {
    arity: [3, 3],
    async: true,
    handler: (c, a) => {
      const host = str(a, 0, 'host');
      c.model.hostRuntime(host);
      return { host, xenops: 'http://127.0.0.1/services/xenops', SM: 'http://127.0.0.1/services/SM', master: 'http://127.0.0.1/', session_id: c.session };
    },
  },

  'VM.assert_operation_valid': { arity: [2, 2], async: true, handler: (c, a) => (c.model.assertOperationValid(str(a, 0, 'self'), str(a, 1, 'op')), '') },
  'VM.assert_can_boot_here': { arity: [2, 2], async: true, handler: (c, a) => (c.model.assertCanBootHere(str(a, 0, 'self'), str(a, 1, 'host')), '') },
  /** Simplified: `dest` is host.migrate_receive's map and only its "host" is read; the checks are pool_migrate's. */
  'VM.assert_can_migrate': {
    arity: [6, 7],
    async: true,
    handler: (c, a) => {
      const dest = map(a, 1, 'dest');
      if (!dest.host) throw new XapiError('FIELD_TYPE_ERROR', ['dest']);
      c.model.precheckMigrate(str(a, 0, 'vm'), dest.host);
      return '';
    },
  },
  'VM.pool_migrate': {
    arity: [3, 3],
    async: true,
    handler: async (c, a) => {
      map(a, 2, 'options');
      await c.model.migrate(str(a, 0, 'vm'), str(a, 1, 'host'), c.task);
      return '';
    },
  },

  /** VM.start(vm, start_paused, force): the pool picks the host (HOST_NOT_ENOUGH_FREE_MEMORY when none has the room); VM.start_on(vm, host, …). */
  'VM.start': { arity: [3, 3], async: true, handler: (c, a) => (bool(a, 1, 'start_paused', false), bool(a, 2, 'force', false), c.model.startVm(str(a, 0, 'vm')), '') },
  'VM.start_on': { arity: [4, 4], async: true, handler: (c, a) => (bool(a, 2, 'start_paused', false), bool(a, 3, 'force', false), c.model.startVmOn(str(a, 0, 'vm'), str(a, 1, 'host')), '') },

  'task.destroy': { arity: [1, 1], handler: (c, a) => (c.db.require('task', a[0]), c.db.remove('task', str(a, 0, 'self')), '') },
  'task.cancel': {
    arity: [1, 1],
    async: true,
    handler: (c, a) => {
      const t = c.db.require('task', a[0]);
      if (t.status !== 'pending') return '';
      throw new XapiError('OPERATION_NOT_ALLOWED', ['this simulated task cannot be cancelled']);
    },
  },

  'event.inject': { arity: [2, 2], handler: (c, a) => c.db.inject(classNamed(str(a, 0, 'class')), str(a, 1, 'ref')) },
  'event.from': { arity: [3, 3], handler: (c, a) => eventFrom(c, a) },
};

/** Long-poll for events until some arrive, the timeout passes or the session ends. */
async function eventFrom(c: CallContext, a: unknown[]): Promise<XapiValue> {
  const classes = a[0];
  if (!Array.isArray(classes)) throw new XapiError('FIELD_TYPE_ERROR', ['classes']);
  const token = str(a, 1, 'token');
  const timeoutS = Number(a[2]);
  const deadline = Date.now() + (Number.isFinite(timeoutS) ? Math.max(0, timeoutS) * 1000 : 86_400_000);
  for (;;) {
    if (!c.sessionValid()) throw new XapiError('SESSION_INVALID', [c.session]);
    const r = c.db.eventsSince(token, classes.map(String));
    if (r) return wire(r);
    const left = deadline - Date.now();
    if (left <= 0) return wire(c.db.emptyResult());
    await c.db.waitForChange(left).done;
  }
}

function classNamed(name: string): ClassName {
  const c = CLASSES.find((k) => k.toLowerCase() === name.toLowerCase());
  if (!c) throw new XapiError('HANDLE_INVALID', ['class', name]);
  return c;
}

const MAP_FIELDS = ['other_config'];

/** The generic per-class methods, or undefined when `method` is not one. */
export function genericMethod(method: string, db: XapiDb): MethodSpec | undefined {
  const dot = method.indexOf('.');
  if (dot < 0) return undefined;
  const cls = CLASSES.find((c) => c === method.slice(0, dot));
  if (!cls) return undefined;
  const action = method.slice(dot + 1);
  const records = (): Array<[Ref, Record<string, XapiValue>]> => db.all(cls).map(([r, rec]) => [r, wire(rec)]);
  switch (action) {
    case 'get_all':
      return { arity: [0, 0], handler: () => records().map(([r]) => r) };
    case 'get_all_records':
      return { arity: [0, 0], handler: () => Object.fromEntries(records()) };
    case 'get_record':
      return { arity: [1, 1], handler: (_c, a) => wire(db.require(cls, a[0])) };
    case 'get_by_uuid':
      return {
        arity: [1, 1],
        handler: (_c, a) => {
          const hit = records().find(([, rec]) => rec.uuid === a[0]);
          if (!hit) throw new XapiError('UUID_INVALID', [cls, String(a[0])]);
          return hit[0];
        },
      };
    case 'get_by_name_label':
      if (!records().some(([, rec]) => 'name_label' in rec)) return undefined;
      return { arity: [1, 1], handler: (_c, a) => records().filter(([, rec]) => rec.name_label === a[0]).map(([r]) => r) };
    case 'set_name_label':
      // An admin renaming a host or VM (xe host-param-set name-label=...): refs and uuids stay.
      if (!records().some(([, rec]) => 'name_label' in rec)) return undefined;
      return {
        arity: [2, 2],
        handler: (_c, a) => {
          db.require(cls, a[0]);
          db.update(cls, String(a[0]), { name_label: str(a, 1, 'value') });
          return '';
        },
      };
    case 'add_tags':
    case 'remove_tags':
      return {
        arity: [2, 2],
        handler: (_c, a) => {
          const rec = wire(db.require(cls, a[0]));
          const tags = Array.isArray(rec.tags) ? rec.tags.map(String) : [];
          const tag = str(a, 1, 'value');
          const next = action === 'add_tags' ? (tags.includes(tag) ? tags : [...tags, tag]) : tags.filter((t) => t !== tag);
          rec.tags = next;
          db.touch(String(a[0]));
          return '';
        },
      };
  }
  for (const field of MAP_FIELDS) {
    if (action === `add_to_${field}` || action === `remove_from_${field}`) {
      const adding = action.startsWith('add_to_');
      return {
        arity: adding ? [3, 3] : [2, 2],
        handler: (_c, a) => {
          const rec = wire(db.require(cls, a[0]));
          const m = (rec[field] ?? {}) as Record<string, XapiValue>;
          const key = str(a, 1, 'key');
          if (adding) {
            if (key in m) throw new XapiError('MAP_DUPLICATE_KEY', [cls, field, String(a[0]), key]);
            m[key] = str(a, 2, 'value');
          } else {
            delete m[key];
          }
          rec[field] = m;
          db.touch(String(a[0]));
          return '';
        },
      };
    }
  }
  if (action.startsWith('get_')) {
    const field = action.slice(4);
    const sample = records()[0]?.[1];
    if (sample && !(field in sample)) return undefined;
    return {
      arity: [1, 1],
      handler: (_c, a) => {
        const rec = wire(db.require(cls, a[0]));
        if (!(field in rec)) throw new XapiError('MESSAGE_METHOD_UNKNOWN', [method]);
        return structuredClone(rec[field]);
      },
    };
  }
  return undefined;
}

/** Every method name the simulator answers, for system.listMethods. */
export function listMethods(db: XapiDb): string[] {
  const names = new Set<string>(['session.login_with_password', 'session.logout', 'system.listMethods', ...Object.keys(METHODS)]);
  for (const name of Object.keys(METHODS)) if (METHODS[name].async) names.add(`Async.${name}`);
  for (const cls of CLASSES) {
    for (const a of ['get_all', 'get_all_records', 'get_record', 'get_by_uuid', 'add_tags', 'remove_tags', 'add_to_other_config', 'remove_from_other_config']) names.add(`${cls}.${a}`);
    const sample = db.all(cls)[0]?.[1];
    if (sample) for (const field of Object.keys(sample)) names.add(`${cls}.get_${field}`);
    if (sample && 'name_label' in sample) {
      names.add(`${cls}.get_by_name_label`);
      names.add(`${cls}.set_name_label`);
    }
  }
  return [...names].sort();
}

/** Tasks for Async.* calls: created pending on the master, completed with an XML-RPC encoded result. */
export function createTask(c: Pick<CallContext, 'db' | 'model'>, name: string, ids: { ref(): Ref; uuid(): string }, now: string): Ref {
  const ref = ids.ref();
  c.db.insert('task', ref, {
    uuid: ids.uuid(), name_label: name, name_description: '', status: 'pending', progress: 0, created: now, finished: '19700101T00:00:00Z',
    result: '', error_info: [], resident_on: c.model.masterRef, subtask_of: NULL_REF, allowed_operations: ['cancel'], current_operations: {}, type: '<none/>', other_config: {},
  });
  return ref;
}

export function settleTask(db: XapiDb, task: Ref, outcome: { result: XapiValue } | { error: unknown }, now: string): void {
  if (!db.get('task', task)) return; // destroyed while it ran
  if ('result' in outcome) db.update('task', task, { status: 'success', progress: 1, finished: now, allowed_operations: [], result: encodeXmlRpcValue(outcome.result) });
  else db.update('task', task, { status: 'failure', progress: 1, finished: now, allowed_operations: [], error_info: describe(outcome.error) });
}

/** What xapi stores in task.result: the XML-RPC encoding of the value ("" for void). */
export function encodeXmlRpcValue(v: XapiValue): string {
  if (v === '' || v === null) return '';
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const inner = (x: XapiValue): string => {
    if (typeof x === 'string') return esc(x);
    if (typeof x === 'number') return Number.isInteger(x) ? `<string>${x}</string>` : `<double>${x}</double>`;
    if (typeof x === 'boolean') return `<boolean>${x ? 1 : 0}</boolean>`;
    if (x === null) return '<nil/>';
    if (Array.isArray(x)) return `<array><data>${x.map((e) => `<value>${inner(e)}</value>`).join('')}</data></array>`;
    return `<struct>${Object.entries(x).map(([k, e]) => `<member><name>${esc(k)}</name><value>${inner(e)}</value></member>`).join('')}</struct>`;
  };
  return `<value>${inner(v)}</value>`;
}
