/**
 * The generic methods every XAPI class has (get_all, get_all_records, get_record, get_by_uuid,
 * get_by_name_label, set_name_label, get_<field>, add_to_/remove_from_other_config,
 * add_tags/remove_tags), and system.listMethods' list of everything the simulator answers.
 */
import { XapiError } from '../../xen/index.ts';
import type { Ref, XapiValue } from '../../xen/index.ts';
import { CLASSES, wire, type XapiDb } from './database.ts';
import { METHODS, type MethodSpec } from './methods.ts';
import { str } from './method-args.ts';

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
