/**
 * The XAPI methods the simulator answers with behaviour: the ones lowpower and xen-api use (the
 * generic per-class ones are in generic-methods.ts), and the tasks of Async.* calls. Arguments are
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

import { bool, map, str } from './method-args.ts';

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
